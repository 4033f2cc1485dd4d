/**
 * Expired quotes cleanup: a quote lives `QUOTE_TTL_MS` (15 minutes); one that
 * was never used for an order is of no use a day after it expired, and every
 * checkout page writes one or two. Quotes that became orders
 * (`consumed_at` set) are kept: the order records which quote it was priced
 * from. Placing an order with a deleted quote is answered like an expired
 * one that is gone ("This checkout has expired", 404), which is why the
 * grace period is a day rather than zero.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { JobDefinition } from "../jobs/index.server";

export const QUOTE_CLEANUP = Object.freeze({
  /** unused quotes are deleted this long after they expired */
  graceMs: 86_400_000,
  everyMs: 60 * 60_000,
  batchSize: 1_000,
  maxBatches: 50,
  job: "checkout.prune_quotes",
});

/**
 * Deletes unused quotes that expired more than `graceMs` ago, in batches;
 * resolves to how many went.
 *
 * @example
 * await pruneExpiredQuotes(platform.db); // { deleted: 42, more: false }
 */
export async function pruneExpiredQuotes(
  db: Kysely<Database>,
  opts: { now?: Date; graceMs?: number; batchSize?: number; maxBatches?: number } = {},
): Promise<{ deleted: number; more: boolean }> {
  const before = new Date((opts.now ?? new Date()).getTime() - (opts.graceMs ?? QUOTE_CLEANUP.graceMs));
  const batchSize = opts.batchSize ?? QUOTE_CLEANUP.batchSize;
  const maxBatches = opts.maxBatches ?? QUOTE_CLEANUP.maxBatches;
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const result = await sql`
      DELETE FROM checkout_quotes
       WHERE id IN (
         SELECT id FROM checkout_quotes
          WHERE consumed_at IS NULL AND expires_at < ${before}
          LIMIT ${batchSize})
         AND consumed_at IS NULL`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    deleted += n;
    if (n < batchSize) return { deleted, more: false };
  }
  return { deleted, more: true };
}

/** The checkout module's jobs for the worker list: `checkout.prune_quotes`, hourly. */
export const checkoutJobs: JobDefinition<unknown>[] = [
  {
    name: QUOTE_CLEANUP.job,
    concurrency: 1,
    schedule: { everyMs: QUOTE_CLEANUP.everyMs },
    handler: (platform) => async () => {
      const { deleted, more } = await pruneExpiredQuotes(platform.db);
      if (deleted > 0) console.log(`[checkout] deleted ${deleted} unused expired quotes${more ? " (more left for the next run)" : ""}`);
    },
  },
];
