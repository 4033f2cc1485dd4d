/**
 * SQL on the webhooks module's tables. Developer-facing reads name the
 * extension (the developer's tenant); deliveries also carry the shop.
 */
import { sql, type Insertable, type Kysely, type Updateable } from "kysely";
import type { Database } from "../../db/database";
import type {
  WebhookAttemptRow,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookDeliveryRow,
  WebhookDeliveryStatus,
  WebhookEndpointRow,
  WebhookEndpointsTable,
} from "../../db/tables/webhooks";

// ---- endpoints -------------------------------------------------------------------------

export async function insertEndpoint(db: Kysely<Database>, row: Insertable<WebhookEndpointsTable>): Promise<WebhookEndpointRow> {
  return db.insertInto("webhook_endpoints").values(row).returningAll().executeTakeFirstOrThrow();
}

/** A live (not deleted) endpoint of the extension. */
export async function selectEndpoint(db: Kysely<Database>, extensionId: string, endpointId: string): Promise<WebhookEndpointRow | undefined> {
  return db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("extension_id", "=", extensionId)
    .where("id", "=", endpointId)
    .where("status", "<>", "deleted")
    .executeTakeFirst();
}

/** By id alone, for the delivery job (its data carries only ids). */
export async function selectEndpointById(db: Kysely<Database>, endpointId: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom("webhook_endpoints").selectAll().where("id", "=", endpointId).executeTakeFirst();
}

export async function selectEndpointsOfExtension(db: Kysely<Database>, extensionId: string): Promise<WebhookEndpointRow[]> {
  return db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("extension_id", "=", extensionId)
    .where("status", "<>", "deleted")
    .orderBy("id", "asc")
    .execute();
}

export async function updateEndpoint(
  db: Kysely<Database>,
  extensionId: string,
  endpointId: string,
  patch: Updateable<WebhookEndpointsTable>,
  onlyFrom?: readonly WebhookEndpointRow["status"][],
): Promise<WebhookEndpointRow | undefined> {
  let q = db
    .updateTable("webhook_endpoints")
    .set({ ...patch, updated_at: new Date() })
    .where("extension_id", "=", extensionId)
    .where("id", "=", endpointId)
    .where("status", "<>", "deleted");
  if (onlyFrom) q = q.where("status", "in", [...onlyFrom]);
  return q.returningAll().executeTakeFirst();
}

/**
 * The active endpoints subscribed to `topic` that serve any of these
 * installs: extension-wide ones of their extensions, and install-specific ones.
 */
export async function selectEndpointsForTopic(
  db: Kysely<Database>,
  topic: string,
  installs: readonly { installId: string; extensionId: string }[],
): Promise<WebhookEndpointRow[]> {
  if (installs.length === 0) return [];
  const extensionIds = [...new Set(installs.map((i) => i.extensionId))];
  const installIds = installs.map((i) => i.installId);
  return db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("status", "=", "active")
    .where(sql<boolean>`topics @> ${JSON.stringify([topic])}::jsonb`)
    .where((eb) => eb.or([eb.and([eb("install_id", "is", null), eb("extension_id", "in", extensionIds)]), eb("install_id", "in", installIds)]))
    .orderBy("id", "asc")
    .execute();
}

/** Every topic some active endpoint subscribes to (the fan-out skips the rest without reading installs). */
export async function selectSubscribedTopics(db: Kysely<Database>): Promise<Set<string>> {
  const { rows } = await sql<{ topic: string }>`
    SELECT DISTINCT jsonb_array_elements_text(topics) AS topic FROM webhook_endpoints WHERE status = 'active'`.execute(db);
  return new Set(rows.map((r) => r.topic));
}

// ---- deliveries -------------------------------------------------------------------------

/** Inserts the deliveries that do not exist yet (one per endpoint and event). */
export async function insertDeliveries(db: Kysely<Database>, rows: Insertable<WebhookDeliveriesTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto("webhook_deliveries")
    .values(rows)
    .onConflict((oc) => oc.columns(["endpoint_id", "event_id"]).doNothing())
    .execute();
}

/** The deliveries of these events that were never attempted (to enqueue their first attempt). */
export async function selectUnstartedDeliveries(db: Kysely<Database>, eventIds: readonly string[]): Promise<Pick<WebhookDeliveryRow, "id">[]> {
  if (eventIds.length === 0) return [];
  return db
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("event_id", "in", [...eventIds])
    .where("status", "=", "pending")
    .where("attempt_count", "=", 0)
    .orderBy("id", "asc")
    .execute();
}

export async function selectDelivery(db: Kysely<Database>, extensionId: string, deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom("webhook_deliveries").selectAll().where("extension_id", "=", extensionId).where("id", "=", deliveryId).executeTakeFirst();
}

export async function selectDeliveryById(db: Kysely<Database>, deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom("webhook_deliveries").selectAll().where("id", "=", deliveryId).executeTakeFirst();
}

export type DeliveryListRow = Omit<WebhookDeliveryRow, "body"> & { url: string };

/** A page of the extension's deliveries, newest first (ids sort by creation). */
export async function selectDeliveriesPage(
  db: Kysely<Database>,
  extensionId: string,
  opts: { status?: WebhookDeliveryStatus; endpointId?: string; before?: string; limit: number },
): Promise<DeliveryListRow[]> {
  let q = db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
    .select([
      "d.id",
      "d.endpoint_id",
      "d.extension_id",
      "d.install_id",
      "d.shop_id",
      "d.event_id",
      "d.topic",
      "d.status",
      "d.attempt_count",
      "d.max_attempts",
      "d.next_attempt_at",
      "d.last_status_code",
      "d.last_error",
      "d.created_at",
      "d.updated_at",
      "d.completed_at",
      "e.url",
    ])
    .where("d.extension_id", "=", extensionId);
  if (opts.status) q = q.where("d.status", "=", opts.status);
  if (opts.endpointId) q = q.where("d.endpoint_id", "=", opts.endpointId);
  if (opts.before) q = q.where("d.id", "<", opts.before);
  return q.orderBy("d.id", "desc").limit(opts.limit).execute();
}

/**
 * Takes attempt number `attempt` of a pending delivery: only one caller can
 * (the previous count must still be `attempt - 1`). `holdUntil` is when the
 * sweeper may assume the attempt died with its process.
 */
export async function claimAttempt(db: Kysely<Database>, deliveryId: string, attempt: number, holdUntil: Date): Promise<WebhookDeliveryRow | undefined> {
  return db
    .updateTable("webhook_deliveries")
    .set({ attempt_count: attempt, next_attempt_at: holdUntil, updated_at: new Date() })
    .where("id", "=", deliveryId)
    .where("status", "=", "pending")
    .where("attempt_count", "=", attempt - 1)
    .where("max_attempts", ">=", attempt)
    .returningAll()
    .executeTakeFirst();
}

export async function updateDelivery(db: Kysely<Database>, deliveryId: string, patch: Updateable<WebhookDeliveriesTable>): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set({ ...patch, updated_at: new Date() })
    .where("id", "=", deliveryId)
    .execute();
}

/** Opens a finished delivery for one more attempt (redeliver); undefined if it is still pending. */
export async function reopenDelivery(db: Kysely<Database>, extensionId: string, deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
  return db
    .updateTable("webhook_deliveries")
    .set({
      status: "pending",
      max_attempts: sql<number>`attempt_count + 1`,
      next_attempt_at: new Date(),
      completed_at: null,
      updated_at: new Date(),
    })
    .where("extension_id", "=", extensionId)
    .where("id", "=", deliveryId)
    .where("status", "<>", "pending")
    .returningAll()
    .executeTakeFirst();
}

/** Pending deliveries whose next attempt is overdue (lost job, crashed attempt). */
export async function selectOverdueDeliveries(db: Kysely<Database>, dueBefore: Date, limit: number): Promise<WebhookDeliveryRow[]> {
  return db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("status", "=", "pending")
    .where("next_attempt_at", "<", dueBefore)
    .orderBy("next_attempt_at", "asc")
    .limit(limit)
    .execute();
}

// ---- attempts -----------------------------------------------------------------------------

export async function insertAttempt(db: Kysely<Database>, row: Insertable<WebhookAttemptsTable>): Promise<void> {
  await db.insertInto("webhook_attempts").values(row).execute();
}

export async function selectAttempts(db: Kysely<Database>, deliveryId: string): Promise<WebhookAttemptRow[]> {
  return db.selectFrom("webhook_attempts").selectAll().where("delivery_id", "=", deliveryId).orderBy("attempt", "asc").execute();
}

/** Deletes finished deliveries (and their attempts) completed before `before`, at most `limit`; resolves to how many. */
export async function deleteFinishedDeliveries(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ids = (
      await trx
        .selectFrom("webhook_deliveries")
        .select("id")
        .where("status", "<>", "pending")
        .where("completed_at", "<", before)
        .orderBy("completed_at")
        .limit(limit)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom("webhook_attempts").where("delivery_id", "in", ids).execute();
    await trx.deleteFrom("webhook_deliveries").where("id", "in", ids).execute();
    return ids.length;
  });
}
