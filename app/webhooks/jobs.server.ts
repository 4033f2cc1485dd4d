/**
 * The webhooks module's outbox consumer and jobs.
 *
 * - {@link webhookDeliveriesConsumer} turns events into delivery rows and
 *   enqueues each first attempt (`webhook-<deliveryId>-1`).
 * - `webhooks.deliver` makes one attempt and, on failure, enqueues the next
 *   on the Standard Webhooks schedule; the queue's own retries are not used
 *   (attempts: 1), so the schedule and Retry-After are ours to follow.
 * - `webhooks.sweep` (every minute) re-enqueues deliveries whose next job was
 *   lost, and drops finished deliveries past their retention from the log.
 */
import { z } from "zod";
import type { EventConsumer } from "../events/index.server";
import type { JobDefinition } from "../jobs/index.server";
import type { Resolver } from "./ssrf.server";
import { TOPIC_NAMES } from "./webhooks.schema";
import { attemptDelivery, DELIVER_JOB, fanOutEvents, pruneDeliveryLog, sweepOverdueDeliveries, SWEEP_JOB, type DeliverJobData } from "./webhooks.service.server";

const DeliverData = z.object({ deliveryId: z.string().regex(/^msg_[0-9a-z]{26}$/), attempt: z.number().int().min(1).max(1000) });

export const webhookDeliveriesConsumer: EventConsumer = {
  name: "webhooks.deliveries",
  topics: TOPIC_NAMES,
  async handle(platform, events) {
    await fanOutEvents(platform, events);
  },
};

/**
 * The job definitions. `resolve` replaces DNS for the connect-time SSRF
 * check (tests inject one to play a rebinding host).
 */
export function createWebhookJobs(opts: { resolve?: Resolver; concurrency?: number } = {}): JobDefinition<any>[] {
  const deliver: JobDefinition<DeliverJobData> = {
    name: DELIVER_JOB,
    concurrency: opts.concurrency ?? 5,
    handler: (platform) => async (data, job) => {
      const parsed = DeliverData.safeParse(data);
      if (!parsed.success) {
        console.warn(`[webhooks] dropping malformed delivery job ${job.id}`);
        return;
      }
      await attemptDelivery(platform, parsed.data, { resolve: opts.resolve });
    },
  };
  const sweep: JobDefinition<unknown> = {
    name: SWEEP_JOB,
    schedule: { everyMs: 60_000 },
    handler: (platform) => async () => {
      await sweepOverdueDeliveries(platform);
      await pruneDeliveryLog(platform);
    },
  };
  return [deliver, sweep];
}

/** The production job list (app/jobs/workers.server.ts). */
export const webhookJobs = createWebhookJobs();
