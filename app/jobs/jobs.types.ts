/**
 * The queue port. Two adapters implement it — BullMQ on Redis (services mode)
 * and pg-boss in the application database (embedded mode) — and both pass
 * the same contract suite (`test/jobs.contract.test.ts`).
 */
export type Backoff = { type: "fixed" | "exponential"; delayMs: number };

export type EnqueueOptions = {
  /** run no earlier than this many milliseconds from now */
  delayMs?: number;
  /** total tries including the first (default 1) */
  attempts?: number;
  backoff?: Backoff;
  /**
   * Deduplication key: while a job with this id exists (waiting, delayed,
   * active, or kept completed/failed), enqueueing again is a no-op.
   * Letters, digits, `_`, `-` and `.` only (BullMQ refuses `:`), at most 200
   * characters, and not an integer such as `42` or `-7` (BullMQ refuses those).
   */
  jobId?: string;
};

export type JobContext = { id: string; name: string; attempt: number };
export type JobHandler<T = any> = (data: T, job: JobContext) => Promise<void>;

export type FailedJob = {
  id: string;
  name: string;
  data: unknown;
  error: string;
  attempts: number;
  failedAt: Date | null;
};

export type JobState = "waiting" | "delayed" | "active" | "completed" | "failed" | "unknown";

export type Schedule = { everyMs: number } | { cron: string };

export interface JobQueue {
  readonly kind: "bullmq" | "database";
  /** Adds a job; resolves to its id. Throws AppError(bad_request) for an invalid jobId or name. */
  enqueue<T>(name: string, data: T, opts?: EnqueueOptions): Promise<string>;
  /** Registers a worker for `name`; runs until `stop()`. */
  work<T>(name: string, handler: JobHandler<T>, opts?: { concurrency?: number }): Promise<void>;
  /** A repeatable schedule under a stable key (upsert). */
  schedule<T>(key: string, name: string, schedule: Schedule, data?: T): Promise<void>;
  unschedule(key: string, name: string): Promise<void>;
  getState(name: string, id: string): Promise<JobState>;
  /** Jobs that used up their attempts, newest first. */
  listFailed(opts?: { name?: string; limit?: number; offset?: number }): Promise<FailedJob[]>;
  /** true when the backend answers */
  ping(): Promise<boolean>;
  /** Stops workers (letting active jobs finish) and closes connections. */
  stop(): Promise<void>;
}

const NAME = /^[a-z][a-z0-9_.-]{0,99}$/;
const JOB_ID = /^[A-Za-z0-9_.-]{1,200}$/;

/** Lower-case letters, digits, `_`, `.` and `-`, starting with a letter, at most 100 characters. */
export function isValidJobName(name: string): boolean {
  return NAME.test(name);
}
/** See {@link EnqueueOptions.jobId} for the rule. */
export function isValidJobId(id: string): boolean {
  return JOB_ID.test(id) && !/^-?\d+$/.test(id);
}
