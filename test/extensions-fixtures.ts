/**
 * What the marketplace and extension-host tests share: a verified vendor
 * with a developer and a reviewer, inline plugin bundles in the sandbox's
 * bundle format (so no test depends on the SDK's examples), publishing a
 * version through the review states, installing it, and a host on one
 * runner with limits generous enough for a loaded machine.
 */
import { createUserAccount } from "../app/accounts/index.server";
import { createExtensionHost, type ExtensionHostOptions } from "../app/extensions/host.server";
import type { QuoteInput } from "../app/checkout/index.server";
import { newId } from "../app/lib/ids";
import {
  createVendor,
  installExtension,
  setVendorStatus,
  setVersionStatus,
  submitVersion,
  type HookName,
  type InstallView,
  type Scope,
  type SettingField,
} from "../app/marketplace/index.server";
import type { Platform } from "../app/platform.server";
import { ensureShopCustomer } from "../app/shops/index.server";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(++counter).toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

/** A bundle as definePlugin would emit it: `hooksSource` is an object literal of hooks (source text run in the isolate). */
export function bundleOf(hooksSource: string, prelude = ""): string {
  return `${prelude}\nglobalThis.__bazaar_plugin = { apiVersion: 1, hooks: ${hooksSource} };\n`;
}

/**
 * Limits for tests whose subject is not a limit (as sandbox/test-fixtures.ts
 * RELAXED): isolated-vm's CPU clock counts time spent waiting for a core, and
 * this machine runs other suites at the same time.
 */
export const TEST_LIMITS = { cpuMs: 2_000, wallMs: 10_000 } as const;

/** Replaces the platform's host with one on a single runner (the platform's close() stops it). */
export function useTestHost(platform: Platform, opts: ExtensionHostOptions = {}): void {
  const all = Object.fromEntries(
    (["checkout.discounts", "order.paid", "order.completed", "order.refunded", "customer.created", "storefront.blocks"] as HookName[]).map((h) => [h, { ...TEST_LIMITS, ...opts.limits?.[h] }]),
  );
  platform.extensions = createExtensionHost(platform, { runners: 1, ...opts, limits: all });
}

export type Marketplace = { developerId: string; reviewerId: string; vendorId: string };

/** A developer, a reviewer, and a verified vendor the developer owns. */
export async function createMarketplace(platform: Platform): Promise<Marketplace> {
  const n = unique();
  const developer = await createUserAccount(platform.db, { email: `dev-${n}@example.test`, name: `Dev ${n}`, password: "correct horse battery", intent: "developer" });
  const reviewer = await createUserAccount(platform.db, { email: `rev-${n}@example.test`, name: `Reviewer ${n}`, password: "correct horse battery", intent: "buyer", isReviewer: true });
  const vendor = await createVendor(platform.db, developer, { name: `Vendor ${n}`, slug: `v-${n}`.slice(0, 40), contactEmail: `dev-${n}@example.test` });
  await setVendorStatus(platform.db, reviewer, vendor.id, "verified");
  return { developerId: developer.id, reviewerId: reviewer.id, vendorId: vendor.id };
}

export type PublishOptions = {
  name?: string;
  handle?: string;
  version?: string;
  hooks: HookName[];
  scopes?: Scope[];
  settings?: SettingField[];
  retentionDays?: number;
  /** the hooks object literal (source text) */
  source: string;
  prelude?: string;
  /** stop at this status instead of approving */
  status?: "submitted" | "approved";
};

/** Submits a version, passes its checks and approves it (unless `status` says otherwise). Returns its id. */
export async function publishVersion(platform: Platform, m: Marketplace, o: PublishOptions): Promise<{ versionId: string; extensionId: string; bundleHash: string }> {
  const n = unique();
  const manifest = {
    id: o.handle ?? `test.ext-${n}`,
    name: o.name ?? `Test ext ${n}`,
    version: o.version ?? "1.0.0",
    apiVersion: "2026-11",
    hooks: o.hooks,
    scopes: (o.scopes ?? []).map((scope) => ({ scope, justification: `The test extension needs ${scope} to work.` })),
    settings: o.settings ?? [],
    retentionDays: o.retentionDays ?? 7,
  };
  const v = await submitVersion(platform.db, { id: m.developerId }, { vendorId: m.vendorId, manifest, bundle: bundleOf(o.source, o.prelude) });
  if (o.status !== "submitted") {
    await setVersionStatus(platform.db, { type: "system" }, v.id, "checks_passed");
    await setVersionStatus(platform.db, { type: "reviewer", id: m.reviewerId }, v.id, "approved", "looks fine");
  }
  return { versionId: v.id, extensionId: v.extensionId, bundleHash: v.bundleHash };
}

/** Publishes and installs an extension in the shop, granting every scope it asks for. */
export async function installTestExtension(
  platform: Platform,
  m: Marketplace,
  shop: { id: string; ownerId: string },
  o: PublishOptions & { grant?: Scope[]; values?: Record<string, unknown> },
): Promise<InstallView> {
  const { versionId } = await publishVersion(platform, m, o);
  return installExtension(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, versionId, grantedScopes: o.grant, settings: o.values });
}

/** A buyer with a customer record in the shop. */
export async function createCustomer(platform: Platform, shopId: string): Promise<{ userId: string; customerId: string; email: string; name: string }> {
  const n = unique();
  const user = await createUserAccount(platform.db, { email: `cust-${n}@example.test`, name: `Customer ${n}`, password: "correct horse battery", intent: "buyer" });
  const c = await ensureShopCustomer(platform.db, shopId, user);
  return { userId: user.id, customerId: c.id, email: user.email, name: user.name };
}

/** A quote input with two lines (1000 × 2 and 500 × 1: subtotal 2500). */
export function quoteInput(shopId: string, buyer: { userId: string; customerId: string | null }, attributes: Record<string, unknown> = {}): QuoteInput {
  const lines = [
    { lineId: newId("oln"), skuId: "sku_a", productId: "prd_a", categoryId: "cat_tea", quantity: 2, unitPrice: 1000, lineTotal: 2000 },
    { lineId: newId("oln"), skuId: "sku_b", productId: "prd_b", categoryId: null, quantity: 1, unitPrice: 500, lineTotal: 500 },
  ];
  return { shop: { id: shopId, currency: "CNY" }, buyer, lines, subtotal: 2500, attributes };
}

export async function invocationsOf(platform: Platform, installId: string) {
  return platform.db.selectFrom("extension_invocations").selectAll().where("install_id", "=", installId).orderBy("id").execute();
}

export async function auditRows(platform: Platform, action: string) {
  return platform.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();
}
