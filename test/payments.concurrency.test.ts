/**
 * Payments under concurrency, on real PostgreSQL only (PGlite has one
 * connection, so nothing there runs at the same time):
 * - one order paid by 6 concurrent identical notifications and 100 replays,
 *   over HTTP → one payment success, one `order.paid`;
 * - 30 concurrent reports of one transaction straight into the applying
 *   path on a 30-connection pool → one applies;
 * - notifications for an order already closed → acknowledged, one refund;
 * - a payment notification racing the unpaid-close timer, 20 times → either
 *   paid, or closed and refunded; never both, never neither;
 * - the same race through the simulator (pay at the cashier vs close) →
 *   either paid, or closed with no money taken.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, type DatabaseHandle } from "../db/connect";
import { closeUnpaidOrder } from "../app/orders/index.server";
import { applyPaymentResult, loadWechatPayKeys, simulatePayment } from "../app/payments/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import {
  buildNotification,
  createPendingPayment,
  newTransactionId,
  post,
  readProviderKeys,
  signHeaders,
  snapshot,
  transactionResource,
  type ProviderKeys,
} from "./payments-fixtures";

/** On every other run one side starts up to 25 ms late, so both orders of arrival happen. */
const jitter = (i: number) => new Promise<void>((r) => setTimeout(r, i % 2 ? Math.floor(Math.random() * 25) : 0));

describe.skipIf(!process.env.DATABASE_URL)("payments under concurrency (PostgreSQL)", () => {
  let platform: TestPlatform;
  let server: TestServer;
  let keys: ProviderKeys;
  let notifyUrl: string;
  let wide: DatabaseHandle;

  beforeAll(async () => {
    platform = await createTestPlatform();
    server = await startTestServer(platform);
    keys = readProviderKeys(platform);
    notifyUrl = `${server.url}/payments/notify/wechatpay`;
    wide = await openPostgres(platform.reopenInfo.databaseUrl!, { max: 30 });
  });

  afterAll(async () => {
    await wide?.close();
    await server?.close();
    await platform?.close();
  });

  it("6 concurrent identical notifications and 100 replays pay the order once", async () => {
    const p = await createPendingPayment(platform);
    const n = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total }));
    const first = await Promise.all(Array.from({ length: 6 }, () => post(notifyUrl, n)));
    expect(first.map((r) => r.status)).toEqual([204, 204, 204, 204, 204, 204]);
    const replays = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(notifyUrl, i % 2 ? n : { body: n.body, headers: signHeaders(keys, n.body) })),
    );
    expect(new Set(replays.map((r) => r.status))).toEqual(new Set([204]));
    expect(await snapshot(platform, p)).toMatchObject({
      orderStatus: "paid",
      paymentStatuses: ["succeeded"],
      notifications: 1,
      orderPaidEvents: 1,
      refunds: [],
    });
  });

  it("30 concurrent reports of one transaction (different notification ids) on 30 connections apply once", async () => {
    const p = await createPendingPayment(platform);
    const txn = newTransactionId();
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        applyPaymentResult(wide.db, {
          provider: "wechatpay",
          notificationId: i === 0 ? `query:${txn}` : `n-${txn}-${i}`,
          eventType: "TRANSACTION.SUCCESS",
          trade: { outTradeNo: p.paymentId, tradeState: "SUCCESS", transactionId: txn, amount: p.total, payerTotal: p.total, currency: "CNY", successTime: new Date(), raw: {} },
          mchid: null,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.kind === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === "duplicate")).toHaveLength(29);
    expect(await snapshot(platform, p)).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], notifications: 1, orderPaidEvents: 1 });
  });

  it("concurrent notifications for a closed order are acknowledged and refunded once", async () => {
    const p = await createPendingPayment(platform);
    expect(await closeUnpaidOrder(platform, { shopId: p.shopId, orderId: p.orderId })).toBe("closed");
    const n = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total }));
    const res = await Promise.all(Array.from({ length: 6 }, () => post(notifyUrl, { body: n.body, headers: signHeaders(keys, n.body) })));
    expect(res.map((r) => r.status)).toEqual([204, 204, 204, 204, 204, 204]);
    expect(await snapshot(platform, p)).toMatchObject({
      orderStatus: "closed",
      paymentStatuses: ["succeeded"],
      notifications: 1,
      orderPaidEvents: 0,
      orderClosedEvents: 1,
      refunds: [{ source: "late_payment", status: "pending", amount: p.total }],
      refundRequestedEvents: 1,
    });
  });

  it("a payment notification racing the unpaid-close timer: paid, or closed and refunded — 20 times", async () => {
    const seen = { paid: 0, closedAndRefunded: 0 };
    for (let i = 0; i < 20; i++) {
      const p = await createPendingPayment(platform);
      // The provider completed the payment just as the timer fired: the notification and the close run together.
      const n = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total }));
      const [closed, notified] = await Promise.all([
        jitter(i).then(() => closeUnpaidOrder(platform, { shopId: p.shopId, orderId: p.orderId })),
        jitter(i + 1).then(() => post(notifyUrl, n)),
      ]);
      expect(notified.status).toBe(204);
      const s = await snapshot(platform, p);
      const payment = await platform.db.selectFrom("payments").select(["status", "late"]).where("id", "=", p.paymentId).executeTakeFirstOrThrow();
      expect(payment.status).toBe("succeeded"); // the money was taken either way
      if (s.orderStatus === "paid") {
        seen.paid++;
        expect(closed).not.toBe("closed");
        expect(payment.late).toBe(false);
        expect(s).toMatchObject({ orderPaidEvents: 1, orderClosedEvents: 0, refunds: [] });
      } else {
        seen.closedAndRefunded++;
        expect(s.orderStatus).toBe("closed");
        expect(closed).toBe("closed");
        expect(payment.late).toBe(true);
        expect(s).toMatchObject({ orderPaidEvents: 0, orderClosedEvents: 1, refunds: [{ source: "late_payment", status: "pending", amount: p.total }], refundRequestedEvents: 1 });
      }
    }
    expect(seen.paid + seen.closedAndRefunded).toBe(20);
    console.log(`[race] paid ${seen.paid}, closed and refunded ${seen.closedAndRefunded}`);
  });

  it("paying at the simulator racing the unpaid-close: paid, or closed with no money taken — 20 times", async () => {
    const simKeys = () => loadWechatPayKeys(platform.config);
    const seen = { paid: 0, closed: 0 };
    for (let i = 0; i < 20; i++) {
      const p = await createPendingPayment(platform);
      const buyer = (async () => {
        await jitter(i);
        const r = await simulatePayment({ db: platform.db, keys: simKeys }, p.paymentId);
        if (r !== "paid") return r;
        // The provider delivers its notification.
        const row = await platform.db.selectFrom("sim_notifications").select("body").where("subject", "=", p.paymentId).executeTakeFirstOrThrow();
        const res = await post(notifyUrl, { body: row.body, headers: signHeaders(keys, row.body) });
        expect(res.status).toBe(204);
        return r;
      })();
      const [paidAtSim, closed] = await Promise.all([buyer, jitter(i + 1).then(() => closeUnpaidOrder(platform, { shopId: p.shopId, orderId: p.orderId }))]);
      const s = await snapshot(platform, p);
      const trade = await platform.db.selectFrom("sim_trades").select("trade_state").where("out_trade_no", "=", p.paymentId).executeTakeFirstOrThrow();
      if (paidAtSim === "paid") {
        seen.paid++;
        // the close either found the order already paid (the notification won) or asked the provider and left it
        expect(["paid_at_provider", "moved_on"]).toContain(closed);
        expect(trade.trade_state).toBe("SUCCESS");
        expect(s).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], orderPaidEvents: 1, orderClosedEvents: 0, refunds: [] });
      } else {
        seen.closed++;
        expect(paidAtSim).toBe("closed");
        expect(closed).toBe("closed");
        expect(trade.trade_state).toBe("CLOSED");
        expect(s).toMatchObject({ orderStatus: "closed", paymentStatuses: ["closed"], orderPaidEvents: 0, orderClosedEvents: 1, refunds: [] });
      }
    }
    expect(seen.paid + seen.closed).toBe(20);
    console.log(`[race] paid ${seen.paid}, closed unpaid ${seen.closed}`);
  });
});
