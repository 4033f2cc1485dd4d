/**
 * SQL on `shop_members` and `shop_invites`. Every query names its shop id,
 * except the ones that answer "which shops is this user in".
 */
import type { Insertable, Kysely } from "kysely";
import type { Database, ShopInvitesTable } from "../../db/database";

export type MemberRole = "owner" | "staff";

export type MembershipRow = { shop_id: string; user_id: string; role: MemberRole; created_at: Date };

/** Inserts a membership unless one exists; returns whether it inserted. */
export async function insertShopMember(
  db: Kysely<Database>,
  row: { shop_id: string; user_id: string; role: MemberRole },
): Promise<boolean> {
  const res = await db
    .insertInto("shop_members")
    .values(row)
    .onConflict((oc) => oc.columns(["shop_id", "user_id"]).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function selectMembership(db: Kysely<Database>, shopId: string, userId: string): Promise<MembershipRow | undefined> {
  return db
    .selectFrom("shop_members")
    .select(["shop_id", "user_id", "role", "created_at"])
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export async function selectMembershipsOfUser(db: Kysely<Database>, userId: string): Promise<MembershipRow[]> {
  return db
    .selectFrom("shop_members")
    .select(["shop_id", "user_id", "role", "created_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "asc")
    .execute();
}

export async function userHasAnyMembership(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db.selectFrom("shop_members").select("shop_id").where("user_id", "=", userId).limit(1).executeTakeFirst();
  return !!row;
}

export async function selectShopMembers(
  db: Kysely<Database>,
  shopId: string,
): Promise<{ user_id: string; name: string; email: string; role: MemberRole; created_at: Date }[]> {
  return db
    .selectFrom("shop_members")
    .innerJoin("users", "users.id", "shop_members.user_id")
    .select(["shop_members.user_id", "users.name", "users.email", "shop_members.role", "shop_members.created_at"])
    .where("shop_members.shop_id", "=", shopId)
    .orderBy("shop_members.created_at", "asc")
    .execute();
}

/** Removes a staff member (never an owner); returns whether a row went. */
export async function deleteStaffMember(db: Kysely<Database>, shopId: string, userId: string): Promise<boolean> {
  const res = await db
    .deleteFrom("shop_members")
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .where("role", "=", "staff")
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

// ---- invites -----------------------------------------------------------------

export type InviteRow = {
  id: string;
  shop_id: string;
  email: string;
  role: MemberRole;
  invited_by: string;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
};

const INVITE_COLUMNS = ["id", "shop_id", "email", "role", "invited_by", "expires_at", "accepted_at", "revoked_at", "created_at"] as const;

export async function insertInvite(db: Kysely<Database>, row: Insertable<ShopInvitesTable>): Promise<void> {
  await db.insertInto("shop_invites").values(row).execute();
}

/** Looks an invite up by its token. The shop is unknown until then: the token is the only key a visitor has. */
export async function selectInviteByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<InviteRow | undefined> {
  return db.selectFrom("shop_invites").select(INVITE_COLUMNS).where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function selectPendingInvites(db: Kysely<Database>, shopId: string, now: Date): Promise<InviteRow[]> {
  return db
    .selectFrom("shop_invites")
    .select(INVITE_COLUMNS)
    .where("shop_id", "=", shopId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
}

/** Revokes one pending invite of this shop; returns it, or undefined if it was not pending. */
export async function revokePendingInvite(db: Kysely<Database>, shopId: string, inviteId: string, now: Date): Promise<InviteRow | undefined> {
  return db
    .updateTable("shop_invites")
    .set({ revoked_at: now })
    .where("shop_id", "=", shopId)
    .where("id", "=", inviteId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .returning(INVITE_COLUMNS)
    .executeTakeFirst();
}

/** A new invite to the same address replaces the older pending ones. */
export async function revokePendingInvitesForEmail(db: Kysely<Database>, shopId: string, email: string, now: Date): Promise<number> {
  const res = await db
    .updateTable("shop_invites")
    .set({ revoked_at: now })
    .where("shop_id", "=", shopId)
    .where("email", "=", email)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Marks the invite accepted if it is still pending and unexpired. The
 * condition makes acceptance single-use under races.
 */
export async function markInviteAccepted(db: Kysely<Database>, shopId: string, inviteId: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable("shop_invites")
    .set({ accepted_at: now })
    .where("shop_id", "=", shopId)
    .where("id", "=", inviteId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
