/**
 * Payment anomalies: a notification that was genuinely from the provider
 * (signed, decrypted) but does not fit our records — another amount or
 * currency, an unknown trade or refund, an order that will not take it.
 * It is never acknowledged (the provider keeps retrying, which is what we
 * want until someone looks), nothing it would have changed is changed, and
 * it is kept in `payment_anomalies` — one row per (notification, kind),
 * counting the retries — for a reviewer.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { PaymentAnomalyRow } from "../../db/tables/payments";
import { record } from "../audit/index.server";
import { notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { markAnomalyResolved, selectOpenAnomalies, upsertAnomaly } from "./payments.repository.server";
import type { PaymentAnomalyView } from "./payments.schema";

export type AnomalyKind =
  | "amount_mismatch"
  | "currency_mismatch"
  | "merchant_mismatch"
  | "unknown_trade"
  | "order_not_found"
  | "order_amount_mismatch"
  | "transaction_conflict"
  | "unknown_refund"
  | "refund_mismatch"
  | "refund_not_applicable";

/** Thrown inside an applying transaction to roll it back and record the anomaly instead. */
export class PaymentAnomaly extends Error {
  readonly kind: AnomalyKind;
  readonly refs: { shopId?: string | null; paymentId?: string | null; orderId?: string | null; refundId?: string | null };
  readonly details: Record<string, unknown>;
  constructor(kind: AnomalyKind, message: string, refs: PaymentAnomaly["refs"] = {}, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "PaymentAnomaly";
    this.kind = kind;
    this.refs = refs;
    this.details = details;
  }
}

/** Records an anomaly (after the applying transaction rolled back) with its audit row. */
export async function recordAnomaly(db: Kysely<Database>, provider: string, notificationId: string, a: PaymentAnomaly): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await upsertAnomaly(trx, {
      id: newId("payanom"),
      provider,
      notificationId,
      kind: a.kind,
      ...a.refs,
      details: { message: a.message, ...a.details },
    });
    await record(
      trx,
      { type: "system" },
      "payment.anomaly",
      { shopId: a.refs.shopId ?? null, type: a.refs.refundId ? "refund" : "payment", id: a.refs.refundId ?? a.refs.paymentId ?? undefined },
      { kind: a.kind, notificationId, message: a.message },
    );
  });
}

function toView(r: PaymentAnomalyRow): PaymentAnomalyView {
  return {
    id: r.id,
    provider: r.provider,
    notificationId: r.notification_id,
    kind: r.kind,
    shopId: r.shop_id,
    paymentId: r.payment_id,
    orderId: r.order_id,
    refundId: r.refund_id,
    details: r.details ?? {},
    occurrences: r.occurrences,
    firstSeenAt: new Date(r.first_seen_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
  };
}

/** Unresolved anomalies, newest first (for reviewers and the simulator page). */
export async function listPaymentAnomalies(db: Kysely<Database>, limit = 100): Promise<PaymentAnomalyView[]> {
  return (await selectOpenAnomalies(db, limit)).map(toView);
}

/**
 * A reviewer closes an anomaly after looking into it (with the provider, the
 * merchant); the note goes to the audit log. Resolving one twice is a 404.
 */
export async function resolvePaymentAnomaly(db: Kysely<Database>, reviewer: { id: string }, anomalyId: string, note: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await markAnomalyResolved(trx, anomalyId, reviewer.id, new Date());
    if (!row) throw notFound("No open anomaly with this id");
    await record(trx, { type: "reviewer", id: reviewer.id }, "payment.anomaly_resolved", { shopId: row.shop_id, type: "payment_anomaly", id: row.id }, { kind: row.kind, note });
  });
}
