/**
 * SQL on the extension host's tables: storage, counters, applied
 * reservations, hook deliveries and the invocation log. Every query names the
 * install (which belongs to exactly one shop) or the shop.
 */
import { sql, type Insertable, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { DeliveryStatus, ExtensionInvocationsTable, InvocationRow } from "../../db/tables/extensions";

// ---- storage -----------------------------------------------------------------------

export async function selectStorageValue(db: Kysely<Database>, installId: string, key: string): Promise<{ value: unknown } | undefined> {
  const row = await db.selectFrom("extension_storage").select("value").where("install_id", "=", installId).where("key", "=", key).executeTakeFirst();
  return row ? { value: row.value } : undefined;
}

/**
 * Writes a value if the install stays within its quota (bytes and keys,
 * counting this key's new size instead of its old one), in one statement.
 * Resolves to false when the quota would be exceeded.
 */
export async function upsertStorageValue(
  db: Kysely<Database>,
  installId: string,
  key: string,
  json: string,
  bytes: number,
  quota: { bytes: number; keys: number },
): Promise<boolean> {
  const r = await sql<{ key: string }>`
    INSERT INTO extension_storage (install_id, key, value, bytes, updated_at)
    SELECT ${installId}, ${key}, ${json}::jsonb, ${bytes}, now()
    WHERE (SELECT coalesce(sum(bytes), 0) FROM extension_storage WHERE install_id = ${installId} AND key <> ${key}) + ${bytes} <= ${quota.bytes}
      AND (SELECT count(*) FROM extension_storage WHERE install_id = ${installId} AND key <> ${key}) < ${quota.keys}
    ON CONFLICT (install_id, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, updated_at = excluded.updated_at
    RETURNING key`.execute(db);
  return r.rows.length === 1;
}

export async function deleteStorageValue(db: Kysely<Database>, installId: string, key: string): Promise<void> {
  await db.deleteFrom("extension_storage").where("install_id", "=", installId).where("key", "=", key).execute();
}

export async function selectStorageKeys(db: Kysely<Database>, installId: string, opts: { prefix: string; after: string | null; limit: number }): Promise<string[]> {
  let q = db.selectFrom("extension_storage").select("key").where("install_id", "=", installId);
  if (opts.prefix) q = q.where(sql<boolean>`starts_with(key, ${opts.prefix})`);
  if (opts.after !== null) q = q.where("key", ">", opts.after);
  return (await q.orderBy("key").limit(opts.limit).execute()).map((r) => r.key);
}

// ---- counters -------------------------------------------------------------------------

export async function selectCounter(db: Kysely<Database>, installId: string, key: string): Promise<number> {
  const row = await db.selectFrom("extension_counters").select("value").where("install_id", "=", installId).where("key", "=", key).executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/** Makes sure the counter row exists (at 0), so the conditional update has a row to lock. */
export async function ensureCounter(db: Kysely<Database>, installId: string, key: string): Promise<void> {
  await db
    .insertInto("extension_counters")
    .values({ install_id: installId, key, value: 0, updated_at: new Date() })
    .onConflict((oc) => oc.columns(["install_id", "key"]).doNothing())
    .execute();
}

/**
 * `value = value + delta` only if the result stays within the bound: the
 * row lock makes concurrent callers queue, and each re-checks the bound
 * against the value the previous one committed. Resolves to the new value,
 * or undefined when the bound does not hold.
 */
export async function addToCounterWithin(
  db: Kysely<Database>,
  installId: string,
  key: string,
  delta: number,
  bound: { min?: number; max?: number },
): Promise<number | undefined> {
  let q = db
    .updateTable("extension_counters")
    .set({ value: sql`value + ${delta}`, updated_at: new Date() })
    .where("install_id", "=", installId)
    .where("key", "=", key);
  if (bound.min !== undefined) q = q.where(sql<boolean>`value + ${delta} >= ${bound.min}`);
  if (bound.max !== undefined) q = q.where(sql<boolean>`value + ${delta} <= ${bound.max}`);
  const row = await q.returning("value").executeTakeFirst();
  return row ? Number(row.value) : undefined;
}

/** Records a counter operation of a delivery; false when that operation was already applied. */
export async function insertCounterOp(db: Kysely<Database>, installId: string, opKey: string, delta: number): Promise<boolean> {
  const r = await db
    .insertInto("extension_counter_ops")
    .values({ install_id: installId, op_key: opKey, delta })
    .onConflict((oc) => oc.columns(["install_id", "op_key"]).doNothing())
    .returning("op_key")
    .executeTakeFirst();
  return !!r;
}

export async function deleteCounterOp(db: Kysely<Database>, installId: string, opKey: string): Promise<void> {
  await db.deleteFrom("extension_counter_ops").where("install_id", "=", installId).where("op_key", "=", opKey).execute();
}

// ---- reservations -----------------------------------------------------------------------

export async function insertAppliedReservation(
  db: Kysely<Database>,
  row: { shopId: string; orderId: string; installId: string; counterKey: string; delta: number },
): Promise<void> {
  await db
    .insertInto("extension_reservations")
    .values({ shop_id: row.shopId, order_id: row.orderId, install_id: row.installId, counter_key: row.counterKey, delta: row.delta })
    .execute();
}

/** Marks an order's unreversed reservations reversed and returns them: a second call returns none. */
export async function markReservationsReversed(
  db: Kysely<Database>,
  shopId: string,
  orderId: string,
  reason: string,
): Promise<{ install_id: string; counter_key: string; delta: number }[]> {
  const rows = await db
    .updateTable("extension_reservations")
    .set({ reversed_at: new Date(), reverse_reason: reason })
    .where("shop_id", "=", shopId)
    .where("order_id", "=", orderId)
    .where("reversed_at", "is", null)
    .returning(["install_id", "counter_key", "delta"])
    .execute();
  return rows.map((r) => ({ ...r, delta: Number(r.delta) }));
}

export async function addToCounter(db: Kysely<Database>, installId: string, key: string, delta: number): Promise<void> {
  await db
    .updateTable("extension_counters")
    .set({ value: sql`value + ${delta}`, updated_at: new Date() })
    .where("install_id", "=", installId)
    .where("key", "=", key)
    .execute();
}

export async function selectReservationsOfOrder(db: Kysely<Database>, shopId: string, orderId: string) {
  return db.selectFrom("extension_reservations").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("id").execute();
}

// ---- hook deliveries ------------------------------------------------------------------

/** Counts one more attempt of a delivery (creating its row on the first) and returns the row. */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  row: { installId: string; eventId: string; shopId: string; hook: string; idempotencyKey: string },
): Promise<{ status: DeliveryStatus; attempts: number }> {
  const r = await sql<{ status: DeliveryStatus; attempts: number }>`
    INSERT INTO extension_hook_deliveries (install_id, event_id, shop_id, hook, idempotency_key, attempts)
    VALUES (${row.installId}, ${row.eventId}, ${row.shopId}, ${row.hook}, ${row.idempotencyKey}, 1)
    ON CONFLICT (install_id, event_id) DO UPDATE SET attempts = extension_hook_deliveries.attempts + 1, updated_at = now()
    RETURNING status, attempts`.execute(db);
  return { status: r.rows[0].status, attempts: Number(r.rows[0].attempts) };
}

export async function finishDelivery(db: Kysely<Database>, installId: string, eventId: string, status: DeliveryStatus, outcome: string): Promise<void> {
  await db
    .updateTable("extension_hook_deliveries")
    .set({ status, last_outcome: outcome, updated_at: new Date() })
    .where("install_id", "=", installId)
    .where("event_id", "=", eventId)
    .execute();
}

export async function selectDelivery(db: Kysely<Database>, installId: string, eventId: string) {
  return db.selectFrom("extension_hook_deliveries").selectAll().where("install_id", "=", installId).where("event_id", "=", eventId).executeTakeFirst();
}

// ---- invocation log ---------------------------------------------------------------------

export async function insertInvocations(db: Kysely<Database>, rows: Insertable<ExtensionInvocationsTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto("extension_invocations").values(rows).execute();
}

/**
 * The bundle hashes of active installs' versions invoked since `since`, the
 * most called first (what a freshly started sandbox should load first).
 */
export async function selectRecentlyInvokedBundles(db: Kysely<Database>, since: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("extension_invocations as i")
    .innerJoin("installs as ins", "ins.id", "i.install_id")
    .innerJoin("extension_versions as v", "v.id", "i.version_id")
    .select(["v.bundle_hash", (eb) => eb.fn.countAll<number>().as("n")])
    .where("i.created_at", ">=", since)
    .where("ins.status", "=", "active")
    .whereRef("ins.version_id", "=", "i.version_id")
    .groupBy("v.bundle_hash")
    .orderBy("n", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => r.bundle_hash);
}

/** Deletes at most `limit` invocation rows created before `before`; resolves to how many. */
export async function deleteInvocationsBefore(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom("extension_invocations")
    .where("id", "in", (eb) => eb.selectFrom("extension_invocations").select("id").where("created_at", "<", before).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}

export async function countChargedFaults(db: Kysely<Database>, installId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom("extension_invocations")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("install_id", "=", installId)
    .where("charged", "=", true)
    .where("created_at", ">=", since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** One page of an install's invocations, newest first (ids sort by time). */
export async function selectInvocationsPage(
  db: Kysely<Database>,
  shopId: string,
  installId: string,
  page: { before?: string; limit: number },
): Promise<InvocationRow[]> {
  let q = db.selectFrom("extension_invocations").selectAll().where("shop_id", "=", shopId).where("install_id", "=", installId);
  if (page.before) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}

export async function selectInvocations(db: Kysely<Database>, filter: { installId?: string; shopId?: string; hook?: string }): Promise<InvocationRow[]> {
  let q = db.selectFrom("extension_invocations").selectAll();
  if (filter.installId) q = q.where("install_id", "=", filter.installId);
  if (filter.shopId) q = q.where("shop_id", "=", filter.shopId);
  if (filter.hook) q = q.where("hook", "=", filter.hook);
  return q.orderBy("id").execute();
}

/** Calls and charged faults per install of the shop since `since`. */
export async function selectShopActivity(db: Kysely<Database>, shopId: string, since: Date): Promise<{ install_id: string; calls: number; faults: number; last_at: Date | null }[]> {
  const rows = await db
    .selectFrom("extension_invocations")
    .select(["install_id", sql<number>`count(*)::int`.as("calls"), sql<number>`(count(*) FILTER (WHERE charged))::int`.as("faults"), sql<Date | null>`max(created_at)`.as("last_at")])
    .where("shop_id", "=", shopId)
    .where("created_at", ">=", since)
    .groupBy("install_id")
    .execute();
  return rows.map((r) => ({ install_id: r.install_id, calls: Number(r.calls), faults: Number(r.faults), last_at: r.last_at ? new Date(r.last_at) : null }));
}

export type MetricsBucketRow = { bucket: Date; calls: number; faults: number; p50: number | null; p95: number | null; cpu_p50: number | null };

/** Calls, charged faults and wall-time percentiles of an extension, per time bucket. */
export async function selectMetricsBuckets(
  db: Kysely<Database>,
  extensionId: string,
  opts: { since: Date; bucketSeconds: number },
): Promise<MetricsBucketRow[]> {
  const r = await sql<MetricsBucketRow>`
    SELECT to_timestamp(floor(extract(epoch FROM created_at) / ${opts.bucketSeconds}) * ${opts.bucketSeconds}) AS bucket,
           count(*)::int AS calls,
           (count(*) FILTER (WHERE charged))::int AS faults,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY wall_ms) AS p95,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) AS cpu_p50
    FROM extension_invocations
    WHERE extension_id = ${extensionId} AND created_at >= ${opts.since} AND outcome <> 'skipped'
    GROUP BY 1 ORDER BY 1`.execute(db);
  return r.rows.map((row) => ({
    bucket: new Date(row.bucket),
    calls: Number(row.calls),
    faults: Number(row.faults),
    p50: row.p50 === null ? null : Number(row.p50),
    p95: row.p95 === null ? null : Number(row.p95),
    cpu_p50: row.cpu_p50 === null ? null : Number(row.cpu_p50),
  }));
}

export type MetricsTotalsRow = { calls: number; faults: number; p50: number | null; p95: number | null; by_outcome: Record<string, number>; by_hook: Record<string, number> };

export async function selectMetricsTotals(db: Kysely<Database>, extensionId: string, since: Date): Promise<MetricsTotalsRow> {
  const totals = await sql<{ calls: number; faults: number; p50: number | null; p95: number | null }>`
    SELECT count(*)::int AS calls, (count(*) FILTER (WHERE charged))::int AS faults,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY wall_ms) AS p95
    FROM extension_invocations WHERE extension_id = ${extensionId} AND created_at >= ${since} AND outcome <> 'skipped'`.execute(db);
  const outcomes = await db
    .selectFrom("extension_invocations")
    .select(["outcome", sql<number>`count(*)::int`.as("n")])
    .where("extension_id", "=", extensionId)
    .where("created_at", ">=", since)
    .groupBy("outcome")
    .execute();
  const hooks = await db
    .selectFrom("extension_invocations")
    .select(["hook", sql<number>`count(*)::int`.as("n")])
    .where("extension_id", "=", extensionId)
    .where("created_at", ">=", since)
    .groupBy("hook")
    .execute();
  const t = totals.rows[0];
  return {
    calls: Number(t?.calls ?? 0),
    faults: Number(t?.faults ?? 0),
    p50: t?.p50 == null ? null : Number(t.p50),
    p95: t?.p95 == null ? null : Number(t.p95),
    by_outcome: Object.fromEntries(outcomes.map((o) => [o.outcome, Number(o.n)])),
    by_hook: Object.fromEntries(hooks.map((o) => [o.hook, Number(o.n)])),
  };
}
