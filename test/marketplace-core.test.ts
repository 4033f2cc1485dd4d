/**
 * The marketplace core: vendors, versions stored by content hash through
 * their review states, and installs (consent to scopes, settings validated
 * against the manifest, the merchant's order, suspension, uninstall with
 * retention) — each change audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import { isAppError } from "../app/lib/errors";
import {
  activeInstalls,
  createVendor,
  getInstall,
  installExtension,
  listShopInstalls,
  reorderInstalls,
  resumeInstall,
  setVendorStatus,
  setVersionStatus,
  submitVersion,
  suspendInstall,
  uninstall,
  updateSettings,
} from "../app/marketplace/index.server";
import { createShop } from "../app/shops/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, type TestShop } from "./support/storefront-fixtures";
import { bundleOf, createMarketplace, installTestExtension, publishVersion, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let shop: TestShop;

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMarketplace(platform);
  ({ shop } = await createMerchantShop(platform));
});
afterAll(async () => {
  await platform?.close();
});

async function expectAppError(p: Promise<unknown>, kind: string, code?: string) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(isAppError(e), String(e)).toBe(true);
  expect(e.kind).toBe(kind);
  if (code) expect(e.code).toBe(code);
  return e;
}

const manifest = (over: Record<string, unknown> = {}) => ({
  id: `core.ext-${Math.random().toString(36).slice(2, 10)}`,
  name: "Core test",
  version: "1.0.0",
  apiVersion: "2026-11",
  hooks: ["checkout.discounts"],
  scopes: [{ scope: "read_customers", justification: "Greets members by name at checkout." }],
  settings: [{ key: "percent", label: "Percent", type: "integer", min: 1, max: 50, default: 5 }],
  retentionDays: 14,
  ...over,
});
const SOURCE = `{ "checkout.discounts": async () => null }`;

describe("vendors and versions", () => {
  it("only a verified vendor submits; bundles are stored once by content hash; versions are immutable", async () => {
    const dev = await createUserAccount(platform.db, { email: "solo-dev@example.test", name: "Solo", password: "correct horse battery", intent: "developer" });
    const vendor = await createVendor(platform.db, dev, { name: "Solo Labs", slug: "solo-labs", contactEmail: "solo@example.test" });
    expect(vendor.status).toBe("pending");
    const first = manifest();
    await expectAppError(submitVersion(platform.db, dev, { vendorId: vendor.id, manifest: first, bundle: bundleOf(SOURCE) }), "unprocessable", "vendor_not_verified");
    await setVendorStatus(platform.db, { id: m.reviewerId }, vendor.id, "verified");

    const v1 = await submitVersion(platform.db, dev, { vendorId: vendor.id, manifest: first, bundle: bundleOf(SOURCE) });
    expect(v1.status).toBe("submitted");
    expect(v1.bundleHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const v2 = await submitVersion(platform.db, dev, { vendorId: vendor.id, manifest: { ...first, version: "1.0.1" }, bundle: bundleOf(SOURCE) });
    expect(v2.bundleHash).toBe(v1.bundleHash);
    expect(v2.extensionId).toBe(v1.extensionId);
    const bundles = await platform.db.selectFrom("extension_bundles").select("hash").where("hash", "=", v1.bundleHash).execute();
    expect(bundles).toHaveLength(1);

    await expectAppError(submitVersion(platform.db, dev, { vendorId: vendor.id, manifest: first, bundle: bundleOf(SOURCE, "// changed") }), "conflict", "version_exists");
    await expectAppError(submitVersion(platform.db, dev, { vendorId: vendor.id, manifest: { ...first, version: "1.1.0", scopes: [{ scope: "read_everything", justification: "x" }] }, bundle: bundleOf(SOURCE) }), "bad_request");
    // another vendor cannot take over the extension id
    await expectAppError(submitVersion(platform.db, { id: m.developerId }, { vendorId: m.vendorId, manifest: { ...first, version: "9.0.0" }, bundle: bundleOf(SOURCE) }), "conflict", "extension_id_taken");
  });

  it("a version moves through checks and review only along its transitions", async () => {
    const { versionId } = await publishVersion(platform, m, { hooks: ["checkout.discounts"], source: SOURCE, status: "submitted" });
    await expectAppError(setVersionStatus(platform.db, { type: "reviewer", id: m.reviewerId }, versionId, "approved"), "conflict", "version_status");
    await setVersionStatus(platform.db, { type: "system" }, versionId, "checks_passed");
    await setVersionStatus(platform.db, { type: "reviewer", id: m.reviewerId }, versionId, "approved", "ok");
    const row = await platform.db.selectFrom("extension_versions").selectAll().where("id", "=", versionId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "approved", status_reason: "ok", reviewed_by: m.reviewerId });
  });
});

describe("installs", () => {
  it("installs an approved version with consented scopes and validated settings; refuses what the manifest does not allow", async () => {
    const { versionId } = await publishVersion(platform, m, {
      hooks: ["checkout.discounts", "order.paid"],
      scopes: ["read_customers", "read_orders"],
      settings: [
        { key: "percent", label: "Percent", type: "integer", min: 1, max: 50, default: 5 },
        { key: "threshold", label: "Threshold", type: "money", default: 20000 },
      ],
      source: SOURCE,
    });
    const owner = { type: "user" as const, id: shop.ownerId };
    await expectAppError(installExtension(platform.db, owner, { shopId: shop.id, versionId, settings: { percent: 90 } }), "bad_request");
    await expectAppError(installExtension(platform.db, owner, { shopId: shop.id, versionId, settings: { threshold: -1 } }), "bad_request");
    await expectAppError(installExtension(platform.db, owner, { shopId: shop.id, versionId, grantedScopes: ["write_orders"] }), "bad_request");

    const install = await installExtension(platform.db, owner, { shopId: shop.id, versionId, grantedScopes: ["read_orders"], settings: { threshold: 30000, unknown: 1 } });
    // unknown keys are dropped, defaults filled (plugins-sdk's settingsSchema)
    expect(install).toMatchObject({ status: "active", grantedScopes: ["read_orders"], settings: { percent: 5, threshold: 30000 }, hooks: ["checkout.discounts", "order.paid"] });
    await expectAppError(installExtension(platform.db, owner, { shopId: shop.id, versionId }), "conflict", "already_installed");

    const changed = await updateSettings(platform.db, owner, { shopId: shop.id, installId: install.installId, settings: { percent: 20 } });
    expect(changed.settings).toEqual({ percent: 20, threshold: 20000 });

    const audit = await platform.db.selectFrom("audit_log").select("action").where("target_id", "=", install.installId).orderBy("id").execute();
    expect(audit.map((a) => a.action)).toEqual(["extension.installed", "extension.settings_changed"]);
  });

  it("an unapproved version installs only in a development shop, for a member of its vendor", async () => {
    const { versionId } = await publishVersion(platform, m, { hooks: ["checkout.discounts"], source: SOURCE, status: "submitted" });
    await expectAppError(installExtension(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, versionId }), "unprocessable", "version_not_installable");
    const devShop = await createShop(platform.db, { ownerId: m.developerId, name: "Dev shop", handle: `dev-${Date.now().toString(36)}`, currency: "CNY", isDevelopment: true });
    expect(devShop.isDevelopment).toBe(true);
    const install = await installExtension(platform.db, { type: "user", id: m.developerId }, { shopId: devShop.id, versionId });
    expect(install.status).toBe("active");
  });

  it("an update asking for more scopes waits for consent", async () => {
    const handle = `core.upd-${Date.now().toString(36)}`;
    const v1 = await publishVersion(platform, m, { handle, hooks: ["checkout.discounts"], scopes: [], source: SOURCE, version: "1.0.0" });
    const v2 = await publishVersion(platform, m, { handle, hooks: ["checkout.discounts"], scopes: ["read_customers"], source: SOURCE, version: "1.1.0" });
    const owner = { type: "user" as const, id: shop.ownerId };
    const install = await installExtension(platform.db, owner, { shopId: shop.id, versionId: v1.versionId });
    await expectAppError(installExtension(platform.db, owner, { shopId: shop.id, versionId: v2.versionId }), "conflict", "consent_required");
    const updated = await installExtension(platform.db, owner, { shopId: shop.id, versionId: v2.versionId, grantedScopes: ["read_customers"] });
    expect(updated).toMatchObject({ installId: install.installId, versionId: v2.versionId, grantedScopes: ["read_customers"] });
  });

  it("activeInstalls follows the hook and the merchant's order; suspension and uninstall take an install out", async () => {
    const { shop: s } = await createMerchantShop(platform);
    const owner = { type: "user" as const, id: s.ownerId };
    const a = await installTestExtension(platform, m, s, { name: "A", hooks: ["checkout.discounts"], source: SOURCE });
    const b = await installTestExtension(platform, m, s, { name: "B", hooks: ["checkout.discounts", "storefront.blocks"], source: SOURCE });
    const c = await installTestExtension(platform, m, s, { name: "C", hooks: ["order.paid"], source: SOURCE });
    expect((await activeInstalls(platform.db, s.id, "checkout.discounts")).map((i) => i.extensionName)).toEqual(["A", "B"]);
    expect((await activeInstalls(platform.db, s.id, "storefront.blocks")).map((i) => i.extensionName)).toEqual(["B"]);

    await reorderInstalls(platform.db, owner, s.id, { order: [c.installId, b.installId, a.installId].join(",") });
    expect((await activeInstalls(platform.db, s.id, "checkout.discounts")).map((i) => i.extensionName)).toEqual(["B", "A"]);
    await expectAppError(reorderInstalls(platform.db, owner, s.id, { order: [a.installId, b.installId] }), "conflict", "install_list_changed");

    expect(await suspendInstall(platform.db, owner, { shopId: s.id, installId: b.installId, reason: "merchant" })).toBe(true);
    expect(await suspendInstall(platform.db, owner, { shopId: s.id, installId: b.installId, reason: "merchant" })).toBe(false);
    expect((await activeInstalls(platform.db, s.id, "checkout.discounts")).map((i) => i.extensionName)).toEqual(["A"]);
    await resumeInstall(platform.db, owner, { shopId: s.id, installId: b.installId });
    expect((await activeInstalls(platform.db, s.id)).map((i) => i.extensionName)).toEqual(["C", "B", "A"]);

    // a reviewer's suspension is not the merchant's to lift
    await suspendInstall(platform.db, { type: "reviewer", id: m.reviewerId }, { shopId: s.id, installId: b.installId, reason: "reviewer" });
    await expectAppError(resumeInstall(platform.db, owner, { shopId: s.id, installId: b.installId }), "forbidden");

    const before = Date.now();
    await uninstall(platform.db, owner, { shopId: s.id, installId: a.installId });
    await expectAppError(uninstall(platform.db, owner, { shopId: s.id, installId: a.installId }), "not_found");
    const gone = (await getInstall(platform.db, s.id, a.installId))!;
    expect(gone.status).toBe("uninstalled");
    const retained = new Date(gone.dataRetainedUntil!).getTime() - before;
    expect(retained).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(retained).toBeLessThan(7 * 86_400_000 + 60_000);
    const event = await platform.db.selectFrom("outbox").selectAll().where("name", "=", "app.uninstalled").where("subject_id", "=", a.installId).executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({ installId: a.installId });
    expect((await listShopInstalls(platform.db, s.id)).map((i) => i.extensionName)).toEqual(["C", "B"]);
    expect((await listShopInstalls(platform.db, s.id, { includeUninstalled: true })).map((i) => i.extensionName)).toEqual(["C", "B", "A"]);
    // it can be installed again, at the end of the order
    const again = await installTestExtension(platform, m, s, { name: "A2", hooks: ["checkout.discounts"], source: SOURCE });
    expect(again.position).toBe(3);
  });
});
