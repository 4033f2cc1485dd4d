import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The outbox orders rows by (txid, id). A bigserial alone is not enough: a
 * transaction that took id 7 can commit after one that took id 8, and a relay
 * that already moved its cursor past 8 would never see 7. The relay reads only
 * rows whose writing transaction is older than every transaction still running
 * (pg_snapshot_xmin), so nothing can appear behind its cursor.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      name text NOT NULL CHECK (name ~ '^[a-z_]+\\.[a-z_]+$'),
      shop_id text,
      subject_id text,
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX outbox_txid_idx ON outbox (txid, id);
    CREATE TABLE event_consumers (
      name text PRIMARY KEY,
      last_txid xid8 NOT NULL DEFAULT '0'::xid8,
      last_id bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE event_consumers, outbox;`);
}
