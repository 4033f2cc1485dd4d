import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * Indexes for the retention jobs (docs/decisions/0017): the invocation log is
 * deleted by age, and unused quotes by expiry, in batches — each batch must
 * find its rows without scanning the table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE INDEX extension_invocations_created_idx ON extension_invocations (created_at);
    CREATE INDEX checkout_quotes_unused_expiry_idx ON checkout_quotes (expires_at) WHERE consumed_at IS NULL
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    DROP INDEX checkout_quotes_unused_expiry_idx;
    DROP INDEX extension_invocations_created_idx
  `);
}
