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
  granted_scopes: unknown;
  client_extension_id: string;
};

/**
 * An unexpired, live access token by the hash of its value, with its install
 * (active, its version and extension not suspended), its grant (still stored)
 * and its client (not revoked), in one query.
 */
export async function selectBearer(db: Kysely<Database>, idHash: string): Promise<BearerRow | undefined> {
  const row = await db
    .selectFrom("oauth_payloads as t")
    .innerJoin("oauth_payloads as g", (j) => j.onRef("g.grant_id", "=", "t.grant_id").on("g.model", "=", "Grant"))
    .innerJoin("installs as i", "i.id", "t.install_id")
    .innerJoin("extension_versions as v", "v.id", "i.version_id")
    .innerJoin("extensions as e", "e.id", "i.extension_id")
    .innerJoin("oauth_clients as c", (j) => j.on("c.id", "=", sql<string>`t.payload->>'clientId'`).on("c.revoked_at", "is", null))
    .select([
      "t.payload",
      "t.install_id",
      "t.grant_id",
      "i.shop_id",
      "i.extension_id as install_extension_id",
      "i.granted_scopes",
      "c.extension_id as client_extension_id",
    ])
    .where("t.model", "=", "AccessToken")
    .where("t.id_hash", "=", idHash)
    .where("t.expires_at", ">", new Date())
    .where("i.status", "=", "active")
    .where("v.status", "<>", "suspended")
    .where("e.suspended_at", "is", null)
    .executeTakeFirst();
  return row as BearerRow | undefined;
}
