/**
 * SQL of the marketplace's developer side: vendor members and invitations,
 * listings, check lines, developer API tokens. (Core tables' basic SQL is in
 * marketplace.repository.server.ts.)
 */
import { sql, type Insertable, type Kysely, type Selectable } from "kysely";
import type { Database } from "../../db/database";
import type {
  DeveloperTokensTable,
  ExtensionCategory,
  ExtensionVersionChecksTable,
  VendorInvitesTable,
  VendorRole,
} from "../../db/tables/marketplace";

export type VendorInviteRow = Selectable<VendorInvitesTable>;
export type DeveloperTokenRow = Selectable<DeveloperTokensTable>;
export type CheckLineRow = Selectable<ExtensionVersionChecksTable>;

// ---- vendor members and invitations ------------------------------------------------------

export async function selectVendorMembers(db: Kysely<Database>, vendorId: string): Promise<{ userId: string; name: string; email: string; role: VendorRole; joinedAt: Date }[]> {
  const rows = await db
    .selectFrom("vendor_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.user_id", "u.name", "u.email", "m.role", "m.created_at"])
    .where("m.vendor_id", "=", vendorId)
    .orderBy("m.created_at")
    .limit(200)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email, role: r.role, joinedAt: r.created_at }));
}

export async function selectMemberByEmail(db: Kysely<Database>, vendorId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("vendor_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select("m.user_id")
    .where("m.vendor_id", "=", vendorId)
    .where("u.email", "=", email)
    .executeTakeFirst();
  return !!row;
}

/** Adds a member; false when they already were one. */
export async function insertVendorMember(db: Kysely<Database>, vendorId: string, userId: string, role: VendorRole): Promise<boolean> {
  const r = await db
    .insertInto("vendor_members")
    .values({ vendor_id: vendorId, user_id: userId, role })
    .onConflict((oc) => oc.columns(["vendor_id", "user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  return !!r;
}

export async function insertVendorInvite(db: Kysely<Database>, row: Insertable<VendorInvitesTable>): Promise<void> {
  await db.insertInto("vendor_invites").values(row).execute();
}

export async function revokePendingVendorInvitesFor(db: Kysely<Database>, vendorId: string, email: string, at: Date): Promise<void> {
  await db
    .updateTable("vendor_invites")
    .set({ revoked_at: at })
    .where("vendor_id", "=", vendorId)
    .where("email", "=", email)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .execute();
}

export async function revokePendingVendorInvite(db: Kysely<Database>, vendorId: string, inviteId: string, at: Date): Promise<VendorInviteRow | undefined> {
  return db
    .updateTable("vendor_invites")
    .set({ revoked_at: at })
    .where("vendor_id", "=", vendorId)
    .where("id", "=", inviteId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export async function selectVendorInviteByHash(db: Kysely<Database>, tokenHash: string): Promise<VendorInviteRow | undefined> {
  return db.selectFrom("vendor_invites").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** Marks a pending, unexpired invitation accepted; of two racing acceptances one wins. */
export async function markVendorInviteAccepted(db: Kysely<Database>, inviteId: string, userId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("vendor_invites")
    .set({ accepted_at: at, accepted_by: userId })
    .where("id", "=", inviteId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function selectPendingVendorInvites(db: Kysely<Database>, vendorId: string): Promise<VendorInviteRow[]> {
  return db
    .selectFrom("vendor_invites")
    .selectAll()
    .where("vendor_id", "=", vendorId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", new Date())
    .orderBy("created_at", "desc")
    .limit(100)
    .execute();
}

export async function updateVendorProfile(db: Kysely<Database>, vendorId: string, set: { legal_name: string; description: string }): Promise<void> {
  await db.updateTable("vendors").set(set).where("id", "=", vendorId).execute();
}

// ---- listings ------------------------------------------------------------------------------

export async function updateListing(
  db: Kysely<Database>,
  extensionId: string,
  set: { name: string; tagline: string; description: string; category: ExtensionCategory; pricing_label: string; support_contact: string; at: Date },
): Promise<boolean> {
  const { at, ...fields } = set;
  const r = await db.updateTable("extensions").set({ ...fields, updated_at: at }).where("id", "=", extensionId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateListingIcon(db: Kysely<Database>, extensionId: string, iconKey: string, at: Date): Promise<void> {
  await db.updateTable("extensions").set({ icon_key: iconKey, updated_at: at }).where("id", "=", extensionId).execute();
}

export async function selectIconOwner(db: Kysely<Database>, iconKey: string): Promise<boolean> {
  const row = await db.selectFrom("extensions").select("id").where("icon_key", "=", iconKey).limit(1).executeTakeFirst();
  return !!row;
}

// ---- version checks --------------------------------------------------------------------------

/** Claims a submitted version for a checks run; false when it is not `submitted` (already checked). */
export async function markChecksStarted(db: Kysely<Database>, versionId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("extension_versions")
    .set({ checks_started_at: at })
    .where("id", "=", versionId)
    .where("status", "=", "submitted")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Replaces a version's check lines (a re-run after a crash starts over). */
export async function replaceCheckLines(db: Kysely<Database>, versionId: string, lines: { name: string; passed: boolean; detail: string }[], at: Date): Promise<void> {
  await db.deleteFrom("extension_version_checks").where("version_id", "=", versionId).execute();
  if (lines.length) {
    await db
      .insertInto("extension_version_checks")
      .values(lines.map((l, i) => ({ version_id: versionId, seq: i + 1, name: l.name, passed: l.passed, detail: l.detail.slice(0, 2000) })))
      .execute();
  }
  await db.updateTable("extension_versions").set({ checks_finished_at: at }).where("id", "=", versionId).execute();
}

export async function selectCheckLines(db: Kysely<Database>, versionId: string): Promise<CheckLineRow[]> {
  return db.selectFrom("extension_version_checks").selectAll().where("version_id", "=", versionId).orderBy("seq").execute();
}

export async function countFailedChecks(db: Kysely<Database>, versionId: string): Promise<number> {
  const row = await db
    .selectFrom("extension_version_checks")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("version_id", "=", versionId)
    .where("passed", "=", false)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Submitted versions whose checks never finished (a crashed worker): the sweep re-enqueues them. */
export async function selectUncheckedVersionIds(db: Kysely<Database>, olderThan: Date, limit = 50): Promise<string[]> {
  const rows = await db
    .selectFrom("extension_versions")
    .select("id")
    .where("status", "=", "submitted")
    .where("created_at", "<", olderThan)
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

// ---- developer tokens -------------------------------------------------------------------------

export async function insertDeveloperToken(db: Kysely<Database>, row: Insertable<DeveloperTokensTable>): Promise<DeveloperTokenRow> {
  return db.insertInto("developer_tokens").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectDeveloperTokens(db: Kysely<Database>, vendorId: string): Promise<DeveloperTokenRow[]> {
  return db.selectFrom("developer_tokens").selectAll().where("vendor_id", "=", vendorId).orderBy("created_at", "desc").limit(100).execute();
}

export async function selectDeveloperTokenByHash(db: Kysely<Database>, tokenHash: string): Promise<DeveloperTokenRow | undefined> {
  return db.selectFrom("developer_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function revokeDeveloperTokenRow(db: Kysely<Database>, vendorId: string, tokenId: string, userId: string, at: Date): Promise<DeveloperTokenRow | undefined> {
  return db
    .updateTable("developer_tokens")
    .set({ revoked_at: at, revoked_by: userId })
    .where("vendor_id", "=", vendorId)
    .where("id", "=", tokenId)
    .where("revoked_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Records a use; at most one write a minute per token (a busy CI would otherwise write on every call). */
export async function touchDeveloperToken(db: Kysely<Database>, tokenId: string, at: Date): Promise<void> {
  await db
    .updateTable("developer_tokens")
    .set({ last_used_at: at })
    .where("id", "=", tokenId)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", new Date(at.getTime() - 60_000))]))
    .execute();
}

// ---- installs of a version (suspension) -------------------------------------------------------

/** The active installs of a version, across shops (a suspended version stops in all of them). */
export async function selectActiveInstallsOfVersion(db: Kysely<Database>, versionId: string): Promise<{ id: string; shop_id: string }[]> {
  return db.selectFrom("installs").select(["id", "shop_id"]).where("version_id", "=", versionId).where("status", "=", "active").orderBy("id").execute();
}
