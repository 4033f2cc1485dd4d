/**
 * The order state machine (DESIGN.md, "Orders"):
 *
 *   pending_payment ──pay──▶ paid ──ship──▶ shipped ──confirm / auto──▶ completed
 *          │                   │                │
 *          └─cancel / timeout──┴─cancel (refund)┴─full refund──▶ closed
 *
 * Every transition is one conditional `UPDATE … WHERE id AND shop_id AND
 * status = <expected>` (orders.repository), an `order_events` row, its
 * domain event in the outbox, and — for a merchant — an audit row, all in
 * one transaction. When the UPDATE matches nothing, the order is re-read to
 * tell an idempotent repeat (already where the same action leads: a no-op)
 * from a forbidden move (409).
 *
 * Cancelling a paid order does not close it at once: it asks the payments
 * module for a full refund and marks the order (`cancel_requested_at`, which
 * also blocks shipping); the order closes when that refund succeeds
 * ({@link applyRefundSucceeded}).
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { OrderRow, OrderStatus } from "../../db/tables/orders";
import { record } from "../audit/index.server";
import { release } from "../catalog/index.server";
import { reverseReservations, type Reservation } from "../checkout/index.server";
import { publish, type KnownEventName } from "../events/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { closePaymentAtProvider, requestRefund } from "../payments/index.server";
import type { Platform } from "../platform.server";
import {
  addLineRefund,
  addRefundedTotal,
  addRestocked,
  insertOrderContents,
  insertOrderEvent,
  insertOrderWithEvent,
  insertShipment,
  markCancelRequested,
  markReservationsReversed,
  refundAllLines,
  clearCancelRequest,
  selectOrder,
  selectOrderEvents,
  selectOrderLines,
  selectShipment,
  transitionOrder,
} from "./orders.repository.server";
import {
  CancelForm,
  isRefundableStatus,
  lineRefundAmount,
  ORDER_STATUS_LABELS,
  RefundForm,
  ShipForm,
  type OrderActor,
  type ShopSideActor,
} from "./orders.schema";

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return r.data;
}

function forbiddenMove(order: Pick<OrderRow, "status">, what: string): AppError {
  return new AppError("conflict", `This order is ${ORDER_STATUS_LABELS[order.status].toLowerCase()}; it can't be ${what}.`, { code: "invalid_transition" });
}

function auditActor(actor: OrderActor): { type: "user" | "system" | "extension"; id: string | null } {
  if (actor.type === "system") return { type: "system", id: null };
  return actor.type === "extension" ? { type: "extension", id: actor.id } : { type: "user", id: actor.id };
}

/** Appends the timeline entry and publishes the domain event of a transition. */
async function recordTransition(
  trx: Kysely<Database>,
  order: OrderRow,
  e: { type: string; from: OrderStatus | null; to: OrderStatus | null; actor: OrderActor; reason?: string | null; refId?: string | null; data?: Record<string, unknown> },
  event?: { name: KnownEventName; payload: Record<string, unknown> },
): Promise<boolean> {
  const inserted = await insertOrderEvent(trx, {
    shop_id: order.shop_id,
    order_id: order.id,
    type: e.type,
    from_status: e.from,
    to_status: e.to,
    actor_type: e.actor.type,
    actor_id: e.actor.type === "system" ? null : e.actor.id,
    reason: e.reason ?? null,
    ref_id: e.refId ?? null,
    data: JSON.stringify(e.data ?? {}),
  });
  if (inserted && event) {
    await publish(trx, {
      name: event.name,
      shopId: order.shop_id,
      subjectId: order.id,
      payload: { orderId: order.id, userId: order.user_id, customerId: order.customer_id, status: order.status, total: order.total, currency: order.currency, ...event.payload },
    });
  }
  return inserted;
}

// ---- placing (called by checkout inside its transaction) ------------------------------

/** Everything an order is made of, priced and snapshotted by the checkout. */
export type NewOrder = {
  orderId: string;
  shopId: string;
  userId: string;
  customerId: string;
  quoteId: string;
  currency: string;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  itemCount: number;
  address: { recipient: string; phone: string; region: string; street: string; postalCode: string };
  reservations: Reservation[];
  lines: {
    id: string;
    skuId: string;
    productId: string;
    title: string;
    specLabel: string;
    imageId: string | null;
    unitPrice: number;
    quantity: number;
    subtotal: number;
    discount: number;
    total: number;
  }[];
  adjustments: { kind: "discount" | "shipping"; lineId: string | null; amount: number; requested: number; label: string; source: Record<string, unknown> }[];
};

/**
 * Writes a new order (pending payment) with its lines, adjustments, the
 * "created" timeline entry and `order.created`, inside the checkout's
 * transaction (which has already reserved the stock).
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await reserve(trx, shopId, lines, { type: "order", id: orderId });
 *   await createOrderRecord(trx, { orderId, shopId, … });
 * });
 */
export async function createOrderRecord(trx: Kysely<Database>, o: NewOrder): Promise<void> {
  await createOrderHeader(trx, o);
  await addOrderLines(trx, o);
}

/**
 * The first half of {@link createOrderRecord}: the order row, its "created"
 * timeline entry (one statement) and `order.created`. The checkout writes it
 * before it locks the stock, and the lines ({@link addOrderLines}) after, so
 * the SKU and product rows stay locked for as few statements as possible.
 * The lines must follow in the same transaction.
 */
export async function createOrderHeader(trx: Kysely<Database>, o: NewOrder): Promise<void> {
  const now = new Date();
  await insertOrderWithEvent(
    trx,
    {
      id: o.orderId,
      shop_id: o.shopId,
      user_id: o.userId,
      customer_id: o.customerId,
      quote_id: o.quoteId,
      status: "pending_payment",
      currency: o.currency,
      subtotal: o.subtotal,
      discount_total: o.discountTotal,
      shipping_total: o.shippingTotal,
      total: o.total,
      item_count: o.itemCount,
      address: JSON.stringify(o.address),
      reservations: JSON.stringify(o.reservations),
      updated_at: now,
    },
    {
      shop_id: o.shopId,
      order_id: o.orderId,
      type: "created",
      from_status: null,
      to_status: "pending_payment",
      actor_type: "buyer",
      actor_id: o.userId,
      reason: null,
      ref_id: null,
      data: JSON.stringify({ total: o.total, itemCount: o.itemCount }),
    },
  );
  await publish(trx, {
    name: "order.created",
    shopId: o.shopId,
    subjectId: o.orderId,
    payload: {
      orderId: o.orderId,
      userId: o.userId,
      customerId: o.customerId,
      status: "pending_payment",
      total: o.total,
      currency: o.currency,
      subtotal: o.subtotal,
      discountTotal: o.discountTotal,
      shippingTotal: o.shippingTotal,
      itemCount: o.itemCount,
      lines: o.lines.map((l) => ({ lineId: l.id, skuId: l.skuId, productId: l.productId, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total })),
    },
  });
}

/** The second half of {@link createOrderRecord}: the order's lines and adjustments, in one statement. */
export async function addOrderLines(trx: Kysely<Database>, o: NewOrder): Promise<void> {
  await insertOrderContents(
    trx,
    o.lines.map((l, i) => ({
      id: l.id,
      shop_id: o.shopId,
      order_id: o.orderId,
      position: i,
      sku_id: l.skuId,
      product_id: l.productId,
      title: l.title,
      spec_label: l.specLabel,
      image_id: l.imageId,
      unit_price: l.unitPrice,
      quantity: l.quantity,
      subtotal: l.subtotal,
      discount: l.discount,
      total: l.total,
    })),
    o.adjustments.map((a, i) => ({
      id: newId("oadj"),
      shop_id: o.shopId,
      order_id: o.orderId,
      position: i,
      kind: a.kind,
      line_id: a.lineId,
      amount: a.amount,
      requested: a.requested,
      label: a.label,
      source: JSON.stringify(a.source),
    })),
  );
}

// ---- closing (shared) ------------------------------------------------------------------

type CloseOptions = {
  from: OrderStatus;
  reason: "unpaid_timeout" | "buyer_cancelled" | "merchant_cancelled" | "refunded";
  actor: OrderActor;
  note?: string | null;
  /** how the units not yet back on the shelf return: never shipped (`order_released`), returned goods (`refund_restock`), or not at all */
  restock: "order_released" | "refund_restock" | "none";
  /** for a buyer: the order must be theirs */
  userId?: string;
};

async function reverseOrderReservations(trx: Kysely<Database>, order: OrderRow, reason: "closed" | "refunded"): Promise<void> {
  if (order.reservations_reversed_at) return;
  const reservations = (order.reservations ?? []) as Reservation[];
  if (await reverseReservations(trx, { shopId: order.shop_id, orderId: order.id, reservations, reason })) {
    await markReservationsReversed(trx, order.shop_id, order.id, new Date());
  }
}

/**
 * Closes an order in state `from`: the conditional UPDATE, stock back for
 * every unit not yet returned, reservations reversed, the timeline entry and
 * `order.closed`. Resolves to undefined (and writes nothing) if the order was
 * not in `from`.
 */
async function closeOrder(trx: Kysely<Database>, shopId: string, orderId: string, o: CloseOptions): Promise<OrderRow | undefined> {
  const now = new Date();
  const row = await transitionOrder(
    trx,
    shopId,
    orderId,
    o.from,
    { status: "closed", closed_at: now, close_reason: o.reason, updated_at: now },
    o.userId !== undefined ? { userId: o.userId } : {},
  );
  if (!row) return undefined;
  if (o.restock !== "none") {
    const lines = (await selectOrderLines(trx, shopId, orderId)).filter((l) => l.quantity > l.restocked_quantity);
    if (lines.length) {
      await release(trx, shopId, lines.map((l) => ({ skuId: l.sku_id, quantity: l.quantity - l.restocked_quantity })), { type: "order", id: orderId }, o.restock);
      for (const l of lines) await addRestocked(trx, shopId, l.id, l.quantity - l.restocked_quantity);
    }
  }
  await reverseOrderReservations(trx, row, "closed");
  await recordTransition(
    trx,
    row,
    { type: "closed", from: o.from, to: "closed", actor: o.actor, reason: o.note || o.reason, data: { closeReason: o.reason } },
    { name: "order.closed", payload: { reason: o.reason } },
  );
  if (o.actor.type === "merchant") {
    await record(trx, auditActor(o.actor), "order.cancelled", { shopId, type: "order", id: orderId }, { from: o.from, reason: o.note ?? null });
  }
  return row;
}

// ---- payments' entry points -------------------------------------------------------------

export type MarkPaidResult = { applied: true } | { applied: false; reason: "not_pending" | "amount_mismatch" | "not_found" };

/**
 * Applies a verified payment, inside the payments module's transaction: one
 * `UPDATE orders SET status = 'paid' … WHERE id AND shop_id AND status =
 * 'pending_payment' AND total = amount`, the "paid" timeline entry and
 * `order.paid`. When nothing matched, says why (and writes nothing): the
 * order is unknown, no longer pending (paid, or closed — the caller refunds
 * a late payment), or the amount differs.
 *
 * @example
 * const r = await markOrderPaid(trx, { shopId, orderId, amount: 2590, paymentId: "pay_…", paidAt: new Date() });
 * if (!r.applied && r.reason === "not_pending") // refund the late payment
 */
export async function markOrderPaid(
  trx: Kysely<Database>,
  p: { shopId: string; orderId: string; amount: number; paymentId: string; paidAt: Date },
): Promise<MarkPaidResult> {
  if (!Number.isSafeInteger(p.amount) || p.amount < 0) return { applied: false, reason: "amount_mismatch" };
  const now = new Date();
  const row = await transitionOrder(
    trx,
    p.shopId,
    p.orderId,
    "pending_payment",
    { status: "paid", paid_at: p.paidAt, payment_id: p.paymentId, updated_at: now },
    { total: p.amount },
  );
  if (!row) {
    const order = await selectOrder(trx, p.shopId, p.orderId);
    if (!order) return { applied: false, reason: "not_found" };
    return { applied: false, reason: order.status !== "pending_payment" ? "not_pending" : "amount_mismatch" };
  }
  await recordTransition(
    trx,
    row,
    { type: "paid", from: "pending_payment", to: "paid", actor: { type: "system" }, refId: p.paymentId, data: { paymentId: p.paymentId, amount: p.amount } },
    { name: "order.paid", payload: { paymentId: p.paymentId, amount: p.amount, paidAt: p.paidAt.toISOString() } },
  );
  return { applied: true };
}

export type RefundApplication = { applied: true; closed: boolean } | { applied: false; reason: "not_found" | "duplicate" };

/**
 * Applies a refund the provider completed, inside the payments module's
 * transaction. Idempotent per `refundId` (a second call is `duplicate`).
 *
 * - Adds `amount` to the order's refunded total and, with `lines`, to each
 *   line's refunded amount and quantity (without lines, a full refund marks
 *   every line refunded).
 * - `restock`: puts the refunded lines' units back (`refund_restock`).
 * - A full refund of a paid or shipped order closes it (`order.refunded`,
 *   then `order.closed`; a paid order's units all go back as
 *   `order_released`). A completed order stays completed; only
 *   `order.refunded` is published, and a full refund reverses its
 *   reservations.
 * - On an order that never took the money or is already closed (a late
 *   payment refunded automatically), it records the timeline entry and
 *   `order.refunded` only.
 *
 * @example
 * await applyRefundSucceeded(trx, { shopId, orderId, refundId: refund.id, amount: refund.amount, lines: refund.lines, restock: refund.restock });
 */
export async function applyRefundSucceeded(
  trx: Kysely<Database>,
  r: { shopId: string; orderId: string; refundId: string; amount: number; lines?: { lineId: string; quantity: number; amount: number }[] | null; restock: boolean },
): Promise<RefundApplication> {
  const order = await selectOrder(trx, r.shopId, r.orderId, { lock: true });
  if (!order) return { applied: false, reason: "not_found" };
  const lines = r.lines?.length ? r.lines : null;
  const inserted = await recordTransition(trx, order, {
    type: "refunded",
    from: order.status,
    to: order.status,
    actor: { type: "system" },
    refId: r.refundId,
    data: { refundId: r.refundId, amount: r.amount, lines, restock: r.restock },
  });
  if (!inserted) return { applied: false, reason: "duplicate" };

  const moneyTaken = order.paid_at !== null && order.status !== "closed" && order.status !== "pending_payment";
  if (!moneyTaken) {
    await publish(trx, {
      name: "order.refunded",
      shopId: order.shop_id,
      subjectId: order.id,
      payload: { orderId: order.id, userId: order.user_id, refundId: r.refundId, amount: r.amount, refundedTotal: order.refunded_total, full: false, status: order.status },
    });
    return { applied: true, closed: false };
  }

  const now = new Date();
  const refundedTotal = await addRefundedTotal(trx, r.shopId, r.orderId, r.amount, now);
  if (refundedTotal === null) throw new AppError("conflict", "The refund is more than is left to refund on this order.", { code: "refund_exceeds_total" });
  const full = refundedTotal === order.total;
  const closes = full && (order.status === "paid" || order.status === "shipped");

  const orderLines = await selectOrderLines(trx, r.shopId, r.orderId);
  const byId = new Map(orderLines.map((l) => [l.id, l]));
  if (lines) {
    for (const l of lines) {
      if (!byId.has(l.lineId) || !(await addLineRefund(trx, r.shopId, l.lineId, l.amount, l.quantity))) {
        throw new AppError("conflict", "The refund names a line or a quantity this order does not have left.", { code: "refund_line_mismatch" });
      }
    }
  } else if (full) {
    await refundAllLines(trx, r.shopId, r.orderId);
  }

  // A paid order that closes puts every unit back as never shipped; otherwise restock the refunded lines.
  if (r.restock && lines && !(closes && order.status === "paid")) {
    const back = lines
      .map((l) => ({ line: byId.get(l.lineId)!, quantity: Math.min(l.quantity, byId.get(l.lineId)!.quantity - byId.get(l.lineId)!.restocked_quantity) }))
      .filter((x) => x.quantity > 0);
    if (back.length) {
      await release(trx, r.shopId, back.map((x) => ({ skuId: x.line.sku_id, quantity: x.quantity })), { type: "refund", id: r.refundId }, "refund_restock");
      for (const x of back) await addRestocked(trx, r.shopId, x.line.id, x.quantity);
    }
  }

  await publish(trx, {
    name: "order.refunded",
    shopId: order.shop_id,
    subjectId: order.id,
    payload: { orderId: order.id, userId: order.user_id, refundId: r.refundId, amount: r.amount, refundedTotal, full, status: closes ? "closed" : order.status },
  });

  if (closes) {
    await closeOrder(trx, r.shopId, r.orderId, {
      from: order.status,
      reason: "refunded",
      actor: { type: "system" },
      restock: order.status === "paid" ? "order_released" : r.restock && !lines ? "refund_restock" : "none",
    });
  } else if (full) {
    await reverseOrderReservations(trx, order, "refunded");
  }
  return { applied: true, closed: closes };
}

/**
 * A refund the provider refused, inside the payments module's transaction:
 * a timeline entry (once per refund), and if the order was waiting for it to
 * close a cancellation, the order is no longer marked as cancelling — it is
 * paid again, so the merchant can ship it or the buyer cancel again.
 *
 * @example
 * await applyRefundFailed(trx, { shopId, orderId, refundId: refund.id, reason: "ABNORMAL" });
 */
export async function applyRefundFailed(
  trx: Kysely<Database>,
  r: { shopId: string; orderId: string; refundId: string; reason?: string | null },
): Promise<{ applied: boolean; cancellationReopened: boolean }> {
  const order = await selectOrder(trx, r.shopId, r.orderId, { lock: true });
  if (!order) return { applied: false, cancellationReopened: false };
  const inserted = await recordTransition(trx, order, {
    type: "refund_failed",
    from: order.status,
    to: order.status,
    actor: { type: "system" },
    reason: r.reason ?? null,
    refId: r.refundId,
    data: { refundId: r.refundId },
  });
  if (!inserted) return { applied: false, cancellationReopened: false };
  const reopened = order.status === "paid" && order.cancel_requested_at !== null && (await clearCancelRequest(trx, r.shopId, r.orderId, new Date()));
  return { applied: true, cancellationReopened: reopened };
}

// ---- merchant and buyer actions -------------------------------------------------------------

export type TransitionResult = { changed: boolean };

/**
 * The merchant ships a paid order with a carrier and tracking number.
 * Shipping again with the same carrier and number is a no-op; anything else
 * but a paid order (or a paid order whose cancellation is being refunded)
 * is a 409.
 */
export async function shipOrder(
  db: Kysely<Database>,
  p: { shopId: string; orderId: string; actor: ShopSideActor; form: unknown },
): Promise<TransitionResult> {
  const data = parse(ShipForm, p.form);
  return inTransaction(db, async (trx) => {
    const now = new Date();
    const row = await transitionOrder(trx, p.shopId, p.orderId, "paid", { status: "shipped", shipped_at: now, updated_at: now }, { noCancelRequest: true });
    if (!row) {
      const order = await selectOrder(trx, p.shopId, p.orderId);
      if (!order) throw notFound("Order not found");
      if (order.status === "shipped") {
        const s = await selectShipment(trx, p.shopId, p.orderId);
        if (s && s.carrier === data.carrier && s.tracking_number === data.trackingNumber) return { changed: false };
      }
      if (order.status === "paid" && order.cancel_requested_at) {
        throw new AppError("conflict", "This order's cancellation is being refunded; it can't be shipped.", { code: "cancel_pending" });
      }
      throw forbiddenMove(order, "shipped");
    }
    await insertShipment(trx, { id: newId("shipmt"), shop_id: p.shopId, order_id: p.orderId, carrier: data.carrier, tracking_number: data.trackingNumber, shipped_by: p.actor.id });
    await recordTransition(
      trx,
      row,
      { type: "shipped", from: "paid", to: "shipped", actor: p.actor, data: { carrier: data.carrier, trackingNumber: data.trackingNumber } },
      { name: "order.shipped", payload: { carrier: data.carrier, trackingNumber: data.trackingNumber, shippedAt: now.toISOString() } },
    );
    await record(trx, auditActor(p.actor), "order.shipped", { shopId: p.shopId, type: "order", id: p.orderId }, { carrier: data.carrier, trackingNumber: data.trackingNumber });
    return { changed: true };
  });
}

/** Moves a shipped order to completed, by the buyer or the auto-complete timer. */
async function complete(trx: Kysely<Database>, shopId: string, orderId: string, actor: OrderActor, userId?: string): Promise<OrderRow | undefined> {
  const now = new Date();
  const row = await transitionOrder(trx, shopId, orderId, "shipped", { status: "completed", completed_at: now, updated_at: now }, userId !== undefined ? { userId } : {});
  if (!row) return undefined;
  await recordTransition(
    trx,
    row,
    { type: "completed", from: "shipped", to: "completed", actor, reason: actor.type === "system" ? "auto_complete" : "buyer_confirmed" },
    { name: "order.completed", payload: { completedAt: now.toISOString(), by: actor.type === "system" ? "timer" : "buyer" } },
  );
  return row;
}

/** The buyer confirms receipt of a shipped order. Confirming a completed order again is a no-op; otherwise 409. */
export async function confirmReceipt(db: Kysely<Database>, p: { shopId: string; orderId: string; buyerId: string }): Promise<TransitionResult> {
  return inTransaction(db, async (trx) => {
    if (await complete(trx, p.shopId, p.orderId, { type: "buyer", id: p.buyerId }, p.buyerId)) return { changed: true };
    const order = await selectOrder(trx, p.shopId, p.orderId);
    if (!order || order.user_id !== p.buyerId) throw notFound("Order not found");
    if (order.status === "completed") return { changed: false };
    throw forbiddenMove(order, "confirmed as received");
  });
}

/** The auto-complete timer: completes the order if it is still shipped; otherwise does nothing. */
export async function autoCompleteOrder(db: Kysely<Database>, p: { shopId: string; orderId: string }): Promise<TransitionResult> {
  return inTransaction(db, async (trx) => ({ changed: !!(await complete(trx, p.shopId, p.orderId, { type: "system" })) }));
}

export type CancelOutcome = "closed" | "refund_requested" | "refund_pending" | "already_closed";

/**
 * The buyer or the merchant cancels an order before it ships.
 * - Awaiting payment: the payment is closed at the provider first (if it
 *   says the buyer has just paid, 409 `payment_received`), then the order
 *   closes and its stock goes back.
 * - Paid: a full refund is requested (source `buyer_cancel` / `merchant`)
 *   and the order is marked; it closes when the refund succeeds. Cancelling
 *   again meanwhile is a no-op (`refund_pending`).
 * - Closed: a no-op. Shipped or completed: 409 (that is an after-sale claim).
 */
export async function cancelOrder(
  platform: Pick<Platform, "db">,
  p: { shopId: string; orderId: string; actor: { type: "buyer"; id: string } | ShopSideActor; form?: unknown },
): Promise<{ outcome: CancelOutcome }> {
  const { reason } = parse(CancelForm, p.form ?? {});
  const db = platform.db;
  const buyerId = p.actor.type === "buyer" ? p.actor.id : undefined;
  const order = await selectOrder(db, p.shopId, p.orderId);
  if (!order || (buyerId !== undefined && order.user_id !== buyerId)) throw notFound("Order not found");

  if (order.status === "closed") return { outcome: "already_closed" };
  if (order.status === "shipped" || order.status === "completed") {
    throw new AppError("conflict", "This order has shipped; it can't be cancelled. Open an after-sale claim instead.", { code: "invalid_transition" });
  }

  if (order.status === "pending_payment") {
    // Outside any transaction: the payments module talks to the provider and writes its own rows.
    const provider = await closePaymentAtProvider(db, p.shopId, p.orderId);
    if (!provider.closed) {
      throw new AppError("conflict", "The payment for this order has just arrived, so it can't be cancelled as unpaid. Reload to see it.", { code: "payment_received" });
    }
    const closed = await inTransaction(db, (trx) =>
      closeOrder(trx, p.shopId, p.orderId, {
        from: "pending_payment",
        reason: p.actor.type === "buyer" ? "buyer_cancelled" : "merchant_cancelled",
        actor: p.actor,
        note: reason || null,
        restock: "order_released",
        userId: buyerId,
      }),
    );
    if (closed) return { outcome: "closed" };
    return retryOutcome(db, p.shopId, p.orderId, "pending_payment");
  }

  // Paid: ask for the refund; the order closes when it succeeds.
  if (order.cancel_requested_at) return { outcome: "refund_pending" };
  const requested = await inTransaction(db, async (trx) => {
    const now = new Date();
    const marked = await markCancelRequested(trx, p.shopId, p.orderId, p.actor.type === "buyer" ? "buyer" : "merchant", now, buyerId);
    if (!marked) return false;
    const amount = marked.total - marked.refunded_total;
    // A cancellation whose refund failed may be asked again: each attempt is its own refund.
    const attempt = (await selectOrderEvents(trx, p.shopId, p.orderId)).filter((e) => e.type === "cancel_requested").length + 1;
    const refund = await requestRefund(trx, {
      shopId: p.shopId,
      orderId: p.orderId,
      amount,
      reason: reason || (p.actor.type === "buyer" ? "Cancelled by the buyer" : "Cancelled by the shop"),
      source: p.actor.type === "buyer" ? "buyer_cancel" : "merchant",
      restock: true,
      idempotencyKey: `cancel-${p.orderId}-${attempt}`,
      actor: auditActor(p.actor),
    });
    await recordTransition(trx, marked, {
      type: "cancel_requested",
      from: "paid",
      to: "paid",
      actor: p.actor,
      reason: reason || null,
      data: { refundId: (refund as { id?: string } | null)?.id ?? null, amount },
    });
    if (p.actor.type !== "buyer") {
      await record(trx, auditActor(p.actor), "order.cancel_requested", { shopId: p.shopId, type: "order", id: p.orderId }, { amount, reason: reason || null });
    }
    return true;
  });
  if (requested) return { outcome: "refund_requested" };
  return retryOutcome(db, p.shopId, p.orderId, "paid");
}

/** After a cancel lost a race: what the order became decides between a no-op and a 409. */
async function retryOutcome(db: Kysely<Database>, shopId: string, orderId: string, expected: OrderStatus): Promise<{ outcome: CancelOutcome }> {
  const now = await selectOrder(db, shopId, orderId);
  if (!now) throw notFound("Order not found");
  if (now.status === "closed") return { outcome: "already_closed" };
  if (now.status === "paid" && now.cancel_requested_at) return { outcome: "refund_pending" };
  throw new AppError("conflict", `This order changed while you were cancelling it (it is now ${ORDER_STATUS_LABELS[now.status].toLowerCase()}). Reload and try again.`, {
    code: expected === now.status ? "conflict" : "invalid_transition",
  });
}

export type UnpaidCloseOutcome = "closed" | "moved_on" | "paid_at_provider" | "not_found";

/**
 * The unpaid-close timer: if the order still awaits payment, closes the
 * payment at the provider first — if the provider says it was paid, leaves
 * the order for the payment notification — then closes the order and gives
 * its stock back. An order that has moved on is left alone.
 */
export async function closeUnpaidOrder(platform: Pick<Platform, "db">, p: { shopId: string; orderId: string }): Promise<UnpaidCloseOutcome> {
  const order = await selectOrder(platform.db, p.shopId, p.orderId);
  if (!order) return "not_found";
  if (order.status !== "pending_payment") return "moved_on";
  const provider = await closePaymentAtProvider(platform.db, p.shopId, p.orderId);
  if (!provider.closed) return "paid_at_provider";
  const closed = await inTransaction(platform.db, (trx) =>
    closeOrder(trx, p.shopId, p.orderId, { from: "pending_payment", reason: "unpaid_timeout", actor: { type: "system" }, restock: "order_released" }),
  );
  return closed ? "closed" : "moved_on";
}

/**
 * The merchant refunds a paid, shipped or completed order: in full (what is
 * left of the total, shipping included) or per line (a quantity of each;
 * the amount is the lines' share of what the buyer paid, see
 * `lineRefundAmount`). Asks the payments module for the refund, which the
 * provider completes later ({@link applyRefundSucceeded}).
 */
export async function refundOrder(
  db: Kysely<Database>,
  p: { shopId: string; orderId: string; actor: ShopSideActor; form: unknown },
): Promise<{ refundId: string | null; amount: number }> {
  const data = parse(RefundForm, p.form);
  return inTransaction(db, async (trx) => {
    const order = await selectOrder(trx, p.shopId, p.orderId, { lock: true });
    if (!order) throw notFound("Order not found");
    if (!isRefundableStatus(order.status)) throw forbiddenMove(order, "refunded");
    const left = order.total - order.refunded_total;
    let amount: number;
    let lines: { lineId: string; quantity: number; amount: number }[] | undefined;
    if (data.mode === "full") {
      amount = left;
    } else {
      const byId = new Map((await selectOrderLines(trx, p.shopId, p.orderId)).map((l) => [l.id, l]));
      lines = [];
      for (const [i, l] of data.lines.entries()) {
        if (l.quantity === 0) continue;
        const line = byId.get(l.lineId);
        if (!line) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { [`lines.${i}.quantity`]: ["Not a line of this order"] } });
        const room = line.quantity - line.refunded_quantity;
        if (l.quantity > room) {
          throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { [`lines.${i}.quantity`]: [`At most ${room} left to refund`] } });
        }
        lines.push({
          lineId: line.id,
          quantity: l.quantity,
          amount: lineRefundAmount({ total: line.total, quantity: line.quantity, refundedQuantity: line.refunded_quantity, refundedAmount: line.refunded_amount }, l.quantity),
        });
      }
      if (lines.length === 0) throw new AppError("bad_request", "Choose how many of which items to refund.", { fieldErrors: { lines: ["Choose at least one item"] } });
      amount = lines.reduce((a, l) => a + l.amount, 0);
    }
    if (amount <= 0 || amount > left) throw new AppError("conflict", "There is nothing left to refund on this order.", { code: "nothing_to_refund" });
    const refund = await requestRefund(trx, {
      shopId: p.shopId,
      orderId: p.orderId,
      amount,
      lines,
      reason: data.reason,
      source: "merchant",
      restock: data.restock,
      idempotencyKey: data.idempotencyKey,
      actor: auditActor(p.actor),
    });
    const refundId = (refund as { id?: string } | null)?.id ?? null;
    const first = await recordTransition(trx, order, {
      type: "refund_requested",
      from: order.status,
      to: order.status,
      actor: p.actor,
      reason: data.reason,
      refId: refundId,
      data: { refundId, amount, lines: lines ?? null, restock: data.restock },
    });
    // The same form submitted twice gets the same refund back from payments: record it once.
    if (first) await record(trx, auditActor(p.actor), "order.refund_requested", { shopId: p.shopId, type: "order", id: p.orderId }, {
      refundId,
      amount,
      mode: data.mode,
      lines: lines ?? null,
      restock: data.restock,
      reason: data.reason,
    });
    return { refundId, amount };
  });
}
