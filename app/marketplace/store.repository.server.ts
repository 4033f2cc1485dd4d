/**
 * SQL of the reviewer console, the store, ratings and data retention, on the
 * marketplace's tables (and, for retention and export only, on the host's
 * `extension_storage` / `extension_counters` / `extension_counter_ops` rows of
 * one install: the marketplace owns the install's lifecycle, including when
 * its data goes). Queries on installs name the shop, except the reviewer's
 * cross-shop look-ups, which name the version or the extension.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { ExtensionCategory, ExtensionReviewRow, ExtensionRow, InstallStatus, VendorRow, VersionStatus } from "../../db/tables/marketplace";

// ---- reviewer queues ---------------------------------------------------------------

export type VendorQueueRow = Pick<VendorRow, "id" | "name" | "slug" | "status" | "contact_email" | "website" | "created_at">;

/** Vendors in a status, oldest first (ids sort by creation time), after the cursor. */
export async function selectVendorQueue(db: Kysely<Database>, status: VendorRow["status"], after: string | null, limit: number): Promise<VendorQueueRow[]> {
  let q = db.selectFrom("vendors").select(["id", "name", "slug", "status", "contact_email", "website", "created_at"]).where("status", "=", status);
  if (after) q = q.where("id", ">", after);
  // ids sort by creation time (newId), so the id is both the order and an exact keyset cursor
  return q.orderBy("id").limit(limit).execute();
}

export type VersionQueueRow = {
  id: string;
  version: string;
  status: VersionStatus;
  created_at: Date;
  updated_at: Date;
  extension_id: string;
  extension_name: string;
  extension_handle: string;
  vendor_id: string;
  vendor_name: string;
};

/** Versions in a status, oldest submission first, after the cursor. */
export async function selectVersionQueue(db: Kysely<Database>, status: VersionStatus, after: string | null, limit: number): Promise<VersionQueueRow[]> {
  let q = db
    .selectFrom("extension_versions as v")
    .innerJoin("extensions as e", "e.id", "v.extension_id")
    .innerJoin("vendors as d", "d.id", "e.vendor_id")
    .select(["v.id", "v.version", "v.status", "v.created_at", "v.updated_at", "e.id as extension_id", "e.name as extension_name", "e.handle as extension_handle", "d.id as vendor_id", "d.name as vendor_name"])
    .where("v.status", "=", status);
  if (after) q = q.where("v.id", ">", after);
  return q.orderBy("v.id").limit(limit).execute();
}

export async function countByStatus(db: Kysely<Database>): Promise<{ vendors: Record<string, number>; versions: Record<string, number> }> {
  const vendors = await db.selectFrom("vendors").select(["status", sql<number>`count(*)::int`.as("n")]).groupBy("status").execute();
  const versions = await db.selectFrom("extension_versions").select(["status", sql<number>`count(*)::int`.as("n")]).groupBy("status").execute();
  return {
    vendors: Object.fromEntries(vendors.map((r) => [r.status, Number(r.n)])),
    versions: Object.fromEntries(versions.map((r) => [r.status, Number(r.n)])),
  };
}

/** The latest approved (or later suspended) version of the extension submitted before `versionId`. */
export async function selectPreviousApproved(db: Kysely<Database>, extensionId: string, versionId: string) {
  return db
    .selectFrom("extension_versions")
    .selectAll()
    .where("extension_id", "=", extensionId)
    .where("id", "<", versionId)
    .where("status", "in", ["approved", "suspended"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}

export type ExtensionAdminRow = ExtensionRow & { vendor_name: string; vendor_status: VendorRow["status"]; live_installs: number };

/** Every extension for the reviewer's list (name order, offset paging), optionally matching `q`. */
export async function selectExtensionsForReview(db: Kysely<Database>, opts: { q: string | null; offset: number; limit: number }): Promise<ExtensionAdminRow[]> {
  let q = db
    .selectFrom("extensions as e")
    .innerJoin("vendors as d", "d.id", "e.vendor_id")
    .selectAll("e")
    .select(["d.name as vendor_name", "d.status as vendor_status"])
    .select(sql<number>`(SELECT count(*)::int FROM installs i WHERE i.extension_id = e.id AND i.status <> 'uninstalled')`.as("live_installs"));
  if (opts.q) q = q.where((eb) => eb.or([eb("e.name", "ilike", `%${escapeLike(opts.q!)}%`), eb("e.handle", "ilike", `%${escapeLike(opts.q!)}%`)]));
  return q.orderBy("e.name").orderBy("e.id").offset(opts.offset).limit(opts.limit).execute() as Promise<ExtensionAdminRow[]>;
}

export async function selectExtensionForReview(db: Kysely<Database>, extensionId: string): Promise<ExtensionAdminRow | undefined> {
  return db
    .selectFrom("extensions as e")
    .innerJoin("vendors as d", "d.id", "e.vendor_id")
    .selectAll("e")
    .select(["d.name as vendor_name", "d.status as vendor_status"])
    .select(sql<number>`(SELECT count(*)::int FROM installs i WHERE i.extension_id = e.id AND i.status <> 'uninstalled')`.as("live_installs"))
    .where("e.id", "=", extensionId)
    .executeTakeFirst() as Promise<ExtensionAdminRow | undefined>;
}

export async function selectVendorMembers(db: Kysely<Database>, vendorId: string): Promise<{ user_id: string; role: string; name: string; email: string }[]> {
  return db
    .selectFrom("vendor_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.user_id", "m.role", "u.name", "u.email"])
    .where("m.vendor_id", "=", vendorId)
    .orderBy("m.created_at")
    .execute();
}

// ---- suspension fan-out --------------------------------------------------------------

/** Live installs of a version or of an extension, across shops (a reviewer's decision reaches every shop). */
export async function selectLiveInstallsOf(db: Kysely<Database>, by: { versionId?: string; extensionId?: string }): Promise<{ id: string; shop_id: string; status: InstallStatus; status_reason: string | null }[]> {
  let q = db.selectFrom("installs").select(["id", "shop_id", "status", "status_reason"]).where("status", "<>", "uninstalled");
  if (by.versionId) q = q.where("version_id", "=", by.versionId);
  if (by.extensionId) q = q.where("extension_id", "=", by.extensionId);
  return q.orderBy("id").forUpdate().execute();
}

/** Marks one install suspended by a reviewer (whatever suspended it before, so the merchant cannot resume it). */
export async function markInstallReviewerSuspended(db: Kysely<Database>, shopId: string, installId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("installs")
    .set({ status: "suspended", status_reason: "reviewer", suspended_at: at, updated_at: at })
    .where("shop_id", "=", shopId)
    .where("id", "=", installId)
    .where("status", "in", ["active", "suspended"])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setExtensionSuspension(db: Kysely<Database>, extensionId: string, set: { at: Date | null; reason: string | null }): Promise<ExtensionRow | undefined> {
  let q = db.updateTable("extensions").set({ suspended_at: set.at, suspension_reason: set.reason, updated_at: new Date() }).where("id", "=", extensionId);
  q = set.at ? q.where("suspended_at", "is", null) : q.where("suspended_at", "is not", null);
  return q.returningAll().executeTakeFirst();
}

/** Installs a reviewer suspended whose version is still approved: what reinstating the extension resumes. */
export async function selectReviewerSuspendedResumable(db: Kysely<Database>, extensionId: string): Promise<{ id: string; shop_id: string }[]> {
  return db
    .selectFrom("installs as i")
    .innerJoin("extension_versions as v", "v.id", "i.version_id")
    .select(["i.id", "i.shop_id"])
    .where("i.extension_id", "=", extensionId)
    .where("i.status", "=", "suspended")
    .where("i.status_reason", "=", "reviewer")
    .where("v.status", "=", "approved")
    .orderBy("i.id")
    .forUpdate()
    .execute();
}

export async function shopOwnerIds(db: Kysely<Database>, shopId: string): Promise<string[]> {
  const rows = await db.selectFrom("shop_members").select("user_id").where("shop_id", "=", shopId).where("role", "=", "owner").execute();
  return rows.map((r) => r.user_id);
}

// ---- the store -----------------------------------------------------------------------

export type ListingRow = {
  id: string;
  handle: string;
  name: string;
  summary: string;
  tagline: string;
  description: string;
  category: ExtensionCategory;
  pricing_label: string;
  support_contact: string;
  icon_key: string | null;
  vendor_id: string;
  vendor_name: string;
  version_id: string;
  version: string;
  manifest: Record<string, unknown>;
  approved_at: Date | null;
  install_count: number;
  rating_avg: number | null;
  rating_count: number;
};

/**
 * Listed extensions: a verified vendor, not suspended, with at least one
 * approved version (the newest approved one is what the store shows).
 */
function listings(db: Kysely<Database>) {
  return db
    .selectFrom("extensions as e")
    .innerJoin("vendors as d", "d.id", "e.vendor_id")
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom("extension_versions as v")
          .select(["v.id as version_id", "v.version", "v.manifest", "v.reviewed_at as approved_at"])
          .whereRef("v.extension_id", "=", "e.id")
          .where("v.status", "=", "approved")
          .orderBy("v.id", "desc")
          .limit(1)
          .as("lv"),
      (join) => join.onTrue(),
    )
    .select(["e.id", "e.handle", "e.name", "e.summary", "e.tagline", "e.description", "e.category", "e.pricing_label", "e.support_contact", "e.icon_key", "d.id as vendor_id", "d.name as vendor_name", "lv.version_id", "lv.version", "lv.manifest", "lv.approved_at"])
    // development shops try unapproved versions: they are not customers, so they do not count
    .select(sql<number>`(SELECT count(*)::int FROM installs i JOIN shops s ON s.id = i.shop_id WHERE i.extension_id = e.id AND i.status <> 'uninstalled' AND NOT s.is_development)`.as("install_count"))
    .select(sql<number | null>`(SELECT round(avg(r.rating)::numeric, 1)::float8 FROM extension_reviews r WHERE r.extension_id = e.id)`.as("rating_avg"))
    .select(sql<number>`(SELECT count(*)::int FROM extension_reviews r WHERE r.extension_id = e.id)`.as("rating_count"))
    .where("d.status", "=", "verified")
    .where("e.suspended_at", "is", null);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A page of listings matching the search (name, summary, vendor, handle) and category, most installed first. */
export async function selectListings(
  db: Kysely<Database>,
  opts: { q: string | null; category: ExtensionCategory | null; offset: number; limit: number },
): Promise<ListingRow[]> {
  let q = listings(db);
  if (opts.q) {
    const like = `%${escapeLike(opts.q)}%`;
    q = q.where((eb) => eb.or([eb("e.name", "ilike", like), eb("e.summary", "ilike", like), eb("e.tagline", "ilike", like), eb("d.name", "ilike", like), eb("e.handle", "ilike", like)]));
  }
  if (opts.category) q = q.where("e.category", "=", opts.category);
  const rows = await q.orderBy(sql`install_count`, "desc").orderBy("e.name").orderBy("e.id").offset(opts.offset).limit(opts.limit).execute();
  return rows as unknown as ListingRow[];
}

export async function selectListingByHandle(db: Kysely<Database>, handle: string): Promise<ListingRow | undefined> {
  return (await listings(db).where("e.handle", "=", handle).executeTakeFirst()) as unknown as ListingRow | undefined;
}

/** The approved versions of an extension, newest first. */
export async function selectApprovedVersions(db: Kysely<Database>, extensionId: string) {
  return db.selectFrom("extension_versions").selectAll().where("extension_id", "=", extensionId).where("status", "=", "approved").orderBy("id", "desc").execute();
}

/** Live installs (any shop) of the extensions, with their version: the candidates for an update. */
export async function selectLiveInstallsWithVersion(db: Kysely<Database>, extensionIds: string[] | null) {
  let q = db
    .selectFrom("installs as i")
    .innerJoin("extension_versions as v", "v.id", "i.version_id")
    .select(["i.id", "i.shop_id", "i.extension_id", "i.version_id", "i.granted_scopes", "i.status", "v.version", "v.manifest"])
    .where("i.status", "<>", "uninstalled");
  if (extensionIds) q = q.where("i.extension_id", "in", extensionIds.length ? extensionIds : ["-"]);
  return q.orderBy("i.id").execute();
}

// ---- ratings and reviews ---------------------------------------------------------------

export async function hasEverInstalled(db: Kysely<Database>, shopId: string, extensionId: string): Promise<boolean> {
  const row = await db.selectFrom("installs").select("id").where("shop_id", "=", shopId).where("extension_id", "=", extensionId).limit(1).executeTakeFirst();
  return !!row;
}

export async function selectShopReview(db: Kysely<Database>, shopId: string, extensionId: string): Promise<ExtensionReviewRow | undefined> {
  return db.selectFrom("extension_reviews").selectAll().where("shop_id", "=", shopId).where("extension_id", "=", extensionId).executeTakeFirst();
}

/** Inserts the shop's review or updates it in place (the (extension, shop) pair is unique). */
export async function upsertReviewRow(
  db: Kysely<Database>,
  row: { id: string; extension_id: string; shop_id: string; author_id: string; rating: number; body: string; at: Date },
): Promise<{ review: ExtensionReviewRow; created: boolean }> {
  const review = await db
    .insertInto("extension_reviews")
    .values({ id: row.id, extension_id: row.extension_id, shop_id: row.shop_id, author_id: row.author_id, rating: row.rating, body: row.body, updated_at: row.at })
    .onConflict((oc) => oc.columns(["extension_id", "shop_id"]).doUpdateSet({ author_id: row.author_id, rating: row.rating, body: row.body, updated_at: row.at }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { review, created: review.id === row.id };
}

export async function selectReviews(db: Kysely<Database>, extensionId: string, before: string | null, limit: number) {
  let q = db
    .selectFrom("extension_reviews as r")
    .innerJoin("shops as s", "s.id", "r.shop_id")
    .select(["r.id", "r.rating", "r.body", "r.created_at", "r.updated_at", "s.name as shop_name"])
    .where("r.extension_id", "=", extensionId);
  if (before) q = q.where("r.id", "<", before);
  return q.orderBy("r.id", "desc").limit(limit).execute();
}

// ---- retention and export ----------------------------------------------------------------

export async function selectInstallStorage(db: Kysely<Database>, installId: string) {
  return db.selectFrom("extension_storage").select(["key", "value", "updated_at"]).where("install_id", "=", installId).orderBy("key").execute();
}

export async function selectInstallCounters(db: Kysely<Database>, installId: string) {
  return db.selectFrom("extension_counters").select(["key", "value", "updated_at"]).where("install_id", "=", installId).orderBy("key").execute();
}

/** Uninstalled installs whose retention ended before `now` and whose data is still there, oldest first. */
export async function selectExpiredRetention(db: Kysely<Database>, now: Date, limit: number): Promise<{ id: string; shop_id: string; data_retained_until: Date | null }[]> {
  return db
    .selectFrom("installs")
    .select(["id", "shop_id", "data_retained_until"])
    .where("status", "=", "uninstalled")
    .where("data_deleted_at", "is", null)
    .where("data_retained_until", "<=", now)
    .orderBy("data_retained_until")
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** Deletes one install's storage, counters and counter ops; marks the install's data deleted. Resolves to the rows removed. */
export async function deleteInstallData(db: Kysely<Database>, shopId: string, installId: string, at: Date): Promise<{ storage: number; counters: number } | null> {
  const marked = await db
    .updateTable("installs")
    .set({ data_deleted_at: at, updated_at: at })
    .where("shop_id", "=", shopId)
    .where("id", "=", installId)
    .where("status", "=", "uninstalled")
    .where("data_deleted_at", "is", null)
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) !== 1) return null;
  const storage = await db.deleteFrom("extension_storage").where("install_id", "=", installId).executeTakeFirst();
  const counters = await db.deleteFrom("extension_counters").where("install_id", "=", installId).executeTakeFirst();
  await db.deleteFrom("extension_counter_ops").where("install_id", "=", installId).execute();
  return { storage: Number(storage.numDeletedRows), counters: Number(counters.numDeletedRows) };
}
