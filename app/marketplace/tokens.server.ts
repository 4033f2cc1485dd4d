/**
 * Developer API tokens: vendor-scoped credentials for `bazaar-plugin
 * publish` and the developer API (/developer-api/v1). A token is
 * `bzdev_` + 32 random bytes (base64url); it is shown once, and only its
 * SHA-256 is stored, with its first characters for the page. Revocable; the
 * last use is recorded (at most once a minute). A token acts for its vendor
 * only, as the member who created it: if that member leaves the vendor, the
 * token stops working.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { submitVersion, type VersionView } from "./marketplace.service.server";
import { selectExtension, selectExtensionByHandle, selectVendorRole, selectVersion } from "./marketplace.repository.server";
import {
  insertDeveloperToken,
  revokeDeveloperTokenRow,
  selectDeveloperTokenByHash,
  selectDeveloperTokens,
  touchDeveloperToken,
  type DeveloperTokenRow,
} from "./workflows.repository.server";
import { DEVELOPER_TOKEN_PREFIX, TokenForm, VERSION_STATUS_LABELS } from "./workflows.schema";
import { getVersionDetail, type VersionDetail } from "./versions.server";

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A token as the vendor's page lists it (never the token itself). */
export type DeveloperTokenView = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };

function tokenView(r: DeveloperTokenRow): DeveloperTokenView {
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return { id: r.id, name: r.name, prefix: r.display_prefix, createdAt: new Date(r.created_at).toISOString(), lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at) };
}

/**
 * Creates a token for the vendor (the guard checked membership). Resolves
 * to the token — shown to the developer once, never again — and its view.
 *
 * @example
 * const { token } = await createDeveloperToken(db, user, vendor.id, { name: "CI" });
 * // BAZAAR_TOKEN=bzdev_… bazaar-plugin publish
 */
export async function createDeveloperToken(db: Kysely<Database>, actor: { id: string }, vendorId: string, form: unknown): Promise<{ token: string; view: DeveloperTokenView }> {
  const parsed = TokenForm.safeParse(form);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const token = `${DEVELOPER_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return inTransaction(db, async (trx) => {
    const row = await insertDeveloperToken(trx, {
      id: newId("dtk"),
      vendor_id: vendorId,
      name: parsed.data.name,
      token_hash: sha256(token),
      display_prefix: token.slice(0, DEVELOPER_TOKEN_PREFIX.length + 6),
      created_by: actor.id,
    });
    await record(trx, { type: "user", id: actor.id }, "developer_token.created", { type: "vendor", id: vendorId }, { tokenId: row.id, name: row.name });
    return { token, view: tokenView(row) };
  });
}

export async function listDeveloperTokens(db: Kysely<Database>, vendorId: string): Promise<DeveloperTokenView[]> {
  return (await selectDeveloperTokens(db, vendorId)).map(tokenView);
}

/** Revokes a token of the vendor; it stops working at once. A second revocation is a 404. */
export async function revokeDeveloperToken(db: Kysely<Database>, actor: { id: string }, vendorId: string, tokenId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await revokeDeveloperTokenRow(trx, vendorId, tokenId, actor.id, new Date());
    if (!row) throw notFound("Token not found");
    await record(trx, { type: "user", id: actor.id }, "developer_token.revoked", { type: "vendor", id: vendorId }, { tokenId, name: row.name });
  });
}

/** Who a developer API request acts as. */
export type DeveloperPrincipal = { tokenId: string; vendorId: string; userId: string };

/**
 * Authenticates an `Authorization: Bearer bzdev_…` header. Unknown,
 * malformed and revoked tokens, and tokens whose creator left the vendor,
 * are all 401. Never reads a cookie.
 */
export async function authenticateDeveloperToken(db: Kysely<Database>, authorization: string | null): Promise<DeveloperPrincipal> {
  const unauthorized = () => new AppError("unauthorized", "A valid developer API token is required (Authorization: Bearer bzdev_…).", { code: "invalid_token" });
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const token = m?.[1];
  if (!token || !token.startsWith(DEVELOPER_TOKEN_PREFIX) || token.length > 200) throw unauthorized();
  const row = await selectDeveloperTokenByHash(db, sha256(token));
  if (!row || row.revoked_at) throw unauthorized();
  if (!(await selectVendorRole(db, row.vendor_id, row.created_by))) throw unauthorized();
  await touchDeveloperToken(db, row.id, new Date());
  return { tokenId: row.id, vendorId: row.vendor_id, userId: row.created_by };
}

/** What the developer API answers about a version. */
export type PublishedVersion = {
  id: string;
  extensionId: string;
  extension: string;
  version: string;
  status: VersionView["status"];
  statusLabel: string;
  statusReason: string | null;
  bundleHash: string;
  checks: { name: string; passed: boolean; detail: string }[];
  /** the developer portal's page of the version */
  url: string;
};

function published(d: VersionDetail, handle: string, publicUrl: string): PublishedVersion {
  return {
    id: d.id,
    extensionId: d.extensionId,
    extension: handle,
    version: d.version,
    status: d.status,
    statusLabel: VERSION_STATUS_LABELS[d.status],
    statusReason: d.statusReason,
    bundleHash: d.bundleHash,
    checks: d.checks.map((c) => ({ name: c.name, passed: c.passed, detail: c.detail })),
    url: `${publicUrl.replace(/\/$/, "")}/developer/extensions/${d.extensionId}/versions/${d.id}`,
  };
}

/**
 * Publishes a version with a developer token (the CLI's `publish`, and the
 * portal's upload through `submitVersion` directly): a manifest `id` that
 * another vendor owns is a 403; the rest is `submitVersion`'s (verified
 * vendor only, immutable versions, bundle ≤ 256 KB). The checks start after
 * commit, from the outbox.
 */
export async function publishWithToken(
  db: Kysely<Database>,
  principal: DeveloperPrincipal,
  body: { manifest: unknown; bundle: unknown },
  opts: { publicUrl: string },
): Promise<PublishedVersion> {
  if (typeof body.bundle !== "string") throw new AppError("bad_request", "bundle must be the bundle's text.", { fieldErrors: { bundle: ["Required"] } });
  const handle = body.manifest && typeof body.manifest === "object" ? (body.manifest as { id?: unknown }).id : undefined;
  if (typeof handle === "string") {
    const existing = await selectExtensionByHandle(db, handle);
    if (existing && existing.vendor_id !== principal.vendorId) throw new AppError("forbidden", `Extension ${handle} belongs to another vendor.`, { code: "other_vendor" });
  }
  const v = await submitVersion(db, { id: principal.userId }, { vendorId: principal.vendorId, manifest: body.manifest, bundle: body.bundle });
  return published((await getVersionDetail(db, v.id))!, v.manifest.id, opts.publicUrl);
}

/** A version of the token's vendor, with its checks; another vendor's is a 404 (ids cannot be probed). */
export async function getPublishedVersion(db: Kysely<Database>, principal: DeveloperPrincipal, versionId: string, opts: { publicUrl: string }): Promise<PublishedVersion> {
  const row = await selectVersion(db, versionId);
  const extension = row ? await selectExtension(db, row.extension_id) : undefined;
  if (!row || !extension || extension.vendor_id !== principal.vendorId) throw notFound("Version not found");
  const detail = await getVersionDetail(db, versionId);
  return published(detail!, extension.handle, opts.publicUrl);
}
