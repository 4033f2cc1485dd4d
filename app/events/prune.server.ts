/**
 * Outbox pruning: deletes events every consumer's cursor has passed, once
 * they are old enough to be of no more use for debugging.
 *
 * Why this is safe with the relay's (txid, id) cursors (docs/decisions/0004):
 * the relay only ever reads rows whose writing transaction is older than
 * every running one, so no row can appear at or behind a cursor after the
 * cursor moved there. A row with `(txid, id) <= ` the smallest cursor of the
 * consumers has therefore been passed by all of them and is never read again.
 *
 * Which consumers count: the ones the worker list relays to (passed in by
 * name). If one of them has no cursor row yet — a consumer added in this
 * release that has not run — nothing is pruned: it will start from the
 * beginning of the outbox. Cursor rows of consumers no longer in the list
 * are ignored (they would hold the outbox forever).
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { JobDefinition } from "../jobs/index.server";
import type { EventConsumer } from "./events.types";

export const OUTBOX_RETENTION = Object.freeze({
  /** Events stay this long after every consumer passed them. */
  keepMs: 7 * 86_400_000,
  everyMs: 60 * 60_000,
  batchSize: 1_000,
  maxBatches: 50,
  job: "events.prune_outbox",
});

export type PruneOutboxResult = {
  deleted: number;
  /** true when the run stopped at `maxBatches` with prunable rows left */
  more: boolean;
  /** set when nothing could be pruned, and why */
  blockedBy?: string;
};

/**
 * Deletes, in batches, outbox rows that every consumer in `consumers` has
 * passed and that are older than `keepMs`.
 *
 * @example
 * await pruneOutbox(platform.db, { consumers: eventConsumers.map((c) => c.name) });
 */
export async function pruneOutbox(
  db: Kysely<Database>,
  opts: { consumers: readonly string[]; now?: Date; keepMs?: number; batchSize?: number; maxBatches?: number },
): Promise<PruneOutboxResult> {
  const names = [...new Set(opts.consumers)];
  if (names.length === 0) return { deleted: 0, more: false, blockedBy: "no consumers" };
  const keepMs = opts.keepMs ?? OUTBOX_RETENTION.keepMs;
  const batchSize = opts.batchSize ?? OUTBOX_RETENTION.batchSize;
  const maxBatches = opts.maxBatches ?? OUTBOX_RETENTION.maxBatches;
  const before = new Date((opts.now ?? new Date()).getTime() - keepMs);

  const { rows: cursors } = await sql<{ name: string; txid: string; id: string }>`
    SELECT name, last_txid::text AS txid, last_id::text AS id
      FROM event_consumers
     WHERE name IN (${sql.join(names)})
     ORDER BY last_txid, last_id`.execute(db);
  const missing = names.filter((n) => !cursors.some((c) => c.name === n));
  if (missing.length) return { deleted: 0, more: false, blockedBy: `no cursor yet for ${missing.join(", ")}` };
  const min = cursors[0];

  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const result = await sql`
      DELETE FROM outbox
       WHERE id IN (
         SELECT id FROM outbox
          WHERE (txid, id) <= (${min.txid}::xid8, ${min.id}::bigint)
            AND created_at < ${before}
          ORDER BY txid, id
          LIMIT ${batchSize})`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    deleted += n;
    if (n < batchSize) return { deleted, more: false };
  }
  return { deleted, more: true };
}

/**
 * The events module's jobs for the worker list: `events.prune_outbox`,
 * hourly, over the consumers the workers relay to.
 */
export function outboxJobs(consumers: readonly EventConsumer[]): JobDefinition<unknown>[] {
  const names = consumers.map((c) => c.name);
  return [
    {
      name: OUTBOX_RETENTION.job,
      concurrency: 1,
      schedule: { everyMs: OUTBOX_RETENTION.everyMs },
      handler: (platform) => async () => {
        const r = await pruneOutbox(platform.db, { consumers: names });
        if (r.deleted > 0) console.log(`[events] pruned ${r.deleted} outbox events${r.more ? " (more left for the next run)" : ""}`);
        else if (r.blockedBy) console.log(`[events] outbox not pruned: ${r.blockedBy}`);
      },
    },
  ];
}
