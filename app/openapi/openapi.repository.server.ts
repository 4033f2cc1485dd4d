/**
 * SQL on the open API's tables: `api_idempotency_keys` (always looked up
 * under the calling install) and `api_rate_limits`.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { IdempotencyRow } from "../../db/tables/openapi";

export type NewIdempotencyKey = { installId: string; shopId: string; key: string; fingerprint: string; method: string; path: string; leaseMs: number; ttlMs: number };

/** Claims the key for a first request; false when the install already has it. */
export async function insertIdempotencyKey(db: Kysely<Database>, k: NewIdempotencyKey): Promise<boolean> {
  const r = await sql<{ key: string }>`
    INSERT INTO api_idempotency_keys (install_id, key, shop_id, fingerprint, method, path, state, locked_until, expires_at)
    VALUES (${k.installId}, ${k.key}, ${k.shopId}, ${k.fingerprint}, ${k.method}, ${k.path}, 'in_flight',
            now() + make_interval(secs => ${k.leaseMs / 1000}), now() + make_interval(secs => ${k.ttlMs / 1000}))
    ON CONFLICT (install_id, key) DO NOTHING
    RETURNING key`.execute(db);
  return r.rows.length === 1;
}

export async function selectIdempotencyKey(db: Kysely<Database>, installId: string, key: string): Promise<(IdempotencyRow & { expired: boolean; lease_over: boolean }) | undefined> {
  return db
    .selectFrom("api_idempotency_keys")
    .selectAll()
    .select([sql<boolean>`expires_at < now()`.as("expired"), sql<boolean>`locked_until < now()`.as("lease_over")])
    .where("install_id", "=", installId)
    .where("key", "=", key)
    .executeTakeFirst();
}

/**
 * Takes over a key whose record expired, or whose first request's lease ran
 * out (its process died): one conditional update, so two takers cannot both win.
 */
export async function takeOverIdempotencyKey(db: Kysely<Database>, k: NewIdempotencyKey): Promise<boolean> {
  const r = await sql<{ key: string }>`
    UPDATE api_idempotency_keys
       SET fingerprint = ${k.fingerprint}, method = ${k.method}, path = ${k.path}, state = 'in_flight',
           response_status = NULL, response_body = NULL, created_at = now(),
           locked_until = now() + make_interval(secs => ${k.leaseMs / 1000}), expires_at = now() + make_interval(secs => ${k.ttlMs / 1000})
     WHERE install_id = ${k.installId} AND key = ${k.key}
       AND (expires_at < now() OR (state = 'in_flight' AND locked_until < now() AND fingerprint = ${k.fingerprint}))
    RETURNING key`.execute(db);
  return r.rows.length === 1;
}

export async function completeIdempotencyKey(db: Kysely<Database>, installId: string, key: string, status: number, body: unknown): Promise<void> {
  await db
    .updateTable("api_idempotency_keys")
    .set({ state: "done", response_status: status, response_body: JSON.stringify(body ?? null) })
    .where("install_id", "=", installId)
    .where("key", "=", key)
    .execute();
}

export async function deleteIdempotencyKey(db: Kysely<Database>, installId: string, key: string): Promise<void> {
  await db.deleteFrom("api_idempotency_keys").where("install_id", "=", installId).where("key", "=", key).execute();
}

/** Deletes up to `limit` expired records; resolves to how many. */
export async function deleteExpiredIdempotencyKeys(db: Kysely<Database>, limit: number): Promise<number> {
  const r = await sql<{ n: number }>`
    WITH gone AS (
      DELETE FROM api_idempotency_keys
       WHERE (install_id, key) IN (SELECT install_id, key FROM api_idempotency_keys WHERE expires_at < now() LIMIT ${limit})
      RETURNING 1
    ) SELECT count(*)::int AS n FROM gone`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function selectRateLimit(db: Kysely<Database>, installId: string): Promise<{ burst: number; per_second: number } | undefined> {
  return db.selectFrom("api_rate_limits").select(["burst", "per_second"]).where("install_id", "=", installId).executeTakeFirst();
}

export async function upsertRateLimit(db: Kysely<Database>, row: { installId: string; shopId: string; burst: number; perSecond: number }): Promise<void> {
  await db
    .insertInto("api_rate_limits")
    .values({ install_id: row.installId, shop_id: row.shopId, burst: row.burst, per_second: row.perSecond, updated_at: new Date() })
    .onConflict((oc) => oc.column("install_id").doUpdateSet({ burst: row.burst, per_second: row.perSecond, updated_at: new Date() }))
    .execute();
}
