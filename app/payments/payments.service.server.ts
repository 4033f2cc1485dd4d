/**
 * Payments: opening and closing a trade at the provider for an order, and
 * applying a provider's word that it was paid — exactly once.
 *
 * ## Exactly once ({@link applyPaymentResult})
 *
 * A payment can be reported many times: the provider retries a notification
 * until we answer 2xx, may send two notifications concurrently, and the
 * reconciliation job may learn of the same transaction by querying. One
 * transaction does everything, in this order:
 *
 * 1. insert the notification row — id as primary key, transaction id unique —
 *    with ON CONFLICT DO NOTHING. A duplicate (same notification, or another
 *    report of the same transaction) finds the row, or waits for the
 *    concurrent transaction holding it and then finds it: nothing more is
 *    done, and the caller acknowledges.
 * 2. look up the payment by `out_trade_no` and check the amount, currency and
 *    merchant; lock the order row, then the payment row (the same order as
 *    refunds take, so they cannot deadlock).
 * 3. `markOrderPaid` (orders module): one conditional UPDATE to paid.
 *    - applied → the payment succeeded;
 *    - the order is no longer pending (closed, or paid by another payment)
 *      → the payment succeeded *late*, and a refund of it is requested in
 *      the same transaction (source `late_payment`);
 *    - amount mismatch / no order → an anomaly (below).
 *
 * The caller acknowledges (204) only after the commit. Any mismatch throws a
 * {@link PaymentAnomaly}: the transaction rolls back (so the notification is
 * *not* recorded and a retry is processed afresh), the anomaly is recorded
 * for review, and the caller answers 500 so the provider retries.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { PaymentRow } from "../../db/tables/payments";
import { record } from "../audit/index.server";
import type { Config } from "../config.server";
import type { JobQueue } from "../jobs/jobs.types";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { getOrderForPayment, markOrderPaid } from "../orders/index.server";
import { getShop } from "../shops/index.server";
import { PaymentAnomaly, recordAnomaly } from "./anomalies.server";
import * as repo from "./payments.repository.server";
import { CreatePaymentInput, type PaymentView } from "./payments.schema";
import type { ProviderTrade } from "./provider.types";
import { DEFAULT_PROVIDER, keysFor, notifyPath, paymentProvider, type ProviderDeps } from "./providers.server";
import { requestRefund } from "./refunds.service.server";
import { getSimTrade, isSimulatorAvailable, simulatePayment, type SimulatedPayResult } from "./simulator/simulator.service.server";
import { inTransaction } from "./transaction.server";
import { merchantIdentity } from "./wechatpay/keys.server";

/** The platform slice the services that run after commit need. */
export type PaymentsPlatform = { db: Kysely<Database>; jobs: JobQueue; config: Pick<Config, "dataDir" | "env" | "publicUrl"> };

export function depsOf(platform: PaymentsPlatform): ProviderDeps {
  return { db: platform.db, jobs: platform.jobs, config: platform.config };
}

/** The simulator's cashier page for a payment (development and tests). */
export function cashierUrlOf(paymentId: string): string {
  return `/pay/${paymentId}`;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toView(p: PaymentRow): PaymentView {
  return {
    id: p.id,
    shopId: p.shop_id,
    orderId: p.order_id,
    provider: p.provider,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    late: p.late,
    transactionId: p.transaction_id,
    paidAt: iso(p.paid_at),
    closedAt: iso(p.closed_at),
    createdAt: iso(p.created_at)!,
    cashierUrl: cashierUrlOf(p.id),
  };
}

/**
 * Opens a payment for an order awaiting payment: a pending payment row and
 * the provider's prepay. Calling it again for the same order returns the same
 * pending payment. Call it after the order is committed, outside a
 * transaction (it talks to the provider).
 *
 * Throws AppError: not_found (no such order in the shop), conflict
 * (`order_not_payable`: the order no longer awaits payment), unprocessable
 * (`amount_mismatch`: amount or currency differ from the order's total).
 *
 * @example
 * const { paymentId, cashierUrl } = await createPayment(db, {
 *   shopId, orderId, amount: order.total, currency: order.currency, description: `${shop.name} order ${orderId}`,
 * });
 * return redirect(cashierUrl, 303);
 */
export async function createPayment(db: Kysely<Database>, input: CreatePaymentInput): Promise<{ paymentId: string; cashierUrl: string }> {
  const p = parsePaymentInput(input);
  const order = await getOrderForPayment(db, p.orderId);
  if (!order || order.shopId !== p.shopId) throw notFound("Order not found");
  if (order.status !== "pending_payment") throw new AppError("conflict", "This order is not awaiting payment.", { code: "order_not_payable" });
  if (order.total !== p.amount || order.currency !== p.currency) {
    throw new AppError("unprocessable", "The payment amount does not match the order total.", { code: "amount_mismatch" });
  }

  let payment = await repo.selectPendingPaymentForOrder(db, p.shopId, p.orderId);
  if (!payment) {
    payment = (await inTransaction(db, (trx) => insertPaymentRecord(trx, p))) ?? (await repo.selectPendingPaymentForOrder(db, p.shopId, p.orderId));
    if (!payment) throw new AppError("conflict", "The payment changed while it was being opened; try again.", { code: "conflict" });
  }
  return startPayment(db, toOpened(payment));
}

function parsePaymentInput(input: CreatePaymentInput) {
  const parsed = CreatePaymentInput.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Invalid payment request", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  return parsed.data;
}

/** The payment row and its audit entry; undefined when the order already has a pending payment. */
async function insertPaymentRecord(trx: Kysely<Database>, p: ReturnType<typeof parsePaymentInput>): Promise<PaymentRow | undefined> {
  const id = newId("pay");
  const row = await repo.insertPayment(trx, {
    id,
    shop_id: p.shopId,
    order_id: p.orderId,
    provider: DEFAULT_PROVIDER,
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    return_url: p.returnUrl ?? `/orders/${p.orderId}`,
    updated_at: new Date(),
  });
  if (row) await record(trx, { type: "system" }, "payment.created", { shopId: p.shopId, type: "payment", id }, { orderId: p.orderId, amount: p.amount });
  return row;
}

/** A payment opened here and not yet (or already) at the provider: what {@link startPayment} needs. */
export type OpenedPayment = { paymentId: string; provider: string; amount: number; currency: string; description: string; prepayId: string | null };

function toOpened(p: PaymentRow): OpenedPayment {
  return { paymentId: p.id, provider: p.provider, amount: p.amount, currency: p.currency, description: p.description, prepayId: p.prepay_id };
}

/**
 * Opens the payment of an order being placed, inside the checkout's
 * transaction (the order row is already written in it): the payment row and
 * its audit entry commit with the order, or not at all. After the commit,
 * {@link startPayment} opens the trade at the provider. The caller vouches
 * that the order is new, pending payment, and that amount and currency are
 * its total.
 *
 * @example
 * const payment = await openPaymentForNewOrder(trx, { shopId, orderId, amount: total, currency, description });
 * // after commit:
 * const { cashierUrl } = await startPayment(db, payment);
 */
export async function openPaymentForNewOrder(trx: Kysely<Database>, input: CreatePaymentInput): Promise<OpenedPayment> {
  const p = parsePaymentInput(input);
  const row = (await insertPaymentRecord(trx, p)) ?? (await repo.selectPendingPaymentForOrder(trx, p.shopId, p.orderId));
  if (!row) throw new Error(`payments: no pending payment for the new order ${p.orderId}`);
  return toOpened(row);
}

/**
 * Opens the trade at the provider (its prepay) for a payment that has none
 * yet, outside any transaction; then the buyer goes to the cashier. If the
 * provider fails here, the order stays payable: "Pay now" on the order page
 * ({@link createPayment}) finds the same payment and tries again.
 */
export async function startPayment(db: Kysely<Database>, payment: OpenedPayment): Promise<{ paymentId: string; cashierUrl: string }> {
  if (!payment.prepayId) {
    const provider = paymentProvider(payment.provider, { db });
    const { prepayId } = await provider.createPayment({
      outTradeNo: payment.paymentId,
      amount: payment.amount,
      currency: payment.currency,
      description: payment.description,
      notifyUrl: notifyPath(payment.provider),
    });
    await repo.updatePrepayId(db, payment.paymentId, prepayId);
  }
  return { paymentId: payment.paymentId, cashierUrl: cashierUrlOf(payment.paymentId) };
}

/**
 * Closes the order's open payment at the provider first, then here, so it
 * can no longer be paid. `{ closed: false, reason: "paid" }` when the order
 * was paid — here already, or at the provider just now (then the payment is
 * applied straight away through the exactly-once path, and the notification
 * dedupes against it). With no payment open, `{ closed: true }`. Call it
 * outside a transaction.
 *
 * @example
 * const r = await closePaymentAtProvider(db, shopId, orderId);
 * if (!r.closed) return "paid_at_provider"; // leave the order to its payment
 */
export async function closePaymentAtProvider(
  db: Kysely<Database>,
  shopId: string,
  orderId: string,
): Promise<{ closed: true } | { closed: false; reason: "paid" }> {
  const payments = await repo.selectPaymentsForOrder(db, shopId, orderId);
  if (payments.some((p) => p.status === "succeeded" && !p.late)) return { closed: false, reason: "paid" };
  for (const p of payments.filter((x) => x.status === "pending")) {
    const provider = paymentProvider(p.provider, { db });
    const r = await provider.closePayment(p.id);
    if (!r.closed) {
      if (!db.isTransaction) await applyFromQuery(db, p).catch(() => undefined); // the notification or reconciliation will do it
      return { closed: false, reason: "paid" };
    }
    await inTransaction(db, async (trx) => {
      if (await repo.markPaymentClosed(trx, shopId, p.id)) {
        await record(trx, { type: "system" }, "payment.closed", { shopId, type: "payment", id: p.id }, { orderId });
      }
    });
  }
  return { closed: true };
}

async function applyFromQuery(db: Kysely<Database>, p: PaymentRow): Promise<ApplyOutcome | null> {
  const provider = paymentProvider(p.provider, { db });
  const trade = await provider.queryPayment(p.id);
  if (!trade || trade.tradeState !== "SUCCESS" || !trade.transactionId) return null;
  return applyPaymentResult(db, {
    provider: p.provider,
    notificationId: `query:${trade.transactionId}`,
    eventType: "QUERY",
    trade: { ...trade, transactionId: trade.transactionId },
    mchid: null,
  });
}

/** The order's payments, oldest first. */
export async function listPayments(db: Kysely<Database>, shopId: string, orderId: string): Promise<PaymentView[]> {
  return (await repo.selectPaymentsForOrder(db, shopId, orderId)).map(toView);
}

export type ApplyOutcome =
  | { kind: "applied"; paymentId: string }
  | { kind: "late_refunded"; paymentId: string; refundId: string }
  | { kind: "duplicate" }
  | { kind: "anomaly"; anomaly: PaymentAnomaly };

export type PaymentResult = {
  provider: string;
  /** the provider's notification id, or `query:<transaction id>` */
  notificationId: string;
  eventType: string;
  trade: ProviderTrade & { transactionId: string };
  mchid: string | null;
};

/**
 * Applies a successful trade exactly once (see the module comment). `db`
 * must not be inside a transaction: an anomaly rolls the work back and is
 * recorded in a transaction of its own.
 */
export async function applyPaymentResult(db: Kysely<Database>, n: PaymentResult): Promise<ApplyOutcome> {
  if (db.isTransaction) throw new Error("applyPaymentResult opens its own transaction");
  if (n.trade.tradeState !== "SUCCESS") throw new Error(`applyPaymentResult: trade_state ${n.trade.tradeState}`);
  try {
    return await db.transaction().execute(async (trx): Promise<ApplyOutcome> => {
      const fresh = await repo.insertNotificationIfNew(trx, {
        id: n.notificationId,
        provider: n.provider,
        kind: "payment",
        event_type: n.eventType,
        transaction_id: n.trade.transactionId,
        resource: JSON.stringify(n.trade.raw),
      });
      if (!fresh) return { kind: "duplicate" };

      const payment = await repo.selectPayment(trx, n.trade.outTradeNo);
      if (!payment || payment.provider !== n.provider) {
        throw new PaymentAnomaly("unknown_trade", "No payment has this out_trade_no", {}, { outTradeNo: n.trade.outTradeNo, transactionId: n.trade.transactionId });
      }
      const refs = { shopId: payment.shop_id, paymentId: payment.id, orderId: payment.order_id };
      const facts = { expected: { amount: payment.amount, currency: payment.currency }, received: { amount: n.trade.amount, currency: n.trade.currency }, transactionId: n.trade.transactionId };
      if (n.trade.amount !== payment.amount) throw new PaymentAnomaly("amount_mismatch", "The amount paid differs from the payment's", refs, facts);
      if (n.trade.currency !== payment.currency) throw new PaymentAnomaly("currency_mismatch", "The currency differs from the payment's", refs, facts);
      if (n.mchid !== null && n.mchid !== merchantIdentity().mchid) {
        throw new PaymentAnomaly("merchant_mismatch", "The notification names another merchant", refs, { mchid: n.mchid });
      }

      const order = await repo.lockOrderRow(trx, payment.shop_id, payment.order_id);
      if (!order) throw new PaymentAnomaly("order_not_found", "The payment's order does not exist", refs);
      const locked = (await repo.selectPaymentForUpdate(trx, payment.id))!;
      if (locked.status === "succeeded") {
        // Its own transaction would have been deduplicated at step 1: this is a second one.
        throw new PaymentAnomaly("transaction_conflict", "The payment already succeeded with another transaction", refs, {
          ...facts,
          previousTransactionId: locked.transaction_id,
        });
      }
      const paidAt = n.trade.successTime && !Number.isNaN(n.trade.successTime.getTime()) ? n.trade.successTime : new Date();
      const r = await markOrderPaid(trx, { shopId: payment.shop_id, orderId: payment.order_id, amount: payment.amount, paymentId: payment.id, paidAt });
      if (!r.applied && r.reason === "amount_mismatch") {
        throw new PaymentAnomaly("order_amount_mismatch", "The order's total differs from the payment's amount", refs, { ...facts, orderTotal: order.total });
      }
      if (!r.applied && r.reason === "not_found") throw new PaymentAnomaly("order_not_found", "The payment's order does not exist", refs);

      const late = !r.applied;
      await repo.markPaymentSucceeded(trx, payment.id, { transactionId: n.trade.transactionId, payerTotal: n.trade.payerTotal, paidAt, late });
      await record(trx, { type: "system" }, late ? "payment.succeeded_late" : "payment.succeeded", { shopId: payment.shop_id, type: "payment", id: payment.id }, {
        orderId: payment.order_id,
        amount: payment.amount,
        transactionId: n.trade.transactionId,
        notificationId: n.notificationId,
        ...(late ? { orderStatus: order.status } : {}),
      });
      if (!late) {
        await repo.setNotificationOutcome(trx, n.notificationId, { outcome: "applied", shopId: payment.shop_id, paymentId: payment.id });
        return { kind: "applied", paymentId: payment.id };
      }
      // The order closed (or another payment paid it) before this money arrived: give it back.
      const refund = await requestRefund(trx, {
        shopId: payment.shop_id,
        orderId: payment.order_id,
        amount: payment.amount,
        reason: "The payment arrived after the order was closed",
        source: "late_payment",
        sourceId: payment.id,
        restock: false,
        idempotencyKey: `late_payment-${payment.id}`,
        actor: { type: "system" },
      });
      await repo.setNotificationOutcome(trx, n.notificationId, { outcome: "late_refunded", shopId: payment.shop_id, paymentId: payment.id, refundId: refund.id });
      return { kind: "late_refunded", paymentId: payment.id, refundId: refund.id };
    });
  } catch (e) {
    if (!(e instanceof PaymentAnomaly)) throw e;
    await recordAnomaly(db, n.provider, n.notificationId, e);
    return { kind: "anomaly", anomaly: e };
  }
}

/** How long a payment may stay pending before reconciliation asks the provider. */
export const RECONCILE_AFTER_MS = 60_000;
export const RECONCILE_EVERY_MS = 2 * 60_000;

/**
 * The reconciliation job: for payments still pending after a minute whose
 * order still awaits payment, asks the provider; a paid trade is applied
 * through the same exactly-once path (notification id
 * `query:<transaction id>`, so a notification arriving later dedupes on the
 * transaction id), a closed one is marked closed. Resolves to the counts.
 */
export async function reconcilePendingPayments(platform: PaymentsPlatform, opts: { olderThanMs?: number; limit?: number } = {}): Promise<{ checked: number; applied: number }> {
  const stale = await repo.selectStalePendingPayments(platform.db, new Date(Date.now() - (opts.olderThanMs ?? RECONCILE_AFTER_MS)), opts.limit ?? 100);
  let checked = 0;
  let applied = 0;
  for (const p of stale) {
    const order = await getOrderForPayment(platform.db, p.order_id);
    if (!order || order.status !== "pending_payment") continue;
    checked++;
    try {
      const provider = paymentProvider(p.provider, depsOf(platform));
      const trade = await provider.queryPayment(p.id);
      if (trade?.tradeState === "SUCCESS" && trade.transactionId) {
        const out = await applyPaymentResult(platform.db, {
          provider: p.provider,
          notificationId: `query:${trade.transactionId}`,
          eventType: "QUERY",
          trade: { ...trade, transactionId: trade.transactionId },
          mchid: null,
        });
        if (out.kind === "applied" || out.kind === "late_refunded") applied++;
      } else if (trade?.tradeState === "CLOSED") {
        await repo.markPaymentClosed(platform.db, p.shop_id, p.id);
      }
    } catch (e) {
      console.warn(`[payments] reconciling ${p.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { checked, applied };
}

// ---- the simulator's cashier ------------------------------------------------

export type CashierView = {
  paymentId: string;
  shopName: string;
  orderId: string;
  amount: number;
  currency: string;
  description: string;
  /** the platform's view of the payment */
  status: PaymentView["status"];
  /** the simulated provider's view of the trade */
  tradeState: string | null;
  returnUrl: string;
};

/** What the cashier page shows; null when there is no such payment (or no simulator). */
export async function getCashier(platform: Pick<PaymentsPlatform, "db" | "config">, paymentId: string): Promise<CashierView | null> {
  if (!isSimulatorAvailable(platform.config) || !/^pay_[0-9a-z]{26}$/.test(paymentId)) return null;
  const p = await repo.selectPayment(platform.db, paymentId);
  if (!p) return null;
  const [shop, trade] = await Promise.all([getShop(platform.db, p.shop_id), getSimTrade(platform.db, p.id)]);
  return {
    paymentId: p.id,
    shopName: shop?.name ?? "",
    orderId: p.order_id,
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    status: p.status,
    tradeState: trade?.trade_state ?? null,
    returnUrl: p.return_url,
  };
}

/**
 * The buyer presses "Pay" in the simulator's cashier: the simulated provider
 * takes the money and starts notifying. Resolves to what happened and where
 * to send the buyer.
 */
export async function payAtCashier(platform: PaymentsPlatform, paymentId: string): Promise<{ result: SimulatedPayResult; returnUrl: string }> {
  const view = await getCashier(platform, paymentId);
  if (!view) throw notFound("Payment not found");
  const deps = depsOf(platform);
  const result = await simulatePayment({ db: platform.db, jobs: platform.jobs, keys: keysFor(deps) }, paymentId);
  if (result === "not_found") throw notFound("Payment not found");
  return { result, returnUrl: view.returnUrl };
}
