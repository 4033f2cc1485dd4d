/**
 * Vendors, the developer side and the reviewer's decision: registering a
 * vendor (the owner is its first member), inviting teammates by e-mail (the
 * staff-invite pattern of accounts: a random token kept as its SHA-256,
 * valid 7 days, once, for the invited address only), and `decideVendor`,
 * the one entry point the review console uses to verify, reject or suspend
 * a vendor along VENDOR_DECISIONS with a reason the developers see.
 */
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database } from "../../db/database";
import type { VendorRole, VendorRow } from "../../db/tables/marketplace";
import { hashToken } from "../accounts/session.server";
import { record } from "../audit/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId, newToken } from "../lib/ids";
import { notify, sendMail } from "../notifications/index.server";
import { createVendor, setVendorStatus, type VendorView } from "./marketplace.service.server";
import { selectVendor, selectVendorRole, selectVendorsOfUser } from "./marketplace.repository.server";
import {
  insertVendorInvite,
  insertVendorMember,
  markVendorInviteAccepted,
  revokePendingVendorInvite,
  revokePendingVendorInvitesFor,
  selectMemberByEmail,
  selectPendingVendorInvites,
  selectVendorInviteByHash,
  selectVendorMembers,
} from "./workflows.repository.server";
import { DecisionReason, VENDOR_DECISIONS, VENDOR_STATUS_LABELS, VendorDecisionName, VendorInviteForm, VendorRegistrationForm, type VendorDecision } from "./workflows.schema";

export const VENDOR_INVITE_TTL_MS = 7 * 86_400_000;

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return r.data;
}

/** A vendor as its own developers see it. */
export type DeveloperVendor = VendorView & {
  role: VendorRole;
  legalName: string | null;
  website: string | null;
  description: string;
  statusReason: string | null;
  statusLabel: string;
};

function developerVendor(v: VendorRow, role: VendorRole): DeveloperVendor {
  return {
    id: v.id,
    name: v.name,
    slug: v.slug,
    status: v.status,
    contactEmail: v.contact_email,
    verifiedAt: v.verified_at ? new Date(v.verified_at).toISOString() : null,
    role,
    legalName: v.legal_name,
    website: v.website,
    description: v.description,
    statusReason: v.status_reason,
    statusLabel: VENDOR_STATUS_LABELS[v.status],
  };
}

/**
 * Registers a vendor from the developer portal's form (name, slug, legal
 * name, contact e-mail, website, description). It starts `pending`; the
 * registering user is its owner.
 *
 * @example
 * const vendor = await registerVendor(db, user, { name: "Acme", slug: "acme", legalName: "Acme Ltd", contactEmail: "dev@acme.test" });
 */
export async function registerVendor(db: Kysely<Database>, owner: { id: string }, form: unknown): Promise<DeveloperVendor> {
  const data = parse(VendorRegistrationForm, form);
  const view = await createVendor(db, owner, data);
  return developerVendor((await selectVendor(db, view.id))!, "owner");
}

/** The vendors the user belongs to, with their role. */
export async function listMyVendors(db: Kysely<Database>, userId: string): Promise<DeveloperVendor[]> {
  return (await selectVendorsOfUser(db, userId)).map((v) => developerVendor(v, v.role));
}

/**
 * The vendor, if the user is one of its members (404 otherwise, so vendor
 * ids cannot be probed). `owner: true` also requires the owner role (403).
 */
export async function requireVendorMember(db: Kysely<Database>, userId: string, vendorId: string, opts: { owner?: boolean } = {}): Promise<DeveloperVendor> {
  const vendor = await selectVendor(db, vendorId);
  const role = vendor ? await selectVendorRole(db, vendor.id, userId) : null;
  if (!vendor || !role) throw notFound("Vendor not found");
  if (opts.owner && role !== "owner") throw new AppError("forbidden", "Only the vendor's owner can do this.");
  return developerVendor(vendor, role);
}

/**
 * A reviewer's decision on a vendor: `verify` or `reject` a pending one,
 * `suspend` a verified one (VENDOR_DECISIONS). The reason is required and
 * shown to the vendor's members, who are notified. A decision the vendor's
 * current status does not allow is a 409 `vendor_status` (and changes
 * nothing: the UPDATE is conditional on the status it expects).
 *
 * @example
 * await decideVendor(db, reviewer, { vendorId, decision: "verify", reason: "Company registration checked." });
 */
export async function decideVendor(
  db: Kysely<Database>,
  reviewer: { id: string },
  input: { vendorId: string; decision: VendorDecision; reason: string },
): Promise<Omit<DeveloperVendor, "role">> {
  const decision = VendorDecisionName.safeParse(input.decision);
  if (!decision.success) throw new AppError("bad_request", "Unknown decision.", { fieldErrors: { decision: ["Choose verify, reject or suspend"] } });
  const reason = DecisionReason.safeParse(input.reason);
  if (!reason.success) throw new AppError("bad_request", "A reason is required.", { fieldErrors: { reason: reason.error.issues.map((i) => i.message) } });
  const to = VENDOR_DECISIONS[decision.data].to;
  return inTransaction(db, async (trx) => {
    await setVendorStatus(trx, reviewer, input.vendorId, to, reason.data);
    const members = await selectVendorMembers(trx, input.vendorId);
    const vendor = (await selectVendor(trx, input.vendorId))!;
    const title =
      to === "verified" ? `${vendor.name} is verified` : to === "rejected" ? `${vendor.name} was not verified` : `${vendor.name} was suspended`;
    const body =
      to === "verified"
        ? `A Bazaar reviewer verified ${vendor.name}: you can now submit extension versions for review. Reviewer's note: ${reason.data}`
        : `Reason from the Bazaar reviewer: ${reason.data}`;
    for (const m of members) {
      await notify(trx, { userId: m.userId, kind: `vendor.${to}`, title, body, link: `/developer/vendors/${vendor.id}`, data: { vendorId: vendor.id } });
    }
    const { role: _role, ...view } = developerVendor(vendor, "owner");
    return view;
  });
}

// ---- teammates -------------------------------------------------------------------------------

export type VendorTeam = {
  members: { userId: string; name: string; email: string; role: VendorRole; joinedAt: string }[];
  invites: { id: string; email: string; expiresAt: string }[];
};

export async function getVendorTeam(db: Kysely<Database>, vendorId: string): Promise<VendorTeam> {
  const [members, invites] = await Promise.all([selectVendorMembers(db, vendorId), selectPendingVendorInvites(db, vendorId)]);
  return {
    members: members.map((m) => ({ ...m, joinedAt: new Date(m.joinedAt).toISOString() })),
    invites: invites.map((i) => ({ id: i.id, email: i.email, expiresAt: new Date(i.expires_at).toISOString() })),
  };
}

/**
 * Invites an e-mail address to the vendor as a developer and e-mails the
 * link (`/developer/invites/<token>`). The guard has checked that the
 * inviter owns the vendor. A second invite to the address replaces the first.
 */
export async function inviteVendorMember(
  db: Kysely<Database>,
  who: { vendor: { id: string; name: string }; inviter: { id: string; name: string } },
  form: unknown,
  opts: { publicUrl: string },
): Promise<{ inviteId: string; link: string }> {
  const { email } = parse(VendorInviteForm, form);
  if (await selectMemberByEmail(db, who.vendor.id, email)) {
    throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { email: ["That person is already a member of this vendor."] } });
  }
  const token = newToken();
  const link = `${opts.publicUrl.replace(/\/$/, "")}/developer/invites/${token}`;
  const inviteId = newId("vin");
  await inTransaction(db, async (trx) => {
    const now = new Date();
    await revokePendingVendorInvitesFor(trx, who.vendor.id, email, now);
    await insertVendorInvite(trx, {
      id: inviteId,
      vendor_id: who.vendor.id,
      email,
      token_hash: hashToken(token),
      invited_by: who.inviter.id,
      expires_at: new Date(now.getTime() + VENDOR_INVITE_TTL_MS),
    });
    await sendMail(trx, {
      to: email,
      subject: `${who.inviter.name} invited you to develop for ${who.vendor.name} on Bazaar`,
      text: [
        "Hello,",
        `${who.inviter.name} invited you to join ${who.vendor.name}, a vendor of extensions on Bazaar, as a developer.`,
        `Open this link within 7 days to accept. You will be asked to log in or sign up with this e-mail address (${email}):\n${link}`,
        "If you were not expecting this, ignore this e-mail.",
      ].join("\n\n"),
    });
    await record(trx, { type: "user", id: who.inviter.id }, "vendor.member_invited", { type: "vendor", id: who.vendor.id }, { email, inviteId });
  });
  return { inviteId, link };
}

export async function revokeVendorInvite(db: Kysely<Database>, actor: { id: string }, vendorId: string, inviteId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const invite = await revokePendingVendorInvite(trx, vendorId, inviteId, new Date());
    if (!invite) throw new AppError("bad_request", "That invitation is no longer pending.");
    await record(trx, { type: "user", id: actor.id }, "vendor.invite_revoked", { type: "vendor", id: vendorId }, { email: invite.email, inviteId });
  });
}

export type VendorInvitationView =
  | { state: "invalid" }
  | { state: "pending"; vendorName: string; email: string; expiresAt: string; viewer: "anonymous" | "match" | "mismatch" };

const plausible = (t: string) => /^[A-Za-z0-9_-]{20,100}$/.test(t);

/** An invitation by its link's token; unknown, used, revoked and expired all read "invalid". */
export async function getVendorInvitation(db: Kysely<Database>, token: string, viewer: { email: string } | null): Promise<VendorInvitationView> {
  if (!plausible(token)) return { state: "invalid" };
  const invite = await selectVendorInviteByHash(db, hashToken(token));
  if (!invite || invite.accepted_at || invite.revoked_at || new Date(invite.expires_at) <= new Date()) return { state: "invalid" };
  const vendor = await selectVendor(db, invite.vendor_id);
  if (!vendor) return { state: "invalid" };
  return {
    state: "pending",
    vendorName: vendor.name,
    email: invite.email,
    expiresAt: new Date(invite.expires_at).toISOString(),
    viewer: !viewer ? "anonymous" : viewer.email === invite.email ? "match" : "mismatch",
  };
}

/** Accepts an invitation as the signed-in user (whose e-mail must be the invited one): they join as a developer. */
export async function acceptVendorInvitation(db: Kysely<Database>, user: { id: string; email: string; name: string }, token: string): Promise<{ vendorId: string }> {
  const invalid = () => new AppError("bad_request", "This invitation is no longer valid. Ask the vendor's owner for a new one.", { code: "invite_invalid" });
  if (!plausible(token)) throw invalid();
  return inTransaction(db, async (trx) => {
    const invite = await selectVendorInviteByHash(trx, hashToken(token));
    if (!invite) throw invalid();
    if (invite.email !== user.email) throw new AppError("forbidden", `This invitation was sent to another e-mail address. Log in as ${invite.email} to accept it.`, { code: "invite_other_email" });
    if (!(await markVendorInviteAccepted(trx, invite.id, user.id, new Date()))) throw invalid();
    const added = await insertVendorMember(trx, invite.vendor_id, user.id, "developer");
    await record(trx, { type: "user", id: user.id }, "vendor.member_joined", { type: "vendor", id: invite.vendor_id }, { inviteId: invite.id, alreadyMember: !added });
    if (added && invite.invited_by !== user.id) {
      await notify(trx, {
        userId: invite.invited_by,
        kind: "vendor.member_joined",
        title: `${user.name} joined your vendor`,
        body: `${user.name} (${user.email}) accepted your invitation.`,
        link: `/developer/vendors/${invite.vendor_id}`,
      });
    }
    return { vendorId: invite.vendor_id };
  });
}
