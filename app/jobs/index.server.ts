/**
 * The jobs module: the queue port, its two adapters, and job definitions.
 *
 * - `createJobQueue` picks the adapter: BullMQ when `REDIS_URL` is set, else
 *   pg-boss in the application database. Either way the queue is wrapped in
 *   the shared input checks (`validated-queue.server.ts`).
 * - A module describes its jobs as {@link JobDefinition}s and adds them to the
 *   explicit list in `workers.server.ts`, which registers them at start-up.
 */
import type { Config } from "../config.server";
import type { DatabaseHandle } from "../../db/connect";
import type { Platform } from "../platform.server";
import { createBullmqQueue } from "./bullmq.server";
import { createPgBossQueue } from "./pgboss.server";
import { withValidation } from "./validated-queue.server";
import { isValidJobName, type EnqueueOptions, type JobHandler, type JobQueue, type Schedule } from "./jobs.types";

export type {
  Backoff,
  EnqueueOptions,
  FailedJob,
  JobContext,
  JobHandler,
  JobQueue,
  JobState,
  Schedule,
} from "./jobs.types";
export { isValidJobId, isValidJobName } from "./jobs.types";

/**
 * Opens the job queue for this process. `prefix` isolates queues that share a
 * backend (each test file uses its own): the Redis key prefix for BullMQ, and
 * the pg-boss schema `pgboss_<prefix>` for the database adapter.
 */
export async function createJobQueue(
  config: Pick<Config, "redisUrl">,
  database: DatabaseHandle,
  opts: { prefix?: string } = {},
): Promise<JobQueue> {
  if (config.redisUrl) {
    return withValidation(await createBullmqQueue(config.redisUrl, { prefix: opts.prefix }));
  }
  return withValidation(await createPgBossQueue(database, { schema: pgBossSchema(opts.prefix) }));
}

function pgBossSchema(prefix: string | undefined): string {
  if (!prefix) return "pgboss";
  return `pgboss_${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(0, 50);
}

/**
 * A job a module offers for the worker list: its name, how many may run at
 * once in one process, an optional repeat schedule (registered under the
 * job's name as its key), and a handler built from the platform.
 */
export type JobDefinition<T = unknown> = {
  name: string;
  concurrency?: number;
  schedule?: Schedule;
  handler: (platform: Platform) => JobHandler<T>;
};

/**
 * What the worker list holds: definitions of any data type. (`never` because
 * a handler for `T` accepts no other data; each gets its own job's data.)
 */
export type AnyJobDefinition = JobDefinition<never>;

/**
 * Declares a job with typed data. Returns the definition (for the worker
 * list) with a typed `enqueue`, so producers and the handler agree on `T`.
 *
 * @example
 * export const closeUnpaidOrder = defineJob<{ orderId: string }>({
 *   name: "orders.close_unpaid",
 *   handler: (platform) => async ({ orderId }) => closeIfUnpaid(platform, orderId),
 * });
 * await closeUnpaidOrder.enqueue(platform.jobs, { orderId }, { delayMs: 30 * 60_000, jobId: `close-${orderId}` });
 */
export function defineJob<T>(
  def: JobDefinition<T>,
): JobDefinition<T> & { enqueue(jobs: JobQueue, data: T, opts?: EnqueueOptions): Promise<string> } {
  if (!isValidJobName(def.name)) throw new Error(`invalid job name ${JSON.stringify(def.name)}`);
  return { ...def, enqueue: (jobs, data, opts) => jobs.enqueue<T>(def.name, data, opts) };
}

/** Starts a worker for each definition and registers their schedules. */
export async function registerJobs(platform: Platform, defs: readonly AnyJobDefinition[]): Promise<void> {
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.name)) throw new Error(`job ${def.name} is defined twice in the worker list`);
    seen.add(def.name);
    await platform.jobs.work(def.name, def.handler(platform), { concurrency: def.concurrency });
    if (def.schedule) await platform.jobs.schedule(def.name, def.name, def.schedule);
  }
}
