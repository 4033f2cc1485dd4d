/**
 * The queue port on BullMQ (services mode: `REDIS_URL` is set).
 *
 * - One BullMQ `Queue` per job name, created on first use; one `Worker` per
 *   `work()` call. All share one IORedis connection (workers duplicate it for
 *   their blocking reads). `maxRetriesPerRequest: null` is what BullMQ
 *   requires of a shared connection.
 * - `prefix` namespaces every key, so test files (and several deployments on
 *   one Redis) never see each other's jobs.
 * - Dedupe is BullMQ's own: adding a job whose id exists returns the existing
 *   job. It holds only while the job is kept, so completed jobs are kept for a
 *   day (and at most the newest 1000 per queue) and failed ones for a week.
 * - Job names double as queue names, so `schedule(key, name)` keys are scoped
 *   per job name, as on the database adapter.
 */
import { Queue, Worker, type Job, type KeepJobs } from "bullmq";
import { Redis } from "ioredis";
import type { FailedJob, JobHandler, JobQueue, JobState } from "./jobs.types";

export type BullmqQueueOptions = {
  /** Redis key prefix; default `bazaar`. */
  prefix?: string;
  /** How long `createBullmqQueue` waits for Redis to answer before giving up; default 10 s. */
  connectTimeoutMs?: number;
};

const KEEP_COMPLETED: KeepJobs = { age: 24 * 3600, count: 1000 };
const KEEP_FAILED: KeepJobs = { age: 7 * 24 * 3600 };

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const STATES: Record<string, JobState> = {
  waiting: "waiting",
  "waiting-children": "waiting",
  prioritized: "waiting",
  delayed: "delayed",
  active: "active",
  completed: "completed",
  failed: "failed",
};

/**
 * Connects to Redis and returns the BullMQ adapter. Rejects when Redis does
 * not answer within `connectTimeoutMs`, so a wrong `REDIS_URL` fails start-up
 * instead of hanging every enqueue.
 */
export async function createBullmqQueue(redisUrl: string, opts: BullmqQueueOptions = {}): Promise<JobQueue> {
  const prefix = opts.prefix ?? "bazaar";
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let lastConnectionError = 0;
  connection.on("error", (err: Error) => {
    // ioredis reports every failed reconnect; one line per minute is enough.
    if (Date.now() - lastConnectionError > 60_000) {
      lastConnectionError = Date.now();
      console.error(`[jobs] redis connection error: ${err.message}`);
    }
  });
  try {
    await withTimeout(connection.ping(), opts.connectTimeoutMs ?? 10_000, `redis PING to ${new URL(redisUrl).host}`);
  } catch (e) {
    connection.disconnect();
    throw e;
  }

  // Names of every queue this prefix has used, from any process, so listFailed
  // can look beyond the queues this process happens to have touched. A queue
  // name cannot start with "_", so the key never collides with BullMQ's.
  const namesKey = `${prefix}:__bazaar_queue_names`;
  const queues = new Map<string, Queue>();
  const registered = new Map<string, Promise<unknown>>();
  const workers: Worker[] = [];
  let stopped = false;

  function queueFor(name: string): Queue {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection,
        prefix,
        defaultJobOptions: { removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
      });
      queue.on("error", (err: Error) => console.error(`[jobs] queue ${name}: ${err.message}`));
      queues.set(name, queue);
    }
    return queue;
  }

  async function register(name: string): Promise<Queue> {
    if (stopped) throw new Error("job queue is stopped");
    const queue = queueFor(name);
    let done = registered.get(name);
    if (!done) {
      done = connection.sadd(namesKey, name);
      registered.set(name, done);
    }
    await done;
    return queue;
  }

  return {
    kind: "bullmq",

    async enqueue(name, data, o = {}) {
      const queue = await register(name);
      const job = await queue.add(name, data, {
        jobId: o.jobId,
        delay: o.delayMs,
        attempts: o.attempts ?? 1,
        backoff: o.backoff ? { type: o.backoff.type, delay: o.backoff.delayMs } : undefined,
      });
      return job.id ?? o.jobId ?? "";
    },

    async work<T>(name: string, handler: JobHandler<T>, o: { concurrency?: number } = {}) {
      await register(name);
      const worker = new Worker(
        name,
        async (job: Job) => {
          // attemptsMade counts the tries that already failed.
          await handler(job.data as T, { id: job.id ?? "", name, attempt: job.attemptsMade + 1 });
        },
        { connection, prefix, concurrency: o.concurrency ?? 1 },
      );
      worker.on("error", (err: Error) => console.error(`[jobs] worker ${name}: ${err.message}`));
      worker.on("failed", (job: Job | undefined, err: Error) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          console.warn(`[jobs] ${name} ${job.id} failed after ${job.attemptsMade} attempt(s): ${err.message}`);
        }
      });
      workers.push(worker);
      await worker.waitUntilReady();
    },

    async schedule(key, name, schedule, data) {
      const queue = await register(name);
      await queue.upsertJobScheduler(
        key,
        "everyMs" in schedule ? { every: schedule.everyMs } : { pattern: schedule.cron, tz: "UTC" },
        { name, data, opts: { attempts: 1, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED } },
      );
    },

    async unschedule(key, name) {
      const queue = await register(name);
      await queue.removeJobScheduler(key);
    },

    async getState(name, id) {
      const job = await queueFor(name).getJob(id);
      if (!job) return "unknown";
      return STATES[await job.getState()] ?? "unknown";
    },

    async listFailed(o = {}) {
      const limit = o.limit ?? 50;
      const offset = o.offset ?? 0;
      const names = o.name
        ? [o.name]
        : [...new Set([...queues.keys(), ...(await connection.smembers(namesKey))])].sort();
      const found: FailedJob[] = [];
      for (const name of names) {
        // Each queue's failed set is newest first; the page can only come
        // from the first offset+limit of each.
        const jobs = await queueFor(name).getFailed(0, offset + limit - 1);
        for (const job of jobs) {
          if (!job) continue;
          found.push({
            id: job.id ?? "",
            name,
            data: job.data as unknown,
            error: job.failedReason ?? "",
            attempts: job.attemptsMade,
            failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
          });
        }
      }
      found.sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
      return found.slice(offset, offset + limit);
    },

    async ping() {
      if (stopped) return false;
      try {
        return (await withTimeout(connection.ping(), 1500, "redis PING")) === "PONG";
      } catch {
        return false;
      }
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      // Workers first: close() lets active jobs finish.
      const results = await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      for (const r of results) if (r.status === "rejected") console.error(`[jobs] worker close failed: ${errorMessage(r.reason)}`);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
