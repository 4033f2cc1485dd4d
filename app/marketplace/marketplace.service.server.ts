/**
 * The marketplace core: vendors, extensions and their versions, and installs.
 *
 * A version is a manifest plus a bundle; the bundle is stored once by content
 * hash (`sha256:<hex>`, also the sandbox's version key), so an unchanged
 * re-upload costs nothing and a runner's cache can never serve stale code.
 * Versions move `submitted → checks_passed | checks_failed → approved |
 * rejected`, `approved → suspended`; installs `active ⇄ suspended`,
 * either → `uninstalled`. Every change is one transaction with its audit row.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { InstallRow, InstallStatus, VendorRow, VersionStatus } from "../../db/tables/marketplace";
import { record, type AuditActor } from "../audit/index.server";
import { publish } from "../events/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { getShop } from "../shops/index.server";
import { getShopMembership } from "../accounts/index.server";
import { versionKeyOf } from "../../sandbox/protocol";
import { VENDOR_DECISIONS, VERSION_TRANSITIONS } from "./workflows.schema";
import {
  HostManifest,
  MoveInstallForm,
  ReorderForm,
  SCOPES,
  VendorForm,
  isAsyncHook,
  settingsSchemaOf,
  type HookName,
  type Scope,
} from "./marketplace.schema";
import {
  insertExtension,
  insertInstall,
  insertVendor,
  insertVersion,
  lockLiveInstallIds,
  selectActiveInstalls,
  selectBundleSource,
  selectExtension,
  selectExtensionByHandle,
  selectExtensionsOfVendors,
  selectInstall,
  selectInstallById,
  selectLiveInstallOf,
  selectMaxPosition,
  selectShopInstalls,
  selectVendor,
  selectVendorBySlug,
  selectVendorRole,
  selectVendorsOfUser,
  selectVersion,
  selectVersionsOfExtension,
  updateInstallPosition,
  updateInstallSettings,
  updateInstallStatus,
  updateInstallVersion,
  updateVendorStatus,
  updateVersionStatus,
  upsertBundle,
  type InstallJoinRow,
} from "./marketplace.repository.server";

/** The largest bundle the platform stores (the SDK's CLI checks the same). */
export const MAX_BUNDLE_BYTES = 256 * 1024;

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function badRequest(issues: { path: PropertyKey[]; message: string }[], message = "Please correct the highlighted fields."): AppError {
  return new AppError("bad_request", message, { fieldErrors: fieldErrorsFromZod(issues) });
}

// ---- views ---------------------------------------------------------------------

export type VendorView = { id: string; name: string; slug: string; status: VendorRow["status"]; contactEmail: string; verifiedAt: string | null };

function vendorView(v: VendorRow): VendorView {
  return { id: v.id, name: v.name, slug: v.slug, status: v.status, contactEmail: v.contact_email, verifiedAt: v.verified_at ? new Date(v.verified_at).toISOString() : null };
}

export type VersionView = {
  id: string;
  extensionId: string;
  version: string;
  status: VersionStatus;
  statusReason: string | null;
  bundleHash: string;
  manifest: HostManifest;
  createdAt: string;
};

/** What the host needs to call an install: everything but the bundle's text (see {@link loadBundle}). */
export type ActiveInstall = {
  installId: string;
  shopId: string;
  extensionId: string;
  extensionName: string;
  extensionHandle: string;
  vendorId: string;
  versionId: string;
  version: string;
  /** `sha256:<hex>`: the sandbox's version key and the bundle's storage key */
  bundleHash: string;
  hooks: HookName[];
  grantedScopes: Scope[];
  settings: Record<string, unknown>;
  manifest: HostManifest;
  status: InstallStatus;
  position: number;
};

/** An install as the merchant's pages show it. */
export type InstallView = ActiveInstall & {
  statusReason: string | null;
  installedAt: string;
  suspendedAt: string | null;
  uninstalledAt: string | null;
  dataRetainedUntil: string | null;
  /** the scopes the version asks for, with the developer's justification */
  requestedScopes: { scope: Scope; justification: string }[];
};

function manifestOf(raw: unknown): HostManifest {
  // Stored manifests were validated on submission; parse again so a row edited by hand cannot widen anything.
  const parsed = HostManifest.safeParse(raw);
  if (!parsed.success) throw new Error(`marketplace: a stored manifest no longer validates: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

// A version's manifest never changes, so its parse is cached by version id:
// every quote reads the shop's installs, and parsing each manifest each time
// would sit on the pricing path for nothing.
const manifestCache = new Map<string, { raw: string; manifest: HostManifest }>();
const MANIFEST_CACHE_SIZE = 256;

function manifestOfVersion(versionId: string, raw: unknown): HostManifest {
  const text = JSON.stringify(raw);
  const hit = manifestCache.get(versionId);
  if (hit && hit.raw === text) return hit.manifest;
  const manifest = manifestOf(raw);
  manifestCache.set(versionId, { raw: text, manifest });
  if (manifestCache.size > MANIFEST_CACHE_SIZE) manifestCache.delete(manifestCache.keys().next().value!);
  return manifest;
}

function installView(row: InstallJoinRow): InstallView {
  const manifest = manifestOfVersion(row.version_id, row.manifest);
  const granted = (Array.isArray(row.granted_scopes) ? row.granted_scopes : []).filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    installId: row.id,
    shopId: row.shop_id,
    extensionId: row.extension_id,
    extensionName: row.extension_name,
    extensionHandle: row.extension_handle,
    vendorId: row.vendor_id,
    versionId: row.version_id,
    version: row.version,
    bundleHash: row.bundle_hash,
    hooks: manifest.hooks,
    grantedScopes: granted,
    settings: (row.settings ?? {}) as Record<string, unknown>,
    manifest,
    status: row.status,
    position: row.position,
    statusReason: row.status_reason,
    installedAt: new Date(row.installed_at).toISOString(),
    suspendedAt: iso(row.suspended_at),
    uninstalledAt: iso(row.uninstalled_at),
    dataRetainedUntil: iso(row.data_retained_until),
    requestedScopes: manifest.scopes,
  };
}

// ---- vendors -------------------------------------------------------------------------

/**
 * Registers a vendor owned by `owner`; it starts `pending` until a reviewer verifies it.
 *
 * @example const vendor = await createVendor(db, user, { name: "Bazaar Labs", slug: "bazaar-labs", contactEmail: "labs@example.com" });
 */
export async function createVendor(db: Kysely<Database>, owner: { id: string }, form: unknown): Promise<VendorView> {
  const parsed = VendorForm.safeParse(form);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const v = parsed.data;
  return inTransaction(db, async (trx) => {
    if (await selectVendorBySlug(trx, v.slug)) throw new AppError("bad_request", "That name is taken.", { fieldErrors: { slug: ["That name is taken"] } });
    const row = await insertVendor(
      trx,
      {
        id: newId("vnd"),
        name: v.name,
        slug: v.slug,
        contact_email: v.contactEmail,
        website: v.website ?? null,
        legal_name: v.legalName ?? null,
        description: v.description ?? "",
        created_by: owner.id,
        updated_at: new Date(),
      },
      owner.id,
    );
    await record(trx, { type: "user", id: owner.id }, "vendor.created", { type: "vendor", id: row.id }, { slug: row.slug });
    return vendorView(row);
  });
}

/**
 * A reviewer's decision on a pending vendor (`verified` or `rejected`), or
 * suspends a verified one, along VENDOR_DECISIONS (workflows.schema.ts).
 * Only verified vendors can submit versions. The review console calls
 * `decideVendor` (vendors.server.ts), which requires a reason and tells the
 * vendor's members; this is its core (and the seed's).
 */
export async function setVendorStatus(
  db: Kysely<Database>,
  reviewer: { id: string },
  vendorId: string,
  to: "verified" | "rejected" | "suspended",
  reason: string | null = null,
): Promise<VendorView> {
  const decision = Object.values(VENDOR_DECISIONS).find((d) => d.to === to)!;
  const from = decision.from;
  return inTransaction(db, async (trx) => {
    const row = await updateVendorStatus(trx, vendorId, from, to, reason, new Date());
    if (!row) {
      if (!(await selectVendor(trx, vendorId))) throw notFound("Vendor not found");
      throw new AppError("conflict", `The vendor cannot be ${to} from its current status.`, { code: "vendor_status" });
    }
    await record(trx, { type: "reviewer", id: reviewer.id }, `vendor.${to}`, { type: "vendor", id: vendorId }, reason ? { reason } : {});
    return vendorView(row);
  });
}

export async function listVendorsOfUser(db: Kysely<Database>, userId: string): Promise<(VendorView & { role: "owner" | "developer" })[]> {
  return (await selectVendorsOfUser(db, userId)).map((v) => ({ ...vendorView(v), role: v.role }));
}

// ---- extensions and versions -----------------------------------------------------------

/**
 * Submits a version: the manifest is validated, the bundle stored by its
 * content hash, and the version starts `submitted` (automated checks move it
 * on). The first version of a manifest `id` creates the extension listing
 * under `vendorId`; later ones must come from the same vendor.
 *
 * @example
 * const v = await submitVersion(db, developer, { vendorId, manifest, bundle });
 * // v.status === "submitted"; v.bundleHash === "sha256:…"
 */
export async function submitVersion(
  db: Kysely<Database>,
  actor: { id: string },
  input: { vendorId: string; manifest: unknown; bundle: string; summary?: string },
): Promise<VersionView> {
  const parsed = HostManifest.safeParse(input.manifest);
  if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => ({ ...i, path: ["manifest", ...i.path] })), "The manifest is not valid.");
  const manifest = parsed.data;
  if (typeof input.bundle !== "string" || input.bundle.length === 0) throw new AppError("bad_request", "The bundle is empty.");
  const bytes = Buffer.byteLength(input.bundle, "utf8");
  if (bytes > MAX_BUNDLE_BYTES) throw new AppError("unprocessable", `The bundle is ${bytes} bytes; the limit is ${MAX_BUNDLE_BYTES}.`, { code: "bundle_too_large" });
  // the settings definition must itself make a schema (and its defaults must pass it)
  try {
    settingsSchemaOf(manifest.settings).parse({});
  } catch {
    throw new AppError("bad_request", "The manifest's settings defaults do not satisfy its own settings schema.", { fieldErrors: { "manifest.settings": ["Defaults are invalid"] } });
  }
  return inTransaction(db, async (trx) => {
    const vendor = await selectVendor(trx, input.vendorId);
    if (!vendor) throw notFound("Vendor not found");
    if (!(await selectVendorRole(trx, vendor.id, actor.id))) throw new AppError("forbidden", "You are not a member of this vendor.");
    if (vendor.status !== "verified") throw new AppError("unprocessable", "Only verified vendors can submit versions.", { code: "vendor_not_verified" });
    let extension = await selectExtensionByHandle(trx, manifest.id);
    if (extension && extension.vendor_id !== vendor.id) throw new AppError("conflict", "Another vendor owns this extension id.", { code: "extension_id_taken" });
    if (!extension) {
      extension = await insertExtension(trx, { id: newId("ext"), vendor_id: vendor.id, handle: manifest.id, name: manifest.name, summary: input.summary ?? "", updated_at: new Date() });
      await record(trx, { type: "user", id: actor.id }, "extension.created", { type: "extension", id: extension.id }, { handle: manifest.id });
    }
    const hash = versionKeyOf(input.bundle);
    await upsertBundle(trx, hash, input.bundle, bytes);
    const row = await insertVersion(trx, {
      id: newId("ver"),
      extension_id: extension.id,
      version: manifest.version,
      api_version: manifest.apiVersion,
      manifest: JSON.stringify(manifest),
      bundle_hash: hash,
      submitted_by: actor.id,
      updated_at: new Date(),
    });
    if (!row) throw new AppError("conflict", `Version ${manifest.version} was already submitted; versions are immutable.`, { code: "version_exists" });
    await record(trx, { type: "user", id: actor.id }, "extension_version.submitted", { type: "extension_version", id: row.id }, { extensionId: extension.id, version: manifest.version, bundleHash: hash });
    // the automated checks start from the outbox (checks.server.ts `versionChecksConsumer`), after commit
    await publish(trx, { name: "extension_version.submitted", subjectId: row.id, payload: { versionId: row.id, extensionId: extension.id, vendorId: vendor.id } });
    return { id: row.id, extensionId: extension.id, version: row.version, status: row.status, statusReason: row.status_reason, bundleHash: hash, manifest, createdAt: new Date(row.created_at).toISOString() };
  });
}

/**
 * Moves a version along its review: the automated checks' result
 * (`checks_passed` / `checks_failed`, actor system), a reviewer's decision
 * (`approved` / `rejected`, with a reason), or a suspension of an approved one.
 * Suspending a version suspends every active install of it.
 */
export async function setVersionStatus(
  db: Kysely<Database>,
  actor: AuditActor,
  versionId: string,
  to: Exclude<VersionStatus, "submitted">,
  reason: string | null = null,
): Promise<VersionStatus> {
  return inTransaction(db, async (trx) => {
    const at = new Date();
    const row = await updateVersionStatus(trx, versionId, VERSION_TRANSITIONS[to].from, to, { reason, reviewerId: actor.type === "reviewer" ? (actor.id ?? null) : null, at });
    if (!row) {
      if (!(await selectVersion(trx, versionId))) throw notFound("Version not found");
      throw new AppError("conflict", `The version cannot become ${to} from its current status.`, { code: "version_status" });
    }
    await record(trx, actor, `extension_version.${to}`, { type: "extension_version", id: versionId }, reason ? { reason } : {});
    return row.status;
  });
}

export async function getVersion(db: Kysely<Database>, versionId: string): Promise<VersionView | null> {
  const row = await selectVersion(db, versionId);
  if (!row) return null;
  return { id: row.id, extensionId: row.extension_id, version: row.version, status: row.status, statusReason: row.status_reason, bundleHash: row.bundle_hash, manifest: manifestOf(row.manifest), createdAt: new Date(row.created_at).toISOString() };
}

export async function listVersions(db: Kysely<Database>, extensionId: string): Promise<VersionView[]> {
  return (await selectVersionsOfExtension(db, extensionId)).map((row) => ({
    id: row.id,
    extensionId: row.extension_id,
    version: row.version,
    status: row.status,
    statusReason: row.status_reason,
    bundleHash: row.bundle_hash,
    manifest: manifestOf(row.manifest),
    createdAt: new Date(row.created_at).toISOString(),
  }));
}

export type DeveloperExtension = { id: string; handle: string; name: string; vendorId: string; vendorName: string };

/** The extensions of every vendor the user belongs to. */
export async function listDeveloperExtensions(db: Kysely<Database>, userId: string): Promise<DeveloperExtension[]> {
  const vendors = await selectVendorsOfUser(db, userId);
  const names = new Map(vendors.map((v) => [v.id, v.name]));
  return (await selectExtensionsOfVendors(db, vendors.map((v) => v.id))).map((e) => ({ id: e.id, handle: e.handle, name: e.name, vendorId: e.vendor_id, vendorName: names.get(e.vendor_id) ?? "" }));
}

/** The extension, if the user is a member of its vendor; otherwise 404 (ids cannot be probed). */
export async function requireDeveloperExtension(db: Kysely<Database>, userId: string, extensionId: string): Promise<DeveloperExtension> {
  const ext = await selectExtension(db, extensionId);
  const role = ext ? await selectVendorRole(db, ext.vendor_id, userId) : null;
  if (!ext || !role) throw notFound("Extension not found");
  const vendor = await selectVendor(db, ext.vendor_id);
  return { id: ext.id, handle: ext.handle, name: ext.name, vendorId: ext.vendor_id, vendorName: vendor?.name ?? "" };
}

// ---- bundles ---------------------------------------------------------------------------

// Content-addressed, so a cached text can never be stale; bounded so a long-lived process stays small.
const bundleCache = new Map<string, string>();
const BUNDLE_CACHE_SIZE = 64;

/** A bundle's text by its hash (cached per process: the hash is the content). */
export async function loadBundle(db: Kysely<Database>, hash: string): Promise<string | null> {
  const hit = bundleCache.get(hash);
  if (hit !== undefined) {
    bundleCache.delete(hash);
    bundleCache.set(hash, hit);
    return hit;
  }
  const source = await selectBundleSource(db, hash);
  if (source === undefined) return null;
  if (versionKeyOf(source) !== hash) throw new Error(`marketplace: bundle ${hash} does not match its hash`);
  bundleCache.set(hash, source);
  if (bundleCache.size > BUNDLE_CACHE_SIZE) bundleCache.delete(bundleCache.keys().next().value!);
  return source;
}

// ---- installs ------------------------------------------------------------------------

/**
 * Validates settings for an install against the version's manifest: only
 * declared fields, typed and bounded, defaults filled in.
 */
export function validateInstallSettings(manifest: HostManifest, settings: unknown): Record<string, unknown> {
  const parsed = settingsSchemaOf(manifest.settings).safeParse(settings ?? {});
  if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => ({ ...i, path: ["settings", ...i.path] })), "These settings are not valid for this extension.");
  return parsed.data;
}

/**
 * Installs a version in a shop (the consent page calls this after the
 * merchant granted scopes). The version must be approved and its vendor
 * verified — except in a development shop, where a member of the vendor may
 * install a version still under review. `grantedScopes` defaults to every
 * scope the manifest asks for and may not exceed them. If the shop already
 * has the extension, this updates it to the version; an update that asks for
 * scopes not yet granted needs them in `grantedScopes` (consent again).
 *
 * @example
 * const install = await installExtension(db, { type: "user", id: owner.id }, { shopId, versionId, settings: { percent: 10 } });
 */
export async function installExtension(
  db: Kysely<Database>,
  actor: AuditActor,
  input: { shopId: string; versionId: string; grantedScopes?: string[]; settings?: unknown },
): Promise<InstallView> {
  const shop = await getShop(db, input.shopId);
  if (!shop || shop.status !== "active") throw notFound("Shop not found");
  const version = await selectVersion(db, input.versionId);
  if (!version) throw notFound("Extension version not found");
  const extension = await selectExtension(db, version.extension_id);
  const vendor = extension ? await selectVendor(db, extension.vendor_id) : undefined;
  if (!extension || !vendor) throw notFound("Extension version not found");
  if (extension.suspended_at) throw new AppError("unprocessable", "A Bazaar reviewer suspended this extension.", { code: "extension_suspended" });
  const manifest = manifestOf(version.manifest);

  const approved = version.status === "approved" && vendor.status === "verified";
  // A version under review runs only in a development shop the installing vendor member works in.
  const devInstall =
    shop.isDevelopment &&
    actor.type === "user" &&
    !!actor.id &&
    !!(await selectVendorRole(db, vendor.id, actor.id)) &&
    !!(await getShopMembership(db, shop.id, actor.id)) &&
    ["submitted", "checks_passed", "approved"].includes(version.status) &&
    vendor.status !== "suspended";
  if (!approved && !devInstall) throw new AppError("unprocessable", "This version is not available for installation.", { code: "version_not_installable" });

  const requested = manifest.scopes.map((s) => s.scope);
  const granted = [...new Set(input.grantedScopes ?? requested)];
  const extra = granted.filter((s) => !(requested as string[]).includes(s));
  if (extra.length) throw new AppError("bad_request", `Scopes the extension did not ask for cannot be granted: ${extra.join(", ")}.`, { fieldErrors: { grantedScopes: ["Not requested by the extension"] } });
  const settings = validateInstallSettings(manifest, input.settings);

  return inTransaction(db, async (trx) => {
    const at = new Date();
    const live = await selectLiveInstallOf(trx, shop.id, extension.id);
    let installId: string;
    if (live) {
      if (live.version_id === version.id) throw new AppError("conflict", "This extension is already installed.", { code: "already_installed" });
      const before = Array.isArray(live.granted_scopes) ? (live.granted_scopes as string[]) : [];
      const scopes = input.grantedScopes ? granted : before.filter((s) => (requested as string[]).includes(s));
      const missing = requested.filter((s) => !scopes.includes(s) && !before.includes(s));
      if (!input.grantedScopes && missing.length) {
        throw new AppError("conflict", `The new version asks for more access (${missing.join(", ")}); the merchant must consent again.`, { code: "consent_required" });
      }
      // keep what the merchant set, as far as the new version's settings allow
      const merged = input.settings === undefined ? validateInstallSettings(manifest, pickDeclared(manifest, live.settings)) : settings;
      await updateInstallVersion(trx, shop.id, live.id, { versionId: version.id, grantedScopes: scopes, settings: merged, at });
      await record(trx, actor, "extension.updated", { shopId: shop.id, type: "install", id: live.id }, { versionId: version.id, version: version.version, grantedScopes: scopes });
      installId = live.id;
    } else {
      const position = (await selectMaxPosition(trx, shop.id)) + 1;
      const row = await insertInstall(trx, {
        id: newId("ins"),
        shop_id: shop.id,
        extension_id: extension.id,
        version_id: version.id,
        granted_scopes: JSON.stringify(granted),
        settings: JSON.stringify(settings),
        position,
        installed_by: actor.type === "user" ? (actor.id ?? null) : null,
        updated_at: at,
      });
      await record(trx, actor, "extension.installed", { shopId: shop.id, type: "install", id: row.id }, {
        extension: extension.handle,
        version: version.version,
        grantedScopes: granted,
        development: !approved,
      });
      installId = row.id;
    }
    const joined = await selectInstall(trx, shop.id, installId);
    return installView(joined!);
  });
}

function pickDeclared(manifest: HostManifest, settings: unknown): Record<string, unknown> {
  const schema = settingsSchemaOf(manifest.settings);
  const out: Record<string, unknown> = {};
  if (settings && typeof settings === "object") {
    for (const [k, v] of Object.entries(settings)) {
      const probe = schema.safeParse({ [k]: v });
      if (probe.success) out[k] = v;
    }
  }
  return out;
}

/** Changes an install's settings (validated against its version's manifest). */
export async function updateSettings(db: Kysely<Database>, actor: AuditActor, input: { shopId: string; installId: string; settings: unknown }): Promise<InstallView> {
  const install = await selectInstall(db, input.shopId, input.installId);
  if (!install || install.status === "uninstalled") throw notFound("Extension not found");
  const settings = validateInstallSettings(manifestOf(install.manifest), input.settings);
  return inTransaction(db, async (trx) => {
    if (!(await updateInstallSettings(trx, input.shopId, input.installId, settings, new Date()))) throw notFound("Extension not found");
    await record(trx, actor, "extension.settings_changed", { shopId: input.shopId, type: "install", id: input.installId }, { settings });
    return installView((await selectInstall(trx, input.shopId, input.installId))!);
  });
}

/** Why an install was suspended: its own faults, a reviewer, or the merchant. */
export type SuspendReason = "faults" | "reviewer" | "merchant";

/**
 * Suspends an active install: its hooks stop running. Resolves to false (and
 * writes nothing) if it was not active — a second suspension is a no-op, so
 * concurrent fault reports suspend once.
 */
export async function suspendInstall(
  db: Kysely<Database>,
  actor: AuditActor,
  input: { shopId: string; installId: string; reason: SuspendReason; detail?: string },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const row = await updateInstallStatus(trx, input.shopId, input.installId, ["active"], { status: "suspended", reason: input.reason, at: new Date() });
    if (!row) return false;
    await record(trx, actor, "extension.suspended", { shopId: input.shopId, type: "install", id: input.installId }, { reason: input.reason, ...(input.detail ? { detail: input.detail } : {}) });
    return true;
  });
}

/**
 * Resumes a suspended install. A merchant may resume one suspended for
 * faults or by themselves; one a reviewer suspended stays suspended.
 */
export async function resumeInstall(db: Kysely<Database>, actor: AuditActor, input: { shopId: string; installId: string }): Promise<void> {
  await inTransaction(db, async (trx) => {
    const install = await selectInstall(trx, input.shopId, input.installId);
    if (!install) throw notFound("Extension not found");
    if (install.status !== "suspended") throw new AppError("conflict", "This extension is not suspended.", { code: "not_suspended" });
    if (install.status_reason === "reviewer" && actor.type !== "reviewer") throw new AppError("forbidden", "A platform reviewer suspended this extension.");
    if (install.version_status !== "approved" && install.version_status !== "checks_passed" && install.version_status !== "submitted") {
      throw new AppError("unprocessable", "This version of the extension is no longer available.", { code: "version_unavailable" });
    }
    const row = await updateInstallStatus(trx, input.shopId, input.installId, ["suspended"], { status: "active", reason: null, at: new Date() });
    if (!row) throw new AppError("conflict", "This extension is not suspended.", { code: "not_suspended" });
    await record(trx, actor, "extension.resumed", { shopId: input.shopId, type: "install", id: input.installId });
  });
}

/**
 * Uninstalls: hooks stop at once, `app.uninstalled` is published, and the
 * extension's data is kept for the manifest's `retentionDays` before it is
 * deleted. Uninstalling twice is a 404.
 */
export async function uninstall(db: Kysely<Database>, actor: AuditActor, input: { shopId: string; installId: string }): Promise<void> {
  await inTransaction(db, async (trx) => {
    const install = await selectInstall(trx, input.shopId, input.installId);
    if (!install || install.status === "uninstalled") throw notFound("Extension not found");
    const retentionDays = manifestOf(install.manifest).retentionDays;
    const at = new Date();
    const row = await updateInstallStatus(trx, input.shopId, input.installId, ["active", "suspended"], {
      status: "uninstalled",
      reason: null,
      at,
      retainedUntil: new Date(at.getTime() + retentionDays * 86_400_000),
    });
    if (!row) throw notFound("Extension not found");
    await record(trx, actor, "extension.uninstalled", { shopId: input.shopId, type: "install", id: input.installId }, { retentionDays });
    await publish(trx, {
      name: "app.uninstalled",
      shopId: input.shopId,
      subjectId: input.installId,
      payload: { installId: input.installId, extensionId: install.extension_id, extension: install.extension_handle, dataRetainedUntil: row.data_retained_until },
    });
  });
}

/**
 * The shop's active installs whose version implements `hook` (all active
 * installs when `hook` is omitted), in the merchant's order.
 *
 * @example for (const install of await activeInstalls(db, shopId, "checkout.discounts")) …
 */
export async function activeInstalls(db: Kysely<Database>, shopId: string, hook?: HookName): Promise<ActiveInstall[]> {
  return (await selectActiveInstalls(db, shopId, hook ?? null)).map(installView);
}

/** The shop's installs for the merchant's page: live ones in order, then (optionally) uninstalled ones. */
export async function listShopInstalls(db: Kysely<Database>, shopId: string, opts: { includeUninstalled?: boolean } = {}): Promise<InstallView[]> {
  return (await selectShopInstalls(db, shopId, opts)).map(installView);
}

export async function getInstall(db: Kysely<Database>, shopId: string, installId: string): Promise<InstallView | null> {
  const row = await selectInstall(db, shopId, installId);
  return row ? installView(row) : null;
}

/** An install by id alone, for the extension host (jobs and bridge calls carry only the id). */
export async function getInstallById(db: Kysely<Database>, installId: string): Promise<InstallView | null> {
  const row = await selectInstallById(db, installId);
  return row ? installView(row) : null;
}

/**
 * Sets the merchant's order of installs: `order` must name every live
 * install of the shop exactly once. Checkout applies discounts in this order.
 */
export async function reorderInstalls(db: Kysely<Database>, actor: AuditActor, shopId: string, form: unknown): Promise<void> {
  const parsed = ReorderForm.safeParse(form);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const order = parsed.data.order;
  await inTransaction(db, async (trx) => {
    const live = await lockLiveInstallIds(trx, shopId);
    const same = order.length === live.length && new Set(order).size === order.length && order.every((id) => live.includes(id));
    if (!same) throw new AppError("conflict", "The list of extensions changed; reload and try again.", { code: "install_list_changed" });
    const at = new Date();
    for (const [i, id] of order.entries()) await updateInstallPosition(trx, shopId, id, i + 1, at);
    await record(trx, actor, "extension.reordered", { shopId, type: "shop", id: shopId }, { order });
  });
}

/**
 * Moves one install a place up or down in the merchant's order (the
 * Extensions page's arrows); a move past either end changes nothing.
 */
export async function moveInstall(db: Kysely<Database>, actor: AuditActor, shopId: string, form: unknown): Promise<void> {
  const parsed = MoveInstallForm.safeParse(form);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const { installId, direction } = parsed.data;
  const order = (await selectShopInstalls(db, shopId)).map((i) => i.id);
  const at = order.indexOf(installId);
  if (at < 0) throw notFound("Extension not found");
  const to = direction === "up" ? at - 1 : at + 1;
  if (to < 0 || to >= order.length) return;
  [order[at], order[to]] = [order[to], order[at]];
  await reorderInstalls(db, actor, shopId, { order });
}

/** True for a hook the relay delivers (at least once, with an idempotency key). */
export { isAsyncHook };
export type { InstallRow };
