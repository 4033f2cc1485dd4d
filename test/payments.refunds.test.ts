/**
 * Refund records: idempotent per key, never more than what is left of the
 * payment, only for a paid order, and completed exactly once by the
 * provider's refund notification (built here by the tests' own WeChat Pay
 * implementation and posted to the real endpoint).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPayments, listRefunds, requestRefund, type RefundRequestInput } from "../app/payments/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import {
  buildNotification,
  createPendingPayment,
  newTransactionId,
  post,
  readProviderKeys,
  transactionResource,
  type PendingOrder,
  type ProviderKeys,
} from "./payments-fixtures";

let platform: TestPlatform;
let server: TestServer;
let keys: ProviderKeys;
let notifyUrl: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  keys = readProviderKeys(platform);
  notifyUrl = `${server.url}/payments/notify/wechatpay`;
});

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

type Paid = PendingOrder & { paymentId: string; transactionId: string };

async function paidOrder(total = 10_000): Promise<Paid> {
  const p = await createPendingPayment(platform, { total });
  const transactionId = newTransactionId();
  const res = await post(notifyUrl, buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: transactionId, amount: total })));
  expect(res.status).toBe(204);
  return { ...p, transactionId };
}

const ask = (o: PendingOrder, over: Partial<RefundRequestInput> = {}): RefundRequestInput => ({
  shopId: o.shopId,
  orderId: o.orderId,
  amount: 1000,
  reason: "Damaged in transit",
  source: "merchant",
  restock: false,
  idempotencyKey: `k-${Math.random()}`,
  actor: { type: "user", id: o.ownerId },
  ...over,
});

function refundNotification(o: Paid, refund: { id: string; amount: number }, over: { status?: string; amount?: number; refundId?: string } = {}) {
  const status = over.status ?? "SUCCESS";
  return buildNotification(
    keys,
    {
      mchid: "1900000109",
      out_trade_no: o.paymentId,
      transaction_id: o.transactionId,
      out_refund_no: refund.id,
      refund_id: over.refundId ?? `50${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 29),
      refund_status: status,
      success_time: "2026-11-25T18:00:00+08:00",
      user_received_account: "支付用户零钱",
      amount: { total: o.total, refund: over.amount ?? refund.amount, payer_total: o.total, payer_refund: over.amount ?? refund.amount },
    },
    { eventType: `REFUND.${status}`, originalType: "refund" },
  );
}

async function refundedTotal(orderId: string): Promise<number> {
  return (await platform.db.selectFrom("orders").select("refunded_total").where("id", "=", orderId).executeTakeFirstOrThrow()).refunded_total;
}

describe("requestRefund", () => {
  it("returns the same refund for the same key, and writes one row, one audit entry, one refund.requested", async () => {
    const o = await paidOrder();
    const input = ask(o, { idempotencyKey: "same-key", amount: 2500 });
    const a = await requestRefund(platform.db, input);
    const b = await requestRefund(platform.db, input);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ status: "pending", amount: 2500, source: "merchant", paymentId: o.paymentId, currency: "CNY" });
    expect(await listRefunds(platform.db, o.shopId, o.orderId)).toHaveLength(1);
    const events = await platform.db.selectFrom("outbox").select("id").where("name", "=", "refund.requested").where("subject_id", "=", a.id).execute();
    expect(events).toHaveLength(1);
    const audit = await platform.db.selectFrom("audit_log").select("action").where("target_id", "=", a.id).execute();
    expect(audit.map((r) => r.action)).toEqual(["refund.requested"]);
  });

  it("refuses the same key for a different refund (422), leaving the first", async () => {
    const o = await paidOrder();
    await requestRefund(platform.db, ask(o, { idempotencyKey: "k2", amount: 1000 }));
    await expect(requestRefund(platform.db, ask(o, { idempotencyKey: "k2", amount: 1500 }))).rejects.toMatchObject({ kind: "unprocessable", code: "idempotency_mismatch" });
    expect((await listRefunds(platform.db, o.shopId, o.orderId)).map((r) => r.amount)).toEqual([1000]);
  });

  it("never refunds more than was paid minus what is pending or refunded", async () => {
    const o = await paidOrder(10_000);
    await requestRefund(platform.db, ask(o, { amount: 6000 }));
    await expect(requestRefund(platform.db, ask(o, { amount: 4001 }))).rejects.toMatchObject({ kind: "unprocessable", code: "over_refund" });
    await requestRefund(platform.db, ask(o, { amount: 4000 }));
    await expect(requestRefund(platform.db, ask(o, { amount: 1 }))).rejects.toMatchObject({ code: "over_refund" });
    expect((await listRefunds(platform.db, o.shopId, o.orderId)).map((r) => r.amount)).toEqual([6000, 4000]);
  });

  it("refuses an order that was never paid, an unknown order, and lines adding up to more than the amount", async () => {
    const p = await createPendingPayment(platform);
    await expect(requestRefund(platform.db, ask(p))).rejects.toMatchObject({ kind: "unprocessable", code: "not_paid" });
    await expect(requestRefund(platform.db, ask({ ...p, orderId: "ord_nope" }))).rejects.toMatchObject({ kind: "not_found" });
    const o = await paidOrder();
    await expect(requestRefund(platform.db, ask(o, { amount: 100, lines: [{ lineId: o.lineId, quantity: 1, amount: 200 }] }))).rejects.toMatchObject({ kind: "bad_request" });
    await expect(requestRefund(platform.db, ask(o, { amount: 0 }))).rejects.toMatchObject({ kind: "bad_request" });
    expect(await listRefunds(platform.db, o.shopId, o.orderId)).toEqual([]);
  });

  it("joins the caller's transaction: rolled back with it", async () => {
    const o = await paidOrder();
    await expect(
      platform.db.transaction().execute(async (trx) => {
        await requestRefund(trx, ask(o));
        throw new Error("the caller changed its mind");
      }),
    ).rejects.toThrow("changed its mind");
    expect(await listRefunds(platform.db, o.shopId, o.orderId)).toEqual([]);
  });
});

describe("the refund notification", () => {
  it("completes the refund and tells the order once, however many notifications report it", async () => {
    const o = await paidOrder(10_000);
    const refund = await requestRefund(platform.db, ask(o, { amount: 3000, lines: [{ lineId: o.lineId, quantity: 1, amount: 3000 }] }));
    const n = refundNotification(o, refund, { refundId: "50300000000000000000000000001" });
    expect((await post(notifyUrl, n)).status).toBe(204);
    const [done] = await listRefunds(platform.db, o.shopId, o.orderId);
    expect(done).toMatchObject({ status: "succeeded", providerRefundId: "50300000000000000000000000001" });
    expect(done.completedAt).not.toBeNull();
    expect(await refundedTotal(o.orderId)).toBe(3000);

    // The same notification, and another notification of the same refund.
    expect((await post(notifyUrl, n)).status).toBe(204);
    expect((await post(notifyUrl, refundNotification(o, refund, { refundId: "50300000000000000000000000001" }))).status).toBe(204);
    expect(await refundedTotal(o.orderId)).toBe(3000);
    const events = await platform.db.selectFrom("order_events").select("type").where("order_id", "=", o.orderId).where("type", "=", "refunded").execute();
    expect(events).toHaveLength(1);
    const refundedOutbox = await platform.db.selectFrom("outbox").select("id").where("name", "=", "order.refunded").where("subject_id", "=", o.orderId).execute();
    expect(refundedOutbox).toHaveLength(1);
    // A late REFUND.ABNORMAL for a refund already final changes nothing.
    expect((await post(notifyUrl, refundNotification(o, refund, { status: "ABNORMAL" }))).status).toBe(204);
    expect((await listRefunds(platform.db, o.shopId, o.orderId))[0].status).toBe("succeeded");
  });

  it("a full refund of a paid order closes it", async () => {
    const o = await paidOrder(4000);
    const refund = await requestRefund(platform.db, ask(o, { amount: 4000, source: "buyer_cancel", restock: true }));
    expect((await post(notifyUrl, refundNotification(o, refund))).status).toBe(204);
    const order = await platform.db.selectFrom("orders").select(["status", "refunded_total"]).where("id", "=", o.orderId).executeTakeFirstOrThrow();
    expect(order).toEqual({ status: "closed", refunded_total: 4000 });
    expect((await listPayments(platform.db, o.shopId, o.orderId)).map((p) => p.status)).toEqual(["succeeded"]);
  });

  it("with another amount than the refund's is not acknowledged, recorded, and changes nothing", async () => {
    const o = await paidOrder(10_000);
    const refund = await requestRefund(platform.db, ask(o, { amount: 2000 }));
    const res = await post(notifyUrl, refundNotification(o, refund, { amount: 2500 }));
    expect(res.status).toBe(500);
    expect((await listRefunds(platform.db, o.shopId, o.orderId))[0].status).toBe("pending");
    expect(await refundedTotal(o.orderId)).toBe(0);
    const anomalies = await platform.db.selectFrom("payment_anomalies").select("kind").where("refund_id", "=", refund.id).execute();
    expect(anomalies).toEqual([{ kind: "refund_mismatch" }]);
  });

  it("REFUND.ABNORMAL fails the refund, and frees its amount for another", async () => {
    const o = await paidOrder(5000);
    const refund = await requestRefund(platform.db, ask(o, { amount: 5000 }));
    expect((await post(notifyUrl, refundNotification(o, refund, { status: "ABNORMAL" }))).status).toBe(204);
    const [failed] = await listRefunds(platform.db, o.shopId, o.orderId);
    expect(failed).toMatchObject({ status: "failed", failureReason: "ABNORMAL" });
    const failedEvents = await platform.db.selectFrom("outbox").select(["payload"]).where("name", "=", "refund.failed").where("subject_id", "=", refund.id).execute();
    expect(failedEvents.map((e) => e.payload)).toEqual([{ refundId: refund.id, orderId: o.orderId, amount: 5000, source: "merchant", sourceId: null, reason: "ABNORMAL" }]);
    expect(await refundedTotal(o.orderId)).toBe(0);
    const again = await requestRefund(platform.db, ask(o, { amount: 5000 }));
    expect(again.status).toBe("pending");
  });
});
