/**
 * The open API's jobs, for the worker list in app/jobs/workers.server.ts.
 *
 * - `openapi.purge_idempotency_keys`: hourly, deletes Idempotency-Key
 *   records past their 24 h.
 */
import type { JobDefinition } from "../jobs/index.server";
import { purgeExpiredIdempotencyKeys } from "./idempotency.server";

export const PURGE_IDEMPOTENCY_JOB = "openapi.purge_idempotency_keys";

export const openapiJobs: JobDefinition[] = [
  {
    name: PURGE_IDEMPOTENCY_JOB,
    concurrency: 1,
    schedule: { everyMs: 60 * 60_000 },
    handler: (platform) => async () => {
      await purgeExpiredIdempotencyKeys(platform.db);
    },
  },
];
