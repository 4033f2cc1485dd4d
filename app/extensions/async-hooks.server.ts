/**
 * The asynchronous hooks: an outbox consumer that turns `order.paid`,
 * `order.completed`, `order.refunded` and `customer.created` into one job per
 * (active install implementing the hook, event), and the job that delivers
 * it through the extension host.
 *
 * The job id `hook-<installId>-<eventId>` makes a redelivered event a no-op
 * in the queue; the delivery row makes a re-run job a no-op once the hook ran;
 * and the same string is the hook's `idempotencyKey`, so an extension can
 * make its own effects idempotent when a delivery does repeat (at least once).
 */
import { z } from "zod";
import type { EventConsumer, OutboxEvent } from "../events/index.server";
import type { AnyJobDefinition, JobDefinition } from "../jobs/index.server";
import { activeInstalls, ASYNC_HOOKS, isAsyncHook, type AsyncHookName } from "../marketplace/index.server";
import { ASYNC_HOOK_JOB, INVOCATION_RETENTION } from "./hooks.config";
import { pruneInvocations } from "./invocations.service.server";
import type { AsyncHookJob } from "./host.server";

const JobData = z.object({
  installId: z.string().min(1).max(100),
  hook: z.enum(ASYNC_HOOKS),
  event: z.object({
    id: z.string().min(1).max(40),
    name: z.string().min(1).max(100),
    shopId: z.string().min(1).max(100),
    subjectId: z.string().max(100).nullable(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  }),
});

/** The job id (and the hook's idempotency key) of one delivery. */
export function hookJobId(installId: string, eventId: string): string {
  return `hook-${installId}-${eventId}`;
}

/** Builds the job data for one install and event. */
export function hookJobData(installId: string, event: OutboxEvent & { shopId: string }): AsyncHookJob {
  return {
    installId,
    hook: event.name as AsyncHookName,
    event: { id: event.id, name: event.name, shopId: event.shopId, subjectId: event.subjectId, payload: event.payload, createdAt: new Date(event.createdAt).toISOString() },
  };
}

/** Relays domain events to the installs that implement them (one job each). */
export const extensionHooksConsumer: EventConsumer = {
  name: "extensions.hooks",
  topics: [...ASYNC_HOOKS],
  async handle(platform, events) {
    for (const event of events) {
      if (!event.shopId || !isAsyncHook(event.name)) continue;
      const installs = await activeInstalls(platform.db, event.shopId, event.name);
      for (const install of installs) {
        await platform.jobs.enqueue(ASYNC_HOOK_JOB.name, hookJobData(install.installId, { ...event, shopId: event.shopId }), {
          jobId: hookJobId(install.installId, event.id),
          attempts: ASYNC_HOOK_JOB.attempts,
          backoff: { type: "exponential", delayMs: ASYNC_HOOK_JOB.backoffMs },
        });
      }
    }
  },
};

/**
 * The extensions module's jobs, for the worker list:
 * - `extensions.run_hook`: one asynchronous hook delivery (from the consumer above);
 * - `extensions.prune_invocations`: hourly, deletes invocation-log rows past
 *   the retention (`INVOCATION_RETENTION`, 30 days), in batches.
 */
export const extensionJobs: AnyJobDefinition[] = [
  {
    name: INVOCATION_RETENTION.job,
    concurrency: 1,
    schedule: { everyMs: INVOCATION_RETENTION.everyMs },
    handler: (platform) => async () => {
      const { deleted, more } = await pruneInvocations(platform.db);
      if (deleted > 0) console.log(`[extensions] pruned ${deleted} invocation rows older than ${INVOCATION_RETENTION.days} days${more ? " (more left for the next run)" : ""}`);
    },
  } satisfies JobDefinition<unknown>,
  {
    name: ASYNC_HOOK_JOB.name,
    concurrency: ASYNC_HOOK_JOB.concurrency,
    handler: (platform) => async (data, job) => {
      const parsed = JobData.safeParse(data);
      if (!parsed.success) {
        console.warn(`[extensions] dropping malformed hook job ${job.id}`);
        return;
      }
      const result = await platform.extensions.runAsyncHook(parsed.data, { final: job.attempt >= ASYNC_HOOK_JOB.attempts });
      // the queue retries with backoff; the extension's fault was already recorded and charged
      if (result.status === "retry") throw new Error(`extension hook ${parsed.data.hook} for ${parsed.data.installId}: ${result.outcome}, will retry`);
    },
  } satisfies JobDefinition<AsyncHookJob>,
];
