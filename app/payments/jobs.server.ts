/**
 * The payments module's jobs (for the worker list in app/jobs/workers.server.ts)
 * and its outbox consumer (for app/events/consumers.server.ts).
 *
 * - `payments.submit_refund` `{ refundId }`: asks the provider for a refund;
 *   enqueued after commit by the consumer below, one job per refund.
 * - `payments.reconcile` (every 2 minutes): asks the provider about payments
 *   left pending, and re-enqueues refunds never submitted.
 * - `payments.sim_deliver` `{ notificationId, attempt }`: one delivery attempt
 *   of a simulator notification (development and tests).
 * - `payments.sim_sweep` (every 5 s): re-enqueues overdue simulator attempts;
 *   a no-op where the simulator is off.
 */
import { z } from "zod";
import type { EventConsumer } from "../events/events.types";
import type { JobDefinition } from "../jobs/index.server";
import { reconcilePendingPayments, RECONCILE_EVERY_MS } from "./payments.service.server";
import { keysFor } from "./providers.server";
import { enqueueRefundSubmission, REFUND_REQUESTED_EVENT, resubmitStuckRefunds, submitRefund, SUBMIT_REFUND_JOB } from "./refunds.service.server";
import {
  deliverSimNotification,
  isSimulatorAvailable,
  SIM_DELIVER_JOB,
  SIM_SWEEP_EVERY_MS,
  SIM_SWEEP_JOB,
  sweepSimNotifications,
} from "./simulator/simulator.service.server";

export const RECONCILE_JOB = "payments.reconcile";

const SubmitRefundData = z.object({ refundId: z.string().min(1).max(64) });
const DeliverData = z.object({ notificationId: z.string().min(1).max(64), attempt: z.number().int().min(1).max(100) });

export const paymentJobs: JobDefinition[] = [
  {
    name: SUBMIT_REFUND_JOB,
    concurrency: 4,
    handler: (platform) => async (data) => {
      await submitRefund(platform, SubmitRefundData.parse(data).refundId);
    },
  },
  {
    name: RECONCILE_JOB,
    concurrency: 1,
    schedule: { everyMs: RECONCILE_EVERY_MS },
    handler: (platform) => async () => {
      await reconcilePendingPayments(platform);
      await resubmitStuckRefunds(platform);
    },
  },
  {
    name: SIM_DELIVER_JOB,
    // Each attempt is an HTTP request to this very server; a few at once.
    concurrency: 8,
    handler: (platform) => async (data) => {
      const { notificationId, attempt } = DeliverData.parse(data);
      await deliverSimNotification(
        { db: platform.db, jobs: platform.jobs, keys: keysFor({ db: platform.db, config: platform.config }), publicUrl: platform.config.publicUrl },
        notificationId,
        attempt,
      );
    },
  },
  {
    name: SIM_SWEEP_JOB,
    concurrency: 1,
    schedule: { everyMs: SIM_SWEEP_EVERY_MS },
    handler: (platform) => async () => {
      if (isSimulatorAvailable(platform.config)) await sweepSimNotifications(platform);
    },
  },
];

/** Submits each requested refund after the transaction that asked for it committed. */
export const refundSubmissionConsumer: EventConsumer = {
  name: "payments.refunds",
  topics: [REFUND_REQUESTED_EVENT],
  async handle(platform, events) {
    for (const e of events) {
      const refundId = typeof e.payload.refundId === "string" ? e.payload.refundId : e.subjectId;
      if (refundId) await enqueueRefundSubmission(platform.jobs, refundId);
    }
  },
};
