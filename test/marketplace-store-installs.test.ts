/**
 * The merchant's side of installs: the install state machine (allowed and
 * forbidden moves), updates (automatic without new scopes, waiting for
 * consent with them), uninstall stopping hooks, the data export, and the
 * retention job deleting an uninstalled extension's data once its
 * `retentionDays` are over.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../app/lib/errors";
import {
  applyAutomaticUpdates,
  activeInstalls,
  exportInstallData,
  getInstall,
  installExtension,
  purgeExpiredInstallData,
  resumeInstall,
  shopInstallsWithUpdates,
  suspendInstall,
  uninstall,
  updateInstallToLatest,
  compareVersions,
  notifyUpdatesNeedingConsent,
} from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, type TestShop } from "./support/storefront-fixtures";
import { auditRows, createCustomer, createMarketplace, installTestExtension, publishVersion, quoteInput, useTestHost, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await platform?.close();
});

async function errorOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(isAppError(e), String(e)).toBe(true);
  return e as { kind: string; code?: string };
}

const PROMO = `{ "checkout.discounts": async (input) => ({ discounts: [{ lineId: null, amount: 100, label: "Store promo" }] }) }`;
const owner = (shop: TestShop) => ({ type: "user" as const, id: shop.ownerId });

describe("the install state machine", () => {
  it("active ⇄ suspended, either → uninstalled; nothing leaves uninstalled", async () => {
    const { shop } = await createMerchantShop(platform);
    const a = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: PROMO });
    const ref = { shopId: shop.id, installId: a.installId };

    // active → active (resume) is refused
    expect((await errorOf(resumeInstall(platform.db, owner(shop), ref))).code).toBe("not_suspended");
    // active → suspended → active
    expect(await suspendInstall(platform.db, owner(shop), { ...ref, reason: "merchant" })).toBe(true);
    expect(await suspendInstall(platform.db, owner(shop), { ...ref, reason: "merchant" })).toBe(false);
    await resumeInstall(platform.db, owner(shop), ref);
    expect((await getInstall(platform.db, shop.id, a.installId))!.status).toBe("active");
    // active → uninstalled
    await uninstall(platform.db, owner(shop), ref);
    expect((await getInstall(platform.db, shop.id, a.installId))!.status).toBe("uninstalled");
    // uninstalled → anything: refused
    expect(await suspendInstall(platform.db, owner(shop), { ...ref, reason: "merchant" })).toBe(false);
    expect((await errorOf(resumeInstall(platform.db, owner(shop), ref))).kind).toBe("conflict");
    expect((await errorOf(uninstall(platform.db, owner(shop), ref))).kind).toBe("not_found");

    // suspended → uninstalled
    const b = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: PROMO });
    await suspendInstall(platform.db, owner(shop), { shopId: shop.id, installId: b.installId, reason: "faults" });
    await uninstall(platform.db, owner(shop), { shopId: shop.id, installId: b.installId });
    expect((await getInstall(platform.db, shop.id, b.installId))!.status).toBe("uninstalled");

    // a reviewer's suspension cannot be lifted by the merchant
    const c = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: PROMO });
    await suspendInstall(platform.db, { type: "reviewer", id: m.reviewerId }, { shopId: shop.id, installId: c.installId, reason: "reviewer" });
    expect((await errorOf(resumeInstall(platform.db, owner(shop), { shopId: shop.id, installId: c.installId }))).kind).toBe("forbidden");

    // another shop cannot touch this shop's install
    const { shop: other } = await createMerchantShop(platform);
    expect((await errorOf(uninstall(platform.db, owner(other), { shopId: other.id, installId: c.installId }))).kind).toBe("not_found");
  });

  it("uninstall stops the hooks at once and sends app.uninstalled", async () => {
    const { shop } = await createMerchantShop(platform);
    const a = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: PROMO });
    const buyer = await createCustomer(platform, shop.id);
    expect((await platform.extensions.collectDiscounts(quoteInput(shop.id, buyer))).map((o) => o.installId)).toEqual([a.installId]);
    await uninstall(platform.db, owner(shop), { shopId: shop.id, installId: a.installId });
    expect(await platform.extensions.collectDiscounts(quoteInput(shop.id, buyer))).toEqual([]);
    expect(await activeInstalls(platform.db, shop.id)).toEqual([]);
    const events = await platform.db.selectFrom("outbox").selectAll().where("name", "=", "app.uninstalled").where("subject_id", "=", a.installId).execute();
    expect(events).toHaveLength(1);
  });
});

describe("updates", () => {
  it("a newer approved version without new scopes is applied automatically; one with new scopes waits for consent", async () => {
    const { shop } = await createMerchantShop(platform);
    const handle = `upd.ext-${Date.now().toString(36)}`;
    const base = { handle, hooks: ["checkout.discounts" as const], source: PROMO, scopes: ["read_orders" as const] };
    const v1 = await publishVersion(platform, m, { ...base, version: "1.0.0" });
    const install = await installExtension(platform.db, owner(shop), { shopId: shop.id, versionId: v1.versionId });

    // 1.1.0 asks for nothing new
    const v11 = await publishVersion(platform, m, { ...base, version: "1.1.0" });
    let listed = (await shopInstallsWithUpdates(platform.db, shop.id)).find((i) => i.installId === install.installId)!;
    expect(listed.update).toMatchObject({ versionId: v11.versionId, needsConsent: false, newScopes: [] });
    const first = await applyAutomaticUpdates(platform.db, { extensionId: v1.extensionId });
    expect(first.updated).toBe(1);
    expect((await getInstall(platform.db, shop.id, install.installId))!.version).toBe("1.1.0");
    const updatedAudit = (await auditRows(platform, "extension.updated")).filter((r) => r.target_id === install.installId);
    expect(updatedAudit).toHaveLength(1);
    expect(updatedAudit[0].actor_type).toBe("system");

    // 2.0.0 asks for read_customers: not applied, the merchant sees "needs consent"
    const v2 = await publishVersion(platform, m, { ...base, version: "2.0.0", scopes: ["read_orders", "read_customers"] });
    const second = await applyAutomaticUpdates(platform.db, { extensionId: v1.extensionId });
    expect(second).toEqual({ updated: 0, needsConsent: 1 });
    expect((await getInstall(platform.db, shop.id, install.installId))!.version).toBe("1.1.0");
    listed = (await shopInstallsWithUpdates(platform.db, shop.id)).find((i) => i.installId === install.installId)!;
    expect(listed.update).toMatchObject({ versionId: v2.versionId, version: "2.0.0", needsConsent: true });
    expect(listed.update!.newScopes.map((s) => s.scope)).toEqual(["read_customers"]);
    expect((await errorOf(updateInstallToLatest(platform.db, owner(shop), { shopId: shop.id, installId: install.installId }))).code).toBe("consent_required");
    // the owner is told once, with a link to the consent page
    expect(await notifyUpdatesNeedingConsent(platform.db, v2.versionId)).toBe(1);
    const told = await platform.db.selectFrom("notifications").selectAll().where("user_id", "=", shop.ownerId).where("kind", "=", "extension.update_needs_consent").execute();
    expect(told).toHaveLength(1);
    expect(told[0].link).toBe(`/marketplace/${encodeURIComponent(handle)}/install`);
    // an older version is no longer on offer: nobody is told about it
    expect(await notifyUpdatesNeedingConsent(platform.db, v11.versionId)).toBe(0);

    // consent (what the install page does): granted scopes given explicitly
    await installExtension(platform.db, owner(shop), { shopId: shop.id, versionId: v2.versionId, grantedScopes: ["read_orders", "read_customers"] });
    const after = (await getInstall(platform.db, shop.id, install.installId))!;
    expect(after.version).toBe("2.0.0");
    expect(after.grantedScopes.sort()).toEqual(["read_customers", "read_orders"]);
    expect((await shopInstallsWithUpdates(platform.db, shop.id)).find((i) => i.installId === install.installId)!.update).toBeNull();
    expect((await errorOf(updateInstallToLatest(platform.db, owner(shop), { shopId: shop.id, installId: install.installId }))).code).toBe("up_to_date");
  });

  it("the merchant can apply an update that needs no consent by hand", async () => {
    const { shop } = await createMerchantShop(platform);
    const handle = `hand.ext-${Date.now().toString(36)}`;
    const v1 = await publishVersion(platform, m, { handle, version: "1.0.0", hooks: ["checkout.discounts"], source: PROMO });
    const install = await installExtension(platform.db, owner(shop), { shopId: shop.id, versionId: v1.versionId });
    await publishVersion(platform, m, { handle, version: "1.0.1", hooks: ["checkout.discounts"], source: PROMO });
    const updated = await updateInstallToLatest(platform.db, owner(shop), { shopId: shop.id, installId: install.installId });
    expect(updated.version).toBe("1.0.1");
  });

  it("compares semantic versions numerically", () => {
    expect(compareVersions("1.10.0", "1.9.9")).toBeGreaterThan(0);
    expect(compareVersions("2.0.0-beta.1", "2.0.0")).toBeLessThan(0);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
  });
});

describe("the extension's data after an uninstall", () => {
  async function withData(retentionDays: number) {
    const { shop } = await createMerchantShop(platform);
    const install = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: PROMO, retentionDays });
    await platform.db.insertInto("extension_storage").values({ install_id: install.installId, key: "member:alice", value: JSON.stringify({ tier: "gold" }), bytes: 15, updated_at: new Date() }).execute();
    await platform.db.insertInto("extension_counters").values({ install_id: install.installId, key: "points:alice", value: 420, updated_at: new Date() }).execute();
    return { shop, install };
  }
  const rowsOf = async (installId: string) => ({
    storage: (await platform.db.selectFrom("extension_storage").select("key").where("install_id", "=", installId).execute()).length,
    counters: (await platform.db.selectFrom("extension_counters").select("key").where("install_id", "=", installId).execute()).length,
  });

  it("is exported on request, kept for retentionDays, then deleted by the job (audited)", async () => {
    const { shop, install } = await withData(7);
    await uninstall(platform.db, owner(shop), { shopId: shop.id, installId: install.installId });
    const view = (await getInstall(platform.db, shop.id, install.installId))!;
    const until = new Date(view.dataRetainedUntil!).getTime();
    expect(until - new Date(view.uninstalledAt!).getTime()).toBe(7 * 86_400_000);

    const file = await exportInstallData(platform.db, owner(shop), shop.id, install.installId);
    expect(file.install).toMatchObject({ id: install.installId, status: "uninstalled" });
    expect(file.storage).toEqual([expect.objectContaining({ key: "member:alice", value: { tier: "gold" } })]);
    expect(file.counters).toEqual([expect.objectContaining({ key: "points:alice", value: 420 })]);
    expect((await auditRows(platform, "extension.data_exported")).filter((r) => r.target_id === install.installId)).toHaveLength(1);

    // another shop cannot export it
    const { shop: other } = await createMerchantShop(platform);
    expect((await errorOf(exportInstallData(platform.db, owner(other), other.id, install.installId))).kind).toBe("not_found");

    // a day before the end: kept
    await purgeExpiredInstallData(platform.db, new Date(until - 86_400_000));
    expect(await rowsOf(install.installId)).toEqual({ storage: 1, counters: 1 });
    // after the end: deleted, once
    const r = await purgeExpiredInstallData(platform.db, new Date(until + 1000));
    expect(r.installs).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(install.installId)).toEqual({ storage: 0, counters: 0 });
    const again = await purgeExpiredInstallData(platform.db, new Date(until + 2000));
    expect(again.installs).toBe(0);
    const audit = (await auditRows(platform, "extension.data_deleted")).filter((a) => a.target_id === install.installId);
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ storage: 1, counters: 1 });
    expect((await errorOf(exportInstallData(platform.db, owner(shop), shop.id, install.installId))).code).toBe("data_deleted");
  });

  it("retentionDays 0 deletes at the next sweep; live installs are never touched", async () => {
    const gone = await withData(0);
    const kept = await withData(0);
    await uninstall(platform.db, owner(gone.shop), { shopId: gone.shop.id, installId: gone.install.installId });
    await purgeExpiredInstallData(platform.db, new Date(Date.now() + 1000));
    expect(await rowsOf(gone.install.installId)).toEqual({ storage: 0, counters: 0 });
    expect(await rowsOf(kept.install.installId)).toEqual({ storage: 1, counters: 1 });
  });

  it("the sweep is registered as a scheduled job", async () => {
    const { jobDefinitions } = await import("../app/jobs/workers.server");
    const job = jobDefinitions.find((j) => j.name === "marketplace.purge_retained_data");
    expect(job?.schedule).toBeDefined();
    expect(jobDefinitions.some((j) => j.name === "marketplace.auto_update")).toBe(true);
  });
});
