/**
 * The queue port on pg-boss 10 in the application database (embedded mode,
 * and services mode without Redis). Jobs are rows, so a job enqueued before a
 * restart runs after it.
 *
 * How the port maps onto pg-boss:
 * - `delayMs` → `startAfter` in seconds, which pg-boss adds to the database's
 *   `now()`, so the app's clock does not matter.
 * - `attempts` → `retryLimit = attempts - 1`; `backoff.delayMs` →
 *   `retryDelay` in whole seconds, rounded up (pg-boss stores an integer
 *   number of seconds); `exponential` → `retryBackoff`, which pg-boss jitters
 *   between 1× and 2× of `delay · 2^retry`.
 * - `jobId` → pg-boss wants a UUID id, so the id is a UUID derived from
 *   (name, jobId) (SHA-1, formatted as a version-5 UUID). Inserting an id that
 *   exists is pg-boss's `ON CONFLICT DO NOTHING`: the dedupe. The caller's
 *   jobId is kept in `singleton_key` (inert on the "standard" queues used
 *   here) so handlers and `listFailed` report the caller's id, as BullMQ does.
 *   Dedupe holds while the row is in the job table: a day after completion,
 *   a week after failure (then pg-boss archives it), like the BullMQ adapter.
 * - Workers are this adapter's own fetch loops (`fetch`/`complete`/`fail`),
 *   not pg-boss's `work()`: pg-boss's loop fetches at most one batch per
 *   polling interval and settles a batch as one. Ours keeps fetching while
 *   jobs are waiting, runs up to `concurrency` at once, settles each job on
 *   its own, and is woken at once by an enqueue in the same process (and at
 *   the due time of a short delay or retry), so polling only matters for work
 *   enqueued by other processes.
 * - Schedules: `{ cron }` is pg-boss's durable cron (minute granularity, fired
 *   by whichever process's timekeeper gets there first). pg-boss 10 allows one
 *   cron schedule per queue, so the database adapter allows one cron key per
 *   job name and refuses a second (409). `{ everyMs }` is not something pg-boss
 *   can do, so it is a timer in this process that enqueues at each multiple of
 *   `everyMs` with the job id `<key>-<floor(now / everyMs)>`: every process
 *   that declares the same schedule computes the same id, so the job runs once
 *   per period however many processes run. The price: an `everyMs` schedule
 *   lives in the processes that declared it (declare it at start-up, as
 *   `startWorkers` does), and `unschedule` stops it in this process only.
 *
 * PGlite has a single connection. Kysely serializes its own queries and
 * transactions on it, but `DatabaseHandle.executeSql` talks to PGlite directly,
 * so a pg-boss statement could land in the middle of an application
 * transaction — and pg-boss's maintenance SQL contains its own BEGIN/COMMIT,
 * which would commit that transaction half-way. So on PGlite every pg-boss
 * statement goes through Kysely's connection queue and runs between
 * application transactions, never inside one. The flip side: awaiting
 * `enqueue()` inside a Kysely transaction on PGlite waits for that same
 * transaction to end, which never happens. Enqueue after commit (the outbox
 * relay exists for exactly this); the adapter warns when a call waits long.
 */
import PgBoss from "pg-boss";
import { createHash } from "node:crypto";
import type { DatabaseHandle } from "../../db/connect";
import { AppError } from "../lib/errors";
import type { EnqueueOptions, FailedJob, JobHandler, JobQueue, JobState } from "./jobs.types";

export type PgBossQueueOptions = {
  /** Postgres schema of pg-boss's tables; default `pgboss`. */
  schema?: string;
  /** How often an idle worker looks for jobs enqueued by other processes; default 500 ms. */
  pollIntervalMs?: number;
  /** How long `stop()` waits for running handlers; default 30 s. */
  shutdownTimeoutMs?: number;
};

type SqlResult = { rows: any[]; rowCount: number };
type ExecuteSql = (text: string, values?: unknown[]) => Promise<SqlResult>;
type BossJob = PgBoss.JobWithMetadata<unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Wake a local worker at the due time of delays up to this long; polling covers longer ones. */
const MAX_WAKE_DELAY_MS = 10 * 60_000;
const SLOW_CONNECTION_WARNING_MS = 10_000;

/** The pg-boss id of a job enqueued with `jobId`: a UUID derived from (name, jobId). */
export function jobUuid(name: string, jobId: string): string {
  const h = createHash("sha1").update(`bazaar-job\u0000${name}\u0000${jobId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * `executeSql` for pg-boss. On PostgreSQL the pool already gives each
 * statement its own connection. On PGlite, run each statement while holding
 * Kysely's one connection, so it never interleaves with an application
 * transaction, and roll back anything a failed multi-statement text left open.
 */
function serializedExecuteSql(database: DatabaseHandle, isClosed: () => boolean): ExecuteSql {
  const guard = (): void => {
    // pg-boss's internal loops may still be winding down after stop(); the
    // database may be closed by then.
    if (isClosed()) throw new Error("job queue is stopped");
  };
  if (database.kind !== "pglite" || !database.pglite) {
    return async (text, values) => {
      guard();
      return database.executeSql(text, values);
    };
  }
  const pglite = database.pglite;
  return async (text, values) => {
    guard();
    const slow = setTimeout(() => {
      console.warn(
        "[jobs] a queue statement has waited 10 s for the PGlite connection: a long transaction, or a job enqueued inside db.transaction() (which waits forever on PGlite: enqueue after commit).",
      );
    }, SLOW_CONNECTION_WARNING_MS);
    slow.unref();
    try {
      return await database.db.connection().execute(async () => {
        clearTimeout(slow);
        guard();
        try {
          return await database.executeSql(text, values);
        } catch (e) {
          // pg-boss's locked() texts open their own transaction; an error half-way
          // would leave the one shared session in an aborted transaction.
          if (pglite.isInTransaction()) await pglite.exec("ROLLBACK").catch(() => {});
          throw e;
        }
      });
    } finally {
      clearTimeout(slow);
    }
  };
}

/**
 * One `work()` call: a loop that fetches up to its free slots, runs each job
 * on its own, and sleeps until polled or woken.
 */
class Runner {
  readonly done: Promise<void>;
  private readonly active = new Set<Promise<void>>();
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    readonly name: string,
    private readonly concurrency: number,
    private readonly pollMs: number,
    private readonly fetch: (max: number) => Promise<BossJob[]>,
    private readonly run: (job: BossJob) => Promise<void>,
  ) {
    this.done = this.loop();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  stop(): void {
    this.stopping = true;
    this.wake();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = finish;
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.concurrency - this.active.size;
      if (free > 0) {
        let jobs: BossJob[] = [];
        try {
          jobs = await this.fetch(free);
        } catch (e) {
          if (!this.stopping) console.error(`[jobs] fetching ${this.name} failed: ${errorMessage(e)}`);
        }
        for (const job of jobs) {
          const p: Promise<void> = this.run(job).finally(() => {
            this.active.delete(p);
            this.wake();
          });
          this.active.add(p);
        }
        // A full batch means more may be waiting: look again straight away.
        if (jobs.length === free && !this.stopping) continue;
      }
      await this.sleep(this.pollMs);
    }
    await Promise.allSettled([...this.active]);
  }
}

function mapState(job: BossJob): JobState {
  switch (job.state) {
    case "created":
    case "retry":
      return new Date(job.startAfter).getTime() > Date.now() ? "delayed" : "waiting";
    case "active":
      return "active";
    case "completed":
      return "completed";
    case "failed":
    // Nothing in the port cancels jobs; a cancelled one did not complete.
    case "cancelled":
      return "failed";
    default:
      return "unknown";
  }
}

function failureMessage(output: unknown): string {
  if (output && typeof output === "object") {
    const o = output as { message?: unknown; value?: { message?: unknown } };
    if (typeof o.message === "string") return o.message;
    if (typeof o.value?.message === "string") return o.value.message; // pg-boss's own timeout failure
    return JSON.stringify(output);
  }
  return output == null ? "" : String(output);
}

/**
 * Starts pg-boss on `database` (creating or migrating its schema) and
 * returns the database adapter.
 */
export async function createPgBossQueue(database: DatabaseHandle, opts: PgBossQueueOptions = {}): Promise<JobQueue> {
  const schema = opts.schema ?? "pgboss";
  if (!/^[a-z_][a-z0-9_]{0,49}$/.test(schema)) throw new Error(`invalid pg-boss schema name ${JSON.stringify(schema)}`);
  const pollMs = opts.pollIntervalMs ?? 500;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 30_000;

  let closed = false;
  const executeSql = serializedExecuteSql(database, () => closed);
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => executeSql(text, values) },
    schema,
    // Keep settled jobs in the job table (where the id dedupe looks) as long
    // as the BullMQ adapter keeps them; the cron timekeeper needs >= 60 s.
    archiveCompletedAfterSeconds: 24 * 3600,
    archiveFailedAfterSeconds: 7 * 24 * 3600,
    deleteAfterDays: 7,
  });
  boss.on("error", (err: Error) => console.error(`[jobs] pg-boss: ${err.message}`));
  await boss.start();

  const queues = new Map<string, Promise<void>>();
  const runners: Runner[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const everyTimers = new Map<string, NodeJS.Timeout>();
  let stopping: Promise<void> | null = null;

  function ensureQueue(name: string): Promise<void> {
    let ready = queues.get(name);
    if (!ready) {
      // pg-boss 10 needs a queue (a partition of the job table) before send/work.
      ready = boss.createQueue(name).catch((e: unknown) => {
        queues.delete(name);
        throw e;
      });
      queues.set(name, ready);
    }
    return ready;
  }

  function wake(name: string): void {
    for (const r of runners) if (r.name === name) r.wake();
  }

  function wakeLater(name: string, ms: number): void {
    if (ms > MAX_WAKE_DELAY_MS || !runners.some((r) => r.name === name)) return;
    const t = setTimeout(() => {
      timers.delete(t);
      wake(name);
    }, ms + 20);
    t.unref();
    timers.add(t);
  }

  function assertRunning(): void {
    if (stopping) throw new Error("job queue is stopped");
  }

  async function enqueue(name: string, data: unknown, o: EnqueueOptions = {}): Promise<string> {
    assertRunning();
    await ensureQueue(name);
    const options: PgBoss.SendOptions = {
      retryLimit: (o.attempts ?? 1) - 1,
      retryDelay: o.backoff ? Math.ceil(o.backoff.delayMs / 1000) : 0,
      retryBackoff: o.backoff?.type === "exponential",
    };
    const delayMs = o.delayMs ?? 0;
    // Seconds after the database's now(), as text: pg-boss casts it to an interval.
    if (delayMs >= 1) options.startAfter = (delayMs / 1000).toFixed(3);
    if (o.jobId) {
      options.id = jobUuid(name, o.jobId);
      options.singletonKey = o.jobId;
    }
    // Serialized here: pg would turn a JS array into a Postgres array literal.
    const payload = JSON.stringify(data ?? null) as unknown as object;
    const id = await boss.send(name, payload, options);
    if (delayMs >= 1) wakeLater(name, delayMs);
    else wake(name);
    if (o.jobId) return o.jobId; // null id: it already existed — the dedupe
    if (!id) throw new Error(`pg-boss did not accept a ${name} job`);
    return id;
  }

  async function runJob(name: string, handler: JobHandler<unknown>, job: BossJob): Promise<void> {
    const ctx = { id: job.singletonKey ?? job.id, name, attempt: job.retryCount + 1 };
    const limitMs = Math.max(1, Number(job.expireInSeconds) || 900) * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => handler(job.data, ctx)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`handler exceeded ${limitMs} ms`)), limitMs);
        }),
      ]);
    } catch (e) {
      clearTimeout(timer);
      const err = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { message: String(e) };
      try {
        await boss.fail(name, job.id, err);
      } catch (failErr) {
        console.error(`[jobs] could not record the failure of ${name} ${ctx.id}: ${errorMessage(failErr)}`);
        return;
      }
      if (job.retryCount < job.retryLimit) {
        if (!job.retryBackoff) wakeLater(name, job.retryDelay * 1000);
      } else {
        console.warn(`[jobs] ${name} ${ctx.id} failed after ${ctx.attempt} attempt(s): ${err.message}`);
      }
      return;
    }
    clearTimeout(timer);
    try {
      await boss.complete(name, job.id);
    } catch (e) {
      // The job stays active until pg-boss expires it, then runs again: at least once.
      console.error(`[jobs] could not mark ${name} ${ctx.id} completed: ${errorMessage(e)}`);
    }
  }

  function clearEvery(name: string, key: string): void {
    const k = `${name}\u0000${key}`;
    const t = everyTimers.get(k);
    if (t) clearTimeout(t);
    everyTimers.delete(k);
  }

  async function deleteCron(name: string, key: string): Promise<void> {
    await executeSql(`DELETE FROM ${schema}.schedule WHERE name = $1 AND options->>'key' = $2`, [name, key]);
  }

  return {
    kind: "database",

    enqueue,

    async work<T>(name: string, handler: JobHandler<T>, o: { concurrency?: number } = {}) {
      assertRunning();
      await ensureQueue(name);
      const h = handler as JobHandler<unknown>;
      const runner = new Runner(
        name,
        o.concurrency ?? 1,
        pollMs,
        (max) => boss.fetch<unknown>(name, { batchSize: max, includeMetadata: true }),
        (job) => runJob(name, h, job),
      );
      runners.push(runner);
    },

    async schedule(key, name, schedule, data) {
      assertRunning();
      await ensureQueue(name);
      if ("cron" in schedule) {
        clearEvery(name, key);
        const existing = (await boss.getSchedules()).find((s) => s.name === name);
        const existingKey = (existing?.options as { key?: unknown } | undefined)?.key;
        if (existing && existingKey !== key) {
          throw new AppError(
            "conflict",
            `the database queue allows one cron schedule per job name; ${name} already has ${JSON.stringify(existingKey)}`,
          );
        }
        // pg-boss passes these options to every job it creates; the key rides along, inert.
        await boss.schedule(name, schedule.cron, JSON.stringify(data ?? null) as unknown as object, {
          tz: "UTC",
          key,
          retryLimit: 0,
          retryDelay: 0,
          retryBackoff: false,
        } as PgBoss.ScheduleOptions);
        return;
      }
      await deleteCron(name, key);
      clearEvery(name, key);
      const every = schedule.everyMs;
      const k = `${name}\u0000${key}`;
      const arm = () => {
        // Fire just after each multiple of everyMs, so every process picks the same slot.
        const t = setTimeout(fire, every - (Date.now() % every) + 5);
        t.unref();
        everyTimers.set(k, t);
      };
      const fire = () => {
        if (stopping || everyTimers.get(k) === undefined) return;
        const slot = Math.floor(Date.now() / every);
        enqueue(name, data, { jobId: `${key}-${slot}` }).catch((e: unknown) => {
          if (!stopping) console.error(`[jobs] schedule ${key} could not enqueue ${name}: ${errorMessage(e)}`);
        });
        arm();
      };
      arm();
    },

    async unschedule(key, name) {
      clearEvery(name, key);
      if (!stopping) await deleteCron(name, key);
    },

    async getState(name, id) {
      const candidates = UUID.test(id) ? [id, jobUuid(name, id)] : [jobUuid(name, id)];
      for (const candidate of candidates) {
        const job = await boss.getJobById<unknown>(name, candidate, { includeArchive: true });
        if (job) return mapState(job);
      }
      return "unknown";
    },

    async listFailed(o = {}) {
      const { rows } = await executeSql(
        `SELECT id::text AS id, singleton_key AS job_id, name, data, output, retry_count, completed_on
           FROM ${schema}.job
          WHERE state = 'failed'
            AND left(name, 10) <> '__pgboss__'
            AND ($1::text IS NULL OR name = $1::text)
          ORDER BY completed_on DESC NULLS LAST, id
          LIMIT $2 OFFSET $3`,
        [o.name ?? null, o.limit ?? 50, o.offset ?? 0],
      );
      return rows.map(
        (r): FailedJob => ({
          id: r.job_id ?? r.id,
          name: r.name,
          data: r.data,
          error: failureMessage(r.output),
          attempts: Number(r.retry_count) + 1,
          failedAt: r.completed_on ? new Date(r.completed_on) : null,
        }),
      );
    },

    async ping() {
      if (stopping) return false;
      try {
        await executeSql("SELECT 1 AS ok");
        return true;
      } catch {
        return false;
      }
    },

    stop() {
      stopping ??= (async () => {
        for (const t of everyTimers.values()) clearTimeout(t);
        everyTimers.clear();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const r of runners) r.stop();
        await Promise.race([Promise.allSettled(runners.map((r) => r.done)), sleep(shutdownTimeoutMs)]);
        await boss
          .stop({ graceful: true, close: false, wait: true, timeout: 5000 })
          .catch((e: unknown) => console.error(`[jobs] pg-boss stop: ${errorMessage(e)}`));
        closed = true;
      })();
      return stopping;
    },
  };
}
