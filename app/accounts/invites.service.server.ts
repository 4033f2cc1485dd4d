/**
 * Staff invitations: the owner invites an e-mail address; the link in the
 * e-mail (a random token, stored as its SHA-256, valid 7 days, once) lets
 * whoever signs in with that address join the shop as staff.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError } from "../lib/errors";
import { newId, newToken } from "../lib/ids";
import { notify, sendMail } from "../notifications/index.server";
import { getShop } from "../shops/index.server";
import { InviteStaffForm, RevokeInviteForm } from "./accounts.schema";
import { selectUserByEmail, selectUserById } from "./accounts.repository.server";
import { inTransaction, isPlausibleToken, parseInput } from "./internal.server";
import {
  insertInvite,
  insertShopMember,
  markInviteAccepted,
  revokePendingInvite,
  revokePendingInvitesForEmail,
  selectInviteByTokenHash,
  selectMembership,
  type MemberRole,
} from "./memberships.repository.server";
import { hashToken } from "./session.server";

export const INVITE_TTL_MS = 7 * 86400_000;

/**
 * Invites an e-mail address to the shop's staff and e-mails the link. A
 * second invite to the same address replaces the pending one. The guard has
 * already checked that the inviter owns the shop.
 *
 * @example
 * await inviteStaff(db, { shop, inviter: user }, { email: "li@example.com" }, { publicUrl });
 */
export async function inviteStaff(
  db: Kysely<Database>,
  who: { shop: { id: string; name: string }; inviter: { id: string; name: string } },
  input: unknown,
  opts: { publicUrl: string },
): Promise<{ inviteId: string }> {
  const { email } = parseInput(InviteStaffForm, input);
  const { shop, inviter } = who;
  const existing = await selectUserByEmail(db, email);
  if (existing && (await selectMembership(db, shop.id, existing.id))) {
    throw new AppError("bad_request", "Please correct the highlighted fields.", {
      fieldErrors: { email: ["That person is already a member of this shop."] },
    });
  }
  const token = newToken();
  const link = `${opts.publicUrl.replace(/\/$/, "")}/invites/${token}`;
  const inviteId = newId("inv");
  await inTransaction(db, async (trx) => {
    const now = new Date();
    await revokePendingInvitesForEmail(trx, shop.id, email, now);
    await insertInvite(trx, {
      id: inviteId,
      shop_id: shop.id,
      email,
      role: "staff",
      token_hash: hashToken(token),
      invited_by: inviter.id,
      expires_at: new Date(now.getTime() + INVITE_TTL_MS),
    });
    await sendMail(trx, {
      to: email,
      subject: `${inviter.name} invited you to work on ${shop.name} on Bazaar`,
      text: [
        "Hello,",
        `${inviter.name} invited you to join the staff of ${shop.name} on Bazaar.`,
        `Open this link within 7 days to accept. You will be asked to log in or sign up with this e-mail address (${email}):\n${link}`,
        "If you were not expecting this, ignore this e-mail.",
      ].join("\n\n"),
    });
    await record(trx, { type: "user", id: inviter.id }, "shop.staff_invited", { shopId: shop.id, type: "invite", id: inviteId }, { email, role: "staff" });
  });
  return { inviteId };
}

/** Withdraws a pending invitation of this shop; its link stops working. */
export async function revokeInvite(db: Kysely<Database>, actor: { id: string }, shopId: string, input: unknown): Promise<void> {
  const { inviteId } = parseInput(RevokeInviteForm, input);
  await inTransaction(db, async (trx) => {
    const invite = await revokePendingInvite(trx, shopId, inviteId, new Date());
    if (!invite) throw new AppError("bad_request", "That invitation is no longer pending.");
    await record(trx, { type: "user", id: actor.id }, "shop.invite_revoked", { shopId, type: "invite", id: inviteId }, { email: invite.email });
  });
}

/** What the invitation page shows for a token, given who is looking. */
export type InvitationView =
  | { state: "invalid" }
  | {
      state: "pending";
      shopName: string;
      role: MemberRole;
      email: string;
      inviterName: string;
      expiresAt: string;
      /** anonymous: ask to log in or sign up; match: offer Accept; mismatch: signed in as someone else */
      viewer: "anonymous" | "match" | "mismatch";
      /** whether an account with the invited address exists (to offer Log in rather than Sign up) */
      accountExists: boolean;
    };

/**
 * Looks an invitation up by its token. Unknown, expired, revoked and
 * already-accepted tokens all read as "invalid": the link simply no longer works.
 */
export async function getInvitation(
  db: Kysely<Database>,
  token: string,
  viewer: { id: string; email: string } | null,
): Promise<InvitationView> {
  if (!isPlausibleToken(token)) return { state: "invalid" };
  const invite = await selectInviteByTokenHash(db, hashToken(token));
  if (!invite || invite.accepted_at || invite.revoked_at || new Date(invite.expires_at) <= new Date()) return { state: "invalid" };
  const [shop, inviter, account] = await Promise.all([
    getShop(db, invite.shop_id),
    selectUserById(db, invite.invited_by),
    selectUserByEmail(db, invite.email),
  ]);
  if (!shop) return { state: "invalid" };
  return {
    state: "pending",
    shopName: shop.name,
    role: invite.role,
    email: invite.email,
    inviterName: inviter?.name ?? "The shop owner",
    expiresAt: new Date(invite.expires_at).toISOString(),
    viewer: !viewer ? "anonymous" : viewer.email === invite.email ? "match" : "mismatch",
    accountExists: !!account,
  };
}

/**
 * Accepts an invitation as the signed-in user, whose e-mail must be the
 * invited one. Adds the membership and marks the invitation used in one
 * transaction; a second acceptance finds it used.
 */
export async function acceptInvitation(
  db: Kysely<Database>,
  user: { id: string; email: string; name: string },
  token: string,
): Promise<{ shopId: string }> {
  const invalid = () => new AppError("bad_request", "This invitation is no longer valid. Ask the shop owner for a new one.", { code: "invite_invalid" });
  if (!isPlausibleToken(token)) throw invalid();
  return inTransaction(db, async (trx) => {
    const invite = await selectInviteByTokenHash(trx, hashToken(token));
    if (!invite || invite.accepted_at || invite.revoked_at || new Date(invite.expires_at) <= new Date()) throw invalid();
    if (invite.email !== user.email) {
      throw new AppError("forbidden", `This invitation was sent to another e-mail address. Log in as ${invite.email} to accept it.`, {
        code: "invite_other_email",
      });
    }
    // Conditional update: of two racing acceptances only one marks it.
    if (!(await markInviteAccepted(trx, invite.shop_id, invite.id, new Date()))) throw invalid();
    const added = await insertShopMember(trx, { shop_id: invite.shop_id, user_id: user.id, role: invite.role });
    await record(trx, { type: "user", id: user.id }, "shop.staff_joined", { shopId: invite.shop_id, type: "user", id: user.id }, {
      inviteId: invite.id,
      role: invite.role,
      alreadyMember: !added,
    });
    if (added && invite.invited_by !== user.id) {
      await notify(trx, {
        userId: invite.invited_by,
        kind: "shop.staff_joined",
        title: `${user.name} joined your shop's staff`,
        body: `${user.name} (${user.email}) accepted your invitation.`,
        link: `/admin/shops/${invite.shop_id}/staff`,
      });
    }
    return { shopId: invite.shop_id };
  });
}
