/**
 * Shop memberships: who works in which shop, as owner or staff. The shops
 * module adds the owner when it creates a shop; invites add staff.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError } from "../lib/errors";
import { notify } from "../notifications/index.server";
import { RemoveStaffForm } from "./accounts.schema";
import { inTransaction, parseInput } from "./internal.server";
import {
  deleteStaffMember,
  insertShopMember,
  selectMembership,
  selectMembershipsOfUser,
  selectPendingInvites,
  selectShopMembers,
  userHasAnyMembership,
  type MemberRole,
  type MembershipRow,
} from "./memberships.repository.server";

export type { MemberRole };

export type Membership = { shopId: string; userId: string; role: MemberRole; createdAt: Date };

function toMembership(row: MembershipRow): Membership {
  return { shopId: row.shop_id, userId: row.user_id, role: row.role, createdAt: new Date(row.created_at) };
}

/**
 * Adds a member unless they already are one; returns whether it added.
 * Call it in the transaction of the change that grants the membership.
 *
 * @example
 * await addShopMember(trx, { shopId: shop.id, userId: ownerId, role: "owner" });
 */
export async function addShopMember(db: Kysely<Database>, m: { shopId: string; userId: string; role: MemberRole }): Promise<boolean> {
  return insertShopMember(db, { shop_id: m.shopId, user_id: m.userId, role: m.role });
}

/** This user's membership of this shop, or null. */
export async function getShopMembership(db: Kysely<Database>, shopId: string, userId: string): Promise<Membership | null> {
  const row = await selectMembership(db, shopId, userId);
  return row ? toMembership(row) : null;
}

/** Every shop this user works in, oldest membership first. */
export async function listMembershipsOfUser(db: Kysely<Database>, userId: string): Promise<Membership[]> {
  return (await selectMembershipsOfUser(db, userId)).map(toMembership);
}

/** Whether the user works in any shop (the top bar's Admin link). */
export async function userHasShops(db: Kysely<Database>, userId: string): Promise<boolean> {
  return userHasAnyMembership(db, userId);
}

export type TeamMember = { userId: string; name: string; email: string; role: MemberRole; since: string };
export type PendingInvite = { id: string; email: string; role: MemberRole; createdAt: string; expiresAt: string };

/** The staff page: the shop's members and its pending invitations. */
export async function listShopTeam(db: Kysely<Database>, shopId: string): Promise<{ members: TeamMember[]; invites: PendingInvite[] }> {
  const [members, invites] = await Promise.all([selectShopMembers(db, shopId), selectPendingInvites(db, shopId, new Date())]);
  return {
    members: members.map((m) => ({ userId: m.user_id, name: m.name, email: m.email, role: m.role, since: new Date(m.created_at).toISOString() })),
    invites: invites.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      createdAt: new Date(i.created_at).toISOString(),
      expiresAt: new Date(i.expires_at).toISOString(),
    })),
  };
}

/**
 * Removes a staff member. The owner cannot be removed (a shop always has
 * one); the guard has already checked that the actor is the owner.
 */
export async function removeStaffMember(
  db: Kysely<Database>,
  actor: { id: string },
  shop: { id: string; name: string },
  input: unknown,
): Promise<void> {
  const { userId } = parseInput(RemoveStaffForm, input);
  await inTransaction(db, async (trx) => {
    const membership = await selectMembership(trx, shop.id, userId);
    if (!membership) throw new AppError("bad_request", "That person is not a member of this shop.");
    if (membership.role === "owner") throw new AppError("unprocessable", "The shop owner cannot be removed.", { code: "owner_not_removable" });
    await deleteStaffMember(trx, shop.id, userId);
    await record(trx, { type: "user", id: actor.id }, "shop.staff_removed", { shopId: shop.id, type: "user", id: userId });
    await notify(trx, {
      userId,
      kind: "shop.staff_removed",
      title: `You no longer have access to ${shop.name}`,
      body: `The owner of ${shop.name} removed you from the shop's staff.`,
    });
  });
}
