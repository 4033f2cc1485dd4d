/**
 * Shelves against a real database, through the merchant's editor routes and
 * the storefront's loaders: drafts never show to buyers, publishing makes an
 * immutable version n+1, off-sale products drop out of published shelves
 * without a republish, sections are validated with messages per field, and
 * one shop's merchant cannot reach another shop's shelves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setProductStatus } from "../app/catalog/index.server";
import { editShelfDraft, ensureHomeShelf, getHomeShelfId, publishShelf, replaceShelfDraft, newSectionId } from "../app/shelves/index.server";
import * as shelfList from "../app/routes/admin.shops.$shopId.shelves._index";
import * as shelfEditor from "../app/routes/admin.shops.$shopId.shelves.$shelfId._index";
import * as shelfPreview from "../app/routes/admin.shops.$shopId.shelves.$shelfId.preview";
import * as storefrontHome from "../app/routes/s.$shopHandle._index";
import * as storefrontPage from "../app/routes/s.$shopHandle.p.$slug";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import {
  body,
  createMerchantShop,
  createTestCategory,
  createTestProduct,
  TestBrowser,
  type TestShop,
  type TestUser,
} from "./support/storefront-fixtures";

let platform: TestPlatform;
let owner: TestUser;
let shop: TestShop;
let merchant: TestBrowser;
let buyer: TestBrowser;

beforeAll(async () => {
  platform = await createTestPlatform();
  ({ owner, shop } = await createMerchantShop(platform));
  merchant = await new TestBrowser(platform).signIn(owner.id);
  buyer = new TestBrowser(platform);
});

afterAll(async () => {
  await platform?.close();
});

const editorPath = (shelfId: string) => `/admin/shops/${shop.id}/shelves/${shelfId}`;

/** Posts one editor form as the merchant. */
function edit(shelfId: string, fields: Record<string, string>, who = merchant, target = shop) {
  return who.post(shelfEditor, `/admin/shops/${target.id}/shelves/${shelfId}`, { shopId: target.id, shelfId }, fields);
}

async function homeShelfId(): Promise<string> {
  const res = await merchant.get(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id });
  expect(res.status).toBe(200);
  const data = await body(res);
  return data.shelves.find((s: { isHome: boolean }) => s.isHome).id;
}

/** What a buyer sees on the shop's home page: section types, titles and product titles. */
async function storefront(target = shop) {
  const res = await buyer.get(storefrontHome, `/s/${target.handle}`, { shopHandle: target.handle });
  expect(res.status).toBe(200);
  return body(res);
}

describe("the shelf list", () => {
  it("creates the home shelf on the first visit, once, and lists it unpublished", async () => {
    const [a, b] = await Promise.all([
      merchant.get(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }),
      merchant.get(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const { shelves } = await body(a);
    const homes = (await platform.db.selectFrom("shelves").select("id").where("shop_id", "=", shop.id).where("is_home", "=", true).execute()).length;
    expect(homes).toBe(1);
    expect(shelves[0]).toMatchObject({ title: "Home", isHome: true, publishedVersion: null });
  });

  it("creates a page and refuses a second page at the same address", async () => {
    const res = await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "create", title: "Spring teas", slug: "spring" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(new RegExp(`^/admin/shops/${shop.id}/shelves/shf_`));
    const again = await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "create", title: "Other", slug: "spring" });
    expect(again.status).toBe(409);
    expect((await body(again)).fieldErrors.slug[0]).toMatch(/already used/i);
    const bad = await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "create", title: "", slug: "Not OK!" });
    expect(bad.status).toBe(400);
    const errors = (await body(bad)).fieldErrors;
    expect(errors.title).toBeDefined();
    expect(errors.slug[0]).toMatch(/lower-case/);
  });
});

describe("draft and published versions", () => {
  it("serves only the published version: editing the draft changes nothing for buyers until the next publish", async () => {
    const shelfId = await homeShelfId();
    const [tea, cup, pot] = await Promise.all([
      createTestProduct(platform, shop, { title: "Longjing tea", price: 6800 }),
      createTestProduct(platform, shop, { title: "Celadon cup", price: 3800 }),
      createTestProduct(platform, shop, { title: "Clay teapot", price: 36800 }),
    ]);

    // Before the first publish the home page is the "new arrivals" stand-in, never the draft.
    let add = await edit(shelfId, { intent: "add-section", type: "product_grid" });
    expect(add.status).toBe(200);
    const gridId = (await body(add)).sectionId;
    for (const p of [tea, cup]) expect((await edit(shelfId, { intent: "add-product", sectionId: gridId, productId: p.id })).status).toBe(200);
    expect((await edit(shelfId, { intent: "update-section", sectionId: gridId, title: "Bestsellers" })).status).toBe(200);
    expect((await storefront()).page).toBeNull();

    const published = await edit(shelfId, { intent: "publish" });
    expect(published.status).toBe(200);
    expect(await body(published)).toMatchObject({ ok: true, version: 1 });
    let page = (await storefront()).page;
    expect(page.version).toBe(1);
    expect(page.sections).toHaveLength(1);
    expect(page.sections[0]).toMatchObject({ type: "product_grid", title: "Bestsellers" });
    expect(page.sections[0].products.map((p: { title: string }) => p.title)).toEqual(["Longjing tea", "Celadon cup"]);

    // A half-edited draft: retitled, a product added, a rich text section that is still empty.
    await edit(shelfId, { intent: "update-section", sectionId: gridId, title: "New in" });
    await edit(shelfId, { intent: "add-product", sectionId: gridId, productId: pot.id });
    add = await edit(shelfId, { intent: "add-section", type: "rich_text" });
    const textId = (await body(add)).sectionId;
    page = (await storefront()).page;
    expect(page.version).toBe(1);
    expect(page.sections).toHaveLength(1);
    expect(page.sections[0].title).toBe("Bestsellers");
    expect(page.sections[0].products).toHaveLength(2);

    // Publishing an incomplete draft is refused with a message naming the section.
    const refused = await edit(shelfId, { intent: "publish" });
    expect(refused.status).toBe(422);
    expect((await body(refused)).formError).toMatch(/Section 2 \(rich text\)/);

    await edit(shelfId, { intent: "update-section", sectionId: textId, markdown: "## About us\n\nWe sell **tea**.<script>alert(1)</script>" });
    const second = await edit(shelfId, { intent: "publish" });
    expect(await body(second)).toMatchObject({ ok: true, version: 2 });
    page = (await storefront()).page;
    expect(page.version).toBe(2);
    expect(page.sections[0].title).toBe("New in");
    expect(page.sections[0].products.map((p: { title: string }) => p.title)).toEqual(["Longjing tea", "Celadon cup", "Clay teapot"]);
    expect(page.sections[1].html).toContain("<strong>tea</strong>");
    expect(page.sections[1].html).not.toContain("<script");

    // Version 1 is immutable: still exactly what was published first.
    const versions = await platform.db
      .selectFrom("shelf_versions")
      .select(["version", "sections", "published_by"])
      .where("shop_id", "=", shop.id)
      .where("shelf_id", "=", shelfId)
      .orderBy("version")
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect((versions[0].sections as any[])[0]).toMatchObject({ title: "Bestsellers", productIds: [tea.id, cup.id] });
    expect(versions[1].published_by).toBe(owner.id);

    const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_id"]).where("shop_id", "=", shop.id).where("action", "=", "shelf.published").execute();
    expect(audit).toHaveLength(2);
    expect(audit.every((a) => a.actor_id === owner.id)).toBe(true);
  });

  it("a product taken off sale disappears from the published shelf without a republish, and returns when back on sale", async () => {
    const { shop: s2, owner: o2 } = await createMerchantShop(platform);
    const a = await createTestProduct(platform, s2, { title: "Stays" });
    const b = await createTestProduct(platform, s2, { title: "Goes off sale" });
    await ensureHomeShelf(platform.db, s2.id, { id: o2.id });
    const homeId = (await getHomeShelfId(platform.db, s2.id))!;
    await replaceShelfDraft(platform.db, s2.id, { id: o2.id }, homeId, [
      { type: "product_grid", id: newSectionId(), title: "Picks", productIds: [a.id, b.id] },
      { type: "product_list", id: newSectionId(), title: "Rows", productIds: [b.id] },
    ]);
    await publishShelf(platform.db, s2.id, { id: o2.id }, homeId);
    expect((await storefront(s2)).page.sections[0].products).toHaveLength(2);

    await setProductStatus(platform.db, s2.id, [b.id], "off_sale", { type: "user", id: o2.id });
    const page = (await storefront(s2)).page;
    expect(page.version).toBe(1);
    expect(page.sections[0].products.map((p: { title: string }) => p.title)).toEqual(["Stays"]);
    expect(page.sections[1].products).toEqual([]);

    await setProductStatus(platform.db, s2.id, [b.id], "on_sale", { type: "user", id: o2.id });
    expect((await storefront(s2)).page.sections[0].products).toHaveLength(2);
  });

  it("discarding the draft brings back the published sections", async () => {
    const shelfId = await homeShelfId();
    await edit(shelfId, { intent: "add-section", type: "banner" });
    let draft = await body(await merchant.get(shelfEditor, editorPath(shelfId), { shopId: shop.id, shelfId }));
    expect(draft.shelf.hasUnpublishedChanges).toBe(true);
    expect(draft.shelf.sections).toHaveLength(3);
    expect((await edit(shelfId, { intent: "discard-draft" })).status).toBe(200);
    draft = await body(await merchant.get(shelfEditor, editorPath(shelfId), { shopId: shop.id, shelfId }));
    expect(draft.shelf.sections).toHaveLength(2);
    expect(draft.shelf.hasUnpublishedChanges).toBe(false);
  });

  it("concurrent publishes take distinct version numbers", async () => {
    const shelfId = await homeShelfId();
    const before = (await body(await merchant.get(shelfEditor, editorPath(shelfId), { shopId: shop.id, shelfId }))).shelf.publishedVersion;
    const results = await Promise.all([1, 2, 3].map(() => publishShelf(platform.db, shop.id, { id: owner.id }, shelfId)));
    expect(results.map((r) => r.version).sort()).toEqual([before + 1, before + 2, before + 3]);
    const current = await platform.db.selectFrom("shelves").select("published_version_id").where("id", "=", shelfId).executeTakeFirstOrThrow();
    const top = results.reduce((a, b) => (a.version > b.version ? a : b));
    expect(current.published_version_id).toBe(top.versionId);
  });

  it("serves other pages at /p/:slug only once published, and makes another page the home", async () => {
    const created = await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "create", title: "Gift guide", slug: "gifts" });
    const shelfId = created.headers.get("location")!.split("/").pop()!;
    const params = { shopHandle: shop.handle, slug: "gifts" };
    expect((await buyer.get(storefrontPage, `/s/${shop.handle}/p/gifts`, params)).status).toBe(404);
    const add = await edit(shelfId, { intent: "add-section", type: "banner" });
    const bannerId = (await body(add)).sectionId;
    await edit(shelfId, { intent: "update-section", sectionId: bannerId, headline: "Gifts for tea lovers", link: `/s/${shop.handle}/p/gifts`, linkLabel: "Browse" });
    await edit(shelfId, { intent: "publish" });
    const res = await buyer.get(storefrontPage, `/s/${shop.handle}/p/gifts`, params);
    expect(res.status).toBe(200);
    expect((await body(res)).page).toMatchObject({ title: "Gift guide", sections: [{ type: "banner", headline: "Gifts for tea lovers", linkLabel: "Browse" }] });

    const setHome = await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "set-home", shelfId });
    expect(setHome.status).toBe(303);
    expect((await storefront()).page.title).toBe("Gift guide");
    // Back, so the other tests keep their home.
    const old = (await platform.db.selectFrom("shelves").select("id").where("shop_id", "=", shop.id).where("slug", "=", "home").executeTakeFirstOrThrow()).id;
    await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "set-home", shelfId: old });
    expect((await storefront()).page.title).toBe("Home");
  });

  it("renders the draft in the preview, with what publishing would show", async () => {
    const shelfId = await homeShelfId();
    await edit(shelfId, { intent: "add-section", type: "category_group" });
    const res = await merchant.get(shelfPreview, `${editorPath(shelfId)}/preview`, { shopId: shop.id, shelfId });
    expect(res.status).toBe(200);
    const { page } = await body(res);
    expect(page.version).toBeNull();
    expect(page.sections.map((s: { type: string }) => s.type)).toEqual(["product_grid", "rich_text", "category_group"]);
    await edit(shelfId, { intent: "discard-draft" });
  });
});

describe("section validation", () => {
  let shelfId: string;
  beforeAll(async () => {
    shelfId = await homeShelfId();
  });

  async function addSection(type: string): Promise<string> {
    const res = await edit(shelfId, { intent: "add-section", type });
    expect(res.status).toBe(200);
    return (await body(res)).sectionId;
  }

  it("names each bad banner field", async () => {
    const id = await addSection("banner");
    const res = await edit(shelfId, { intent: "update-section", sectionId: id, headline: "", link: "javascript:alert(1)", linkLabel: "x".repeat(31) });
    expect(res.status).toBe(400);
    const { fieldErrors } = await body(res);
    expect(fieldErrors.headline).toEqual(["Write a headline"]);
    expect(fieldErrors.link[0]).toMatch(/path on this site/);
    expect(fieldErrors.linkLabel).toEqual(["Use at most 30 characters"]);
    const protocolRelative = await edit(shelfId, { intent: "update-section", sectionId: id, headline: "Hi", link: "//evil.example" });
    expect(protocolRelative.status).toBe(400);
    expect((await edit(shelfId, { intent: "update-section", sectionId: id, headline: "Hi", link: "https://example.com/tea" })).status).toBe(200);
  });

  it("refuses a category of another shop, a bad count, and text over the limit", async () => {
    const { shop: other } = await createMerchantShop(platform);
    const foreign = await createTestCategory(platform, other, "Not yours");
    const mine = await createTestCategory(platform, shop, "Green tea");
    const group = await addSection("category_group");
    const res = await edit(shelfId, { intent: "update-section", sectionId: group, categoryId: foreign });
    expect(res.status).toBe(400);
    expect((await body(res)).fieldErrors.categoryId).toEqual(["Choose one of your categories"]);
    const count = await edit(shelfId, { intent: "update-section", sectionId: group, categoryId: mine, maxItems: "50" });
    expect(count.status).toBe(400);
    expect((await body(count)).fieldErrors.maxItems).toEqual(["Show at most 20 products"]);
    expect((await edit(shelfId, { intent: "update-section", sectionId: group, categoryId: mine, maxItems: "8" })).status).toBe(200);

    const text = await addSection("rich_text");
    const long = await edit(shelfId, { intent: "update-section", sectionId: text, markdown: "x".repeat(10_001) });
    expect(long.status).toBe(400);
    expect((await body(long)).fieldErrors.markdown[0]).toMatch(/at most 10,000/);
  });

  it("caps a grid at 20 products and refuses products of another shop", async () => {
    const grid = await addSection("product_grid");
    const products = await Promise.all(Array.from({ length: 21 }, (_, i) => createTestProduct(platform, shop, { title: `Grid item ${i}` })));
    for (const p of products.slice(0, 20)) expect((await edit(shelfId, { intent: "add-product", sectionId: grid, productId: p.id })).status).toBe(200);
    const full = await edit(shelfId, { intent: "add-product", sectionId: grid, productId: products[20].id });
    expect(full.status).toBe(422);
    expect((await body(full)).formError).toMatch(/at most|already holds 20/);

    const { shop: other } = await createMerchantShop(platform);
    const foreign = await createTestProduct(platform, other, { title: "Other shop's" });
    const list = await addSection("product_list");
    const res = await edit(shelfId, { intent: "add-product", sectionId: list, productId: foreign.id });
    expect(res.status).toBe(404);
  });

  it("refuses unknown section types and intents, and checks the schema on direct writes", async () => {
    expect((await edit(shelfId, { intent: "add-section", type: "carousel" })).status).toBe(400);
    expect((await edit(shelfId, { intent: "explode" })).status).toBe(400);
    await expect(
      replaceShelfDraft(platform.db, shop.id, null, shelfId, [{ type: "product_grid", id: newSectionId(), title: "", productIds: ["not an id"] }]),
    ).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { "0.productIds.0": ["Not a valid id"] } });
    await expect(editShelfDraft(platform.db, shop.id, { id: owner.id }, shelfId, { op: "remove-section", sectionId: newSectionId() })).rejects.toMatchObject({
      kind: "not_found",
    });
    await edit(shelfId, { intent: "discard-draft" });
  });

  it("needs the CSRF token", async () => {
    const res = await merchant.post(shelfEditor, editorPath(shelfId), { shopId: shop.id, shelfId }, { intent: "publish" }, { csrf: false });
    expect(res.status).toBe(403);
  });
});

describe("tenant isolation", () => {
  it("gives a merchant of shop A a 404 for shop B's shelves, whichever URL they try", async () => {
    const { owner: ownerB, shop: shopB } = await createMerchantShop(platform);
    await ensureHomeShelf(platform.db, shopB.id, { id: ownerB.id });
    const shelfB = (await getHomeShelfId(platform.db, shopB.id))!;
    const shelfA = await homeShelfId();

    // B's shop in the URL: not a member.
    expect((await merchant.get(shelfList, `/admin/shops/${shopB.id}/shelves`, { shopId: shopB.id })).status).toBe(404);
    expect((await merchant.get(shelfEditor, `/admin/shops/${shopB.id}/shelves/${shelfB}`, { shopId: shopB.id, shelfId: shelfB })).status).toBe(404);
    expect((await edit(shelfB, { intent: "add-section", type: "banner" }, merchant, shopB)).status).toBe(404);
    // A's shop in the URL, B's shelf id: not found in A.
    expect((await merchant.get(shelfEditor, editorPath(shelfB), { shopId: shop.id, shelfId: shelfB })).status).toBe(404);
    expect((await merchant.get(shelfPreview, `${editorPath(shelfB)}/preview`, { shopId: shop.id, shelfId: shelfB })).status).toBe(404);
    expect((await edit(shelfB, { intent: "add-section", type: "banner" })).status).toBe(404);
    expect((await edit(shelfB, { intent: "publish" })).status).toBe(404);
    expect((await merchant.post(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id }, { intent: "set-home", shelfId: shelfB })).status).toBe(404);
    const untouched = await platform.db.selectFrom("shelves").selectAll().where("id", "=", shelfB).executeTakeFirstOrThrow();
    expect(untouched.draft_sections).toEqual([]);
    expect(untouched.published_version_id).toBeNull();
    expect(shelfA).not.toBe(shelfB);
  });

  it("sends a signed-out visitor to the login page", async () => {
    const res = await buyer.get(shelfList, `/admin/shops/${shop.id}/shelves`, { shopId: shop.id });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });
});
