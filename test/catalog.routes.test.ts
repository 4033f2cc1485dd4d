/**
 * The catalog's admin routes, called directly with real Requests (session
 * and CSRF cookies) and wrapped the way the server wraps them:
 * - tenant isolation: a merchant of shop A reaching shop B's product,
 *   category, image or SKU ledger — through B's URLs or by putting B's ids
 *   into A's URLs and forms — gets 404, and nothing of B's changes;
 * - forms: money typed in the shop currency, validation errors returned as
 *   400 with field errors keyed like the inputs, successful saves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as categoriesRoute from "../app/routes/admin.shops.$shopId.categories";
import * as editorRoute from "../app/routes/admin.shops.$shopId.products.$productId";
import * as ledgerRoute from "../app/routes/admin.shops.$shopId.products.$productId_.skus.$skuId";
import * as listRoute from "../app/routes/admin.shops.$shopId.products._index";
import * as newRoute from "../app/routes/admin.shops.$shopId.products.new";
import {
  attachImages,
  createCategory,
  createProduct,
  getAdminProduct,
  listCategories,
  storeImage,
  type AdminProduct,
} from "../app/catalog/index.server";
import { actorOf, callAction, callLoader, createMerchant, makePng, type Merchant } from "./catalog-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

let platform: TestPlatform;
let a: Merchant;
let b: Merchant;
let aProduct: AdminProduct;
let bProduct: AdminProduct;
let bCategoryId: string;
let bImageId: string;
let aImageId: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  a = await createMerchant(platform);
  b = await createMerchant(platform);
  aProduct = await createProduct(platform.db, a.shopId, actorOf(a), { title: "A's mug", specs: [{ name: "Size", values: ["S", "M"] }], price: 3900, stock: 5 });
  bCategoryId = (await createCategory(platform.db, b.shopId, actorOf(b), { name: "B's category" })).id;
  bProduct = await createProduct(platform.db, b.shopId, actorOf(b), { title: "B's teapot", price: 9900, stock: 2, categoryId: bCategoryId });
  bImageId = await storeImage(platform, b.shopId, await makePng(20, 20, "#abcdef"));
  await attachImages(platform.db, b.shopId, bProduct.id, [bImageId]);
  aImageId = await storeImage(platform, a.shopId, await makePng(20, 20, "#fedcba"));
  await attachImages(platform.db, a.shopId, aProduct.id, [aImageId]);
});

afterAll(async () => {
  await platform?.close();
});

const editorPath = (shopId: string, productId: string) => `/admin/shops/${shopId}/products/${productId}`;

async function expectBUnchanged() {
  const now = await getAdminProduct(platform.db, b.shopId, bProduct.id);
  expect(now.title).toBe("B's teapot");
  expect(now.skus[0]).toMatchObject({ price: 9900, stock: 2 });
  expect(now.images.map((i) => i.id)).toEqual([bImageId]);
  expect((await listCategories(platform.db, b.shopId)).map((c) => c.name)).toEqual(["B's category"]);
}

describe("tenant isolation: shop A's merchant and shop B's things → 404", () => {
  it("B's pages under B's shop id (A is not a member)", async () => {
    const params = { shopId: b.shopId, productId: bProduct.id };
    expect((await callLoader(platform, listRoute, a, `/admin/shops/${b.shopId}/products`, { shopId: b.shopId })).status).toBe(404);
    expect((await callLoader(platform, editorRoute, a, editorPath(b.shopId, bProduct.id), params)).status).toBe(404);
    expect((await callLoader(platform, categoriesRoute, a, `/admin/shops/${b.shopId}/categories`, { shopId: b.shopId })).status).toBe(404);
    const skuParams = { ...params, skuId: bProduct.skus[0].id };
    expect((await callLoader(platform, ledgerRoute, a, `${editorPath(b.shopId, bProduct.id)}/skus/${bProduct.skus[0].id}`, skuParams)).status).toBe(404);
    const post = await callAction(platform, editorRoute, a, editorPath(b.shopId, bProduct.id), params, { intent: "details", title: "Hijacked" });
    expect(post.status).toBe(404);
    await expectBUnchanged();
  });

  it("B's product through A's shop: editor loader and every editor action", async () => {
    const params = { shopId: a.shopId, productId: bProduct.id };
    const path = editorPath(a.shopId, bProduct.id);
    expect((await callLoader(platform, editorRoute, a, path, params)).status).toBe(404);
    const sku = bProduct.skus[0].id;
    const forms: Record<string, string>[] = [
      { intent: "details", title: "Hijacked", description: "", categoryId: "", status: "on_sale" },
      { intent: "specs", "specs.0.name": "Size", "specs.0.values": "S, M" },
      { intent: "skus", [`skus.${sku}.price`]: "0.01", [`skus.${sku}.stock`]: "0", [`skus.${sku}.stockWas`]: "2" },
      { intent: "image-remove", imageId: bImageId },
      { intent: "image-down", imageId: bImageId },
    ];
    for (const form of forms) {
      const res = await callAction(platform, editorRoute, a, path, params, form);
      expect(res.status, form.intent).toBe(404);
    }
    const upload = new FormData();
    upload.set("intent", "upload");
    upload.set("image", new File([new Uint8Array(await makePng())], "x.png", { type: "image/png" }));
    expect((await callAction(platform, editorRoute, a, path, params, upload)).status).toBe(404);
    await expectBUnchanged();
  });

  it("B's SKU in A's product's matrix, B's image in A's gallery", async () => {
    const params = { shopId: a.shopId, productId: aProduct.id };
    const path = editorPath(a.shopId, aProduct.id);
    const sku = bProduct.skus[0].id;
    const matrix = await callAction(platform, editorRoute, a, path, params, { intent: "skus", [`skus.${sku}.price`]: "0.01" });
    expect(matrix.status).toBe(404);
    for (const intent of ["image-remove", "image-up"]) {
      expect((await callAction(platform, editorRoute, a, path, params, { intent, imageId: bImageId })).status).toBe(404);
    }
    await expect(attachImages(platform.db, a.shopId, aProduct.id, [bImageId])).rejects.toMatchObject({ kind: "not_found" });
    expect((await getAdminProduct(platform.db, a.shopId, aProduct.id)).images.map((i) => i.id)).toEqual([aImageId]);
    await expectBUnchanged();
  });

  it("B's category through A's shop: rename, move, reorder, delete; and as a product's category", async () => {
    const params = { shopId: a.shopId };
    const path = `/admin/shops/${a.shopId}/categories`;
    const forms: Record<string, string>[] = [
      { intent: "rename", id: bCategoryId, name: "Mine" },
      { intent: "move", id: bCategoryId, parentId: "" },
      { intent: "up", id: bCategoryId },
      { intent: "delete", id: bCategoryId },
    ];
    for (const form of forms) {
      expect((await callAction(platform, categoriesRoute, a, path, params, form)).status, form.intent).toBe(404);
    }
    const create = await callAction(platform, categoriesRoute, a, path, params, { intent: "create", name: "Child", parentId: bCategoryId });
    expect(create.status).toBe(404);
    const file = await callAction(platform, editorRoute, a, editorPath(a.shopId, aProduct.id), { shopId: a.shopId, productId: aProduct.id }, {
      intent: "details",
      title: "A's mug",
      categoryId: bCategoryId,
    });
    expect(file.status).toBe(400);
    expect(await file.json()).toMatchObject({ fieldErrors: { categoryId: ["Choose a category from the list"] } });
    await expectBUnchanged();
  });

  it("B's SKU ledger through A's shop, and A's SKU under the wrong product", async () => {
    const bSku = bProduct.skus[0].id;
    const viaA = { shopId: a.shopId, productId: bProduct.id, skuId: bSku };
    expect((await callLoader(platform, ledgerRoute, a, `${editorPath(a.shopId, bProduct.id)}/skus/${bSku}`, viaA)).status).toBe(404);
    const adjust = await callAction(platform, ledgerRoute, a, `${editorPath(a.shopId, bProduct.id)}/skus/${bSku}`, viaA, {
      mode: "set",
      amount: "0",
      note: "stolen",
    });
    expect(adjust.status).toBe(404);
    const other = await createProduct(platform.db, a.shopId, actorOf(a), { title: "Other", price: 1 });
    const wrong = { shopId: a.shopId, productId: other.id, skuId: aProduct.skus[0].id };
    expect((await callLoader(platform, ledgerRoute, a, "/x", wrong)).status).toBe(404);
    expect((await callAction(platform, ledgerRoute, a, "/x", wrong, { mode: "delta", amount: "1", note: "x" })).status).toBe(404);
    await expectBUnchanged();
  });

  it("B's product in A's bulk status form", async () => {
    const res = await callAction(platform, listRoute, a, `/admin/shops/${a.shopId}/products?index`, { shopId: a.shopId }, {
      intent: "on_sale",
      ids: [aProduct.id, bProduct.id],
    });
    expect(res.status).toBe(404);
    expect((await getAdminProduct(platform.db, b.shopId, bProduct.id)).status).toBe("draft");
    expect((await getAdminProduct(platform.db, a.shopId, aProduct.id)).status).toBe("draft");
  });

  it("signed out: the pages redirect to log in", async () => {
    const res = await callLoader(platform, listRoute, null, `/admin/shops/${a.shopId}/products`, { shopId: a.shopId });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });
});

describe("forms", () => {
  it("Add product: money in the shop currency, specs, then a redirect to the editor", async () => {
    const res = await callAction(platform, newRoute, a, `/admin/shops/${a.shopId}/products/new`, { shopId: a.shopId }, {
      title: "Linen shirt",
      description: "Soft.",
      categoryId: "",
      status: "on_sale",
      price: "199.90",
      compareAtPrice: "",
      stock: "4",
      "specs.0.name": "Colour",
      "specs.0.values": "White, Sand",
      "specs.1.name": "",
      "specs.1.values": "",
      "specs.2.name": "Size",
      "specs.2.values": "S, M, L",
    });
    expect(res.status).toBe(303);
    const id = res.headers.get("location")!.match(/products\/(prd_[0-9a-z]{26})\?created=1$/)![1];
    const p = await getAdminProduct(platform.db, a.shopId, id);
    expect(p.skus).toHaveLength(6);
    expect(p).toMatchObject({ minPrice: 19990, maxPrice: 19990, totalStock: 24, status: "on_sale", specs: [{ name: "Colour", values: ["White", "Sand"] }, { name: "Size", values: ["S", "M", "L"] }] });
  });

  it("Add product: bad money and spec errors come back as 400 keyed like the inputs", async () => {
    const path = `/admin/shops/${a.shopId}/products/new`;
    const money = await callAction(platform, newRoute, a, path, { shopId: a.shopId }, { title: "X", price: "12.345", compareAtPrice: "1e3", stock: "-2" });
    expect(money.status).toBe(400);
    expect((await money.json()) as object).toMatchObject({
      ok: false,
      fieldErrors: { price: ["Use at most 2 decimal places for CNY"], compareAtPrice: ["Enter an amount like 12.50"], stock: ["Stock cannot be negative"] },
    });
    // A blank middle row: errors are keyed by the row the merchant typed in.
    const specs = await callAction(platform, newRoute, a, path, { shopId: a.shopId }, {
      title: "X",
      price: "1",
      "specs.0.name": "Colour",
      "specs.0.values": "Red",
      "specs.2.name": "colour",
      "specs.2.values": "Red, red",
    });
    expect(specs.status).toBe(400);
    expect(((await specs.json()) as { fieldErrors: object }).fieldErrors).toEqual({
      "specs.2.name": ['"colour" is already used as a spec name'],
      "specs.2.values": ['"red" is listed twice (values are compared ignoring case and spaces)'],
    });
  });

  it("the SKU matrix saves every row in one POST, and shows errors per cell", async () => {
    const params = { shopId: a.shopId, productId: aProduct.id };
    const path = editorPath(a.shopId, aProduct.id);
    const [s, md] = aProduct.skus;
    const bad = await callAction(platform, editorRoute, a, path, params, {
      intent: "skus",
      [`skus.${s.id}.price`]: "abc",
      [`skus.${s.id}.stock`]: "-1",
      [`skus.${md.id}.price`]: "10",
      [`skus.${md.id}.compareAt`]: "9.99",
    });
    expect(bad.status).toBe(400);
    const first = (await bad.json()) as { fieldErrors: Record<string, string[]> };
    expect(first.fieldErrors).toEqual({
      [`skus.${s.id}.price`]: ["Enter an amount like 12.50"],
      [`skus.${s.id}.stock`]: ["Stock cannot be negative"],
    });
    const cmp = await callAction(platform, editorRoute, a, path, params, { intent: "skus", [`skus.${md.id}.price`]: "10", [`skus.${md.id}.compareAt`]: "9.99" });
    expect(((await cmp.json()) as { fieldErrors: object }).fieldErrors).toEqual({ [`skus.${md.id}.compareAt`]: ["The compare-at price must be higher than the price"] });

    const ok = await callAction(platform, editorRoute, a, path, params, {
      intent: "skus",
      [`skus.${s.id}.price`]: "12.50",
      [`skus.${s.id}.compareAt`]: "",
      [`skus.${s.id}.stock`]: "8",
      [`skus.${s.id}.stockWas`]: "5",
      [`skus.${s.id}.code`]: " MUG-S ",
      [`skus.${md.id}.price`]: "0.1",
      [`skus.${md.id}.compareAt`]: "0.3",
      [`skus.${md.id}.stock`]: "5",
      [`skus.${md.id}.stockWas`]: "5",
      [`skus.${md.id}.code`]: "",
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, message: "Saved 2 SKUs." });
    const p = await getAdminProduct(platform.db, a.shopId, aProduct.id);
    expect(p.skus.map((x) => [x.price, x.compareAtPrice, x.stock, x.code])).toEqual([
      [1250, null, 8, "MUG-S"],
      [10, 30, 5, ""],
    ]);
    const ledger = await callLoader(platform, ledgerRoute, a, `${path}/skus/${s.id}`, { ...params, skuId: s.id });
    expect(ledger.status).toBe(200);
    const page = (await ledger.json()) as { entries: { delta: number; reason: string }[]; sku: { stock: number } };
    expect(page.sku.stock).toBe(8);
    expect(page.entries.map((e) => [e.delta, e.reason])).toEqual([
      [3, "manual_adjust"],
      [5, "initial"],
    ]);
  });

  it("the ledger page adjusts stock with a reason, and refuses going below zero", async () => {
    const sku = aProduct.skus[1];
    const params = { shopId: a.shopId, productId: aProduct.id, skuId: sku.id };
    const path = `${editorPath(a.shopId, aProduct.id)}/skus/${sku.id}`;
    const tooMany = await callAction(platform, ledgerRoute, a, path, params, { mode: "delta", amount: "-99", note: "Broken" });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { fieldErrors: object }).fieldErrors).toEqual({ amount: ["Only 5 in stock; cannot remove 99"] });
    const noNote = await callAction(platform, ledgerRoute, a, path, params, { mode: "set", amount: "3", note: "" });
    expect(((await noNote.json()) as { fieldErrors: object }).fieldErrors).toEqual({ note: ["Say why (e.g. stock count, damaged)"] });
    const ok = await callAction(platform, ledgerRoute, a, path, params, { mode: "set", amount: "3", note: "Counted" });
    expect(ok.status).toBe(303);
    const row = await platform.db.selectFrom("stock_ledger").selectAll().where("sku_id", "=", sku.id).orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ delta: -2, balance_after: 3, reason: "manual_adjust", note: "Counted", actor_id: a.userId });
  });

  it("a POST without the CSRF cookie's token is refused with 403", async () => {
    const request = new Request(`http://localhost/admin/shops/${a.shopId}/categories`, {
      method: "POST",
      headers: { cookie: a.cookie },
      body: new URLSearchParams({ intent: "create", name: "No token" }),
    });
    await expect(categoriesRoute.action({ request, params: { shopId: a.shopId }, context: { platform, clientIp: "127.0.0.1" } } as never)).rejects.toMatchObject({
      kind: "forbidden",
      code: "csrf",
    });
  });
});
