/**
 * SQL for the payments module's platform tables: payments,
 * payment_notifications, refunds, payment_anomalies. Every tenant query names
 * its shop, except look-ups by a provider's reference (a notification names
 * our payment or refund id, not the shop), which are global keys.
 */
import { sql, type Insertable, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type {
  PaymentAnomalyRow,
  PaymentRow,
  PaymentsTable,
  RefundRow,
  RefundsTable,
  PaymentNotificationsTable,
} from "../../db/tables/payments";

type Db = Kysely<Database>;

// ---- payments --------------------------------------------------------------

export async function insertPayment(db: Db, row: Insertable<PaymentsTable>): Promise<PaymentRow | undefined> {
  // One pending payment per order (a partial unique index): a concurrent
  // second insert finds nothing to return and the caller reads the winner.
  return db.insertInto("payments").values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

export async function selectPendingPaymentForOrder(db: Db, shopId: string, orderId: string): Promise<PaymentRow | undefined> {
  return db
    .selectFrom("payments")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("order_id", "=", orderId)
    .where("status", "=", "pending")
    .executeTakeFirst();
}

/** By id alone: the provider's `out_trade_no` is our payment id. */
export async function selectPayment(db: Db, id: string): Promise<PaymentRow | undefined> {
  return db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function selectPaymentForUpdate(trx: Db, id: string): Promise<PaymentRow | undefined> {
  return trx.selectFrom("payments").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updatePrepayId(db: Db, id: string, prepayId: string): Promise<void> {
  await db.updateTable("payments").set({ prepay_id: prepayId, updated_at: new Date() }).where("id", "=", id).execute();
}

export async function markPaymentSucceeded(
  trx: Db,
  id: string,
  v: { transactionId: string; payerTotal: number | null; paidAt: Date; late: boolean },
): Promise<boolean> {
  const r = await trx
    .updateTable("payments")
    .set({ status: "succeeded", transaction_id: v.transactionId, payer_total: v.payerTotal, paid_at: v.paidAt, late: v.late, updated_at: new Date() })
    .where("id", "=", id)
    .where("status", "in", ["pending", "closed"])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markPaymentClosed(db: Db, shopId: string, id: string): Promise<boolean> {
  const r = await db
    .updateTable("payments")
    .set({ status: "closed", closed_at: new Date(), updated_at: new Date() })
    .where("shop_id", "=", shopId)
    .where("id", "=", id)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function selectPaymentsForOrder(db: Db, shopId: string, orderId: string): Promise<PaymentRow[]> {
  return db.selectFrom("payments").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("id").execute();
}

/** Pending payments created before `before`, oldest first (reconciliation). */
export async function selectStalePendingPayments(db: Db, before: Date, limit: number): Promise<PaymentRow[]> {
  return db
    .selectFrom("payments")
    .selectAll()
    .where("status", "=", "pending")
    .where("created_at", "<", before)
    .orderBy("created_at")
    .limit(limit)
    .execute();
}

/**
 * Locks the order row for the length of the caller's transaction: refunds
 * and payments of one order serialize on it, in the same order (order, then
 * payment) everywhere, so they cannot deadlock. Read-only on the orders
 * module's table; the orders module does every write.
 */
export async function lockOrderRow(
  trx: Db,
  shopId: string,
  orderId: string,
): Promise<{ status: string; total: number; currency: string } | undefined> {
  return trx
    .selectFrom("orders")
    .select(["status", "total", "currency"])
    .where("shop_id", "=", shopId)
    .where("id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
}

// ---- notifications ---------------------------------------------------------

/**
 * Inserts the notification unless its id or its transaction id is already
 * there. Must be the first write of the applying transaction: a concurrent
 * duplicate waits here for the first to commit, then finds it.
 */
export async function insertNotificationIfNew(trx: Db, row: Insertable<PaymentNotificationsTable>): Promise<boolean> {
  const r = await trx.insertInto("payment_notifications").values(row).onConflict((oc) => oc.doNothing()).returning("id").executeTakeFirst();
  return !!r;
}

export async function setNotificationOutcome(
  trx: Db,
  id: string,
  v: { outcome: string; shopId?: string | null; paymentId?: string | null; refundId?: string | null },
): Promise<void> {
  await trx
    .updateTable("payment_notifications")
    .set({ outcome: v.outcome, shop_id: v.shopId ?? null, payment_id: v.paymentId ?? null, refund_id: v.refundId ?? null })
    .where("id", "=", id)
    .execute();
}

// ---- refunds ---------------------------------------------------------------

export async function insertRefund(trx: Db, row: Insertable<RefundsTable>): Promise<RefundRow> {
  return trx.insertInto("refunds").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectRefundByKey(db: Db, shopId: string, key: string): Promise<RefundRow | undefined> {
  return db.selectFrom("refunds").selectAll().where("shop_id", "=", shopId).where("idempotency_key", "=", key).executeTakeFirst();
}

/** By id alone: the provider's `out_refund_no` is our refund id. */
export async function selectRefund(db: Db, id: string): Promise<RefundRow | undefined> {
  return db.selectFrom("refunds").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function selectRefundForUpdate(trx: Db, id: string): Promise<RefundRow | undefined> {
  return trx.selectFrom("refunds").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** What is refunded or on its way back from a payment (pending and succeeded refunds). */
export async function sumOpenRefunds(db: Db, paymentId: string): Promise<number> {
  const r = await db
    .selectFrom("refunds")
    .select(sql<string>`coalesce(sum(amount), 0)`.as("total"))
    .where("payment_id", "=", paymentId)
    .where("status", "in", ["pending", "succeeded"])
    .executeTakeFirstOrThrow();
  return Number(r.total);
}

export async function markRefundSubmitted(db: Db, id: string, providerRefundId: string): Promise<void> {
  await db
    .updateTable("refunds")
    .set({ provider_refund_id: providerRefundId, submitted_at: new Date(), updated_at: new Date() })
    .where("id", "=", id)
    .where("submitted_at", "is", null)
    .execute();
}

/** pending → succeeded | failed; false when it was already final (the exactly-once guard). */
export async function completeRefund(
  trx: Db,
  id: string,
  v: { status: "succeeded" | "failed"; providerRefundId?: string | null; failureReason?: string | null; at: Date },
): Promise<boolean> {
  const r = await trx
    .updateTable("refunds")
    .set((eb) => ({
      status: v.status,
      provider_refund_id: v.providerRefundId ?? eb.ref("provider_refund_id"),
      failure_reason: v.failureReason ?? null,
      completed_at: v.at,
      updated_at: v.at,
    }))
    .where("id", "=", id)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function selectRefundsForOrder(db: Db, shopId: string, orderId: string): Promise<RefundRow[]> {
  return db.selectFrom("refunds").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("id").execute();
}

/** Pending refunds never accepted by the provider, created before `before` (the safety net). */
export async function selectUnsubmittedRefunds(db: Db, before: Date, limit: number): Promise<RefundRow[]> {
  return db
    .selectFrom("refunds")
    .selectAll()
    .where("status", "=", "pending")
    .where("submitted_at", "is", null)
    .where("created_at", "<", before)
    .orderBy("created_at")
    .limit(limit)
    .execute();
}

// ---- anomalies -------------------------------------------------------------

export async function upsertAnomaly(
  db: Db,
  row: {
    id: string;
    provider: string;
    notificationId: string;
    kind: string;
    shopId?: string | null;
    paymentId?: string | null;
    orderId?: string | null;
    refundId?: string | null;
    details: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto("payment_anomalies")
    .values({
      id: row.id,
      provider: row.provider,
      notification_id: row.notificationId,
      kind: row.kind,
      shop_id: row.shopId ?? null,
      payment_id: row.paymentId ?? null,
      order_id: row.orderId ?? null,
      refund_id: row.refundId ?? null,
      details: JSON.stringify(row.details),
      last_seen_at: new Date(),
    })
    .onConflict((oc) =>
      oc.columns(["notification_id", "kind"]).doUpdateSet((eb) => ({
        occurrences: eb("payment_anomalies.occurrences", "+", 1),
        last_seen_at: new Date(),
      })),
    )
    .execute();
}

export async function selectOpenAnomalies(db: Db, limit: number): Promise<PaymentAnomalyRow[]> {
  return db.selectFrom("payment_anomalies").selectAll().where("resolved_at", "is", null).orderBy("first_seen_at", "desc").limit(limit).execute();
}

export async function markAnomalyResolved(db: Db, id: string, by: string, at: Date): Promise<PaymentAnomalyRow | undefined> {
  return db
    .updateTable("payment_anomalies")
    .set({ resolved_at: at, resolved_by: by })
    .where("id", "=", id)
    .where("resolved_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

