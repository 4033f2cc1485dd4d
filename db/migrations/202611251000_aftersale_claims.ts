import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * After-sale claims (app/aftersale): one row per claim with its current
 * status and deadline, its lines and photos, the timeline both sides see,
 * and the one-row deadline time scale.
 *
 * - At most one open claim per order: a partial unique index.
 * - The merchant's queue reads (shop_id, deadline) and the reviewers' queue
 *   reads escalated claims oldest first; both have an index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE aftersale_settings (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      time_scale double precision NOT NULL DEFAULT 1 CHECK (time_scale > 0 AND time_scale <= 1),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO aftersale_settings (id) VALUES (true);
    CREATE TABLE claims (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL REFERENCES orders(id),
      user_id text NOT NULL REFERENCES users(id),
      kind text NOT NULL CHECK (kind IN ('refund_only', 'return_refund', 'complaint')),
      status text NOT NULL CHECK (status IN ('awaiting_merchant', 'awaiting_return_shipment', 'awaiting_return_receipt', 'refused', 'escalated', 'refund_pending', 'refunded', 'closed')),
      reason text NOT NULL,
      description text NOT NULL,
      currency text NOT NULL,
      amount integer NOT NULL CHECK (amount >= 0),
      refund_amount integer CHECK (refund_amount > 0),
      restock boolean,
      refund_id text,
      return_carrier text,
      return_tracking text,
      refusal_reason text,
      decision_reason text,
      resolution text,
      deadline_kind text CHECK (deadline_kind IN ('merchant_answer', 'return_shipment', 'return_receipt', 'escalation_window')),
      deadline_at timestamptz,
      deadline_id text,
      deadline_seq integer NOT NULL DEFAULT 0,
      escalated_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      CHECK ((deadline_kind IS NULL) = (deadline_at IS NULL) AND (deadline_at IS NULL) = (deadline_id IS NULL))
    );
    CREATE UNIQUE INDEX claims_one_open_per_order_idx ON claims (order_id) WHERE status NOT IN ('refunded', 'closed');
    CREATE INDEX claims_shop_order_idx ON claims (shop_id, order_id);
    CREATE INDEX claims_shop_queue_idx ON claims (shop_id, (COALESCE(deadline_at, 'infinity'::timestamptz)), id);
    CREATE INDEX claims_escalated_idx ON claims (escalated_at, id) WHERE status = 'escalated';
    CREATE INDEX claims_user_idx ON claims (user_id, id);
    CREATE INDEX claims_refund_idx ON claims (refund_id) WHERE refund_id IS NOT NULL;
    CREATE TABLE claim_lines (
      claim_id text NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
      shop_id text NOT NULL REFERENCES shops(id),
      line_id text NOT NULL REFERENCES order_lines(id),
      quantity integer NOT NULL CHECK (quantity > 0),
      amount integer NOT NULL CHECK (amount >= 0),
      PRIMARY KEY (claim_id, line_id)
    );
    CREATE TABLE claim_photos (
      claim_id text NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
      shop_id text NOT NULL REFERENCES shops(id),
      image_id text NOT NULL REFERENCES images(id),
      position integer NOT NULL,
      PRIMARY KEY (claim_id, image_id)
    );
    CREATE TABLE claim_events (
      id bigserial PRIMARY KEY,
      claim_id text NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
      shop_id text NOT NULL REFERENCES shops(id),
      action text NOT NULL,
      from_status text,
      to_status text NOT NULL,
      actor_type text NOT NULL CHECK (actor_type IN ('buyer', 'merchant', 'reviewer', 'system')),
      actor_id text,
      note text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      deadline_kind text,
      deadline_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX claim_events_claim_idx ON claim_events (claim_id, id)
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE claim_events, claim_photos, claim_lines, claims, aftersale_settings`);
}
