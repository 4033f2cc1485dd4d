/**
 * SQL on the marketplace's tables. Queries on installs name the shop.
 */
import { sql, type Insertable, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type {
  ExtensionRow,
  ExtensionVersionRow,
  ExtensionVersionsTable,
  ExtensionsTable,
  InstallRow,
  InstallStatus,
  InstallsTable,
  VendorRole,
  VendorRow,
  VendorsTable,
  VersionStatus,
} from "../../db/tables/marketplace";

// ---- vendors -----------------------------------------------------------------------

export async function insertVendor(db: Kysely<Database>, row: Insertable<VendorsTable>, ownerId: string): Promise<VendorRow> {
  const vendor = await db.insertInto("vendors").values(row).returningAll().executeTakeFirstOrThrow();
  await db.insertInto("vendor_members").values({ vendor_id: vendor.id, user_id: ownerId, role: "owner" }).execute();
  return vendor;
}

export async function selectVendor(db: Kysely<Database>, vendorId: string): Promise<VendorRow | undefined> {
  return db.selectFrom("vendors").selectAll().where("id", "=", vendorId).executeTakeFirst();
}

export async function selectVendorBySlug(db: Kysely<Database>, slug: string): Promise<VendorRow | undefined> {
  return db.selectFrom("vendors").selectAll().where("slug", "=", slug).executeTakeFirst();
}

export async function updateVendorStatus(
  db: Kysely<Database>,
  vendorId: string,
  from: readonly VendorRow["status"][],
  to: VendorRow["status"],
  reason: string | null,
  at: Date,
): Promise<VendorRow | undefined> {
  return db
    .updateTable("vendors")
    .set({ status: to, status_reason: reason, updated_at: at, ...(to === "verified" ? { verified_at: at } : {}) })
    .where("id", "=", vendorId)
    .where("status", "in", [...from])
    .returningAll()
    .executeTakeFirst();
}

export async function selectVendorRole(db: Kysely<Database>, vendorId: string, userId: string): Promise<VendorRole | null> {
  const row = await db.selectFrom("vendor_members").select("role").where("vendor_id", "=", vendorId).where("user_id", "=", userId).executeTakeFirst();
  return row?.role ?? null;
}

export async function selectVendorsOfUser(db: Kysely<Database>, userId: string): Promise<(VendorRow & { role: VendorRole })[]> {
  return db
    .selectFrom("vendor_members as m")
    .innerJoin("vendors as v", "v.id", "m.vendor_id")
    .selectAll("v")
    .select("m.role")
    .where("m.user_id", "=", userId)
    .orderBy("v.name")
    .execute();
}

// ---- extensions and versions --------------------------------------------------------

export async function insertExtension(db: Kysely<Database>, row: Insertable<ExtensionsTable>): Promise<ExtensionRow> {
  return db.insertInto("extensions").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectExtension(db: Kysely<Database>, extensionId: string): Promise<ExtensionRow | undefined> {
  return db.selectFrom("extensions").selectAll().where("id", "=", extensionId).executeTakeFirst();
}

export async function selectExtensionByHandle(db: Kysely<Database>, handle: string): Promise<ExtensionRow | undefined> {
  return db.selectFrom("extensions").selectAll().where("handle", "=", handle).executeTakeFirst();
}

export async function selectExtensionsOfVendors(db: Kysely<Database>, vendorIds: string[]): Promise<ExtensionRow[]> {
  if (vendorIds.length === 0) return [];
  return db.selectFrom("extensions").selectAll().where("vendor_id", "in", vendorIds).orderBy("name").execute();
}

/** Stores a bundle's text under its hash once; a second store of the same bytes is a no-op. */
export async function upsertBundle(db: Kysely<Database>, hash: string, source: string, bytes: number): Promise<void> {
  await db.insertInto("extension_bundles").values({ hash, source, bytes }).onConflict((oc) => oc.column("hash").doNothing()).execute();
}

export async function selectBundleSource(db: Kysely<Database>, hash: string): Promise<string | undefined> {
  const row = await db.selectFrom("extension_bundles").select("source").where("hash", "=", hash).executeTakeFirst();
  return row?.source;
}

export async function insertVersion(db: Kysely<Database>, row: Insertable<ExtensionVersionsTable>): Promise<ExtensionVersionRow | undefined> {
  return db
    .insertInto("extension_versions")
    .values(row)
    .onConflict((oc) => oc.columns(["extension_id", "version"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function selectVersion(db: Kysely<Database>, versionId: string): Promise<ExtensionVersionRow | undefined> {
  return db.selectFrom("extension_versions").selectAll().where("id", "=", versionId).executeTakeFirst();
}

export async function selectVersionsOfExtension(db: Kysely<Database>, extensionId: string): Promise<ExtensionVersionRow[]> {
  return db.selectFrom("extension_versions").selectAll().where("extension_id", "=", extensionId).orderBy("id", "desc").execute();
}

export async function updateVersionStatus(
  db: Kysely<Database>,
  versionId: string,
  from: readonly VersionStatus[],
  to: VersionStatus,
  change: { reason: string | null; reviewerId: string | null; at: Date },
): Promise<ExtensionVersionRow | undefined> {
  return db
    .updateTable("extension_versions")
    .set({
      status: to,
      status_reason: change.reason,
      updated_at: change.at,
      ...(change.reviewerId ? { reviewed_by: change.reviewerId, reviewed_at: change.at } : {}),
    })
    .where("id", "=", versionId)
    .where("status", "in", [...from])
    .returningAll()
    .executeTakeFirst();
}

// ---- installs ---------------------------------------------------------------------

/** An install with what the host needs to run it: its version's manifest and bundle hash, the extension's name. */
export type InstallJoinRow = InstallRow & {
  extension_name: string;
  extension_handle: string;
  vendor_id: string;
  version: string;
  version_status: VersionStatus;
  manifest: Record<string, unknown>;
  bundle_hash: string;
};

function installsJoined(db: Kysely<Database>) {
  return db
    .selectFrom("installs as i")
    .innerJoin("extensions as e", "e.id", "i.extension_id")
    .innerJoin("extension_versions as v", "v.id", "i.version_id")
    .selectAll("i")
    .select([
      "e.name as extension_name",
      "e.handle as extension_handle",
      "e.vendor_id as vendor_id",
      "v.version as version",
      "v.status as version_status",
      "v.manifest as manifest",
      "v.bundle_hash as bundle_hash",
    ]);
}

export async function insertInstall(db: Kysely<Database>, row: Insertable<InstallsTable>): Promise<InstallRow> {
  return db.insertInto("installs").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectInstall(db: Kysely<Database>, shopId: string, installId: string): Promise<InstallJoinRow | undefined> {
  return installsJoined(db).where("i.shop_id", "=", shopId).where("i.id", "=", installId).executeTakeFirst() as Promise<InstallJoinRow | undefined>;
}

/** An install by id alone: for the host, whose jobs and bridge calls carry only the install id. */
export async function selectInstallById(db: Kysely<Database>, installId: string): Promise<InstallJoinRow | undefined> {
  return installsJoined(db).where("i.id", "=", installId).executeTakeFirst() as Promise<InstallJoinRow | undefined>;
}

export async function selectLiveInstallOf(db: Kysely<Database>, shopId: string, extensionId: string): Promise<InstallRow | undefined> {
  return db
    .selectFrom("installs")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("extension_id", "=", extensionId)
    .where("status", "<>", "uninstalled")
    .executeTakeFirst();
}

/** The shop's installs in the merchant's order; uninstalled ones last, newest first. */
export async function selectShopInstalls(db: Kysely<Database>, shopId: string, opts: { includeUninstalled?: boolean } = {}): Promise<InstallJoinRow[]> {
  let q = installsJoined(db).where("i.shop_id", "=", shopId);
  if (!opts.includeUninstalled) q = q.where("i.status", "<>", "uninstalled");
  return q
    .orderBy(sql`i.status = 'uninstalled'`)
    .orderBy("i.position")
    .orderBy("i.id", "desc")
    .execute() as Promise<InstallJoinRow[]>;
}

/** Active installs of the shop whose version implements `hook`, in the merchant's order. */
export async function selectActiveInstalls(db: Kysely<Database>, shopId: string, hook: string | null): Promise<InstallJoinRow[]> {
  // A reviewer's suspension of the version or the whole extension stops it here too, read fresh on every call
  // (no process caches whether an install may run), even if an install raced the suspension's fan-out.
  let q = installsJoined(db).where("i.shop_id", "=", shopId).where("i.status", "=", "active").where("v.status", "<>", "suspended").where("e.suspended_at", "is", null);
  if (hook !== null) q = q.where(sql<boolean>`v.manifest->'hooks' @> ${JSON.stringify([hook])}::jsonb`);
  return q.orderBy("i.position").orderBy("i.id").execute() as Promise<InstallJoinRow[]>;
}

export async function selectMaxPosition(db: Kysely<Database>, shopId: string): Promise<number> {
  const row = await db
    .selectFrom("installs")
    .select(sql<number>`coalesce(max(position), 0)::int`.as("max"))
    .where("shop_id", "=", shopId)
    .where("status", "<>", "uninstalled")
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

export async function updateInstallStatus(
  db: Kysely<Database>,
  shopId: string,
  installId: string,
  from: readonly InstallStatus[],
  set: { status: InstallStatus; reason: string | null; at: Date; retainedUntil?: Date | null },
): Promise<InstallRow | undefined> {
  return db
    .updateTable("installs")
    .set({
      status: set.status,
      status_reason: set.reason,
      updated_at: set.at,
      ...(set.status === "suspended" ? { suspended_at: set.at } : {}),
      ...(set.status === "active" ? { suspended_at: null } : {}),
      ...(set.status === "uninstalled" ? { uninstalled_at: set.at, data_retained_until: set.retainedUntil ?? set.at } : {}),
    })
    .where("shop_id", "=", shopId)
    .where("id", "=", installId)
    .where("status", "in", [...from])
    .returningAll()
    .executeTakeFirst();
}

export async function updateInstallVersion(
  db: Kysely<Database>,
  shopId: string,
  installId: string,
  set: { versionId: string; grantedScopes: string[]; settings: Record<string, unknown>; at: Date },
): Promise<InstallRow | undefined> {
  return db
    .updateTable("installs")
    .set({ version_id: set.versionId, granted_scopes: JSON.stringify(set.grantedScopes), settings: JSON.stringify(set.settings), updated_at: set.at })
    .where("shop_id", "=", shopId)
    .where("id", "=", installId)
    .where("status", "<>", "uninstalled")
    .returningAll()
    .executeTakeFirst();
}

export async function updateInstallSettings(db: Kysely<Database>, shopId: string, installId: string, settings: Record<string, unknown>, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("installs")
    .set({ settings: JSON.stringify(settings), updated_at: at })
    .where("shop_id", "=", shopId)
    .where("id", "=", installId)
    .where("status", "<>", "uninstalled")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Locks the shop's live installs (in id order) so two reorders cannot interleave. */
export async function lockLiveInstallIds(db: Kysely<Database>, shopId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("installs")
    .select("id")
    .where("shop_id", "=", shopId)
    .where("status", "<>", "uninstalled")
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

export async function updateInstallPosition(db: Kysely<Database>, shopId: string, installId: string, position: number, at: Date): Promise<void> {
  await db.updateTable("installs").set({ position, updated_at: at }).where("shop_id", "=", shopId).where("id", "=", installId).execute();
}
