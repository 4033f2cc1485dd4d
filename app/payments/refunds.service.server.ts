/**
 * Refunds: records with states (`pending → succeeded | failed`), full or per
 * line, idempotent per (shop, key).
 *
 * 1. {@link requestRefund} — in the caller's transaction, with the order row
 *    locked: checks the amount against what is left of the payment (paid
 *    minus pending and succeeded refunds), writes the refund row, its audit
 *    row and an internal outbox event `refund.requested`.
 * 2. After commit, the `payments.refunds` outbox consumer enqueues
 *    `payments.submit_refund` (job id `refund-submit-<refund id>`), which asks
 *    the provider ({@link submitRefund}); the provider dedupes on our refund
 *    id (`out_refund_no`). The reconciliation job re-enqueues any refund still
 *    unsubmitted after a few minutes.
 * 3. The provider's REFUND.* notification ({@link applyRefundResult}) moves the
 *    refund to succeeded or failed with one conditional UPDATE — so once,
 *    however often it is delivered — and on success calls the orders
 *    module's `applyRefundSucceeded` in the same transaction (which publishes
 *    `order.refunded`); on failure it publishes the internal `refund.failed`
 *    for whoever waits on the refund (a cancellation, a claim).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { RefundRow } from "../../db/tables/payments";
import { record } from "../audit/index.server";
import { publish } from "../events/index.server";
import type { JobQueue } from "../jobs/jobs.types";
import { AppError, fieldErrorsFromZod, isAppError, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { applyRefundSucceeded } from "../orders/index.server";
import { PaymentAnomaly, recordAnomaly } from "./anomalies.server";
import * as repo from "./payments.repository.server";
import { RefundRequestInput, type RefundView } from "./payments.schema";
import type { RefundNotification } from "./provider.types";
import { notifyPath, paymentProvider } from "./providers.server";
import type { PaymentsPlatform } from "./payments.service.server";
import { inTransaction } from "./transaction.server";

export const REFUND_REQUESTED_EVENT = "refund.requested";
/** Internal, like `refund.requested`: a refund the provider would not make (success is the orders module's `order.refunded`). */
export const REFUND_FAILED_EVENT = "refund.failed";
export const SUBMIT_REFUND_JOB = "payments.submit_refund";
/** A refund not accepted by the provider this long after it was asked for is submitted again. */
export const RESUBMIT_AFTER_MS = 3 * 60_000;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toRefundView(r: RefundRow): RefundView {
  return {
    id: r.id,
    shopId: r.shop_id,
    orderId: r.order_id,
    paymentId: r.payment_id,
    amount: r.amount,
    currency: r.currency,
    lines: r.lines ?? null,
    reason: r.reason,
    source: r.source,
    sourceId: r.source_id,
    restock: r.restock,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    providerRefundId: r.provider_refund_id,
    failureReason: r.failure_reason,
    createdAt: iso(r.created_at)!,
    submittedAt: iso(r.submitted_at),
    completedAt: iso(r.completed_at),
  };
}

/**
 * Asks for a refund of an order's payment: returns the refund, status
 * pending. Runs in the caller's transaction when given one (the orders
 * module cancels or refunds and asks in one transaction), else its own. The
 * same `idempotencyKey` returns the same refund; reused for a different
 * order, amount or source it is refused.
 *
 * Throws AppError: bad_request (input), not_found (order), unprocessable
 * (`not_paid`: nothing to refund; `over_refund`: more than is left;
 * `idempotency_mismatch`).
 *
 * @example
 * const refund = await requestRefund(trx, {
 *   shopId, orderId, amount: 2590, reason: "Cancelled by the buyer", source: "buyer_cancel",
 *   restock: true, idempotencyKey: `cancel-${orderId}`, actor: { type: "user", id: buyerId },
 * });
 */
export async function requestRefund(db: Kysely<Database>, input: RefundRequestInput): Promise<RefundView> {
  const parsed = RefundRequestInput.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Invalid refund request", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const r = parsed.data;
  if (r.lines?.length && r.lines.reduce((a, l) => a + l.amount, 0) > r.amount) {
    throw new AppError("bad_request", "The lines add up to more than the refund", { fieldErrors: { lines: ["The lines add up to more than the refund"] } });
  }
  return inTransaction(db, async (trx) => {
    // Every refund and payment of this order serializes here.
    const order = await repo.lockOrderRow(trx, r.shopId, r.orderId);
    if (!order) throw notFound("Order not found");

    const existing = await repo.selectRefundByKey(trx, r.shopId, r.idempotencyKey);
    if (existing) {
      if (existing.order_id !== r.orderId || existing.amount !== r.amount || existing.source !== r.source) {
        throw new AppError("unprocessable", "This idempotency key was already used for a different refund.", { code: "idempotency_mismatch" });
      }
      return toRefundView(existing);
    }

    const payments = await repo.selectPaymentsForOrder(trx, r.shopId, r.orderId);
    const target =
      r.source === "late_payment"
        ? payments.find((p) => p.id === r.sourceId && p.status === "succeeded" && p.late)
        : payments.find((p) => p.status === "succeeded" && !p.late);
    if (!target) throw new AppError("unprocessable", "This order has no payment to refund.", { code: "not_paid" });
    const payment = (await repo.selectPaymentForUpdate(trx, target.id))!;
    const left = payment.amount - (await repo.sumOpenRefunds(trx, payment.id));
    if (r.amount > left) {
      throw new AppError("unprocessable", `The refund is more than is left to refund (${left} of ${payment.amount}).`, { code: "over_refund" });
    }

    const now = new Date();
    const row = await repo.insertRefund(trx, {
      id: newId("rfd"),
      shop_id: r.shopId,
      order_id: r.orderId,
      payment_id: payment.id,
      amount: r.amount,
      currency: payment.currency,
      lines: r.lines?.length ? JSON.stringify(r.lines) : null,
      reason: r.reason,
      source: r.source,
      source_id: r.sourceId ?? (r.source === "late_payment" ? payment.id : null),
      restock: r.restock,
      idempotency_key: r.idempotencyKey,
      actor_type: r.actor.type,
      actor_id: r.actor.id ?? null,
      updated_at: now,
    });
    await record(trx, { type: r.actor.type, id: r.actor.id ?? null }, "refund.requested", { shopId: r.shopId, type: "refund", id: row.id }, {
      orderId: r.orderId,
      paymentId: payment.id,
      amount: r.amount,
      source: r.source,
      lines: r.lines ?? null,
    });
    // Internal (not one of DESIGN's public events): the consumer submits it after commit.
    await publish(trx, { name: REFUND_REQUESTED_EVENT, shopId: r.shopId, subjectId: row.id, payload: { refundId: row.id, orderId: r.orderId, amount: r.amount } });
    return toRefundView(row);
  });
}

async function publishFailed(trx: Kysely<Database>, refund: RefundRow, reason: string): Promise<void> {
  await publish(trx, {
    name: REFUND_FAILED_EVENT,
    shopId: refund.shop_id,
    subjectId: refund.id,
    payload: { refundId: refund.id, orderId: refund.order_id, amount: refund.amount, source: refund.source, sourceId: refund.source_id, reason },
  });
}

/** The order's refunds, oldest first. */
export async function listRefunds(db: Kysely<Database>, shopId: string, orderId: string): Promise<RefundView[]> {
  return (await repo.selectRefundsForOrder(db, shopId, orderId)).map(toRefundView);
}

/** Enqueues the submission of a refund (idempotent: one job per refund). Never inside a transaction. */
export async function enqueueRefundSubmission(jobs: JobQueue, refundId: string): Promise<void> {
  await jobs.enqueue(SUBMIT_REFUND_JOB, { refundId }, { jobId: `refund-submit-${refundId}`, attempts: 6, backoff: { type: "exponential", delayMs: 5_000 } });
}

/**
 * Asks the provider for a pending refund (the `payments.submit_refund` job).
 * A refund already submitted or final is left alone; a refusal for good
 * fails the refund; a network error throws, and the job retries.
 */
export async function submitRefund(platform: PaymentsPlatform, refundId: string): Promise<"submitted" | "failed" | "skipped"> {
  const refund = await repo.selectRefund(platform.db, refundId);
  if (!refund || refund.status !== "pending" || refund.submitted_at) return "skipped";
  const payment = await repo.selectPayment(platform.db, refund.payment_id);
  if (!payment) throw new Error(`refund ${refundId}: payment ${refund.payment_id} is missing`);
  const provider = paymentProvider(payment.provider, { db: platform.db, jobs: platform.jobs, config: platform.config });
  const res = await provider.refund({
    outRefundNo: refund.id,
    outTradeNo: payment.id,
    amount: refund.amount,
    total: payment.amount,
    currency: payment.currency,
    reason: refund.reason,
    notifyUrl: notifyPath(payment.provider),
  });
  if (res.accepted) {
    await repo.markRefundSubmitted(platform.db, refund.id, res.providerRefundId);
    return "submitted";
  }
  await platform.db.transaction().execute(async (trx) => {
    const now = new Date();
    if (await repo.completeRefund(trx, refund.id, { status: "failed", failureReason: res.reason, at: now })) {
      await record(trx, { type: "system" }, "refund.failed", { shopId: refund.shop_id, type: "refund", id: refund.id }, { reason: res.reason, orderId: refund.order_id });
      await publishFailed(trx, refund, res.reason);
    }
  });
  return "failed";
}

/** Re-enqueues refunds the provider never accepted (part of reconciliation). */
export async function resubmitStuckRefunds(platform: PaymentsPlatform): Promise<number> {
  const stuck = await repo.selectUnsubmittedRefunds(platform.db, new Date(Date.now() - RESUBMIT_AFTER_MS), 100);
  for (const r of stuck) await enqueueRefundSubmission(platform.jobs, r.id);
  return stuck.length;
}

export type RefundApplyOutcome =
  | { kind: "refund_succeeded" | "refund_failed" | "already_final"; refundId: string }
  | { kind: "duplicate" }
  | { kind: "anomaly"; anomaly: PaymentAnomaly };

/**
 * Applies a refund notification exactly once: the notification row first
 * (duplicates stop there), then `pending → succeeded | failed` as one
 * conditional UPDATE, and on success `applyRefundSucceeded` in the same
 * transaction. A notification for an unknown refund, or one whose trade or
 * amount differ, is an anomaly (not acknowledged). `db` must not be inside a
 * transaction.
 */
export async function applyRefundResult(db: Kysely<Database>, n: RefundNotification): Promise<RefundApplyOutcome> {
  if (db.isTransaction) throw new Error("applyRefundResult opens its own transaction");
  try {
    return await db.transaction().execute(async (trx): Promise<RefundApplyOutcome> => {
      const fresh = await repo.insertNotificationIfNew(trx, {
        id: n.notificationId,
        provider: n.provider,
        kind: "refund",
        event_type: n.eventType,
        provider_refund_id: n.providerRefundId,
        resource: JSON.stringify(n.raw),
      });
      if (!fresh) return { kind: "duplicate" };

      const refund = await repo.selectRefund(trx, n.outRefundNo);
      if (!refund) throw new PaymentAnomaly("unknown_refund", "No refund has this out_refund_no", {}, { outRefundNo: n.outRefundNo, refundId: n.providerRefundId });
      const refs = { shopId: refund.shop_id, paymentId: refund.payment_id, orderId: refund.order_id, refundId: refund.id };
      if (n.outTradeNo !== refund.payment_id || n.amount !== refund.amount) {
        throw new PaymentAnomaly("refund_mismatch", "The refund notification's trade or amount differs from the refund's", refs, {
          expected: { outTradeNo: refund.payment_id, amount: refund.amount },
          received: { outTradeNo: n.outTradeNo, amount: n.amount },
        });
      }
      await repo.lockOrderRow(trx, refund.shop_id, refund.order_id);
      await repo.selectRefundForUpdate(trx, refund.id);
      const now = new Date();
      const succeeded = n.refundStatus === "SUCCESS";
      const moved = await repo.completeRefund(trx, refund.id, {
        status: succeeded ? "succeeded" : "failed",
        providerRefundId: n.providerRefundId,
        failureReason: succeeded ? null : n.refundStatus,
        at: n.successTime && succeeded && !Number.isNaN(n.successTime.getTime()) ? n.successTime : now,
      });
      if (!moved) {
        await repo.setNotificationOutcome(trx, n.notificationId, { outcome: "refund_already_final", shopId: refund.shop_id, paymentId: refund.payment_id, refundId: refund.id });
        return { kind: "already_final", refundId: refund.id };
      }
      if (succeeded) {
        try {
          const applied = await applyRefundSucceeded(trx, {
            shopId: refund.shop_id,
            orderId: refund.order_id,
            refundId: refund.id,
            amount: refund.amount,
            lines: refund.lines ?? undefined,
            restock: refund.restock,
          });
          if (!applied.applied && applied.reason === "not_found") throw new PaymentAnomaly("order_not_found", "The refund's order does not exist", refs);
        } catch (e) {
          if (isAppError(e)) throw new PaymentAnomaly("refund_not_applicable", `The order refused the refund: ${e.message}`, refs, { code: e.code });
          throw e;
        }
      }
      await record(trx, { type: "system" }, succeeded ? "refund.succeeded" : "refund.failed", { shopId: refund.shop_id, type: "refund", id: refund.id }, {
        orderId: refund.order_id,
        amount: refund.amount,
        providerRefundId: n.providerRefundId,
        refundStatus: n.refundStatus,
      });
      if (!succeeded) await publishFailed(trx, refund, n.refundStatus);
      const outcome = succeeded ? "refund_succeeded" : "refund_failed";
      await repo.setNotificationOutcome(trx, n.notificationId, { outcome, shopId: refund.shop_id, paymentId: refund.payment_id, refundId: refund.id });
      return { kind: outcome, refundId: refund.id };
    });
  } catch (e) {
    if (!(e instanceof PaymentAnomaly)) throw e;
    await recordAnomaly(db, n.provider, n.notificationId, e);
    return { kind: "anomaly", anomaly: e };
  }
}
