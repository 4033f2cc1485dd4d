/**
 * The webhooks module's public surface: other modules and routes import from
 * here only. It owns `webhook_endpoints`, `webhook_deliveries` and
 * `webhook_attempts`.
 *
 * - Endpoints (the developer's pages; the open API for per-install ones):
 *   {@link createEndpoint}, {@link updateEndpointSettings},
 *   {@link rotateEndpointSecret}, {@link setEndpointEnabled},
 *   {@link deleteEndpoint}, {@link listEndpoints}.
 * - The delivery log: {@link listDeliveries}, {@link getDelivery}, {@link redeliver}.
 * - Delivery: {@link webhookDeliveriesConsumer} (outbox consumer list) and
 *   {@link webhookJobs} (worker list); {@link createWebhookJobs} for tests.
 */
export {
  createEndpoint,
  updateEndpointSettings,
  rotateEndpointSecret,
  setEndpointEnabled,
  deleteEndpoint,
  listEndpoints,
  listDeliveries,
  getDelivery,
  redeliver,
  fanOutEvents,
  attemptDelivery,
  sweepOverdueDeliveries,
  pruneDeliveryLog,
  webhookSettings,
  attemptJobId,
  DELIVER_JOB,
  SWEEP_JOB,
  type EndpointView,
  type DeliveryView,
  type AttemptView,
  type DeliveryPage,
  type WebhookSettings,
  type AttemptResult,
} from "./webhooks.service.server";
export { webhookDeliveriesConsumer, webhookJobs, createWebhookJobs } from "./jobs.server";
export { blockedAddressReason, checkTargetUrl, type Resolver } from "./ssrf.server";
export * from "./webhooks.schema";
