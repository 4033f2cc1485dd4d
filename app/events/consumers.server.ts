/**
 * The outbox consumers that run in production, in one explicit list
 * (`startWorkers` relays to these). Later issues add the webhook deliveries
 * and the asynchronous extension hooks here.
 *
 * This list is imported by app/jobs/workers.server.ts only, not re-exported
 * from the events module's index: consumers import `publish` from that index,
 * and listing them there would make the import cycle bite at start-up.
 */
import type { EventConsumer } from "./events.types";
import { orderTimersConsumer } from "../orders/index.server";
import { refundSubmissionConsumer } from "../payments/index.server";
import { aftersaleConsumers } from "../aftersale/index.server";
import { extensionHooksConsumer } from "../extensions/index.server";
import { versionChecksConsumer } from "../marketplace/index.server";
import { oauthUninstallConsumer } from "../oauth/index.server";
import { webhookDeliveriesConsumer } from "../webhooks/index.server";

export const eventConsumers: readonly EventConsumer[] = [orderTimersConsumer, refundSubmissionConsumer, ...aftersaleConsumers, extensionHooksConsumer, versionChecksConsumer, oauthUninstallConsumer, webhookDeliveriesConsumer];
