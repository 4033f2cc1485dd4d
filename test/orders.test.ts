/**
 * The order state machine, table-driven: every (state, action) pair from a
 * fresh order in that state — allowed moves change the state once, write
 * exactly one timeline entry and publish their event; forbidden ones are
 * 409 and write nothing; no-ops write nothing; and repeating an allowed
 * action is a no-op or a 409 as designed. Then what the table cannot show:
 * payment outcomes, cancel-with-refund, per-line and full refunds (money
 * and stock exact), a late payment on a closed order, and the buyer's and
 * merchant's pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../app/lib/errors";
import {
  applyRefundFailed,
  applyRefundSucceeded,
  autoCompleteOrder,
  cancelOrder,
  closeUnpaidOrder,
  confirmReceipt,
  lineRefundAmount,
  markOrderPaid,
  refundOrder,
  shipOrder,
  type OrderStatus,
} from "../app/orders/index.server";
import { listRefunds } from "../app/payments/index.server";
import * as merchantList from "../app/routes/admin.shops.$shopId.orders._index";
import * as merchantDetail from "../app/routes/admin.shops.$shopId.orders.$orderId";
import * as buyerList from "../app/routes/orders._index";
import * as buyerDetail from "../app/routes/orders.$orderId";
import { newToken } from "../app/lib/ids";
import {
  completeRefunds,
  createBuyer,
  ledgerOf,
  orderFor,
  orderRow,
  payOrder,
  publishedFor,
  shopWithProducts,
  stockOf,
  timelineOf,
  type TestBuyer,
} from "./orders-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { body, TestBrowser, type TestShop, type TestUser } from "./support/storefront-fixtures";

let platform: TestPlatform;
let shop: TestShop;
let owner: TestUser;
let skus: string[];
let buyer: TestBuyer;

beforeAll(async () => {
  platform = await createTestPlatform();
  ({ shop, owner, skus } = await shopWithProducts(platform, [
    { price: 1000, stock: 500, title: "Tea" },
    { price: 333, stock: 500, title: "Cup" },
  ]));
  buyer = await createBuyer(platform);
});

afterAll(async () => {
  await platform?.close();
});

const merchant = () => ({ type: "merchant" as const, id: owner.id });
let seq = 0;

type Ctx = { orderId: string; total: number };

/** A fresh order (one Tea, two Cups) driven to `state` the way it would get there. */
async function orderIn(state: OrderStatus): Promise<Ctx> {
  const o = await orderFor(platform, shop.id, buyer, [
    { skuId: skus[0], quantity: 1 },
    { skuId: skus[1], quantity: 2 },
  ]);
  if (state === "closed") await cancelOrder(platform, { shopId: shop.id, orderId: o.orderId, actor: { type: "buyer", id: buyer.id } });
  if (state === "paid" || state === "shipped" || state === "completed") await payOrder(platform, shop.id, o.orderId);
  if (state === "shipped" || state === "completed") await shipOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { carrier: "SF Express", trackingNumber: `SF${++seq}` } });
  if (state === "completed") await confirmReceipt(platform.db, { shopId: shop.id, orderId: o.orderId, buyerId: buyer.id });
  expect((await orderRow(platform, o.orderId)).status).toBe(state);
  return o;
}

const ACTIONS = ["pay", "ship", "confirm", "cancel_buyer", "cancel_merchant", "auto_complete", "close_unpaid"] as const;
type Action = (typeof ACTIONS)[number];

async function perform(action: Action, o: Ctx): Promise<unknown> {
  const p = { shopId: shop.id, orderId: o.orderId };
  switch (action) {
    case "pay":
      return platform.db.transaction().execute((trx) => markOrderPaid(trx, { ...p, amount: o.total, paymentId: `pay_test_${++seq}`, paidAt: new Date() }));
    case "ship":
      // A new tracking number each time: shipping an order twice differently is refused.
      return shipOrder(platform.db, { ...p, actor: merchant(), form: { carrier: "SF Express", trackingNumber: `SF${++seq}` } });
    case "confirm":
      return confirmReceipt(platform.db, { ...p, buyerId: buyer.id });
    case "cancel_buyer":
      return cancelOrder(platform, { ...p, actor: { type: "buyer", id: buyer.id } });
    case "cancel_merchant":
      return cancelOrder(platform, { ...p, actor: merchant(), form: { reason: "Out of paper bags" } });
    case "auto_complete":
      return autoCompleteOrder(platform.db, p);
    case "close_unpaid":
      return closeUnpaidOrder(platform, p);
  }
}

/** ok: moves to `to`, one timeline entry `event`, publishes `published`. refund: a paid order's cancellation asks for its refund. */
type Outcome = { to: OrderStatus; event: string; published: string } | "refund" | "noop" | "conflict";
const ok = (to: OrderStatus, event: string, published: string): Outcome => ({ to, event, published });

const TABLE: Record<OrderStatus, Record<Action, Outcome>> = {
  pending_payment: {
    pay: ok("paid", "paid", "order.paid"),
    ship: "conflict",
    confirm: "conflict",
    cancel_buyer: ok("closed", "closed", "order.closed"),
    cancel_merchant: ok("closed", "closed", "order.closed"),
    auto_complete: "noop",
    close_unpaid: ok("closed", "closed", "order.closed"),
  },
  paid: {
    pay: "noop",
    ship: ok("shipped", "shipped", "order.shipped"),
    confirm: "conflict",
    cancel_buyer: "refund",
    cancel_merchant: "refund",
    auto_complete: "noop",
    close_unpaid: "noop",
  },
  shipped: {
    pay: "noop",
    ship: "conflict",
    confirm: ok("completed", "completed", "order.completed"),
    cancel_buyer: "conflict",
    cancel_merchant: "conflict",
    auto_complete: ok("completed", "completed", "order.completed"),
    close_unpaid: "noop",
  },
  completed: { pay: "noop", ship: "conflict", confirm: "noop", cancel_buyer: "conflict", cancel_merchant: "conflict", auto_complete: "noop", close_unpaid: "noop" },
  closed: { pay: "noop", ship: "conflict", confirm: "conflict", cancel_buyer: "noop", cancel_merchant: "noop", auto_complete: "noop", close_unpaid: "noop" },
};

/** Doing the same allowed action again, right after it succeeded. */
const REPEAT: Record<Action, "noop" | "conflict"> = {
  pay: "noop", // markOrderPaid says not_pending
  ship: "conflict", // with another tracking number (the same one is a no-op: tested below)
  confirm: "noop",
  cancel_buyer: "noop", // already closed, or the refund is pending
  cancel_merchant: "noop",
  auto_complete: "noop",
  close_unpaid: "noop",
};

async function snapshot(orderId: string) {
  const row = await orderRow(platform, orderId);
  return { status: row.status, cancel: row.cancel_requested_at, events: await timelineOf(platform, orderId), published: await publishedFor(platform, orderId) };
}

async function expectNothingChanged(orderId: string, before: Awaited<ReturnType<typeof snapshot>>) {
  expect(await snapshot(orderId)).toEqual(before);
}

async function attempt(action: Action, o: Ctx): Promise<{ error: unknown; result: unknown }> {
  try {
    return { error: null, result: await perform(action, o) };
  } catch (error) {
    return { error, result: null };
  }
}

function expectConflict(error: unknown) {
  expect(isAppError(error), String(error)).toBe(true);
  expect(error).toMatchObject({ kind: "conflict", status: 409 });
}

describe("every (state, action) pair", () => {
  for (const state of Object.keys(TABLE) as OrderStatus[]) {
    for (const action of ACTIONS) {
      const outcome = TABLE[state][action];
      const label = typeof outcome === "string" ? outcome : `→ ${outcome.to}`;
      it(`${state} × ${action}: ${label}`, async () => {
        const o = await orderIn(state);
        const before = await snapshot(o.orderId);
        const stockBefore = [await stockOf(platform, skus[0]), await stockOf(platform, skus[1])];
        const { error, result } = await attempt(action, o);

        if (outcome === "conflict") {
          expectConflict(error);
          await expectNothingChanged(o.orderId, before);
          return;
        }
        expect(error).toBeNull();
        if (outcome === "noop") {
          if (action === "pay") expect(result).toEqual({ applied: false, reason: "not_pending" });
          await expectNothingChanged(o.orderId, before);
          return;
        }
        const after = await snapshot(o.orderId);
        if (outcome === "refund") {
          expect(result).toEqual({ outcome: "refund_requested" });
          expect(after.status).toBe("paid");
          expect(after.cancel).not.toBeNull();
          expect(after.events).toEqual([...before.events, "cancel_requested"]);
          expect(after.published).toEqual(before.published);
          const refunds = await listRefunds(platform.db, shop.id, o.orderId);
          expect(refunds.map((r) => [r.amount, r.source, r.status, r.restock])).toEqual([[o.total, action === "cancel_buyer" ? "buyer_cancel" : "merchant", "pending", true]]);
        } else {
          expect(after.status).toBe(outcome.to);
          expect(after.events).toEqual([...before.events, outcome.event]);
          expect(after.published).toEqual([...before.published, outcome.published]);
          if (outcome.to === "closed") {
            // Closing an unshipped order puts its units back.
            expect([await stockOf(platform, skus[0]), await stockOf(platform, skus[1])]).toEqual([stockBefore[0] + 1, stockBefore[1] + 2]);
            expect((await ledgerOf(platform, skus[1])).filter((r) => r.ref_id === o.orderId).map((r) => [r.delta, r.reason])).toEqual([
              [-2, "order_reserved"],
              [2, "order_released"],
            ]);
          }
        }
        if (action === "ship" || action === "cancel_merchant") {
          const audit = await platform.db.selectFrom("audit_log").select("action").where("target_id", "=", o.orderId).execute();
          expect(audit.map((a) => a.action)).toEqual([action === "ship" ? "order.shipped" : outcome === "refund" ? "order.cancel_requested" : "order.cancelled"]);
        }

        // Again: a no-op or a 409, never a second event.
        const settled = await snapshot(o.orderId);
        const again = await attempt(action, o);
        if (REPEAT[action] === "conflict") expectConflict(again.error);
        else expect(again.error).toBeNull();
        await expectNothingChanged(o.orderId, settled);
      });
    }
  }
});

describe("transitions in detail", () => {
  it("markOrderPaid applies once, and says why it did not: amount, state or unknown order", async () => {
    const o = await orderIn("pending_payment");
    const pay = (amount: number, orderId = o.orderId) =>
      platform.db.transaction().execute((trx) => markOrderPaid(trx, { shopId: shop.id, orderId, amount, paymentId: `pay_x_${++seq}`, paidAt: new Date("2026-11-25T08:00:00Z") }));
    expect(await pay(o.total - 1)).toEqual({ applied: false, reason: "amount_mismatch" });
    expect(await pay(o.total, "ord_00000000000000000000000000")).toEqual({ applied: false, reason: "not_found" });
    expect(await timelineOf(platform, o.orderId)).toEqual(["created"]);
    expect(await pay(o.total)).toEqual({ applied: true });
    expect(await pay(o.total)).toEqual({ applied: false, reason: "not_pending" });
    const row = await orderRow(platform, o.orderId);
    expect([row.status, row.paid_at?.toISOString(), row.payment_id]).toEqual(["paid", "2026-11-25T08:00:00.000Z", expect.stringMatching(/^pay_x_/)]);
    const paid = await platform.db.selectFrom("outbox").select("payload").where("name", "=", "order.paid").where("subject_id", "=", o.orderId).execute();
    expect(paid.map((e) => e.payload)).toEqual([expect.objectContaining({ orderId: o.orderId, amount: o.total, paymentId: row.payment_id })]);
  });

  it("shipping again with the same carrier and number is a no-op; the buyer sees the shipment", async () => {
    const o = await orderIn("paid");
    const form = { carrier: "SF Express", trackingNumber: "SF123456789" };
    expect(await shipOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form })).toEqual({ changed: true });
    expect(await shipOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form })).toEqual({ changed: false });
    expect(await timelineOf(platform, o.orderId)).toEqual(["created", "paid", "shipped"]);
    await expect(shipOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { carrier: "", trackingNumber: "no spaces!" } })).rejects.toMatchObject({
      kind: "bad_request",
      fieldErrors: { carrier: expect.any(Array), trackingNumber: expect.any(Array) },
    });
  });

  it("a buyer cannot act on another buyer's order, and a merchant not on another shop's", async () => {
    const o = await orderIn("shipped");
    const stranger = await createBuyer(platform);
    await expect(confirmReceipt(platform.db, { shopId: shop.id, orderId: o.orderId, buyerId: stranger.id })).rejects.toMatchObject({ kind: "not_found" });
    await expect(cancelOrder(platform, { shopId: shop.id, orderId: o.orderId, actor: { type: "buyer", id: stranger.id } })).rejects.toMatchObject({ kind: "not_found" });
    const { shop: other } = await shopWithProducts(platform, []);
    await expect(shipOrder(platform.db, { shopId: other.id, orderId: o.orderId, actor: merchant(), form: { carrier: "X", trackingNumber: "1" } })).rejects.toMatchObject({ kind: "not_found" });
    expect((await orderRow(platform, o.orderId)).status).toBe("shipped");
  });
});

describe("cancelling and refunding", () => {
  it("a paid order cancelled by the buyer: shipping is blocked while the refund is pending; when it succeeds the order closes and every unit goes back", async () => {
    const o = await orderIn("paid");
    const stock = [await stockOf(platform, skus[0]), await stockOf(platform, skus[1])];
    expect(await cancelOrder(platform, { shopId: shop.id, orderId: o.orderId, actor: { type: "buyer", id: buyer.id }, form: { reason: "Changed my mind" } })).toEqual({
      outcome: "refund_requested",
    });
    await expect(shipOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { carrier: "SF", trackingNumber: "1" } })).rejects.toMatchObject({
      status: 409,
      code: "cancel_pending",
    });
    expect(await completeRefunds(platform, shop.id, o.orderId)).toHaveLength(1);
    const row = await orderRow(platform, o.orderId);
    expect([row.status, row.close_reason, row.refunded_total]).toEqual(["closed", "refunded", o.total]);
    expect(await timelineOf(platform, o.orderId)).toEqual(["created", "paid", "cancel_requested", "refunded", "closed"]);
    expect(await publishedFor(platform, o.orderId)).toEqual(["order.created", "order.paid", "order.refunded", "order.closed"]);
    expect([await stockOf(platform, skus[0]), await stockOf(platform, skus[1])]).toEqual([stock[0] + 1, stock[1] + 2]);
    expect((await ledgerOf(platform, skus[0])).filter((r) => r.ref_id === o.orderId).map((r) => r.reason)).toEqual(["order_reserved", "order_released"]);
    const lines = await platform.db.selectFrom("order_lines").select(["refunded_amount", "total", "refunded_quantity", "quantity", "restocked_quantity"]).where("order_id", "=", o.orderId).execute();
    for (const l of lines) expect([l.refunded_amount, l.refunded_quantity, l.restocked_quantity]).toEqual([l.total, l.quantity, l.quantity]);
  });

  it("a cancellation whose refund fails at the provider reopens: the order can ship, or be cancelled again with a new refund", async () => {
    const o = await orderIn("paid");
    await cancelOrder(platform, { shopId: shop.id, orderId: o.orderId, actor: { type: "buyer", id: buyer.id } });
    const [first] = await listRefunds(platform.db, shop.id, o.orderId);
    const { applyRefundResult, DEFAULT_PROVIDER } = await import("../app/payments/index.server");
    const failed = await applyRefundResult(platform.db, {
      provider: DEFAULT_PROVIDER,
      notificationId: `fail-${first.id}`,
      eventType: "REFUND.ABNORMAL",
      outRefundNo: first.id,
      providerRefundId: `prf-${first.id}`,
      outTradeNo: first.paymentId,
      transactionId: `tx-${first.paymentId}`,
      refundStatus: "ABNORMAL",
      amount: first.amount,
      total: first.amount,
      successTime: null,
      raw: {},
    });
    expect(failed.kind).toBe("refund_failed");
    // What the payments module calls when a refund fails (in its transaction); twice is once.
    const fail = () => platform.db.transaction().execute((trx) => applyRefundFailed(trx, { shopId: shop.id, orderId: o.orderId, refundId: first.id, reason: "ABNORMAL" }));
    expect(await fail()).toEqual({ applied: true, cancellationReopened: true });
    expect(await fail()).toEqual({ applied: false, cancellationReopened: false });
    expect((await orderRow(platform, o.orderId)).cancel_requested_at).toBeNull();

    expect(await cancelOrder(platform, { shopId: shop.id, orderId: o.orderId, actor: { type: "buyer", id: buyer.id } })).toEqual({ outcome: "refund_requested" });
    const refunds = await listRefunds(platform.db, shop.id, o.orderId);
    expect(refunds.map((r) => [r.status, r.idempotencyKey])).toEqual([
      ["failed", `cancel-${o.orderId}-1`],
      ["pending", `cancel-${o.orderId}-2`],
    ]);
    await completeRefunds(platform, shop.id, o.orderId);
    expect((await orderRow(platform, o.orderId)).status).toBe("closed");
    expect(await timelineOf(platform, o.orderId)).toEqual(["created", "paid", "cancel_requested", "refund_failed", "cancel_requested", "refunded", "closed"]);
  });

  it("per-line refunds are exact to the unit and restock when asked; the last unit takes the remainder; a full refund before completion then closes", async () => {
    // 3 cups at 333 with a 1000 order discount would be messy; here: 3 cups at 333 = 999, so 1 unit = 333.
    const o = await orderFor(platform, shop.id, buyer, [
      { skuId: skus[0], quantity: 2 },
      { skuId: skus[1], quantity: 3 },
    ]);
    await payOrder(platform, shop.id, o.orderId);
    await shipOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { carrier: "SF", trackingNumber: "SF77" } });
    const lines = await platform.db.selectFrom("order_lines").selectAll().where("order_id", "=", o.orderId).orderBy("position").execute();
    const cups = lines[1];
    const stock = await stockOf(platform, skus[1]);

    const refund = (quantity: number, restock: boolean) =>
      refundOrder(platform.db, {
        shopId: shop.id,
        orderId: o.orderId,
        actor: merchant(),
        form: { mode: "lines", lines: [{ lineId: cups.id, quantity: String(quantity) }], reason: "Chipped", restock: restock ? "on" : undefined, idempotencyKey: newToken(18) },
      });
    expect(await refund(1, true)).toMatchObject({ amount: 333 });
    expect(await completeRefunds(platform, shop.id, o.orderId)).toHaveLength(1);
    expect(await stockOf(platform, skus[1])).toBe(stock + 1);
    expect(await refund(2, false)).toMatchObject({ amount: lineRefundAmount({ total: cups.total, quantity: 3, refundedQuantity: 1, refundedAmount: 333 }, 2) });
    await completeRefunds(platform, shop.id, o.orderId);
    expect(await stockOf(platform, skus[1])).toBe(stock + 1);
    const cupsAfter = await platform.db.selectFrom("order_lines").selectAll().where("id", "=", cups.id).executeTakeFirstOrThrow();
    expect([cupsAfter.refunded_amount, cupsAfter.refunded_quantity, cupsAfter.restocked_quantity]).toEqual([cups.total, 3, 1]);
    expect((await orderRow(platform, o.orderId)).status).toBe("shipped");
    await expect(refund(1, false)).rejects.toMatchObject({ kind: "bad_request" }); // nothing left on that line

    // The rest in full (tea + shipping): the order closes — a full refund before completion.
    const left = o.total - cups.total;
    expect(await refundOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { mode: "full", reason: "Lost in transit", idempotencyKey: newToken(18) } })).toMatchObject({
      amount: left,
    });
    await completeRefunds(platform, shop.id, o.orderId);
    const row = await orderRow(platform, o.orderId);
    expect([row.status, row.refunded_total, row.close_reason]).toEqual(["closed", o.total, "refunded"]);
    // Shipped goods were not restocked without `restock`.
    expect(await stockOf(platform, skus[1])).toBe(stock + 1);
    expect(await publishedFor(platform, o.orderId)).toEqual(["order.created", "order.paid", "order.shipped", "order.refunded", "order.refunded", "order.refunded", "order.closed"]);
    const audit = await platform.db.selectFrom("audit_log").select("action").where("target_id", "=", o.orderId).orderBy("id").execute();
    expect(audit.map((a) => a.action)).toEqual(["order.shipped", "order.refund_requested", "order.refund_requested", "order.refund_requested"]);
  });

  it("a completed order refunded in full stays completed and publishes order.refunded only", async () => {
    const o = await orderIn("completed");
    await refundOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { mode: "full", reason: "Goodwill", idempotencyKey: newToken(18) } });
    await completeRefunds(platform, shop.id, o.orderId);
    const row = await orderRow(platform, o.orderId);
    expect([row.status, row.refunded_total]).toEqual(["completed", o.total]);
    expect(await publishedFor(platform, o.orderId)).toEqual(["order.created", "order.paid", "order.shipped", "order.completed", "order.refunded"]);
    await expect(refundOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { mode: "full", reason: "Again", idempotencyKey: newToken(18) } })).rejects.toMatchObject({
      status: 409,
      code: "nothing_to_refund",
    });
  });

  it("the same refund form submitted twice asks for one refund", async () => {
    const o = await orderIn("paid");
    const form = { mode: "lines", lines: [{ lineId: (await platform.db.selectFrom("order_lines").select("id").where("order_id", "=", o.orderId).orderBy("position").executeTakeFirstOrThrow()).id, quantity: "1" }], reason: "Dup", idempotencyKey: newToken(18) };
    const a = await refundOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form });
    const b = await refundOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form });
    expect(b).toEqual(a);
    expect(await listRefunds(platform.db, shop.id, o.orderId)).toHaveLength(1);
    expect((await timelineOf(platform, o.orderId)).filter((t) => t === "refund_requested")).toHaveLength(1);
  });

  it("applying one refund twice is a duplicate, not a second refund", async () => {
    const o = await orderIn("paid");
    const refund = await refundOrder(platform.db, { shopId: shop.id, orderId: o.orderId, actor: merchant(), form: { mode: "full", reason: "x", idempotencyKey: newToken(18) } });
    const apply = () => platform.db.transaction().execute((trx) => applyRefundSucceeded(trx, { shopId: shop.id, orderId: o.orderId, refundId: refund.refundId!, amount: refund.amount, restock: false }));
    expect(await apply()).toEqual({ applied: true, closed: true });
    expect(await apply()).toEqual({ applied: false, reason: "duplicate" });
    expect((await orderRow(platform, o.orderId)).refunded_total).toBe(o.total);
  });

  it("a payment arriving after the unpaid order closed is refunded by payments; the closed order only records the refund", async () => {
    const o = await orderIn("pending_payment");
    const { applyPaymentResult, createPayment, DEFAULT_PROVIDER } = await import("../app/payments/index.server");
    const { paymentId } = await createPayment(platform.db, { shopId: shop.id, orderId: o.orderId, amount: o.total, currency: "CNY", description: "late" });
    expect(await closeUnpaidOrder(platform, { shopId: shop.id, orderId: o.orderId })).toBe("closed");
    // The buyer's money arrives anyway (a payment already in flight).
    const outcome = await applyPaymentResult(platform.db, {
      provider: DEFAULT_PROVIDER,
      notificationId: `late-${paymentId}`,
      eventType: "TRANSACTION.SUCCESS",
      trade: { outTradeNo: paymentId, tradeState: "SUCCESS", transactionId: `tx-late-${paymentId}`, amount: o.total, payerTotal: o.total, currency: "CNY", successTime: new Date(), raw: {} },
      mchid: null,
    });
    expect(outcome.kind).toBe("late_refunded");
    expect((await listRefunds(platform.db, shop.id, o.orderId)).map((r) => [r.source, r.amount])).toEqual([["late_payment", o.total]]);
    await completeRefunds(platform, shop.id, o.orderId);
    const row = await orderRow(platform, o.orderId);
    expect([row.status, row.refunded_total, row.paid_at]).toEqual(["closed", 0, null]);
    expect(await timelineOf(platform, o.orderId)).toEqual(["created", "closed", "refunded"]);
    expect(await publishedFor(platform, o.orderId)).toEqual(["order.created", "order.closed", "order.refunded"]);
  });
});

describe("the pages", () => {
  it("merchant: list with a count per status, a status filter and pages; detail with timeline; ship through the form", async () => {
    const { shop: s, owner: o, skus: [sku] } = await shopWithProducts(platform, [{ price: 100, stock: 100 }]);
    const b = await createBuyer(platform);
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await orderFor(platform, s.id, b, [{ skuId: sku, quantity: 1 }])).orderId);
    await payOrder(platform, s.id, ids[0]);
    await payOrder(platform, s.id, ids[1]);
    await cancelOrder(platform, { shopId: s.id, orderId: ids[2], actor: { type: "buyer", id: b.id } });

    const m = await new TestBrowser(platform).signIn(o.id);
    const base = `/admin/shops/${s.id}/orders`;
    const first = await body(await m.get(merchantList, base, { shopId: s.id }));
    expect(first.counts).toEqual({ all: 23, pending_payment: 20, paid: 2, shipped: 0, completed: 0, closed: 1 });
    expect(first.orders).toHaveLength(20);
    expect(first.orders[0].id).toBe(ids[22]);
    const second = await body(await m.get(merchantList, `${base}?before=${first.nextBefore}`, { shopId: s.id }));
    expect(second.orders.map((x: any) => x.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(second.nextBefore).toBeNull();
    const paid = await body(await m.get(merchantList, `${base}?status=paid`, { shopId: s.id }));
    expect(paid.orders.map((x: any) => x.id)).toEqual([ids[1], ids[0]]);
    expect((await m.get(merchantList, `${base}?status=bogus`, { shopId: s.id })).status).toBe(400);

    const detailPath = `${base}/${ids[0]}`;
    const params = { shopId: s.id, orderId: ids[0] };
    const detail = await body(await m.get(merchantDetail, detailPath, params));
    expect(detail.order.events.map((e: any) => e.type)).toEqual(["created", "paid"]);
    expect(detail.refundKey).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const shipped = await m.post(merchantDetail, detailPath, params, { intent: "ship", carrier: "ZTO", trackingNumber: "ZT1" });
    expect(shipped.status).toBe(303);
    expect((await orderRow(platform, ids[0])).status).toBe("shipped");
    const again = await m.post(merchantDetail, detailPath, params, { intent: "cancel" });
    expect(again.status).toBe(409);
    expect(await body(again)).toMatchObject({ ok: false, code: "invalid_transition" });

    // Someone else's shop: 404; another shop's order under this shop: 404.
    expect((await new TestBrowser(platform).signIn(b.id).then((x) => x.get(merchantList, base, { shopId: s.id }))).status).toBe(404);
    expect((await m.get(merchantDetail, `${base}/${ids[0]}`, { shopId: s.id, orderId: "ord_00000000000000000000000000" })).status).toBe(404);
  });

  it("buyer: orders from every shop with a status filter; detail; cancel and confirm through the page; another buyer's order is a 404", async () => {
    const { shop: s2, skus: [sku2] } = await shopWithProducts(platform, [{ price: 250, stock: 10 }]);
    const b = await createBuyer(platform);
    const here = await orderFor(platform, shop.id, b, [{ skuId: skus[0], quantity: 1 }]);
    const there = await orderFor(platform, s2.id, b, [{ skuId: sku2, quantity: 2 }]);
    await payOrder(platform, s2.id, there.orderId);
    await shipOrder(platform.db, { shopId: s2.id, orderId: there.orderId, actor: merchant(), form: { carrier: "EMS", trackingNumber: "E1" } });

    const browser = await new TestBrowser(platform).signIn(b.id);
    const list = await body(await browser.get(buyerList, "/orders", {}));
    expect(list.orders.map((o: any) => [o.id, o.status])).toEqual([
      [there.orderId, "shipped"],
      [here.orderId, "pending_payment"],
    ]);
    expect(list.shops[s2.id].handle).toBe(s2.handle);
    const filtered = await body(await browser.get(buyerList, "/orders?status=shipped", {}));
    expect(filtered.orders.map((o: any) => o.id)).toEqual([there.orderId]);

    const detail = await body(await browser.get(buyerDetail, `/orders/${there.orderId}`, { orderId: there.orderId }));
    expect(detail.order).toMatchObject({ id: there.orderId, status: "shipped", shipment: { carrier: "EMS", trackingNumber: "E1" }, shop: { handle: s2.handle } });
    expect((await browser.post(buyerDetail, `/orders/${there.orderId}`, { orderId: there.orderId }, { intent: "confirm" })).status).toBe(303);
    expect((await browser.post(buyerDetail, `/orders/${here.orderId}`, { orderId: here.orderId }, { intent: "cancel", reason: "Oops" })).status).toBe(303);
    expect((await orderRow(platform, there.orderId)).status).toBe("completed");
    expect((await orderRow(platform, here.orderId)).status).toBe("closed");

    const stranger = await new TestBrowser(platform).signIn((await createBuyer(platform)).id);
    expect((await stranger.get(buyerDetail, `/orders/${here.orderId}`, { orderId: here.orderId })).status).toBe(404);
    expect((await stranger.post(buyerDetail, `/orders/${here.orderId}`, { orderId: here.orderId }, { intent: "cancel" })).status).toBe(404);
    expect((await new TestBrowser(platform).get(buyerList, "/orders", {})).status).toBe(302);
  });
});
