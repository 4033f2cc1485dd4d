/**
 * The one place that checks what callers hand the queue, so both adapters
 * refuse the same inputs with the same error (an `AppError("bad_request")`)
 * instead of each backend failing in its own way — BullMQ throws on `:` in a
 * job id, pg-boss would happily accept it.
 */
import { AppError } from "../lib/errors";
import {
  isValidJobId,
  isValidJobName,
  type EnqueueOptions,
  type JobQueue,
  type Schedule,
} from "./jobs.types";

/** Longest delay accepted: a year. Longer is almost certainly a unit mistake (seconds vs ms). */
const MAX_DELAY_MS = 366 * 24 * 3600_000;
const MAX_ATTEMPTS = 100;
const MAX_CONCURRENCY = 100;
/** Shortest repeat interval: below this a schedule is a busy loop. */
const MIN_EVERY_MS = 100;

function bad(message: string, field: string): AppError {
  return new AppError("bad_request", message, { fieldErrors: { [field]: [message] } });
}

function checkName(name: string): void {
  if (typeof name !== "string" || !isValidJobName(name)) {
    throw bad(`invalid job name ${JSON.stringify(name)}: lower-case letters, digits, "_", "." and "-", starting with a letter`, "name");
  }
}

function checkJobId(id: string, field: string): void {
  if (typeof id !== "string" || !isValidJobId(id)) {
    throw bad(
      `invalid ${field} ${JSON.stringify(id)}: letters, digits, "_", "-" and "." only (no ":"), at most 200 characters, not an integer`,
      field,
    );
  }
}

function isNonNegativeFinite(n: unknown): n is number {
  return typeof n === "number" && Number.isFinite(n) && n >= 0;
}

function checkEnqueueOptions(opts: EnqueueOptions | undefined): void {
  if (!opts) return;
  if (opts.jobId !== undefined) checkJobId(opts.jobId, "jobId");
  if (opts.delayMs !== undefined && !(isNonNegativeFinite(opts.delayMs) && opts.delayMs <= MAX_DELAY_MS)) {
    throw bad(`delayMs must be between 0 and ${MAX_DELAY_MS}`, "delayMs");
  }
  if (opts.attempts !== undefined && !(Number.isInteger(opts.attempts) && opts.attempts >= 1 && opts.attempts <= MAX_ATTEMPTS)) {
    throw bad(`attempts must be an integer from 1 to ${MAX_ATTEMPTS}`, "attempts");
  }
  if (opts.backoff !== undefined) {
    const { type, delayMs } = opts.backoff;
    if ((type !== "fixed" && type !== "exponential") || !isNonNegativeFinite(delayMs) || delayMs > MAX_DELAY_MS) {
      throw bad('backoff must be { type: "fixed" | "exponential", delayMs >= 0 }', "backoff");
    }
  }
}

function checkSchedule(schedule: Schedule): void {
  if ("everyMs" in schedule) {
    if (!(Number.isInteger(schedule.everyMs) && schedule.everyMs >= MIN_EVERY_MS)) {
      throw bad(`everyMs must be an integer of at least ${MIN_EVERY_MS}`, "schedule");
    }
  } else if (!("cron" in schedule) || typeof schedule.cron !== "string" || schedule.cron.trim() === "") {
    throw bad("a schedule is { everyMs } or { cron }", "schedule");
  }
}

/**
 * Wraps an adapter so every call is checked first. Invalid input throws
 * `AppError("bad_request")` before the backend is touched.
 */
export function withValidation(inner: JobQueue): JobQueue {
  return {
    kind: inner.kind,
    async enqueue(name, data, opts) {
      checkName(name);
      checkEnqueueOptions(opts);
      return inner.enqueue(name, data, opts);
    },
    async work(name, handler, opts) {
      checkName(name);
      if (typeof handler !== "function") throw bad("handler must be a function", "handler");
      const c = opts?.concurrency;
      if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= MAX_CONCURRENCY)) {
        throw bad(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`, "concurrency");
      }
      return inner.work(name, handler, opts);
    },
    async schedule(key, name, schedule, data) {
      checkJobId(key, "key");
      checkName(name);
      checkSchedule(schedule);
      return inner.schedule(key, name, schedule, data);
    },
    async unschedule(key, name) {
      checkJobId(key, "key");
      checkName(name);
      return inner.unschedule(key, name);
    },
    async getState(name, id) {
      checkName(name);
      // An id that no valid job could have is simply not there.
      if (typeof id !== "string" || id.length === 0 || id.length > 200) return "unknown";
      return inner.getState(name, id);
    },
    async listFailed(opts) {
      if (opts?.name !== undefined) checkName(opts.name);
      const limit = opts?.limit ?? 50;
      const offset = opts?.offset ?? 0;
      if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) throw bad("limit must be an integer from 1 to 1000", "limit");
      if (!(Number.isInteger(offset) && offset >= 0)) throw bad("offset must be a non-negative integer", "offset");
      return inner.listFailed({ name: opts?.name, limit, offset });
    },
    ping: () => inner.ping(),
    stop: () => inner.stop(),
  };
}
