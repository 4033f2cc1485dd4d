/**
 * Webhooks: the extension's developer registers endpoints (URL + topics);
 * every install of the extension then gets a delivery, for its own shop, of
 * each event it may see (the topic's scope granted to that install).
 * Deliveries follow Standard Webhooks: signed with the endpoint's secret,
 * `webhook-id` stable across attempts, timestamp and signature fresh on each,
 * retried on the spec's schedule, stopped by a 410. See
 * docs/decisions/0019-webhooks.md.
 */
import type { Kysely } from "kysely";
import { Webhook } from "standardwebhooks";
import type { Database } from "../../db/database";
import type { WebhookAttemptOutcome, WebhookAttemptRow, WebhookDeliveryStatus, WebhookEndpointRow } from "../../db/tables/webhooks";
import type { Config } from "../config.server";
import type { AuditActor } from "../audit/index.server";
import { record } from "../audit/index.server";
import type { OutboxEvent } from "../events/index.server";
import type { JobQueue } from "../jobs/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { activeInstalls, getInstallById, listVersions, type ActiveInstall } from "../marketplace/index.server";
import { notify } from "../notifications/index.server";
import { decryptSecret, encryptSecret, newEndpointSecret } from "./secrets.server";
import { sendWebhook, type SendResult } from "./sender.server";
import { checkTargetUrl, systemResolver, TargetRefused, type Resolver } from "./ssrf.server";
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  DELIVERY_PAGE_SIZE,
  DELIVERY_RETENTION_DAYS,
  DeliveryId,
  DeliveryStatusFilter,
  EndpointForm,
  EndpointId,
  MAX_ENDPOINTS_PER_EXTENSION,
  MAX_RETRY_AFTER_MS,
  PREVIOUS_SECRET_GRACE_MS,
  TOPIC_NAMES,
  isWebhookTopic,
  scopeOfTopic,
  type WebhookTopic,
} from "./webhooks.schema";
import {
  claimAttempt,
  deleteFinishedDeliveries,
  insertAttempt,
  insertDeliveries,
  insertEndpoint,
  reopenDelivery,
  selectAttempts,
  selectDeliveriesPage,
  selectDelivery,
  selectDeliveryById,
  selectEndpoint,
  selectEndpointById,
  selectEndpointsForTopic,
  selectEndpointsOfExtension,
  selectOverdueDeliveries,
  selectSubscribedTopics,
  selectUnstartedDeliveries,
  updateDelivery,
  updateEndpoint,
  type DeliveryListRow,
} from "./webhooks.repository.server";

/** What the webhooks module needs of the platform. */
export type WebhookPlatform = { db: Kysely<Database>; config: Config; jobs: JobQueue };

/** The effective delivery settings (config.webhooks with the spec's defaults). */
export type WebhookSettings = { allowLoopback: boolean; allowHttp: boolean; timeoutMs: number; retryScheduleMs: readonly number[] };

export function webhookSettings(config: Pick<Config, "webhooks">): WebhookSettings {
  const w: Partial<Config["webhooks"]> = config.webhooks ?? {};
  return {
    allowLoopback: w.allowLoopback ?? false,
    allowHttp: w.allowHttp ?? false,
    timeoutMs: w.timeoutMs ?? 15_000,
    retryScheduleMs: w.retryScheduleMs && w.retryScheduleMs.length > 0 ? w.retryScheduleMs : DEFAULT_RETRY_SCHEDULE_MS,
  };
}

/** The job that makes one attempt; its id is {@link attemptJobId}. */
export const DELIVER_JOB = "webhooks.deliver";
export const SWEEP_JOB = "webhooks.sweep";
export type DeliverJobData = { deliveryId: string; attempt: number };

/** One job per (delivery, attempt number): a repeated enqueue is a no-op. */
export function attemptJobId(deliveryId: string, attempt: number): string {
  return `webhook-${deliveryId}-${attempt}`;
}

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

// ---- views -------------------------------------------------------------------------------

export type EndpointView = {
  id: string;
  extensionId: string;
  /** set when the endpoint serves one install only */
  installId: string | null;
  url: string;
  topics: WebhookTopic[];
  status: WebhookEndpointRow["status"];
  statusReason: string | null;
  disabledAt: string | null;
  /** the old secret still signs (second signature) until then */
  previousSecretExpiresAt: string | null;
  createdAt: string;
};

function endpointView(row: WebhookEndpointRow): EndpointView {
  const prev = row.previous_secret_expires_at && new Date(row.previous_secret_expires_at).getTime() > Date.now() ? iso(row.previous_secret_expires_at) : null;
  return {
    id: row.id,
    extensionId: row.extension_id,
    installId: row.install_id,
    url: row.url,
    topics: (Array.isArray(row.topics) ? row.topics : []).filter(isWebhookTopic),
    status: row.status,
    statusReason: row.status_reason,
    disabledAt: iso(row.disabled_at),
    previousSecretExpiresAt: prev,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export type DeliveryView = {
  id: string;
  endpointId: string;
  url: string;
  shopId: string;
  installId: string;
  eventId: string;
  topic: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
};

function deliveryView(row: DeliveryListRow): DeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    url: row.url,
    shopId: row.shop_id,
    installId: row.install_id,
    eventId: row.event_id,
    topic: row.topic,
    status: row.status,
    attempts: row.attempt_count,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.status === "pending" ? iso(row.next_attempt_at) : null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: new Date(row.created_at).toISOString(),
    completedAt: iso(row.completed_at),
  };
}

export type AttemptView = {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  outcome: WebhookAttemptOutcome;
  responseExcerpt: string | null;
  error: string | null;
};

function attemptView(row: WebhookAttemptRow): AttemptView {
  return {
    attempt: row.attempt,
    startedAt: new Date(row.started_at).toISOString(),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    outcome: row.outcome,
    responseExcerpt: row.response_excerpt,
    error: row.error,
  };
}

// ---- endpoints -------------------------------------------------------------------------

type EndpointOptions = {
  /** serve one install only (the open API's per-install subscriptions); its granted scopes then decide the topics */
  installId?: string;
  /** DNS for the registration check (tests inject one) */
  resolve?: Resolver;
};

function parseEndpointForm(form: unknown) {
  const parsed = EndpointForm.safeParse(form);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const chosen = new Set<string>(parsed.data.topics);
  return { url: parsed.data.url, topics: TOPIC_NAMES.filter((t) => chosen.has(t)) };
}

async function checkUrl(platform: WebhookPlatform, url: string, resolve?: Resolver): Promise<void> {
  try {
    await checkTargetUrl(url, webhookSettings(platform.config), resolve ?? systemResolver);
  } catch (e) {
    if (e instanceof TargetRefused) throw new AppError("unprocessable", e.message, { code: "webhook_target_refused", fieldErrors: { url: [e.message] } });
    throw e;
  }
}

/**
 * Each topic's scope must be available: for an install-specific endpoint,
 * granted to that install; for an extension-wide one, requested by some
 * version of the extension (each install's grant is checked again at
 * delivery). Refused with 422 naming the topic.
 */
async function checkTopicScopes(db: Kysely<Database>, extensionId: string, topics: readonly WebhookTopic[], installId: string | null): Promise<{ shopId: string | null }> {
  let available: Set<string>;
  let shopId: string | null = null;
  let whose: string;
  if (installId) {
    const install = await getInstallById(db, installId);
    if (!install || install.extensionId !== extensionId || install.status === "uninstalled") throw notFound("Install not found");
    available = new Set(install.grantedScopes);
    shopId = install.shopId;
    whose = "the install was not granted";
  } else {
    available = new Set((await listVersions(db, extensionId)).flatMap((v) => v.manifest.scopes.map((s) => s.scope)));
    whose = "the extension does not request";
  }
  const refused = topics.filter((t) => {
    const scope = scopeOfTopic(t);
    return scope !== null && !available.has(scope);
  });
  if (refused.length > 0) {
    const message = refused.map((t) => `${t} needs the ${scopeOfTopic(t)} scope, which ${whose}`).join("; ");
    throw new AppError("unprocessable", message, { code: "webhook_topic_scope", fieldErrors: { topics: refused.map((t) => `${t} needs ${scopeOfTopic(t)}`) } });
  }
  return { shopId };
}

/**
 * Registers an endpoint for the extension (every install of it) or, with
 * `opts.installId`, for one install. Resolves to the endpoint and its
 * signing secret — the only time the secret is ever shown.
 *
 * @example
 * const { endpoint, secret } = await createEndpoint(platform, { type: "user", id: user.id }, extension.id, { url, topics: ["order.paid"] });
 */
export async function createEndpoint(
  platform: WebhookPlatform,
  actor: AuditActor,
  extensionId: string,
  form: unknown,
  opts: EndpointOptions = {},
): Promise<{ endpoint: EndpointView; secret: string }> {
  const { url, topics } = parseEndpointForm(form);
  await checkUrl(platform, url, opts.resolve);
  const { shopId } = await checkTopicScopes(platform.db, extensionId, topics, opts.installId ?? null);
  const existing = await selectEndpointsOfExtension(platform.db, extensionId);
  if (existing.length >= MAX_ENDPOINTS_PER_EXTENSION) {
    throw new AppError("unprocessable", `An extension can have at most ${MAX_ENDPOINTS_PER_EXTENSION} endpoints.`, { code: "too_many_endpoints" });
  }
  const id = newId("whe");
  const secret = newEndpointSecret();
  const row = await inTransaction(platform.db, async (trx) => {
    const row = await insertEndpoint(trx, {
      id,
      extension_id: extensionId,
      install_id: opts.installId ?? null,
      shop_id: shopId,
      url,
      topics: JSON.stringify(topics),
      secret_ciphertext: encryptSecret(platform.config.sessionSecret, id, secret),
      created_by: actor.type === "user" ? (actor.id ?? null) : null,
      updated_at: new Date(),
    });
    await record(trx, actor, "webhook.endpoint_created", { shopId, type: "webhook_endpoint", id }, { extensionId, url, topics, installId: opts.installId ?? null });
    return row;
  });
  return { endpoint: endpointView(row), secret };
}

/** Changes an endpoint's URL and topics (checked as at registration). */
export async function updateEndpointSettings(
  platform: WebhookPlatform,
  actor: AuditActor,
  extensionId: string,
  endpointId: string,
  form: unknown,
  opts: Pick<EndpointOptions, "resolve"> = {},
): Promise<EndpointView> {
  const current = await requireEndpoint(platform.db, extensionId, endpointId);
  const { url, topics } = parseEndpointForm(form);
  if (url !== current.url) await checkUrl(platform, url, opts.resolve);
  await checkTopicScopes(platform.db, extensionId, topics, current.install_id);
  return inTransaction(platform.db, async (trx) => {
    const row = await updateEndpoint(trx, extensionId, endpointId, { url, topics: JSON.stringify(topics) });
    if (!row) throw notFound("Endpoint not found");
    await record(trx, actor, "webhook.endpoint_updated", { shopId: row.shop_id, type: "webhook_endpoint", id: endpointId }, { from: { url: current.url, topics: current.topics }, to: { url, topics } });
    return endpointView(row);
  });
}

/**
 * A new signing secret, shown once. The old one keeps signing alongside it
 * (a second `v1,` signature) for {@link PREVIOUS_SECRET_GRACE_MS}, so the
 * receiver can switch without dropping deliveries.
 */
export async function rotateEndpointSecret(platform: WebhookPlatform, actor: AuditActor, extensionId: string, endpointId: string): Promise<{ endpoint: EndpointView; secret: string }> {
  return inTransaction(platform.db, async (trx) => {
    const current = await requireEndpoint(trx, extensionId, endpointId);
    const secret = newEndpointSecret();
    const row = await updateEndpoint(trx, extensionId, endpointId, {
      secret_ciphertext: encryptSecret(platform.config.sessionSecret, endpointId, secret),
      previous_secret_ciphertext: current.secret_ciphertext,
      previous_secret_expires_at: new Date(Date.now() + PREVIOUS_SECRET_GRACE_MS),
    });
    if (!row) throw notFound("Endpoint not found");
    await record(trx, actor, "webhook.secret_rotated", { shopId: row.shop_id, type: "webhook_endpoint", id: endpointId }, { extensionId });
    return { endpoint: endpointView(row), secret };
  });
}

/** Re-enables an endpoint (after a 410 or a manual disable) or disables it. */
export async function setEndpointEnabled(platform: WebhookPlatform, actor: AuditActor, extensionId: string, endpointId: string, enabled: boolean): Promise<EndpointView> {
  return inTransaction(platform.db, async (trx) => {
    const row = enabled
      ? await updateEndpoint(trx, extensionId, endpointId, { status: "active", status_reason: null, disabled_at: null }, ["disabled"])
      : await updateEndpoint(trx, extensionId, endpointId, { status: "disabled", status_reason: "disabled by the developer", disabled_at: new Date() }, ["active"]);
    if (!row) {
      await requireEndpoint(trx, extensionId, endpointId);
      throw new AppError("conflict", enabled ? "This endpoint is already enabled." : "This endpoint is already disabled.", { code: "endpoint_state" });
    }
    await record(trx, actor, enabled ? "webhook.endpoint_enabled" : "webhook.endpoint_disabled", { shopId: row.shop_id, type: "webhook_endpoint", id: endpointId }, { extensionId });
    return endpointView(row);
  });
}

/** Deletes an endpoint: no more deliveries; its delivery log stays readable. */
export async function deleteEndpoint(platform: WebhookPlatform, actor: AuditActor, extensionId: string, endpointId: string): Promise<void> {
  await inTransaction(platform.db, async (trx) => {
    const row = await updateEndpoint(trx, extensionId, endpointId, { status: "deleted", status_reason: "deleted by the developer" });
    if (!row) throw notFound("Endpoint not found");
    await record(trx, actor, "webhook.endpoint_deleted", { shopId: row.shop_id, type: "webhook_endpoint", id: endpointId }, { extensionId, url: row.url });
  });
}

async function requireEndpoint(db: Kysely<Database>, extensionId: string, endpointId: string): Promise<WebhookEndpointRow> {
  const row = EndpointId.safeParse(endpointId).success ? await selectEndpoint(db, extensionId, endpointId) : undefined;
  if (!row) throw notFound("Endpoint not found");
  return row;
}

export async function listEndpoints(db: Kysely<Database>, extensionId: string): Promise<EndpointView[]> {
  return (await selectEndpointsOfExtension(db, extensionId)).map(endpointView);
}

// ---- the delivery log ------------------------------------------------------------------------

export type DeliveryPage = { deliveries: DeliveryView[]; nextBefore: string | null };

/**
 * A page of the extension's deliveries, newest first, optionally filtered by
 * status and endpoint. Bad filters are a 400 naming the parameter.
 */
export async function listDeliveries(
  db: Kysely<Database>,
  extensionId: string,
  filter: { status?: string | null; endpointId?: string | null; before?: string | null; limit?: number } = {},
): Promise<DeliveryPage> {
  const bad = (field: string) => new AppError("bad_request", `Invalid ${field}`, { fieldErrors: { [field]: [`Invalid ${field}`] } });
  const status = filter.status ? DeliveryStatusFilter.safeParse(filter.status) : null;
  if (status && !status.success) throw bad("status");
  if (filter.endpointId && !EndpointId.safeParse(filter.endpointId).success) throw bad("endpoint");
  if (filter.before && !DeliveryId.safeParse(filter.before).success) throw bad("before");
  const limit = filter.limit ?? DELIVERY_PAGE_SIZE;
  const rows = await selectDeliveriesPage(db, extensionId, {
    status: status?.data,
    endpointId: filter.endpointId ?? undefined,
    before: filter.before ?? undefined,
    limit: limit + 1,
  });
  const deliveries = rows.slice(0, limit).map(deliveryView);
  return { deliveries, nextBefore: rows.length > limit ? deliveries[deliveries.length - 1].id : null };
}

/** One delivery with its body and every attempt; 404 for another extension's. */
export async function getDelivery(db: Kysely<Database>, extensionId: string, deliveryId: string): Promise<DeliveryView & { body: string; attemptLog: AttemptView[] }> {
  const row = DeliveryId.safeParse(deliveryId).success ? await selectDelivery(db, extensionId, deliveryId) : undefined;
  if (!row) throw notFound("Delivery not found");
  const endpoint = await selectEndpointById(db, row.endpoint_id);
  return { ...deliveryView({ ...row, url: endpoint?.url ?? "" }), body: row.body, attemptLog: (await selectAttempts(db, row.id)).map(attemptView) };
}

/**
 * Sends a finished delivery once more (same `webhook-id`, fresh timestamp
 * and signature). A delivery still pending is a 409; a disabled endpoint a 422.
 */
export async function redeliver(platform: WebhookPlatform, actor: AuditActor, extensionId: string, deliveryId: string): Promise<void> {
  const current = DeliveryId.safeParse(deliveryId).success ? await selectDelivery(platform.db, extensionId, deliveryId) : undefined;
  if (!current) throw notFound("Delivery not found");
  const endpoint = await selectEndpointById(platform.db, current.endpoint_id);
  if (!endpoint || endpoint.status !== "active") throw new AppError("unprocessable", "Enable the endpoint before redelivering to it.", { code: "endpoint_disabled" });
  const row = await inTransaction(platform.db, async (trx) => {
    const row = await reopenDelivery(trx, extensionId, deliveryId);
    if (!row) throw new AppError("conflict", "This delivery is still being attempted.", { code: "delivery_pending" });
    await record(trx, actor, "webhook.redelivered", { shopId: row.shop_id, type: "webhook_delivery", id: deliveryId }, { extensionId, attempt: row.attempt_count + 1 });
    return row;
  });
  // After commit: never enqueue inside a transaction.
  await enqueueAttempt(platform.jobs, row.id, row.attempt_count + 1, 0);
}

// ---- fan-out (the outbox consumer) ---------------------------------------------------------------

function enqueueAttempt(jobs: JobQueue, deliveryId: string, attempt: number, delayMs: number): Promise<string> {
  return jobs.enqueue<DeliverJobData>(DELIVER_JOB, { deliveryId, attempt }, { jobId: attemptJobId(deliveryId, attempt), delayMs: Math.max(0, Math.round(delayMs)) });
}

/** The installs an event goes to: the shop's active ones, or for `app.uninstalled` the install that left. */
async function installsFor(db: Kysely<Database>, event: OutboxEvent & { shopId: string }): Promise<ActiveInstall[]> {
  if (event.name === "app.uninstalled") {
    const installId = event.subjectId ?? (typeof event.payload.installId === "string" ? event.payload.installId : null);
    const install = installId ? await getInstallById(db, installId) : null;
    return install && install.shopId === event.shopId ? [install] : [];
  }
  return activeInstalls(db, event.shopId);
}

/**
 * Turns events into deliveries: for each event of a shop, every active
 * endpoint subscribed to its topic that serves an install of that shop
 * holding the topic's scope. Idempotent — a redelivered batch finds its
 * deliveries already there — and the first attempts are enqueued after the
 * rows are written (job id per delivery and attempt).
 */
export async function fanOutEvents(platform: WebhookPlatform, events: readonly OutboxEvent[]): Promise<number> {
  const settings = webhookSettings(platform.config);
  const eventIds: string[] = [];
  const subscribed = await selectSubscribedTopics(platform.db);
  for (const e of events) {
    if (!e.shopId || !isWebhookTopic(e.name) || !subscribed.has(e.name)) continue;
    const event = { ...e, shopId: e.shopId };
    const scope = scopeOfTopic(e.name);
    const installs = (await installsFor(platform.db, event)).filter((i) => scope === null || i.grantedScopes.includes(scope));
    const endpoints = await selectEndpointsForTopic(platform.db, e.name, installs);
    const rows = [];
    for (const endpoint of endpoints) {
      const install = installs.find((i) => (endpoint.install_id ? i.installId === endpoint.install_id : i.extensionId === endpoint.extension_id));
      if (!install) continue;
      rows.push({
        id: newId("msg"),
        endpoint_id: endpoint.id,
        extension_id: endpoint.extension_id,
        install_id: install.installId,
        shop_id: event.shopId,
        event_id: e.id,
        topic: e.name,
        body: JSON.stringify({
          type: e.name,
          timestamp: new Date(e.createdAt).toISOString(),
          shop_id: event.shopId,
          install_id: install.installId,
          data: e.payload,
        }),
        max_attempts: settings.retryScheduleMs.length,
        next_attempt_at: new Date(),
        updated_at: new Date(),
      });
    }
    if (rows.length > 0) {
      await insertDeliveries(platform.db, rows);
      eventIds.push(e.id);
    }
  }
  const unstarted = await selectUnstartedDeliveries(platform.db, eventIds);
  for (const d of unstarted) await enqueueAttempt(platform.jobs, d.id, 1, settings.retryScheduleMs[0] ?? 0);
  return unstarted.length;
}

// ---- one attempt (the job) -----------------------------------------------------------------------

export type AttemptOptions = { resolve?: Resolver };

function outcomeOf(r: SendResult): WebhookAttemptOutcome {
  if (r.blocked) return "blocked";
  if (r.timedOut) return "timeout";
  if (r.statusCode === null) return "failed";
  if (r.statusCode >= 200 && r.statusCode < 300) return "succeeded";
  if (r.statusCode === 410) return "gone";
  if (r.statusCode === 429) return "throttled";
  return "failed";
}

function errorOf(r: SendResult): string | null {
  if (r.error) return r.error.slice(0, 500);
  if (r.statusCode === null || (r.statusCode >= 200 && r.statusCode < 300)) return null;
  if (r.statusCode >= 300 && r.statusCode < 400) return `HTTP ${r.statusCode}: redirects are not followed`;
  return `HTTP ${r.statusCode}`;
}

/** The `webhook-signature` header: one `v1,` signature per live secret (two during a rotation's grace period). */
function signatures(platform: WebhookPlatform, endpoint: WebhookEndpointRow, msgId: string, at: Date, body: string): string {
  const key = platform.config.sessionSecret;
  const secrets = [decryptSecret(key, endpoint.id, endpoint.secret_ciphertext)];
  if (endpoint.previous_secret_ciphertext && endpoint.previous_secret_expires_at && new Date(endpoint.previous_secret_expires_at).getTime() > at.getTime()) {
    secrets.push(decryptSecret(key, endpoint.id, endpoint.previous_secret_ciphertext));
  }
  return secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(" ");
}

export type AttemptResult = "stale" | "succeeded" | "retrying" | "failed" | "disabled";

/**
 * Makes attempt number `attempt` of a delivery: claims it (a duplicate or
 * stale job does nothing), signs afresh, POSTs, logs the attempt, and then
 * finishes the delivery or schedules the next attempt (after commit).
 */
export async function attemptDelivery(platform: WebhookPlatform, data: DeliverJobData, opts: AttemptOptions = {}): Promise<AttemptResult> {
  const settings = webhookSettings(platform.config);
  const { db } = platform;
  const { deliveryId, attempt } = data;
  const delivery = await selectDeliveryById(db, deliveryId);
  if (!delivery || delivery.status !== "pending" || delivery.attempt_count !== attempt - 1) return "stale";
  const endpoint = await selectEndpointById(db, delivery.endpoint_id);
  if (!endpoint || endpoint.status !== "active") {
    await updateDelivery(db, deliveryId, { status: "failed", completed_at: new Date(), next_attempt_at: null, last_error: `endpoint ${endpoint?.status ?? "missing"}: not attempted` });
    return "disabled";
  }
  const claimed = await claimAttempt(db, deliveryId, attempt, new Date(Date.now() + settings.timeoutMs + 60_000));
  if (!claimed) return "stale";

  const startedAt = new Date();
  const result = await sendWebhook({
    url: endpoint.url,
    body: delivery.body,
    timeoutMs: settings.timeoutMs,
    policy: settings,
    resolve: opts.resolve,
    headers: {
      "content-type": "application/json",
      "user-agent": "Bazaar-Webhooks/1.0",
      "webhook-id": delivery.id,
      "webhook-timestamp": String(Math.floor(startedAt.getTime() / 1000)),
      "webhook-signature": signatures(platform, endpoint, delivery.id, startedAt, delivery.body),
    },
  });
  const outcome = outcomeOf(result);
  const error = errorOf(result);
  const last = { last_status_code: result.statusCode, last_error: error };
  let next: { delayMs: number } | null = null;

  const verdict = await inTransaction(db, async (trx): Promise<AttemptResult> => {
    await insertAttempt(trx, {
      id: newId("wha"),
      delivery_id: deliveryId,
      attempt,
      started_at: startedAt,
      duration_ms: result.durationMs,
      status_code: result.statusCode,
      outcome,
      response_excerpt: result.excerpt,
      error,
    });
    if (outcome === "succeeded") {
      await updateDelivery(trx, deliveryId, { ...last, status: "succeeded", completed_at: new Date(), next_attempt_at: null });
      return "succeeded";
    }
    if (outcome === "gone") {
      await updateDelivery(trx, deliveryId, { ...last, status: "failed", completed_at: new Date(), next_attempt_at: null });
      const disabled = await updateEndpoint(trx, endpoint.extension_id, endpoint.id, { status: "disabled", status_reason: "the endpoint answered 410 Gone", disabled_at: new Date() }, ["active"]);
      if (disabled) {
        await record(trx, { type: "system" }, "webhook.endpoint_disabled", { shopId: endpoint.shop_id, type: "webhook_endpoint", id: endpoint.id }, { reason: "410", deliveryId, url: endpoint.url });
        if (endpoint.created_by) {
          await notify(trx, {
            userId: endpoint.created_by,
            kind: "webhook.endpoint_disabled",
            title: "A webhook endpoint was disabled",
            body: `${endpoint.url} answered 410 Gone, so Bazaar stopped sending webhooks to it. Re-enable it on the extension's Webhooks page when it is back.`,
            link: `/developer/extensions/${endpoint.extension_id}/webhooks`,
            email: true,
            publicUrl: platform.config.publicUrl,
          });
        }
      }
      return "disabled";
    }
    if (attempt >= delivery.max_attempts) {
      await updateDelivery(trx, deliveryId, { ...last, status: "failed", completed_at: new Date(), next_attempt_at: null });
      return "failed";
    }
    const schedule = settings.retryScheduleMs;
    let delayMs = schedule[Math.min(attempt, schedule.length - 1)] ?? 0;
    if (outcome === "throttled" && result.retryAfterMs !== null) delayMs = Math.max(delayMs, Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS));
    next = { delayMs };
    await updateDelivery(trx, deliveryId, { ...last, next_attempt_at: new Date(Date.now() + delayMs) });
    return "retrying";
  });
  // After commit. If this enqueue is lost, the sweeper finds the overdue delivery.
  if (next) await enqueueAttempt(platform.jobs, deliveryId, attempt + 1, (next as { delayMs: number }).delayMs);
  return verdict;
}

/**
 * Re-enqueues overdue pending deliveries: a next attempt whose job was lost
 * (the process died between commit and enqueue), or an attempt whose process
 * died mid-request (its hold ran out). The job ids make this a no-op for
 * jobs that are merely late.
 */
export async function sweepOverdueDeliveries(platform: WebhookPlatform, opts: { graceMs?: number; limit?: number } = {}): Promise<number> {
  const overdue = await selectOverdueDeliveries(platform.db, new Date(Date.now() - (opts.graceMs ?? 30_000)), opts.limit ?? 200);
  let n = 0;
  for (const d of overdue) {
    if (d.attempt_count >= d.max_attempts) {
      await updateDelivery(platform.db, d.id, { status: "failed", completed_at: new Date(), next_attempt_at: null, last_error: d.last_error ?? "the last attempt did not report back" });
      continue;
    }
    await enqueueAttempt(platform.jobs, d.id, d.attempt_count + 1, 0);
    n++;
  }
  return n;
}

/** Drops finished deliveries older than {@link DELIVERY_RETENTION_DAYS} from the log (the sweep job, in bounded batches). */
export async function pruneDeliveryLog(platform: Pick<WebhookPlatform, "db">, opts: { now?: Date; batch?: number } = {}): Promise<number> {
  const before = new Date((opts.now ?? new Date()).getTime() - DELIVERY_RETENTION_DAYS * 86_400_000);
  return deleteFinishedDeliveries(platform.db, before, opts.batch ?? 500);
}
