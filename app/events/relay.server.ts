/**
 * The outbox relay: moves committed events to each consumer, in
 * (txid, id) order, at least once, with one cursor per consumer.
 *
 * A batch for a consumer is the next rows after its cursor whose writing
 * transaction is older than every transaction still running
 * (`txid < pg_snapshot_xmin(pg_current_snapshot())`): a transaction that
 * started earlier but commits later can then never land behind the cursor
 * (docs/decisions/0004). Rows that do not match the consumer's topics are
 * skipped, but the cursor still moves past them.
 *
 * Two ways to hold a cursor, picked by the database:
 * - **PostgreSQL ("locked")**: one transaction per batch locks the consumer's
 *   row (`FOR UPDATE SKIP LOCKED`), reads, calls `handle`, moves the cursor,
 *   commits. Relays in several processes thus take turns: one that finds
 *   the row locked skips that consumer this tick instead of queueing up.
 *   `handle` may use the queue and the database freely — they are other
 *   pool connections.
 * - **PGlite ("cas")**: one connection for everything. A transaction held
 *   across `handle` would block the consumer's own queries (and pg-boss's,
 *   which wait for Kysely's connection) — a deadlock. So the relay reads
 *   without a transaction, calls `handle`, then moves the cursor with a
 *   compare-and-set (`… WHERE last_txid = old AND last_id = old`). Embedded
 *   mode is one process, so there is no other relay to race; if there were,
 *   the loser's batch would be delivered twice, which at-least-once allows.
 *
 * A consumer whose `handle` throws keeps its cursor and gets the same batch on
 * the next tick; the other consumers are not held up.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { Platform } from "../platform.server";
import { CONSUMER_NAME, type EventConsumer, type OutboxEvent } from "./events.types";

export type RelayOptions = {
  /** pause between ticks of the loop started by `start()`; default 500 ms */
  intervalMs?: number;
  /** events read per batch; default 100 */
  batchSize?: number;
  /** batches per consumer per tick, so one busy consumer cannot starve a tick; default 10 */
  maxBatchesPerTick?: number;
  /** default: "locked" on PostgreSQL, "cas" on PGlite (see the module comment) */
  mode?: "locked" | "cas";
};

export type RelayTickResult = {
  consumer: string;
  /** events handed to `handle` this tick */
  delivered: number;
  /** events the cursor moved past (delivered or not matching the topics) */
  advanced: number;
  /** another process held the consumer's cursor (PostgreSQL) */
  skipped?: true;
  error?: Error;
};

export type Relay = {
  /** One pass over every consumer. Concurrent calls share the pass in progress. */
  tick(): Promise<RelayTickResult[]>;
  /** Starts ticking every `intervalMs` (idempotent). */
  start(): void;
  /** Stops the loop and waits for a tick in progress. */
  stop(): Promise<void>;
};

type Cursor = { txid: string; id: string };
type OutboxSqlRow = {
  id: string;
  txid: string;
  name: string;
  shop_id: string | null;
  subject_id: string | null;
  payload: Record<string, unknown> | null;
  created_at: Date | string;
};

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function matcher(topics: EventConsumer["topics"]): (name: string) => boolean {
  if (topics === "*") return () => true;
  const exact = new Set(topics.filter((t) => !t.endsWith(".*")));
  const prefixes = topics.filter((t) => t.endsWith(".*")).map((t) => t.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}

function toEvent(r: OutboxSqlRow): OutboxEvent {
  return {
    id: r.id,
    txid: r.txid,
    name: r.name,
    shopId: r.shop_id,
    subjectId: r.subject_id,
    payload: r.payload ?? {},
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
  };
}

async function ensureCursor(db: Kysely<Database>, name: string): Promise<void> {
  await sql`INSERT INTO event_consumers (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING`.execute(db);
}

async function readBatch(db: Kysely<Database>, after: Cursor, limit: number): Promise<OutboxSqlRow[]> {
  const { rows } = await sql<OutboxSqlRow>`
    SELECT id::text AS id, txid::text AS txid, name, shop_id, subject_id, payload, created_at
      FROM outbox
     WHERE (txid, id) > (${after.txid}::xid8, ${after.id}::bigint)
       AND txid < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY txid, id
     LIMIT ${limit}`.execute(db);
  return rows;
}

/**
 * A relay over `consumers`. Nothing runs until `tick()` or `start()`.
 * Consumer names must be unique.
 */
export function createRelay(platform: Platform, consumers: readonly EventConsumer[], opts: RelayOptions = {}): Relay {
  const intervalMs = opts.intervalMs ?? 500;
  const batchSize = opts.batchSize ?? 100;
  const maxBatches = opts.maxBatchesPerTick ?? 10;
  const mode = opts.mode ?? (platform.database.kind === "pg" ? "locked" : "cas");
  const db = platform.db;

  const names = new Set<string>();
  for (const c of consumers) {
    if (!CONSUMER_NAME.test(c.name)) throw new Error(`invalid event consumer name ${JSON.stringify(c.name)}`);
    if (names.has(c.name)) throw new Error(`event consumer ${c.name} is listed twice`);
    names.add(c.name);
  }
  const matchers = new Map(consumers.map((c) => [c.name, matcher(c.topics)]));
  const known = new Set<string>(); // cursors known to exist
  const lastLogged = new Map<string, number>();

  function logFailure(consumer: string, e: Error): void {
    // A consumer that keeps failing is retried every tick; say so once a minute.
    const now = Date.now();
    if (now - (lastLogged.get(consumer) ?? 0) < 60_000) return;
    lastLogged.set(consumer, now);
    console.error(`[events] consumer ${consumer} failed; retrying its batch on the next ticks: ${e.message}`);
  }

  /** One batch for one consumer; resolves to how far it got. */
  async function batchLocked(c: EventConsumer): Promise<{ delivered: number; advanced: number; skipped?: true }> {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ txid: string; id: string }>`
        SELECT last_txid::text AS txid, last_id::text AS id
          FROM event_consumers WHERE name = ${c.name}
           FOR UPDATE SKIP LOCKED`.execute(trx);
      const cursor = rows[0];
      if (!cursor) return { delivered: 0, advanced: 0, skipped: true as const };
      const batch = await readBatch(trx, cursor, batchSize);
      if (batch.length === 0) return { delivered: 0, advanced: 0 };
      const events = batch.filter((r) => matchers.get(c.name)!(r.name)).map(toEvent);
      if (events.length > 0) await c.handle(platform, events);
      const last = batch[batch.length - 1];
      await sql`
        UPDATE event_consumers SET last_txid = ${last.txid}::xid8, last_id = ${last.id}::bigint, updated_at = now()
         WHERE name = ${c.name}`.execute(trx);
      return { delivered: events.length, advanced: batch.length };
    });
  }

  async function batchCas(c: EventConsumer): Promise<{ delivered: number; advanced: number; skipped?: true }> {
    const { rows } = await sql<{ txid: string; id: string }>`
      SELECT last_txid::text AS txid, last_id::text AS id FROM event_consumers WHERE name = ${c.name}`.execute(db);
    const cursor = rows[0];
    if (!cursor) throw new Error(`cursor row for ${c.name} is missing`);
    const batch = await readBatch(db, cursor, batchSize);
    if (batch.length === 0) return { delivered: 0, advanced: 0 };
    const events = batch.filter((r) => matchers.get(c.name)!(r.name)).map(toEvent);
    if (events.length > 0) await c.handle(platform, events);
    const last = batch[batch.length - 1];
    const moved = await sql<{ name: string }>`
      UPDATE event_consumers SET last_txid = ${last.txid}::xid8, last_id = ${last.id}::bigint, updated_at = now()
       WHERE name = ${c.name} AND last_txid = ${cursor.txid}::xid8 AND last_id = ${cursor.id}::bigint
       RETURNING name`.execute(db);
    // Someone else moved the cursor meanwhile: they delivered this batch too; stop here.
    if (moved.rows.length === 0) return { delivered: events.length, advanced: 0, skipped: true };
    return { delivered: events.length, advanced: batch.length };
  }

  async function runConsumer(c: EventConsumer): Promise<RelayTickResult> {
    const result: RelayTickResult = { consumer: c.name, delivered: 0, advanced: 0 };
    try {
      if (!known.has(c.name)) {
        await ensureCursor(db, c.name);
        known.add(c.name);
      }
      for (let i = 0; i < maxBatches; i++) {
        const r = mode === "locked" ? await batchLocked(c) : await batchCas(c);
        result.delivered += r.delivered;
        result.advanced += r.advanced;
        if (r.skipped) {
          result.skipped = true;
          break;
        }
        if (r.advanced < batchSize) break; // caught up
      }
      lastLogged.delete(c.name);
    } catch (e) {
      result.error = asError(e);
      logFailure(c.name, result.error);
    }
    return result;
  }

  let current: Promise<RelayTickResult[]> | null = null;
  function tick(): Promise<RelayTickResult[]> {
    if (!current) {
      current = (async () => {
        const results: RelayTickResult[] = [];
        // One after another: on PGlite they share a connection anyway, and on
        // PostgreSQL it keeps the relay to one pool connection at a time.
        for (const c of consumers) results.push(await runConsumer(c));
        return results;
      })().finally(() => {
        current = null;
      });
    }
    return current;
  }

  let timer: NodeJS.Timeout | null = null;
  let running = false;
  function schedule(): void {
    timer = setTimeout(async () => {
      timer = null;
      try {
        await tick();
      } catch (e) {
        console.error(`[events] relay tick failed: ${asError(e).message}`);
      }
      if (running) schedule();
    }, intervalMs);
  }

  return {
    tick,
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await current?.catch(() => {});
    },
  };
}

/**
 * One relay pass over `consumers` (tests, scripts). Resolves to what each
 * consumer got; a consumer's failure is in its result, not thrown.
 */
export async function relayOnce(
  platform: Platform,
  consumers: readonly EventConsumer[],
  opts: Omit<RelayOptions, "intervalMs"> = {},
): Promise<RelayTickResult[]> {
  return createRelay(platform, consumers, opts).tick();
}
