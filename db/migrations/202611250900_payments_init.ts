import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * Payments (app/payments): the platform's side of taking money.
 *
 * - `payments`: one row per attempt to pay an order at a provider; its id is
 *   the provider's `out_trade_no`. `pending → succeeded | closed`. At most one
 *   pending payment per order (a partial unique index), and a provider
 *   transaction id belongs to one payment.
 * - `payment_notifications`: every notification (or query result) applied.
 *   The notification id is the primary key and the transaction id is unique,
 *   so inserting both with ON CONFLICT DO NOTHING first, in the applying
 *   transaction, is what makes a payment apply exactly once — a replay, a
 *   concurrent duplicate, or a query result for a transaction a notification
 *   already applied finds the row and changes nothing.
 * - `refunds`: `pending → succeeded | failed`; idempotent per (shop, key).
 * - `payment_anomalies`: notifications that were signed correctly but did not
 *   match (amount, currency, unknown trade): never acknowledged, kept for a
 *   reviewer, one row per (notification, kind) however often it is retried.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE payments (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL REFERENCES orders(id),
      provider text NOT NULL,
      amount integer NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      description text NOT NULL,
      return_url text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'closed')),
      prepay_id text,
      transaction_id text UNIQUE,
      payer_total integer,
      late boolean NOT NULL DEFAULT false,
      paid_at timestamptz,
      closed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'succeeded') = (transaction_id IS NOT NULL AND paid_at IS NOT NULL))
    );
    CREATE INDEX payments_order_idx ON payments (shop_id, order_id, id);
    CREATE UNIQUE INDEX payments_one_pending_per_order_idx ON payments (order_id) WHERE status = 'pending';
    CREATE INDEX payments_pending_idx ON payments (created_at) WHERE status = 'pending';
    CREATE TABLE payment_notifications (
      id text PRIMARY KEY,
      provider text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('payment', 'refund')),
      event_type text NOT NULL,
      transaction_id text UNIQUE,
      provider_refund_id text,
      shop_id text,
      payment_id text,
      refund_id text,
      outcome text NOT NULL DEFAULT 'processing',
      resource jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'payment') = (transaction_id IS NOT NULL))
    );
    CREATE INDEX payment_notifications_payment_idx ON payment_notifications (payment_id) WHERE payment_id IS NOT NULL;
    CREATE TABLE refunds (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL REFERENCES orders(id),
      payment_id text NOT NULL REFERENCES payments(id),
      amount integer NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      lines jsonb,
      reason text NOT NULL,
      source text NOT NULL CHECK (source IN ('buyer_cancel', 'merchant', 'claim', 'late_payment')),
      source_id text,
      restock boolean NOT NULL,
      idempotency_key text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      provider_refund_id text,
      failure_reason text,
      actor_type text NOT NULL,
      actor_id text,
      submitted_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (shop_id, idempotency_key)
    );
    CREATE INDEX refunds_order_idx ON refunds (shop_id, order_id, id);
    CREATE INDEX refunds_payment_idx ON refunds (payment_id);
    CREATE INDEX refunds_pending_idx ON refunds (created_at) WHERE status = 'pending';
    CREATE TABLE payment_anomalies (
      id text PRIMARY KEY,
      provider text NOT NULL,
      notification_id text NOT NULL,
      kind text NOT NULL,
      shop_id text,
      payment_id text,
      order_id text,
      refund_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      occurrences integer NOT NULL DEFAULT 1,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolved_by text,
      UNIQUE (notification_id, kind)
    );
    CREATE INDEX payment_anomalies_open_idx ON payment_anomalies (first_seen_at) WHERE resolved_at IS NULL
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE payment_anomalies, refunds, payment_notifications, payments`);
}
