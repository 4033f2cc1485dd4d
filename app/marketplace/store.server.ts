/**
 * The merchant marketplace (/marketplace): browsing and searching listed
 * extensions, a listing's page, and keeping a shop's installs up to date.
 *
 * Listed = a verified vendor, the extension not suspended, and at least one
 * approved version (the store shows the newest approved one). Updates: when a
 * newer approved version asks for no scope the shop has not granted, it is
 * applied automatically (right after its approval, and by the
 * `marketplace.auto_update` sweep); otherwise the merchant sees "needs
 * consent" and re-consents on the install page.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { AuditActor } from "../audit/index.server";
import { renderDescription } from "../catalog/index.server";
import { defineJob } from "../jobs/index.server";
import { notify } from "../notifications/index.server";
import { listShopsForUser } from "../shops/index.server";
import { AppError, isAppError, notFound } from "../lib/errors";
import { HostManifest, InstallId, SCOPE_LABELS, type HookName, type Scope } from "./marketplace.schema";
import { installExtension, listShopInstalls, getInstall, updateSettings, type InstallView } from "./marketplace.service.server";
import { settingsFormFields, settingsFromForm, type SettingsFormField } from "./settings-form";
import { selectApprovedVersions, selectListingByHandle, selectListings, selectLiveInstallsWithVersion, type ListingRow } from "./store.repository.server";
import { CATEGORY_LABELS, EXTENSION_CATEGORIES } from "./workflows.schema";
import { iconUrlOf } from "./listings.server";

export const STORE_PAGE_SIZE = 12;

/** What each hook means to a merchant, on the listing page. */
export const HOOK_LABELS: Record<HookName, string> = {
  "checkout.discounts": "Offers discounts at checkout",
  "order.paid": "Acts when an order is paid",
  "order.completed": "Acts when an order is completed",
  "order.refunded": "Acts when an order is refunded",
  "customer.created": "Acts when a new customer signs up",
  "storefront.blocks": "Shows information on your storefront",
};

/** Compares two semantic versions (major.minor.patch; a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split("+")[0].split("-", 2);
    return { nums: core.split(".").map((n) => Number.parseInt(n, 10) || 0), pre: pre ?? null };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1;
  if (y.pre === null) return -1;
  return x.pre < y.pre ? -1 : 1;
}

// ---- browsing -------------------------------------------------------------------------------

const StoreQuery = z.object({
  q: z.string().trim().max(80).optional().catch(undefined),
  category: z.enum(EXTENSION_CATEGORIES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(500).catch(1).default(1),
});

export type ListingCard = {
  handle: string;
  name: string;
  tagline: string;
  category: string;
  categoryLabel: string;
  vendorName: string;
  pricingLabel: string;
  /** the listing's icon (served at /developers/icons/…), or null for a letter icon */
  iconUrl: string | null;
  version: string;
  installCount: number;
  rating: { average: number | null; count: number };
};

function cardOf(row: ListingRow): ListingCard {
  return {
    handle: row.handle,
    name: row.name,
    tagline: row.tagline || row.summary,
    category: row.category,
    categoryLabel: CATEGORY_LABELS[row.category] ?? "Other",
    vendorName: row.vendor_name,
    pricingLabel: row.pricing_label || "Free",
    iconUrl: iconUrlOf(row.icon_key),
    version: row.version,
    installCount: Number(row.install_count),
    rating: { average: row.rating_avg === null ? null : Number(row.rating_avg), count: Number(row.rating_count) },
  };
}

/**
 * A page of listed extensions matching the search and category, most
 * installed first. Bad query values fall back to defaults (a store URL never 400s).
 *
 * @example const { items, hasNext } = await searchListings(db, { q: "points", category: "points", page: "1" });
 */
export async function searchListings(db: Kysely<Database>, query: Record<string, unknown>) {
  const q = StoreQuery.parse(query);
  const rows = await selectListings(db, { q: q.q || null, category: q.category ?? null, offset: (q.page - 1) * STORE_PAGE_SIZE, limit: STORE_PAGE_SIZE + 1 });
  return {
    q: q.q ?? "",
    category: q.category ?? null,
    page: q.page,
    hasNext: rows.length > STORE_PAGE_SIZE,
    items: rows.slice(0, STORE_PAGE_SIZE).map(cardOf),
    categories: EXTENSION_CATEGORIES.map((c) => ({ id: c, label: CATEGORY_LABELS[c] })),
  };
}

/** A listing's page: what it does (sanitized Markdown), where it runs, the access it asks for in plain language, settings, and stats. */
export async function getListing(db: Kysely<Database>, handle: string) {
  const row = await selectListingByHandle(db, handle);
  if (!row) throw notFound("This extension is not in the marketplace.");
  const manifest = HostManifest.parse(row.manifest);
  return {
    ...cardOf(row),
    extensionId: row.id,
    versionId: row.version_id,
    descriptionHtml: renderDescription(row.description || manifest.description || row.summary || ""),
    supportContact: row.support_contact || null,
    approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
    hooks: manifest.hooks.map((h) => ({ hook: h, label: HOOK_LABELS[h] ?? h })),
    scopes: manifest.scopes.map((s) => ({ scope: s.scope, label: SCOPE_LABELS[s.scope as Scope], justification: s.justification })),
    settings: (manifest.settings ?? []).map((f) => ({ key: f.key, label: f.label, description: f.description ?? null })),
    retentionDays: manifest.retentionDays,
  };
}

/**
 * The shops a signed-in user owns, each with this extension's live install
 * there (if any): the listing page's "Installed in …" and its review form.
 */
export async function viewerShopsFor(db: Kysely<Database>, userId: string, extensionId: string) {
  const shops = (await listShopsForUser(db, userId)).filter((s) => s.role === "owner" && s.status === "active");
  if (shops.length === 0) return [];
  const rows = await db
    .selectFrom("installs")
    .select(["id", "shop_id", "status"])
    .where("shop_id", "in", shops.map((s) => s.id))
    .where("extension_id", "=", extensionId)
    .orderBy("id", "desc")
    .execute();
  return shops.map((s) => {
    const live = rows.find((r) => r.shop_id === s.id && r.status !== "uninstalled");
    const ever = rows.some((r) => r.shop_id === s.id);
    return { shopId: s.id, shopName: s.name, installId: live?.id ?? null, installStatus: live?.status ?? null, everInstalled: ever };
  });
}

// ---- a shop's installs and their updates -----------------------------------------------------

export type UpdateOffer = { versionId: string; version: string; newScopes: { scope: Scope; label: string; justification: string }[]; needsConsent: boolean };

async function latestApproved(db: Kysely<Database>, extensionId: string) {
  const rows = await selectApprovedVersions(db, extensionId);
  let best: (typeof rows)[number] | null = null;
  for (const r of rows) if (!best || compareVersions(r.version, best.version) > 0) best = r;
  return best;
}

function offerFor(install: { version: string; grantedScopes: string[] }, latest: { id: string; version: string; manifest: unknown } | null): UpdateOffer | null {
  if (!latest || compareVersions(latest.version, install.version) <= 0) return null;
  const manifest = HostManifest.parse(latest.manifest);
  const newScopes = manifest.scopes
    .filter((s) => !install.grantedScopes.includes(s.scope))
    .map((s) => ({ scope: s.scope as Scope, label: SCOPE_LABELS[s.scope as Scope], justification: s.justification }));
  return { versionId: latest.id, version: latest.version, newScopes, needsConsent: newScopes.length > 0 };
}

/** The shop's live installs in the merchant's order, each with the newer approved version on offer (if any). */
export async function shopInstallsWithUpdates(db: Kysely<Database>, shopId: string): Promise<(InstallView & { update: UpdateOffer | null; extensionSuspended: boolean })[]> {
  const installs = await listShopInstalls(db, shopId);
  const ids = [...new Set(installs.map((i) => i.extensionId))];
  const suspended = new Set(
    ids.length ? (await db.selectFrom("extensions").select("id").where("id", "in", ids).where("suspended_at", "is not", null).execute()).map((r) => r.id) : [],
  );
  const latest = new Map<string, Awaited<ReturnType<typeof latestApproved>>>();
  for (const id of ids) latest.set(id, await latestApproved(db, id));
  return installs.map((i) => ({ ...i, update: offerFor(i, latest.get(i.extensionId) ?? null), extensionSuspended: suspended.has(i.extensionId) }));
}

export const RETAINED_PAGE_SIZE = 20;

/** The shop's uninstalled extensions (export offered while their data is kept), newest first, 20 a page with a `before` id cursor. */
export async function shopRetainedInstalls(db: Kysely<Database>, shopId: string, before: string | null = null) {
  let q = db
    .selectFrom("installs as i")
    .innerJoin("extensions as e", "e.id", "i.extension_id")
    .select(["i.id", "e.name", "e.handle", "i.uninstalled_at", "i.data_retained_until", "i.data_deleted_at"])
    .where("i.shop_id", "=", shopId)
    .where("i.status", "=", "uninstalled");
  if (before && InstallId.safeParse(before).success) q = q.where("i.id", "<", before);
  const rows = await q.orderBy("i.id", "desc").limit(RETAINED_PAGE_SIZE + 1).execute();
  const page = rows.slice(0, RETAINED_PAGE_SIZE);
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    items: page.map((r) => ({ installId: r.id, name: r.name, handle: r.handle, uninstalledAt: iso(r.uninstalled_at), dataRetainedUntil: iso(r.data_retained_until), dataDeleted: r.data_deleted_at !== null })),
    next: rows.length > RETAINED_PAGE_SIZE ? page[page.length - 1].id : null,
  };
}

/**
 * Updates one install to the newest approved version. One that asks for new
 * scopes is refused with 409 `consent_required`: the merchant re-consents on
 * `/marketplace/:handle/install`.
 */
export async function updateInstallToLatest(db: Kysely<Database>, actor: AuditActor, input: { shopId: string; installId: unknown }): Promise<InstallView> {
  const installId = InstallId.safeParse(input.installId);
  if (!installId.success) throw new AppError("bad_request", "Unknown extension");
  const install = await getInstall(db, input.shopId, installId.data);
  if (!install || install.status === "uninstalled") throw notFound("Extension not found");
  const offer = offerFor(install, await latestApproved(db, install.extensionId));
  if (!offer) throw new AppError("conflict", "This extension is already up to date.", { code: "up_to_date" });
  if (offer.needsConsent) throw new AppError("conflict", `Version ${offer.version} asks for more access; review it on the install page.`, { code: "consent_required" });
  return installExtension(db, actor, { shopId: input.shopId, versionId: offer.versionId });
}

/**
 * Applies every update that needs no new consent: each live install (of
 * `extensionId`, or of every extension) whose extension has a newer approved
 * version asking only for scopes already granted moves to it (audited as
 * `extension.updated` by the system). Others are counted as needing consent.
 *
 * @example await applyAutomaticUpdates(db, { extensionId }); // { updated: 3, needsConsent: 1 }
 */
export async function applyAutomaticUpdates(db: Kysely<Database>, opts: { extensionId?: string } = {}): Promise<{ updated: number; needsConsent: number }> {
  const installs = await selectLiveInstallsWithVersion(db, opts.extensionId ? [opts.extensionId] : null);
  const latest = new Map<string, Awaited<ReturnType<typeof latestApproved>>>();
  let updated = 0;
  let needsConsent = 0;
  for (const i of installs) {
    if (!latest.has(i.extension_id)) latest.set(i.extension_id, await latestApproved(db, i.extension_id));
    const granted = Array.isArray(i.granted_scopes) ? (i.granted_scopes as string[]) : [];
    const offer = offerFor({ version: i.version, grantedScopes: granted }, latest.get(i.extension_id) ?? null);
    if (!offer) continue;
    if (offer.needsConsent) {
      needsConsent++;
      continue;
    }
    try {
      await installExtension(db, { type: "system" }, { shopId: i.shop_id, versionId: offer.versionId });
      updated++;
    } catch (e) {
      // a concurrent update or uninstall got there first, or the shop closed: the next sweep sees the new state
      if (!isAppError(e)) throw e;
    }
  }
  return { updated, needsConsent };
}

/** The install's settings form: the manifest's fields filled with the current values. */
export function installSettingsForm(install: Pick<InstallView, "manifest" | "settings">): SettingsFormField[] {
  return settingsFormFields(install.manifest.settings ?? [], install.settings);
}

/**
 * Saves the settings form as posted (strings; unchecked boxes absent),
 * validated against the install's manifest: 400 with the fields' errors.
 */
export async function saveInstallSettingsForm(db: Kysely<Database>, actor: AuditActor, input: { shopId: string; installId: string; form: Record<string, FormDataEntryValue> }): Promise<InstallView> {
  const install = await getInstall(db, input.shopId, input.installId);
  if (!install || install.status === "uninstalled") throw notFound("Extension not found");
  const values: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(input.form)) if (typeof v === "string") values[k] = v;
  const parsed = settingsFromForm(install.manifest.settings ?? [], values);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted settings.", { fieldErrors: parsed.fieldErrors });
  return updateSettings(db, actor, { shopId: input.shopId, installId: install.installId, settings: parsed.settings });
}

/**
 * Tells the owners of every shop whose install of the extension waits for
 * consent to `versionId` (it asks for scopes not granted) that the update is
 * there, with a link to the consent page. Called once, after the approval.
 *
 * @example await notifyUpdatesNeedingConsent(db, versionId); // 2 (shops told)
 */
export async function notifyUpdatesNeedingConsent(db: Kysely<Database>, versionId: string): Promise<number> {
  const version = await db.selectFrom("extension_versions as v").innerJoin("extensions as e", "e.id", "v.extension_id").select(["v.extension_id", "v.version", "e.name", "e.handle"]).where("v.id", "=", versionId).executeTakeFirst();
  if (!version) return 0;
  const latest = await latestApproved(db, version.extension_id);
  if (!latest || latest.id !== versionId) return 0;
  const waiting = (await selectLiveInstallsWithVersion(db, [version.extension_id])).filter((i) => {
    const granted = Array.isArray(i.granted_scopes) ? (i.granted_scopes as string[]) : [];
    return offerFor({ version: i.version, grantedScopes: granted }, latest)?.needsConsent;
  });
  if (waiting.length === 0) return 0;
  await db.transaction().execute(async (trx) => {
    for (const i of waiting) {
      const owners = await trx.selectFrom("shop_members").select("user_id").where("shop_id", "=", i.shop_id).where("role", "=", "owner").execute();
      for (const o of owners) {
        await notify(trx, {
          userId: o.user_id,
          kind: "extension.update_needs_consent",
          title: `${version.name} ${version.version} asks for more access`,
          body: `A new version of ${version.name} is available. It asks for access your shop has not granted, so it waits for you: review it and update, or keep the version you have.`,
          link: `/marketplace/${encodeURIComponent(version.handle)}/install`,
          data: { installId: i.id, versionId },
        });
      }
    }
  });
  return waiting.length;
}

export const AUTO_UPDATE_EVERY_MS = 5 * 60_000;

export const autoUpdateJob = defineJob<Record<string, never>>({
  name: "marketplace.auto_update",
  concurrency: 1,
  schedule: { everyMs: AUTO_UPDATE_EVERY_MS },
  handler: (platform) => async () => {
    await applyAutomaticUpdates(platform.db);
  },
});
