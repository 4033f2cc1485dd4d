/**
 * The reviewer console (/review/vendors, /review/versions, /review/extensions):
 * queues oldest first, a version's review page (checks, manifest, and what
 * changed since the previous approved version), decisions with a required
 * reason the developer is told about, and suspensions that reach every shop.
 *
 * Suspension is immediate everywhere because nothing caches whether an
 * install may run: every hook call reads the shop's active installs from the
 * database (`activeInstalls`, which also excludes suspended versions and
 * extensions), and asynchronous deliveries re-read the install before they
 * run. The caches a process keeps (parsed manifests by version id, bundles by
 * content hash) hold immutable data only.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { VendorStatus, VersionStatus } from "../../db/tables/marketplace";
import { record, type AuditActor } from "../audit/index.server";
import type { JobQueue } from "../jobs/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { enqueueMailDelivery, notify } from "../notifications/index.server";
import { HostManifest, SCOPE_LABELS, VendorId, VersionId, ExtensionId, type Scope } from "./marketplace.schema";
import { decideVendor } from "./vendors.server";
import { decideVersion } from "./versions.server";
import { DecisionReason, VendorDecisionName, VersionDecisionName } from "./workflows.schema";
import { selectVendor, selectVersion, selectExtension } from "./marketplace.repository.server";
import {
  countByStatus,
  markInstallReviewerSuspended,
  selectExtensionForReview,
  selectExtensionsForReview,
  selectLiveInstallsOf,
  selectPreviousApproved,
  selectReviewerSuspendedResumable,
  selectVendorMembers,
  selectVendorQueue,
  selectVersionQueue,
  setExtensionSuspension,
  shopOwnerIds,
} from "./store.repository.server";
import { updateInstallStatus } from "./marketplace.repository.server";

/** What a console action needs: the database, and the queue and public URL for the e-mails it sends after commit. */
export type ConsolePlatform = { db: Kysely<Database>; jobs: JobQueue; config: { publicUrl: string } };

export const QUEUE_PAGE_SIZE = 20;

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function requireReason(reason: unknown): string {
  const parsed = DecisionReason.safeParse(typeof reason === "string" ? reason : "");
  if (!parsed.success) throw new AppError("bad_request", "A reason is required.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues.map((i) => ({ ...i, path: ["reason"] }))) });
  return parsed.data;
}

async function sendMails(platform: ConsolePlatform, mailIds: string[]): Promise<void> {
  // after commit: never enqueue inside a transaction (the mail sweep picks up any that fail here)
  for (const id of mailIds) await enqueueMailDelivery(platform.jobs, id).catch((e) => console.warn(`[marketplace] mail ${id} not enqueued: ${String(e)}`));
}

function ageOf(created: Date | string, now = Date.now()): { hours: number; label: string } {
  const ms = Math.max(0, now - new Date(created).getTime());
  const hours = ms / 3_600_000;
  const label = hours < 1 ? `${Math.max(1, Math.round(ms / 60_000))} min` : hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`;
  return { hours, label };
}

// ---- queues ------------------------------------------------------------------------------

const VendorQueueQuery = z.object({
  status: z.enum(["pending", "verified", "rejected", "suspended"]).default("pending"),
  after: VendorId.optional().catch(undefined),
});
const VersionQueueQuery = z.object({
  status: z.enum(["checks_passed", "submitted", "checks_failed", "approved", "rejected", "suspended"]).default("checks_passed"),
  after: VersionId.optional().catch(undefined),
});

export type QueuePage<T> = { items: T[]; next: string | null; status: string; counts: Record<string, number> };

/**
 * Vendors in a status (default: pending, the verification queue), oldest
 * first, {@link QUEUE_PAGE_SIZE} a page with an id cursor.
 *
 * @example const page = await vendorQueue(db, { status: "pending" }); page.items[0].age.label // "3 h"
 */
export async function vendorQueue(db: Kysely<Database>, query: Record<string, unknown>) {
  const q = VendorQueueQuery.safeParse(query);
  if (!q.success) throw new AppError("bad_request", "Unknown queue", { fieldErrors: fieldErrorsFromZod(q.error.issues) });
  const rows = await selectVendorQueue(db, q.data.status, q.data.after ?? null, QUEUE_PAGE_SIZE + 1);
  const page = rows.slice(0, QUEUE_PAGE_SIZE);
  return {
    status: q.data.status as VendorStatus,
    items: page.map((v) => ({ id: v.id, name: v.name, slug: v.slug, contactEmail: v.contact_email, website: v.website, createdAt: new Date(v.created_at).toISOString(), age: ageOf(v.created_at) })),
    next: rows.length > QUEUE_PAGE_SIZE ? page[page.length - 1].id : null,
    counts: (await countByStatus(db)).vendors,
  };
}

/** Versions in a status (default: checks passed, awaiting a decision), oldest submission first, paginated. */
export async function versionQueue(db: Kysely<Database>, query: Record<string, unknown>) {
  const q = VersionQueueQuery.safeParse(query);
  if (!q.success) throw new AppError("bad_request", "Unknown queue", { fieldErrors: fieldErrorsFromZod(q.error.issues) });
  const rows = await selectVersionQueue(db, q.data.status, q.data.after ?? null, QUEUE_PAGE_SIZE + 1);
  const page = rows.slice(0, QUEUE_PAGE_SIZE);
  return {
    status: q.data.status as VersionStatus,
    items: page.map((v) => ({
      id: v.id,
      version: v.version,
      extensionId: v.extension_id,
      extensionName: v.extension_name,
      extensionHandle: v.extension_handle,
      vendorId: v.vendor_id,
      vendorName: v.vendor_name,
      submittedAt: new Date(v.created_at).toISOString(),
      age: ageOf(v.created_at),
    })),
    next: rows.length > QUEUE_PAGE_SIZE ? page[page.length - 1].id : null,
    counts: (await countByStatus(db)).versions,
  };
}

// ---- the manifest diff ----------------------------------------------------------------------

export type DiffLine = { op: " " | "+" | "-"; text: string };

/** A line diff (longest common subsequence) of two texts; small inputs only (manifests). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > 4_000_000) return [...a.map((text) => ({ op: "-" as const, text })), ...b.map((text) => ({ op: "+" as const, text }))];
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: " ", text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: "-", text: a[i++] });
    else out.push({ op: "+", text: b[j++] });
  }
  while (i < n) out.push({ op: "-", text: a[i++] });
  while (j < m) out.push({ op: "+", text: b[j++] });
  return out;
}

export type ManifestDiff = {
  /** null when there is no previous approved version (everything is new) */
  previousVersion: string | null;
  scopes: { scope: Scope; label: string; justification: string; change: "added" | "kept" | "removed" }[];
  hooks: { hook: string; change: "added" | "kept" | "removed" }[];
  settings: { key: string; change: "added" | "removed" | "changed" }[];
  retentionDays: { from: number | null; to: number };
  lines: DiffLine[];
};

const pretty = (m: HostManifest | null) => (m ? JSON.stringify(m, null, 2) : "");

/** What a version changes against the previous approved one: new scopes first (what a merchant must consent to again). */
export function diffManifests(prev: { version: string; manifest: HostManifest } | null, next: HostManifest): ManifestDiff {
  const before = prev?.manifest ?? null;
  const prevScopes = new Set(before?.scopes.map((s) => s.scope) ?? []);
  const nextScopes = new Set(next.scopes.map((s) => s.scope));
  const scopes: ManifestDiff["scopes"] = [
    ...next.scopes.map((s) => ({ scope: s.scope as Scope, label: SCOPE_LABELS[s.scope as Scope], justification: s.justification, change: prevScopes.has(s.scope) ? ("kept" as const) : ("added" as const) })),
    ...(before?.scopes ?? []).filter((s) => !nextScopes.has(s.scope)).map((s) => ({ scope: s.scope as Scope, label: SCOPE_LABELS[s.scope as Scope], justification: s.justification, change: "removed" as const })),
  ].sort((x, y) => (x.change === "added" ? 0 : 1) - (y.change === "added" ? 0 : 1));
  const prevHooks = new Set<string>(before?.hooks ?? []);
  const nextHooks = new Set<string>(next.hooks);
  const hooks: ManifestDiff["hooks"] = [
    ...next.hooks.map((h) => ({ hook: h, change: prevHooks.has(h) ? ("kept" as const) : ("added" as const) })),
    ...[...prevHooks].filter((h) => !nextHooks.has(h)).map((h) => ({ hook: h, change: "removed" as const })),
  ];
  const prevSettings = new Map((before?.settings ?? []).map((f) => [f.key, JSON.stringify(f)]));
  const nextSettings = new Map((next.settings ?? []).map((f) => [f.key, JSON.stringify(f)]));
  const settings: ManifestDiff["settings"] = [];
  for (const [key, text] of nextSettings) {
    if (!prevSettings.has(key)) settings.push({ key, change: "added" });
    else if (prevSettings.get(key) !== text) settings.push({ key, change: "changed" });
  }
  for (const key of prevSettings.keys()) if (!nextSettings.has(key)) settings.push({ key, change: "removed" });
  return {
    previousVersion: prev?.version ?? null,
    scopes,
    hooks,
    settings,
    retentionDays: { from: before?.retentionDays ?? null, to: next.retentionDays },
    lines: lineDiff(pretty(before), pretty(next)),
  };
}

// ---- review pages ------------------------------------------------------------------------------

/** One line of a version's automated checks (the developer side stores them in order). */
export type CheckLine = { seq: number; name: string; passed: boolean; detail: string };

async function checkLines(db: Kysely<Database>, versionId: string): Promise<CheckLine[]> {
  const rows = await db
    .selectFrom("extension_version_checks")
    .select(["seq", "name", "passed", "detail"])
    .where("version_id", "=", versionId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({ seq: r.seq, name: r.name, passed: r.passed, detail: r.detail }));
}

/** Everything the version's review page shows. */
export async function getVersionReview(db: Kysely<Database>, versionId: string) {
  if (!VersionId.safeParse(versionId).success) throw notFound("Version not found");
  const v = await selectVersion(db, versionId);
  if (!v) throw notFound("Version not found");
  const ext = await selectExtension(db, v.extension_id);
  const vendor = ext ? await selectVendor(db, ext.vendor_id) : undefined;
  if (!ext || !vendor) throw notFound("Version not found");
  const manifest = HostManifest.parse(v.manifest);
  const prevRow = await selectPreviousApproved(db, ext.id, v.id);
  const prev = prevRow ? { version: prevRow.version, manifest: HostManifest.parse(prevRow.manifest) } : null;
  return {
    version: {
      id: v.id,
      version: v.version,
      status: v.status,
      statusReason: v.status_reason,
      bundleHash: v.bundle_hash,
      submittedAt: new Date(v.created_at).toISOString(),
      reviewedAt: v.reviewed_at ? new Date(v.reviewed_at).toISOString() : null,
      age: ageOf(v.created_at),
    },
    extension: { id: ext.id, name: ext.name, handle: ext.handle, suspended: ext.suspended_at !== null },
    vendor: { id: vendor.id, name: vendor.name, status: vendor.status },
    manifest,
    manifestText: pretty(manifest),
    checks: await checkLines(db, v.id),
    diff: diffManifests(prev, manifest),
  };
}

export async function getVendorReview(db: Kysely<Database>, vendorId: string) {
  if (!VendorId.safeParse(vendorId).success) throw notFound("Vendor not found");
  const v = await selectVendor(db, vendorId);
  if (!v) throw notFound("Vendor not found");
  const members = await selectVendorMembers(db, v.id);
  const extensions = await db.selectFrom("extensions").select(["id", "name", "handle"]).where("vendor_id", "=", v.id).orderBy("name").execute();
  const row = v as typeof v & { legal_name?: string | null; description?: string };
  return {
    vendor: {
      id: v.id,
      name: v.name,
      slug: v.slug,
      legalName: row.legal_name ?? null,
      description: row.description ?? "",
      status: v.status,
      statusReason: v.status_reason,
      contactEmail: v.contact_email,
      website: v.website,
      createdAt: new Date(v.created_at).toISOString(),
      age: ageOf(v.created_at),
    },
    members: members.map((m) => ({ userId: m.user_id, name: m.name, email: m.email, role: m.role })),
    extensions,
  };
}

export async function listExtensionsForReview(db: Kysely<Database>, query: { q?: string | null; page?: string | null }) {
  const page = Math.max(1, Math.min(1000, Number.parseInt(query.page ?? "1", 10) || 1));
  const q = (query.q ?? "").trim().slice(0, 80) || null;
  const rows = await selectExtensionsForReview(db, { q, offset: (page - 1) * QUEUE_PAGE_SIZE, limit: QUEUE_PAGE_SIZE + 1 });
  return {
    page,
    q,
    hasNext: rows.length > QUEUE_PAGE_SIZE,
    items: rows.slice(0, QUEUE_PAGE_SIZE).map((e) => ({
      id: e.id,
      name: e.name,
      handle: e.handle,
      vendorName: e.vendor_name,
      vendorStatus: e.vendor_status,
      suspended: e.suspended_at !== null,
      liveInstalls: Number(e.live_installs),
    })),
  };
}

export async function getExtensionReview(db: Kysely<Database>, extensionId: string) {
  if (!ExtensionId.safeParse(extensionId).success) throw notFound("Extension not found");
  const e = await selectExtensionForReview(db, extensionId);
  if (!e) throw notFound("Extension not found");
  const versions = await db.selectFrom("extension_versions").select(["id", "version", "status", "status_reason", "created_at"]).where("extension_id", "=", e.id).orderBy("id", "desc").limit(50).execute();
  return {
    extension: {
      id: e.id,
      name: e.name,
      handle: e.handle,
      vendorId: e.vendor_id,
      vendorName: e.vendor_name,
      suspended: e.suspended_at !== null,
      suspendedAt: e.suspended_at ? new Date(e.suspended_at).toISOString() : null,
      suspensionReason: e.suspension_reason,
      liveInstalls: Number(e.live_installs),
    },
    versions: versions.map((v) => ({ id: v.id, version: v.version, status: v.status, statusReason: v.status_reason, submittedAt: new Date(v.created_at).toISOString() })),
  };
}

// ---- decisions ---------------------------------------------------------------------------------

async function notifyVendorMembers(trx: Kysely<Database>, platform: ConsolePlatform, vendorId: string, msg: { kind: string; title: string; body: string; link: string; data: Record<string, unknown> }): Promise<string[]> {
  const mailIds: string[] = [];
  for (const m of await selectVendorMembers(trx, vendorId)) {
    const { mailId } = await notify(trx, { userId: m.user_id, ...msg, email: true, publicUrl: platform.config.publicUrl });
    if (mailId) mailIds.push(mailId);
  }
  return mailIds;
}

const VendorDecisionForm = z.object({ vendorId: VendorId, decision: VendorDecisionName, reason: z.unknown() });

/**
 * A reviewer's decision on a vendor (`decideVendor`: a required reason, the
 * vendor's members notified, audited). Suspending a vendor also suspends
 * every extension of it, in every shop, in the same transaction.
 *
 * @example await decideVendorReview(platform, reviewer, { vendorId, decision: "verify", reason: "Company registration checked." });
 */
export async function decideVendorReview(platform: ConsolePlatform, reviewer: { id: string }, input: Record<string, unknown>): Promise<VendorStatus> {
  const parsed = VendorDecisionForm.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Unknown decision", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const reason = requireReason(input.reason);
  const { vendorId, decision } = parsed.data;
  const mailIds: string[] = [];
  const status = await inTransaction(platform.db, async (trx) => {
    const vendor = await decideVendor(trx, reviewer, { vendorId, decision, reason });
    if (decision === "suspend") {
      const exts = await trx.selectFrom("extensions").select("id").where("vendor_id", "=", vendorId).where("suspended_at", "is", null).execute();
      for (const e of exts) mailIds.push(...(await suspendExtensionIn(trx, platform, reviewer, e.id, `The vendor was suspended: ${reason}`)).mailIds);
    }
    return vendor.status;
  });
  await sendMails(platform, mailIds);
  return status;
}

const VersionDecisionForm = z.object({ versionId: VersionId, decision: VersionDecisionName, reason: z.unknown() });

/**
 * A reviewer's decision on a version (`decideVersion`: approve or reject one
 * in review, suspend an approved one; a required reason the developer sees;
 * audited). A suspension stops the version in every shop in the same
 * transaction; here the owners of those shops are notified too.
 *
 * @example await decideVersionReview(platform, reviewer, { versionId, decision: "approve", reason: "Checks pass; scopes justified." });
 */
export async function decideVersionReview(platform: ConsolePlatform, reviewer: { id: string }, input: Record<string, unknown>): Promise<{ status: VersionStatus; extensionId: string; shopsAffected: number }> {
  const parsed = VersionDecisionForm.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Unknown decision", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const reason = requireReason(input.reason);
  const { versionId, decision } = parsed.data;
  const mailIds: string[] = [];
  const result = await inTransaction(platform.db, async (trx) => {
    const decided = await decideVersion(trx, reviewer, { versionId, decision, reason });
    if (decided.suspendedInstalls.length) {
      const ext = (await selectExtension(trx, decided.extensionId))!;
      const installs = decided.suspendedInstalls.map((i) => ({ id: i.installId, shop_id: i.shopId }));
      mailIds.push(...(await notifyOwners(trx, platform, installs, { extensionName: ext.name, extensionId: ext.id, what: `version ${decided.version} of ${ext.name}`, reason })));
    }
    return { status: decided.status, extensionId: decided.extensionId, shopsAffected: decided.suspendedInstalls.length };
  });
  await sendMails(platform, mailIds);
  return result;
}

/** Notifies the owners of each install's shop that a reviewer suspended it. Returns mail ids to enqueue after commit. */
async function notifyOwners(
  trx: Kysely<Database>,
  platform: ConsolePlatform,
  installs: { id: string; shop_id: string }[],
  what: { extensionName: string; extensionId: string; what: string; reason: string },
): Promise<string[]> {
  const mailIds: string[] = [];
  for (const i of installs) {
    for (const ownerId of await shopOwnerIds(trx, i.shop_id)) {
      const { mailId } = await notify(trx, {
        userId: ownerId,
        kind: "extension.suspended",
        title: `${what.extensionName} was suspended by Bazaar`,
        body: `A Bazaar reviewer suspended ${what.what}, so it no longer runs in your shop. Checkout and your other extensions keep working. Reason: ${what.reason}`,
        link: `/admin/shops/${i.shop_id}/extensions/${i.id}`,
        data: { installId: i.id, extensionId: what.extensionId, reason: what.reason },
        email: true,
        publicUrl: platform.config.publicUrl,
      });
      if (mailId) mailIds.push(mailId);
    }
  }
  return mailIds;
}

/** Marks the installs suspended by a reviewer (also ones the merchant or faults had suspended: the merchant may not resume them), audits each in its shop. */
async function suspendInstallsIn(trx: Kysely<Database>, actor: AuditActor, installs: { id: string; shop_id: string }[], reason: string): Promise<{ id: string; shop_id: string }[]> {
  const at = new Date();
  const done: { id: string; shop_id: string }[] = [];
  for (const i of installs) {
    if (!(await markInstallReviewerSuspended(trx, i.shop_id, i.id, at))) continue;
    await record(trx, actor, "extension.suspended", { shopId: i.shop_id, type: "install", id: i.id }, { reason: "reviewer", detail: reason });
    done.push(i);
  }
  return done;
}

async function suspendExtensionIn(trx: Kysely<Database>, platform: ConsolePlatform, reviewer: { id: string }, extensionId: string, reason: string): Promise<{ mailIds: string[]; suspended: number }> {
  const actor: AuditActor = { type: "reviewer", id: reviewer.id };
  const ext = await setExtensionSuspension(trx, extensionId, { at: new Date(), reason });
  if (!ext) {
    if (!(await selectExtension(trx, extensionId))) throw notFound("Extension not found");
    throw new AppError("conflict", "The extension is already suspended.", { code: "extension_suspended" });
  }
  await record(trx, actor, "extension_listing.suspended", { type: "extension", id: extensionId }, { reason });
  const installs = await suspendInstallsIn(trx, actor, await selectLiveInstallsOf(trx, { extensionId }), reason);
  const mailIds = await notifyOwners(trx, platform, installs, { extensionName: ext.name, extensionId, what: ext.name, reason });
  return { mailIds, suspended: installs.length };
}

const ExtensionDecisionForm = z.object({ extensionId: ExtensionId, decision: z.enum(["suspend", "reinstate"]), reason: z.unknown() });

/**
 * Suspends a whole extension (every version, every shop; it leaves the
 * store) or reinstates it (installs a reviewer suspended resume where their
 * version is still approved). A reason is required either way; the vendor's
 * members and the affected shops' owners are notified.
 */
export async function decideExtensionReview(platform: ConsolePlatform, reviewer: { id: string }, input: Record<string, unknown>): Promise<{ suspended: boolean; shopsAffected: number }> {
  const parsed = ExtensionDecisionForm.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Unknown decision", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const reason = requireReason(input.reason);
  const { extensionId, decision } = parsed.data;
  const actor: AuditActor = { type: "reviewer", id: reviewer.id };
  const mailIds: string[] = [];
  const result = await inTransaction(platform.db, async (trx) => {
    const ext = await selectExtension(trx, extensionId);
    if (!ext) throw notFound("Extension not found");
    let shopsAffected = 0;
    if (decision === "suspend") {
      const r = await suspendExtensionIn(trx, platform, reviewer, extensionId, reason);
      mailIds.push(...r.mailIds);
      shopsAffected = r.suspended;
    } else {
      const row = await setExtensionSuspension(trx, extensionId, { at: null, reason: null });
      if (!row) throw new AppError("conflict", "The extension is not suspended.", { code: "extension_not_suspended" });
      await record(trx, actor, "extension_listing.reinstated", { type: "extension", id: extensionId }, { reason });
      const at = new Date();
      for (const i of await selectReviewerSuspendedResumable(trx, extensionId)) {
        if (!(await updateInstallStatus(trx, i.shop_id, i.id, ["suspended"], { status: "active", reason: null, at }))) continue;
        shopsAffected++;
        await record(trx, actor, "extension.resumed", { shopId: i.shop_id, type: "install", id: i.id }, { reason });
        for (const ownerId of await shopOwnerIds(trx, i.shop_id)) {
          const { mailId } = await notify(trx, {
            userId: ownerId,
            kind: "extension.resumed",
            title: `${ext.name} runs again`,
            body: `A Bazaar reviewer reinstated ${ext.name}; it runs in your shop again. Reason: ${reason}`,
            link: `/admin/shops/${i.shop_id}/extensions/${i.id}`,
            data: { installId: i.id, extensionId },
            email: true,
            publicUrl: platform.config.publicUrl,
          });
          if (mailId) mailIds.push(mailId);
        }
      }
    }
    const verb = decision === "suspend" ? "suspended" : "reinstated";
    mailIds.push(
      ...(await notifyVendorMembers(trx, platform, ext.vendor_id, {
        kind: `extension_listing.${verb}`,
        title: `${ext.name} was ${verb}`,
        body: `A Bazaar reviewer ${verb} ${ext.name}${decision === "suspend" ? " in every shop" : ""}. Reason: ${reason}`,
        link: `/developer/extensions/${ext.id}`,
        data: { extensionId, decision, reason },
      })),
    );
    return { suspended: decision === "suspend", shopsAffected };
  });
  await sendMails(platform, mailIds);
  return result;
}
