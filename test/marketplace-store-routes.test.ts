/**
 * The marketplace and reviewer pages through their loaders and actions
 * (production wrapBuild, CSRF, sessions): browsing and searching listings,
 * the listing page's sanitized description and plain-language scopes, one
 * review per shop per extension, the settings form, the data export, and the
 * reviewer's decision form (reason required, reviewers only).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { addShopMember } from "../app/accounts/index.server";
import { getInstall, getVersion, installExtension, setVersionStatus, uninstall } from "../app/marketplace/index.server";
import * as storePage from "../app/routes/marketplace._index";
import * as listingPage from "../app/routes/marketplace.$handle._index";
import * as installPage from "../app/routes/admin.shops.$shopId.extensions.$installId";
import * as exportRoute from "../app/routes/admin.shops.$shopId.extensions.$installId.export";
import * as extensionsPage from "../app/routes/admin.shops.$shopId.extensions._index";
import * as versionQueuePage from "../app/routes/review.versions._index";
import * as versionPage from "../app/routes/review.versions.$versionId";
import * as extensionReviewPage from "../app/routes/review.extensions.$extensionId";
import { bodyOf, TestClient } from "./accounts-helpers";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, createUser, type TestShop } from "./support/storefront-fixtures";
import { auditRows, createMarketplace, publishVersion, useTestHost, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let ip = 1;

async function clientFor(userId: string | null): Promise<TestClient> {
  const c = new TestClient(platform, `10.8.0.${ip++}`);
  if (userId) c.cookies.set(SESSION_COOKIE, (await createSession(platform.db, userId)).token);
  return c;
}

const PROMO = `{ "checkout.discounts": async () => null }`;
const setVersionChecked = (p: TestPlatform, versionId: string) => setVersionStatus(p.db, { type: "system" }, versionId, "checks_passed");
const tag = Date.now().toString(36);

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await platform?.close();
});

describe("/marketplace", () => {
  it("lists approved extensions only, searchable, by category, 12 a page", async () => {
    const made: string[] = [];
    for (let i = 0; i < 13; i++) {
      const v = await publishVersion(platform, m, { handle: `store.${tag}-${i}`, name: `Pager ${tag} ${String(i).padStart(2, "0")}`, hooks: ["checkout.discounts"], source: PROMO });
      made.push(v.extensionId);
    }
    await platform.db.updateTable("extensions").set({ category: "points", tagline: "Points for every order" }).where("id", "=", made[0]).execute();
    const hidden = await publishVersion(platform, m, { handle: `store.${tag}-hidden`, name: `Pager ${tag} hidden`, hooks: ["checkout.discounts"], source: PROMO, status: "submitted" });
    void hidden;

    const anon = await clientFor(null);
    const p1 = await bodyOf(await anon.get(storePage, `/marketplace?q=${encodeURIComponent(`Pager ${tag}`)}`));
    expect(p1.items).toHaveLength(12);
    expect(p1.hasNext).toBe(true);
    const p2 = await bodyOf(await anon.get(storePage, `/marketplace?q=${encodeURIComponent(`Pager ${tag}`)}&page=2`));
    expect(p2.items).toHaveLength(1);
    const names = [...p1.items, ...p2.items].map((i: { name: string }) => i.name);
    expect(new Set(names).size).toBe(13);
    expect(names).not.toContain(`Pager ${tag} hidden`);

    const points = await bodyOf(await anon.get(storePage, `/marketplace?category=points&q=${encodeURIComponent(tag)}`));
    expect(points.items.map((i: { handle: string }) => i.handle)).toEqual([`store.${tag}-0`]);
    expect(points.items[0]).toMatchObject({ tagline: "Points for every order", categoryLabel: "Points", installCount: 0, rating: { average: null, count: 0 } });
    // junk parameters fall back to defaults, never a 500
    const junk = await anon.get(storePage, "/marketplace?page=-4&category=nope");
    expect(junk.status).toBe(200);
  });
});

describe("/marketplace/:handle", () => {
  it("shows sanitized Markdown and the scopes in plain language; unknown or unapproved handles are 404", async () => {
    const v = await publishVersion(platform, m, { handle: `listing.${tag}`, name: "Listing page", hooks: ["checkout.discounts", "order.paid"], source: PROMO, scopes: ["read_customers"] });
    await platform.db
      .updateTable("extensions")
      .set({ description: "**Bold** claim <script>alert(1)</script> [x](javascript:alert(1))", support_contact: "help@example.test" })
      .where("id", "=", v.extensionId)
      .execute();
    const anon = await clientFor(null);
    const page = await bodyOf(await anon.get(listingPage, `/marketplace/listing.${tag}`, { handle: `listing.${tag}` }));
    expect(page.listing.descriptionHtml).toContain("<strong>Bold</strong>");
    expect(page.listing.descriptionHtml).not.toContain("<script");
    expect(page.listing.descriptionHtml).not.toContain("javascript:");
    expect(page.listing.scopes).toEqual([{ scope: "read_customers", label: "See customers' names and e-mail addresses", justification: expect.stringContaining("read_customers") }]);
    expect(page.listing.hooks.map((h: { label: string }) => h.label)).toEqual(["Offers discounts at checkout", "Acts when an order is paid"]);
    expect(page.listing.supportContact).toBe("help@example.test");

    expect((await anon.get(listingPage, "/marketplace/nope.nope", { handle: "nope.nope" })).status).toBe(404);
    await publishVersion(platform, m, { handle: `unapproved.${tag}`, hooks: ["checkout.discounts"], source: PROMO, status: "submitted" });
    expect((await anon.get(listingPage, `/marketplace/unapproved.${tag}`, { handle: `unapproved.${tag}` })).status).toBe(404);
  });

  it("one review per shop per extension, by its owner, only after installing; editable", async () => {
    const handle = `reviewed.${tag}`;
    const v = await publishVersion(platform, m, { handle, name: "Reviewed", hooks: ["checkout.discounts"], source: PROMO });
    const { shop, owner } = await createMerchantShop(platform);
    const c = await clientFor(owner.id);
    const post = (fields: Record<string, string>) => c.post(listingPage, `/marketplace/${handle}`, { shopId: shop.id, ...fields }, { params: { handle } });

    const before = await post({ rating: "5", body: "Great" });
    expect(before.status).toBe(422);
    expect((await bodyOf(before)).code).toBe("never_installed");

    const install = await installExtension(platform.db, { type: "user", id: owner.id }, { shopId: shop.id, versionId: v.versionId });
    expect((await post({ rating: "9", body: "" })).status).toBe(400);
    expect((await post({ rating: "4", body: "Good, but setup was fiddly." })).status).toBe(303);
    // uninstalled since: still allowed, and the second post edits the same review
    await uninstall(platform.db, { type: "user", id: owner.id }, { shopId: shop.id, installId: install.installId });
    expect((await post({ rating: "2", body: "Stopped using it." })).status).toBe(303);
    const rows = await platform.db.selectFrom("extension_reviews").selectAll().where("extension_id", "=", v.extensionId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shop_id: shop.id, rating: 2, body: "Stopped using it." });
    expect((await auditRows(platform, "extension.reviewed")).filter((r) => r.shop_id === shop.id)).toHaveLength(1);
    expect((await auditRows(platform, "extension.review_edited")).filter((r) => r.shop_id === shop.id)).toHaveLength(1);

    // staff of the shop cannot review for it
    const staff = await createUser(platform, "merchant");
    await addShopMember(platform.db, { shopId: shop.id, userId: staff.id, role: "staff" });
    const s = await clientFor(staff.id);
    expect((await s.post(listingPage, `/marketplace/${handle}`, { shopId: shop.id, rating: "5" }, { params: { handle } })).status).toBe(403);
    // without the CSRF token: refused
    expect((await c.post(listingPage, `/marketplace/${handle}`, { shopId: shop.id, rating: "5" }, { params: { handle }, csrf: false })).status).toBe(403);

    const page = await bodyOf(await (await clientFor(null)).get(listingPage, `/marketplace/${handle}`, { handle }));
    expect(page.listing.rating).toEqual({ average: 2, count: 1 });
    expect(page.reviews.items[0]).toMatchObject({ rating: 2, body: "Stopped using it." });
  });
});

describe("the merchant's extension pages", () => {
  let shop: TestShop;
  let ownerId: string;
  let installId: string;
  beforeAll(async () => {
    const made = await createMerchantShop(platform);
    shop = made.shop;
    ownerId = made.owner.id;
    const v = await publishVersion(platform, m, {
      handle: `settings.${tag}`,
      hooks: ["checkout.discounts"],
      source: PROMO,
      settings: [
        { key: "percent", label: "Percent off", type: "integer", min: 1, max: 50, default: 5 },
        { key: "members", label: "Members only", type: "boolean", default: false },
        { key: "minimum", label: "Minimum order", type: "money", min: 0, default: 10000 },
      ],
    });
    installId = (await installExtension(platform.db, { type: "user", id: ownerId }, { shopId: shop.id, versionId: v.versionId })).installId;
    await platform.db.insertInto("extension_counters").values({ install_id: installId, key: "uses", value: 3, updated_at: new Date() }).execute();
  });

  it("the settings form is generated from the manifest and validated", async () => {
    const c = await clientFor(ownerId);
    const page = await bodyOf(await c.get(installPage, `/admin/shops/${shop.id}/extensions/${installId}`, { shopId: shop.id, installId }));
    expect(page.settingsForm.map((f: { key: string; input: string }) => [f.key, f.input])).toEqual([
      ["percent", "number"],
      ["members", "checkbox"],
      ["minimum", "number"],
    ]);
    const bad = await c.post(installPage, `/admin/shops/${shop.id}/extensions/${installId}`, { intent: "settings", percent: "80", minimum: "50" }, { params: { shopId: shop.id, installId } });
    expect(bad.status).toBe(400);
    expect((await bodyOf(bad)).fieldErrors.percent).toBeDefined();
    const ok = await c.post(installPage, `/admin/shops/${shop.id}/extensions/${installId}`, { intent: "settings", percent: "12", members: "on", minimum: "88.50" }, { params: { shopId: shop.id, installId } });
    expect(ok.status).toBe(303);
    expect((await getInstall(platform.db, shop.id, installId))!.settings).toEqual({ percent: 12, members: true, minimum: 8850 });
  });

  it("the owner exports the data as a JSON download; staff cannot", async () => {
    const c = await clientFor(ownerId);
    const res = await c.get(exportRoute, `/admin/shops/${shop.id}/extensions/${installId}/export`, { shopId: shop.id, installId });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.json"$/);
    const file = await res.json();
    expect(file.counters).toEqual([expect.objectContaining({ key: "uses", value: 3 })]);
    const staff = await createUser(platform, "merchant");
    await addShopMember(platform.db, { shopId: shop.id, userId: staff.id, role: "staff" });
    const s = await clientFor(staff.id);
    expect((await s.get(exportRoute, `/admin/shops/${shop.id}/extensions/${installId}/export`, { shopId: shop.id, installId })).status).toBe(403);
    // the extensions page lists it with no update on offer
    const list = await bodyOf(await c.get(extensionsPage, `/admin/shops/${shop.id}/extensions`, { shopId: shop.id }));
    expect(list.installs.find((i: { installId: string }) => i.installId === installId)).toMatchObject({ update: null });
  });
});

describe("the reviewer's pages", () => {
  it("reviewers only; a decision without a reason comes back to the form; approving applies updates that need no consent", async () => {
    const handle = `decide.${tag}`;
    const v1 = await publishVersion(platform, m, { handle, version: "1.0.0", hooks: ["checkout.discounts"], source: PROMO });
    const { shop, owner } = await createMerchantShop(platform);
    const install = await installExtension(platform.db, { type: "user", id: owner.id }, { shopId: shop.id, versionId: v1.versionId });
    const v2 = await publishVersion(platform, m, { handle, version: "1.1.0", hooks: ["checkout.discounts"], source: PROMO, status: "submitted" });
    await setVersionChecked(platform, v2.versionId);

    const merchant = await clientFor(owner.id);
    expect((await merchant.get(versionQueuePage, "/review/versions")).status).toBe(403);
    expect((await merchant.post(versionPage, `/review/versions/${v2.versionId}`, { decision: "approve", reason: "sure" }, { params: { versionId: v2.versionId } })).status).toBe(403);

    const rev = await clientFor(m.reviewerId);
    const queue = await bodyOf(await rev.get(versionQueuePage, "/review/versions"));
    expect(queue.items.map((i: { id: string }) => i.id)).toContain(v2.versionId);
    const page = await bodyOf(await rev.get(versionPage, `/review/versions/${v2.versionId}`, { versionId: v2.versionId }));
    expect(page.diff.previousVersion).toBe("1.0.0");

    const noReason = await rev.post(versionPage, `/review/versions/${v2.versionId}`, { decision: "approve", reason: "" }, { params: { versionId: v2.versionId } });
    expect(noReason.status).toBe(400);
    expect((await bodyOf(noReason)).fieldErrors.reason.length).toBeGreaterThan(0);
    const ok = await rev.post(versionPage, `/review/versions/${v2.versionId}`, { decision: "approve", reason: "Fixes the rounding bug." }, { params: { versionId: v2.versionId } });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toContain("decided=approved-1-0");
    expect((await getVersion(platform.db, v2.versionId))!.status).toBe("approved");
    expect((await getInstall(platform.db, shop.id, install.installId))!.version).toBe("1.1.0");

    const ext = await rev.post(extensionReviewPage, `/review/extensions/${v1.extensionId}`, { decision: "suspend", reason: "" }, { params: { extensionId: v1.extensionId } });
    expect(ext.status).toBe(400);
    expect((await rev.get(versionPage, "/review/versions/ver_nope", { versionId: "ver_nope" })).status).toBe(404);
  });
});
