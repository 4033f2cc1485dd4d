/**
 * What a process with workers runs (the web process unless RUN_WORKERS=0, or
 * worker.ts): a queue worker for every job in the list below, their
 * schedules, and the outbox relay loop.
 *
 * The list is explicit on purpose: a module adds its definitions here, so
 * one file shows everything a worker process can run.
 */
import type { Platform } from "../platform.server";
import { createRelay, outboxJobs, type EventConsumer } from "../events/index.server";
import { eventConsumers } from "../events/consumers.server";
import { notificationJobs } from "../notifications/index.server";
import { orderJobs } from "../orders/index.server";
import { paymentJobs } from "../payments/index.server";
import { aftersaleJobs } from "../aftersale/index.server";
import { extensionJobs } from "../extensions/index.server";
import { checkoutJobs } from "../checkout/index.server";
import { marketplaceJobs, versionCheckJobs } from "../marketplace/index.server";
import { oauthJobs } from "../oauth/index.server";
import { webhookJobs } from "../webhooks/index.server";
import { openapiJobs } from "../openapi/index.server";
import { registerJobs, type AnyJobDefinition } from "./index.server";

/** Every job this codebase defines. */
export const jobDefinitions: readonly AnyJobDefinition[] = [...notificationJobs, ...orderJobs, ...paymentJobs, ...aftersaleJobs, ...extensionJobs, ...checkoutJobs, ...outboxJobs(eventConsumers), ...marketplaceJobs, ...versionCheckJobs, ...oauthJobs, ...webhookJobs, ...openapiJobs];

export type StartWorkersOptions = {
  /** defaults to {@link jobDefinitions} */
  jobs?: readonly AnyJobDefinition[];
  /** defaults to the production list in app/events/consumers.server.ts */
  consumers?: readonly EventConsumer[];
  /** relay tick interval; default 500 ms */
  relayIntervalMs?: number;
};

/**
 * Registers the workers and schedules and starts the relay loop. Resolves to
 * a function that stops the relay, waiting for a tick in progress; the
 * workers stop with the queue in `platform.close()`.
 */
export async function startWorkers(platform: Platform, opts: StartWorkersOptions = {}): Promise<() => Promise<void>> {
  await registerJobs(platform, opts.jobs ?? jobDefinitions);
  const relay = createRelay(platform, opts.consumers ?? eventConsumers, { intervalMs: opts.relayIntervalMs });
  relay.start();
  return () => relay.stop();
}
