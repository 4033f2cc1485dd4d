/**
 * Install is consent. One page — reached from an OAuth authorization request
 * (an extension with its own backend) or from the marketplace's install link
 * (an extension that runs only inside Bazaar) — shows the extension, its
 * vendor and each scope it asks for in plain language; an owner picks a shop
 * and approves or declines. Approval installs (or updates) the extension with
 * the scopes the version declares ∩ what was asked ∩ what was approved.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { getShopMembership, listMembershipsOfUser } from "../accounts/index.server";
import { record } from "../audit/index.server";
import { AppError, notFound } from "../lib/errors";
import { getVersion, installExtension, listShopInstalls, SCOPE_LABELS, type InstallView, type Scope } from "../marketplace/index.server";
import { getShop } from "../shops/index.server";
import { selectLatestApprovedVersionId, selectListing } from "./oauth.repository.server";

export type ConsentScope = { scope: string; label: string; justification: string };

/** What the consent component renders. */
export type ConsentView = {
  extension: { id: string; handle: string; name: string; summary: string; vendorName: string };
  versionId: string;
  version: string;
  scopes: ConsentScope[];
  /** the shops the user owns (only an owner installs) */
  shops: { id: string; name: string; handle: string }[];
  /** OAuth only: the application will receive tokens at this host */
  redirectHost: string | null;
};

type Target = { extensionId: string } | { handle: string };

async function latestVersion(db: Kysely<Database>, target: Target) {
  const listing = await selectListing(db, target);
  if (!listing || listing.vendor_status !== "verified") throw notFound("Extension not found");
  const versionId = await selectLatestApprovedVersionId(db, listing.extension_id);
  const version = versionId ? await getVersion(db, versionId) : null;
  if (!version) throw new AppError("not_found", "This extension has no version available for installation.");
  return { listing, version };
}

/** The scopes to show: what the version declares, narrowed to `requested` when the request names some. */
function scopesFor(declared: { scope: Scope; justification: string }[], requested: string[] | null): ConsentScope[] {
  const asked = requested ? new Set(requested) : null;
  return declared.filter((s) => !asked || asked.has(s.scope)).map((s) => ({ scope: s.scope, label: SCOPE_LABELS[s.scope] ?? s.scope, justification: s.justification }));
}

async function ownedShops(db: Kysely<Database>, userId: string): Promise<ConsentView["shops"]> {
  const out: ConsentView["shops"] = [];
  for (const m of await listMembershipsOfUser(db, userId)) {
    if (m.role !== "owner") continue;
    const shop = await getShop(db, m.shopId);
    if (shop && shop.status === "active") out.push({ id: shop.id, name: shop.name, handle: shop.handle });
  }
  return out;
}

/**
 * The consent page's data for the extension's newest approved version.
 * `requestedScopes` is the OAuth request's `scope` (null: everything declared).
 */
export async function consentView(
  db: Kysely<Database>,
  userId: string,
  target: Target,
  opts: { requestedScopes?: string[] | null; redirectUri?: string | null } = {},
): Promise<ConsentView> {
  const { listing, version } = await latestVersion(db, target);
  let redirectHost: string | null = null;
  if (opts.redirectUri) {
    try {
      redirectHost = new URL(opts.redirectUri).host;
    } catch {
      redirectHost = null;
    }
  }
  return {
    extension: { id: listing.extension_id, handle: listing.handle, name: listing.name, summary: listing.summary, vendorName: listing.vendor_name },
    versionId: version.id,
    version: version.version,
    scopes: scopesFor(version.manifest.scopes, opts.requestedScopes ?? null),
    shops: await ownedShops(db, userId),
    redirectHost,
  };
}

/**
 * Installs the extension in the shop on the owner's approval. Resolves to the
 * install and the scopes granted (declared ∩ requested ∩ approved; for an
 * install that already exists at this version, also ∩ what it was granted).
 */
export async function approveConsent(
  db: Kysely<Database>,
  user: { id: string },
  input: { target: Target; shopId: string; approvedScopes: string[]; requestedScopes?: string[] | null; clientId?: string },
): Promise<{ install: InstallView; scopes: Scope[] }> {
  const membership = input.shopId ? await getShopMembership(db, input.shopId, user.id) : null;
  if (!membership) throw new AppError("bad_request", "Choose one of your shops.", { fieldErrors: { shopId: ["Choose one of your shops"] } });
  if (membership.role !== "owner") throw new AppError("forbidden", "Only the shop owner can install extensions.");
  const { listing, version } = await latestVersion(db, input.target);
  const offered = new Set(scopesFor(version.manifest.scopes, input.requestedScopes ?? null).map((s) => s.scope));
  let scopes = [...new Set(input.approvedScopes)].filter((s): s is Scope => offered.has(s));
  const actor = { type: "user" as const, id: user.id };

  const live = (await listShopInstalls(db, input.shopId)).find((i) => i.extensionId === listing.extension_id);
  let install: InstallView;
  if (live && live.versionId === version.id) {
    if (live.status !== "active") throw new AppError("conflict", "This extension is suspended in that shop; resume it first.", { code: "install_suspended" });
    // Same version already installed: tokens can carry at most what the install was granted.
    const had = new Set<string>(live.grantedScopes);
    scopes = scopes.filter((s) => had.has(s));
    install = live;
  } else if (input.clientId && live) {
    // A newer version: keep what the install has, add what was approved now (the merchant just consented to it).
    const merged = [...new Set([...live.grantedScopes, ...scopes])].filter((s) => version.manifest.scopes.some((d) => d.scope === s));
    install = await installExtension(db, actor, { shopId: input.shopId, versionId: version.id, grantedScopes: merged });
  } else {
    install = await installExtension(db, actor, { shopId: input.shopId, versionId: version.id, grantedScopes: scopes });
  }
  if (input.clientId) {
    await record(db, actor, "oauth.authorized", { shopId: input.shopId, type: "install", id: install.installId }, { clientId: input.clientId, scopes });
  }
  return { install, scopes };
}
