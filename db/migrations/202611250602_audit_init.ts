import type { Kysely } from "kysely";
import { runStatements } from "./statements";

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      shop_id text,
      actor_type text NOT NULL CHECK (actor_type IN ('user', 'system', 'extension', 'api', 'reviewer')),
      actor_id text,
      action text NOT NULL,
      target_type text,
      target_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX audit_log_shop_idx ON audit_log (shop_id, id DESC);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE audit_log;`);
}
