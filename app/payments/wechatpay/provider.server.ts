/**
 * The built-in provider: WeChat Pay API v3. Notifications are verified and
 * decrypted here (protocol.server.ts); API calls go to a
 * {@link WechatPayGateway} in WeChat's own request and response shapes. The
 * gateway in development and tests is the in-process simulator; a live
 * gateway (HTTPS to api.mch.weixin.qq.com with merchant request signing) plugs
 * in at the same interface.
 */
import type {
  PaymentNotification,
  PaymentProvider,
  ProviderRefundResult,
  ProviderTrade,
  RefundNotification,
} from "../provider.types";
import type { WechatPayKeys } from "./keys.server";
import {
  NotificationRejected,
  RefundResource,
  TransactionResource,
  openNotification,
  peekEventType,
  type HeaderSource,
} from "./protocol.server";

export const WECHATPAY = "wechatpay";

/** WeChat Pay API v3 calls, in its wire shapes (the parts Bazaar uses). */
export interface WechatPayGateway {
  /** POST /v3/pay/transactions/jsapi */
  prepay(req: {
    appid: string;
    mchid: string;
    description: string;
    out_trade_no: string;
    notify_url: string;
    amount: { total: number; currency: string };
  }): Promise<{ prepay_id: string }>;
  /** POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close — ORDERPAID when already paid */
  close(outTradeNo: string): Promise<{ ok: true } | { ok: false; code: "ORDERPAID" }>;
  /** GET /v3/pay/transactions/out-trade-no/{out_trade_no} — null for ORDER_NOT_EXIST */
  query(outTradeNo: string): Promise<TransactionResource | null>;
  /** POST /v3/refund/domestic/refunds */
  refund(req: {
    out_trade_no: string;
    out_refund_no: string;
    reason: string;
    notify_url: string;
    amount: { refund: number; total: number; currency: string };
  }): Promise<{ refund_id: string; out_refund_no: string; status: "PROCESSING" | "SUCCESS" | "ABNORMAL" } | { code: string; message: string }>;
}

function toTrade(t: TransactionResource): ProviderTrade {
  return {
    outTradeNo: t.out_trade_no,
    tradeState: t.trade_state,
    transactionId: t.transaction_id ?? null,
    amount: t.amount.total,
    payerTotal: t.amount.payer_total ?? null,
    currency: t.amount.currency,
    successTime: t.success_time ? new Date(t.success_time) : null,
    raw: t as Record<string, unknown>,
  };
}

/**
 * A WeChat Pay provider. `keys` is read lazily: API calls through the
 * simulator need none, so services that only open or close trades work
 * where the notification keys are not loaded.
 */
export function wechatPayProvider(opts: {
  gateway: WechatPayGateway;
  merchant: { mchid: string; appid: string };
  keys: () => WechatPayKeys;
}): PaymentProvider {
  const { gateway, merchant } = opts;
  return {
    name: WECHATPAY,

    async createPayment(input) {
      const res = await gateway.prepay({
        appid: merchant.appid,
        mchid: merchant.mchid,
        description: input.description.slice(0, 127),
        out_trade_no: input.outTradeNo,
        notify_url: input.notifyUrl,
        amount: { total: input.amount, currency: input.currency },
      });
      return { prepayId: res.prepay_id };
    },

    async closePayment(outTradeNo) {
      const res = await gateway.close(outTradeNo);
      return res.ok ? { closed: true } : { closed: false, reason: "paid" };
    },

    async queryPayment(outTradeNo) {
      const t = await gateway.query(outTradeNo);
      return t ? toTrade(t) : null;
    },

    async refund(input): Promise<ProviderRefundResult> {
      const res = await gateway.refund({
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        reason: input.reason.slice(0, 80),
        notify_url: input.notifyUrl,
        amount: { refund: input.amount, total: input.total, currency: input.currency },
      });
      if ("code" in res) return { accepted: false, reason: `${res.code}: ${res.message}` };
      return { accepted: true, providerRefundId: res.refund_id, status: res.status };
    },

    verifyAndParseNotification(headers: HeaderSource, rawBody: Buffer | string): PaymentNotification {
      const { envelope, resource } = openNotification(headers, rawBody, opts.keys());
      if (!envelope.event_type.startsWith("TRANSACTION.") || envelope.resource.original_type !== "transaction") {
        throw new NotificationRejected("wrong_event", `not a payment notification: ${envelope.event_type}`);
      }
      const t = TransactionResource.safeParse(resource);
      if (!t.success || !t.data.transaction_id) throw new NotificationRejected("malformed", "the transaction resource is incomplete");
      const trade = toTrade(t.data);
      return {
        provider: WECHATPAY,
        notificationId: envelope.id,
        eventType: envelope.event_type,
        trade: { ...trade, transactionId: t.data.transaction_id },
        mchid: t.data.mchid ?? null,
      };
    },

    verifyAndParseRefundNotification(headers: HeaderSource, rawBody: Buffer | string): RefundNotification {
      const { envelope, resource } = openNotification(headers, rawBody, opts.keys());
      if (!envelope.event_type.startsWith("REFUND.") || envelope.resource.original_type !== "refund") {
        throw new NotificationRejected("wrong_event", `not a refund notification: ${envelope.event_type}`);
      }
      const r = RefundResource.safeParse(resource);
      if (!r.success) throw new NotificationRejected("malformed", "the refund resource is incomplete");
      return {
        provider: WECHATPAY,
        notificationId: envelope.id,
        eventType: envelope.event_type,
        outRefundNo: r.data.out_refund_no,
        providerRefundId: r.data.refund_id,
        outTradeNo: r.data.out_trade_no,
        transactionId: r.data.transaction_id,
        refundStatus: r.data.refund_status,
        amount: r.data.amount.refund,
        total: r.data.amount.total,
        successTime: r.data.success_time ? new Date(r.data.success_time) : null,
        raw: r.data as Record<string, unknown>,
      };
    },

    isRefundNotification(rawBody) {
      return (peekEventType(rawBody) ?? "").startsWith("REFUND.");
    },
  };
}
