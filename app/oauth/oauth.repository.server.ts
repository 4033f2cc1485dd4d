/**
 * The OAuth module's SQL: registered clients, and the one read the consent
 * page and the bearer check need across the marketplace's tables (an
 * extension with its vendor; an access token with its install) — read only.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { OAuthClientRow } from "../../db/tables/oauth";

export async function insertClient(
  db: Kysely<Database>,
  row: { id: string; extension_id: string; name: string; secret_ciphertext: string; secret_last4: string; redirect_uris: string[]; created_by: string | null },
): Promise<OAuthClientRow> {
  return db
    .insertInto("oauth_clients")
    .values({ ...row, redirect_uris: JSON.stringify(row.redirect_uris), updated_at: new Date() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function selectClient(db: Kysely<Database>, clientId: string): Promise<OAuthClientRow | undefined> {
  return db.selectFrom("oauth_clients").selectAll().where("id", "=", clientId).executeTakeFirst();
}

export async function selectClientsOfExtension(db: Kysely<Database>, extensionId: string, limit: number): Promise<OAuthClientRow[]> {
  return db.selectFrom("oauth_clients").selectAll().where("extension_id", "=", extensionId).orderBy("id", "asc").limit(limit).execute();
}

export async function updateClientSecret(db: Kysely<Database>, extensionId: string, clientId: string, ciphertext: string, last4: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("oauth_clients")
    .set({ secret_ciphertext: ciphertext, secret_last4: last4, secret_rotated_at: at, updated_at: at })
    .where("id", "=", clientId)
    .where("extension_id", "=", extensionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateClientRedirects(db: Kysely<Database>, extensionId: string, clientId: string, uris: string[], at: Date): Promise<boolean> {
  const r = await db
    .updateTable("oauth_clients")
    .set({ redirect_uris: JSON.stringify(uris), updated_at: at })
    .where("id", "=", clientId)
    .where("extension_id", "=", extensionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markClientRevoked(db: Kysely<Database>, extensionId: string, clientId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("oauth_clients")
    .set({ revoked_at: at, updated_at: at })
    .where("id", "=", clientId)
    .where("extension_id", "=", extensionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type ListingRow = {
  extension_id: string;
  handle: string;
  name: string;
  summary: string;
  vendor_name: string;
  vendor_status: string;
};

/** An extension with its vendor (read from the marketplace's tables). */
export async function selectListing(db: Kysely<Database>, by: { extensionId: string } | { handle: string }): Promise<ListingRow | undefined> {
  let q = db
    .selectFrom("extensions as e")
    .innerJoin("vendors as v", "v.id", "e.vendor_id")
    .select(["e.id as extension_id", "e.handle", "e.name", "e.summary", "v.name as vendor_name", "v.status as vendor_status"]);
  q = "extensionId" in by ? q.where("e.id", "=", by.extensionId) : q.where("e.handle", "=", by.handle);
  return q.executeTakeFirst();
}

/** The newest approved version of an extension (by creation), if any. */
export async function selectLatestApprovedVersionId(db: Kysely<Database>, extensionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("extension_versions")
    .select("id")
    .where("extension_id", "=", extensionId)
    .where("status", "=", "approved")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export type BearerRow = {
  payload: Record<string, unknown>;
  install_id: string;
  grant_id: string;
  shop_id: string;
  install_extension_id: string;
  install_status: string;
  granted_scopes: unknown;
  version_status: string | null;
  extension_suspended_at: Date | null;
  client_extension_id: string | null;
  grant_found: boolean;
};

const BEARER_SQL = `
SELECT t.payload, t.install_id, t.grant_id,
       i.shop_id, i.extension_id AS install_extension_id, i.status AS install_status, i.granted_scopes,
       (SELECT v.status FROM extension_versions v WHERE v.id = i.version_id) AS version_status,
       (SELECT e.suspended_at FROM extensions e WHERE e.id = i.extension_id) AS extension_suspended_at,
       (SELECT c.extension_id FROM oauth_clients c WHERE c.id = t.payload->>'clientId' AND c.revoked_at IS NULL) AS client_extension_id,
       EXISTS (SELECT 1 FROM oauth_payloads g WHERE g.model = 'Grant' AND g.grant_id = t.grant_id) AS grant_found
  FROM oauth_payloads t
  JOIN installs i ON i.id = t.install_id
 WHERE t.model = 'AccessToken' AND t.id_hash = $1 AND t.expires_at > now()`;

/** How the bearer query reaches the database: a named (prepared, plan-cached) statement on PostgreSQL. */
export type BearerRunner = { pool?: { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }> }; executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }> };

/**
 * An unexpired access token by the hash of its value, with what decides
 * whether it still works: its install (status; its version's and extension's
 * suspension), its grant (still stored) and its client (not revoked), in one
 * round trip. It runs on every API request: on PostgreSQL it is a named
 * statement, so each connection plans it once (planning the lookups cost ~10×
 * running them on a loaded machine).
 */
export async function selectBearer(runner: BearerRunner, idHash: string): Promise<BearerRow | undefined> {
  const { rows } = runner.pool
    ? await runner.pool.query({ name: "oauth_bearer_v1", text: BEARER_SQL, values: [idHash] })
    : await runner.executeSql(BEARER_SQL, [idHash]);
  return rows[0] as BearerRow | undefined;
}
