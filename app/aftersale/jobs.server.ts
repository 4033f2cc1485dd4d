/**
 * The after-sale module's timers, wired the way docs/contributing.md asks
 * (never enqueue inside a transaction):
 *
 * - `aftersale.deadlines` (outbox consumer of `aftersale.opened` /
 *   `aftersale.updated`): every event that carries a deadline enqueues the
 *   job `aftersale.deadline`, delayed until the deadline, with the job id
 *   `claim-<id>-<deadlineKind>-<n>` — a redelivered event dedupes on it.
 * - `aftersale.refund_outcomes` (outbox consumer of `order.refunded`, whose
 *   payload names the refund): enqueues `aftersale.settle_refund` with the id
 *   `aftersale-refund-outcomes-<event id>`. Claims learn of their refund this
 *   way rather than by polling the refund: the event is written in the same
 *   transaction that applies the refund to the order, so it comes exactly
 *   when the money is back, and at least once.
 */
import { z } from "zod";
import type { EventConsumer } from "../events/index.server";
import type { JobDefinition } from "../jobs/index.server";
import { DEADLINE_KINDS } from "./claim-machine";
import { fireDeadline, settleClaimRefund } from "./claims.service.server";

export const DEADLINE_JOB = "aftersale.deadline";
export const SETTLE_REFUND_JOB = "aftersale.settle_refund";

const DeadlineData = z.object({
  claimId: z.string().min(1),
  shopId: z.string().min(1),
  deadlineId: z.string().min(1),
  kind: z.enum(DEADLINE_KINDS),
});
const SettleData = z.object({ shopId: z.string().min(1), refundId: z.string().min(1) });

/** The jobs for the worker list in app/jobs/workers.server.ts. */
export const aftersaleJobs: JobDefinition[] = [
  {
    name: DEADLINE_JOB,
    concurrency: 4,
    handler: (platform) => async (data) => {
      await fireDeadline(platform.db, DeadlineData.parse(data), { publicUrl: platform.config.publicUrl });
    },
  },
  {
    name: SETTLE_REFUND_JOB,
    concurrency: 2,
    handler: (platform) => async (data) => {
      await settleClaimRefund(platform.db, SettleData.parse(data), { publicUrl: platform.config.publicUrl });
    },
  },
];

const EventDeadline = z.object({ id: z.string().min(1), kind: z.enum(DEADLINE_KINDS), at: z.string().datetime() });
const RETRY = { attempts: 5, backoff: { type: "exponential" as const, delayMs: 2_000 } };

/** Schedules each claim deadline an event announces. */
export const aftersaleDeadlinesConsumer: EventConsumer = {
  name: "aftersale.deadlines",
  topics: ["aftersale.opened", "aftersale.updated"],
  async handle(platform, events) {
    for (const e of events) {
      const deadline = EventDeadline.safeParse(e.payload.deadline);
      if (!deadline.success || !e.shopId || !e.subjectId) continue;
      const delayMs = Math.max(0, new Date(deadline.data.at).getTime() - Date.now());
      await platform.jobs.enqueue(
        DEADLINE_JOB,
        { claimId: e.subjectId, shopId: e.shopId, deadlineId: deadline.data.id, kind: deadline.data.kind },
        { delayMs, jobId: deadline.data.id, ...RETRY },
      );
    }
  },
};

/** Hands every completed refund to the claims (most are not a claim's, and the job finds nothing). */
export const aftersaleRefundOutcomesConsumer: EventConsumer = {
  name: "aftersale.refund_outcomes",
  topics: ["order.refunded"],
  async handle(platform, events) {
    for (const e of events) {
      const refundId = e.payload.refundId;
      if (typeof refundId !== "string" || !e.shopId) continue;
      await platform.jobs.enqueue(SETTLE_REFUND_JOB, { shopId: e.shopId, refundId }, { jobId: `aftersale-refund-outcomes-${e.id}`, ...RETRY });
    }
  },
};

/** The consumers for the list in app/events/consumers.server.ts. */
export const aftersaleConsumers: EventConsumer[] = [aftersaleDeadlinesConsumer, aftersaleRefundOutcomesConsumer];
