/**
 * The payment notification endpoint, `POST /payments/notify/:provider`,
 * mounted in express (server.ts) with the raw body and nothing before it
 * that parses or reads cookies (it is CSRF-exempt: it authenticates by the
 * provider's signature).
 *
 * | what arrived                                              | answer | effect                                   |
 * |-----------------------------------------------------------|--------|------------------------------------------|
 * | missing headers, stale timestamp (> 5 min), unknown serial, bad signature, undecryptable resource | 401 `{"code":"FAIL"}` | none |
 * | not a notification envelope / resource, unknown event     | 400 `{"code":"FAIL"}` | none                                     |
 * | TRANSACTION.* with trade_state other than SUCCESS         | 400 `{"code":"FAIL"}` | none                                     |
 * | payment applied                                           | 204    | payment succeeded, order paid (`order.paid`) |
 * | the same notification again / the same transaction again  | 204    | none                                     |
 * | payment for an order no longer awaiting payment           | 204    | recorded, refund requested (late_payment) |
 * | wrong amount or currency, unknown out_trade_no, …         | 500 `{"code":"FAIL"}` | anomaly recorded; provider retries |
 * | REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED          | 204    | refund succeeded (order told) / failed   |
 * | unknown provider                                          | 404 `{"code":"FAIL"}` | none                                     |
 * | our own failure (database down)                           | 500 `{"code":"FAIL"}` | none (rolled back); provider retries     |
 *
 * 204 is sent only after the applying transaction committed. The FAIL body is
 * WeChat Pay's documented shape.
 */
import type { RequestHandler } from "express";
import type { Platform } from "../platform.server";
import { isAppError } from "../lib/errors";
import { applyPaymentResult } from "./payments.service.server";
import { paymentProvider } from "./providers.server";
import { NotificationRejected } from "./provider.types";
import { applyRefundResult } from "./refunds.service.server";
import { PaymentKeysError } from "./wechatpay/keys.server";

export function paymentNotifyHandler(platform: Pick<Platform, "db" | "jobs" | "config">): RequestHandler {
  return async (req, res) => {
    const fail = (status: number, message: string) => {
      res.status(status).type("application/json").send(JSON.stringify({ code: "FAIL", message }));
    };
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const provider = paymentProvider(String(req.params.provider ?? ""), { db: platform.db, jobs: platform.jobs, config: platform.config });
      if (provider.isRefundNotification(raw)) {
        const n = provider.verifyAndParseRefundNotification(req.headers, raw);
        const out = await applyRefundResult(platform.db, n);
        if (out.kind === "anomaly") return fail(500, `not accepted: ${out.anomaly.kind}`);
        return res.status(204).end();
      }
      const n = provider.verifyAndParseNotification(req.headers, raw);
      if (n.trade.tradeState !== "SUCCESS") return fail(400, `trade_state ${n.trade.tradeState} is not SUCCESS`);
      const out = await applyPaymentResult(platform.db, n);
      if (out.kind === "anomaly") return fail(500, `not accepted: ${out.anomaly.kind}`);
      return res.status(204).end();
    } catch (e) {
      if (e instanceof NotificationRejected) return fail(e.status, e.message);
      if (isAppError(e) && e.kind === "not_found") return fail(404, e.message);
      if (e instanceof PaymentKeysError) {
        console.error(`[payments] cannot verify notifications: ${e.message}`);
        return fail(500, "not configured");
      }
      console.error("[payments] applying a notification failed:", e);
      return fail(500, "internal error");
    }
  };
}
