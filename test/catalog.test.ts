/**
 * The catalog services against a real database: SKU generation and
 * regeneration after spec edits, every validation limit with the field its
 * error is keyed to, product aggregates, events and audit rows written with
 * the change, the category tree's rules, and the storefront/cart reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attachImages,
  createCategory,
  createProduct,
  deleteCategory,
  getAdminProduct,
  getSkusForCart,
  getStorefrontProduct,
  listAdminProducts,
  listCategories,
  listStorefrontProducts,
  moveCategory,
  renameCategory,
  reorderCategory,
  setProductStatus,
  setSpecs,
  storeImage,
  updateProduct,
  updateSkus,
  type AdminProduct,
} from "../app/catalog/index.server";
import { isAppError, type AppError } from "../app/lib/errors";
import { actorOf, createMerchant, makePng, type Merchant } from "./catalog-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

let platform: TestPlatform;
let m: Merchant;

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMerchant(platform);
});

afterAll(async () => {
  await platform?.close();
});

/** The AppError a promise rejects with (fails the test if it resolves or throws something else). */
async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected an AppError, but it succeeded");
}

const keyed = (p: AdminProduct) => Object.fromEntries(p.skus.filter((s) => s.status === "active").map((s) => [s.specLabel, s]));

async function ledgerOf(skuId: string) {
  return platform.db.selectFrom("stock_ledger").selectAll().where("sku_id", "=", skuId).orderBy("id").execute();
}

async function outboxFor(subjectId: string) {
  return platform.db.selectFrom("outbox").select(["name", "payload"]).where("subject_id", "=", subjectId).orderBy("id").execute();
}

const COLOUR_SIZE = [
  { name: "Colour", values: ["Red", "Blue"] },
  { name: "Size", values: ["S", "M", "L"] },
];

describe("SKU generation", () => {
  it("2 × 3 specs make 6 SKUs with their keys, price, stock and initial ledger rows", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Linen shirt", specs: COLOUR_SIZE, price: 19900, stock: 5 });
    expect(p.skus).toHaveLength(6);
    expect(p.skus.map((s) => s.specLabel)).toEqual(["Red / S", "Red / M", "Red / L", "Blue / S", "Blue / M", "Blue / L"]);
    const rows = await platform.db.selectFrom("skus").select(["spec_key", "spec_values", "price", "stock", "status"]).where("product_id", "=", p.id).orderBy("position").execute();
    expect(rows.map((r) => r.spec_key)).toEqual(["Red\u001fS", "Red\u001fM", "Red\u001fL", "Blue\u001fS", "Blue\u001fM", "Blue\u001fL"]);
    expect(rows[4].spec_values).toEqual(["Blue", "M"]);
    expect(rows.every((r) => r.price === 19900 && r.stock === 5 && r.status === "active")).toBe(true);
    expect(p).toMatchObject({ minPrice: 19900, maxPrice: 19900, totalStock: 30, status: "draft" });
    const ledger = await ledgerOf(p.skus[0].id);
    expect(ledger.map((l) => [l.delta, l.balance_after, l.reason, l.actor_id])).toEqual([[5, 5, "initial", m.userId]]);
  });

  it("a product without specs has exactly one SKU with spec_key ''", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Tote bag", price: 5900, code: "TOTE-1" });
    expect(p.skus).toHaveLength(1);
    const [row] = await platform.db.selectFrom("skus").select(["spec_key", "code", "stock"]).where("product_id", "=", p.id).execute();
    expect(row).toEqual({ spec_key: "", code: "TOTE-1", stock: 0 });
    expect(await ledgerOf(p.skus[0].id)).toEqual([]); // nothing to explain at 0
  });

  it("writes product.created and the audit row in the same transaction", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Event check", price: 100 });
    const events = await outboxFor(p.id);
    expect(events.map((e) => e.name)).toEqual(["product.created"]);
    expect(events[0].payload).toMatchObject({ productId: p.id, title: "Event check", status: "draft", skuIds: [p.skus[0].id] });
    const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_id", "shop_id"]).where("target_id", "=", p.id).execute();
    expect(audit).toEqual([{ action: "product.created", actor_id: m.userId, shop_id: m.shopId }]);
  });

  it("rolls back everything when the caller's transaction fails", async () => {
    let id = "";
    await expect(
      platform.db.transaction().execute(async (trx) => {
        id = (await createProduct(trx, m.shopId, actorOf(m), { title: "Rolled back", specs: COLOUR_SIZE, price: 100, stock: 3 })).id;
        throw new Error("caller failed");
      }),
    ).rejects.toThrow("caller failed");
    expect(await platform.db.selectFrom("products").select("id").where("id", "=", id).executeTakeFirst()).toBeUndefined();
    expect(await platform.db.selectFrom("skus").select("id").where("product_id", "=", id).execute()).toEqual([]);
    expect(await outboxFor(id)).toEqual([]);
  });
});

describe("regeneration after a spec edit", () => {
  it("keeps surviving combinations' price, stock and code; archives removed ones with stock 0 and a ledger row; creates new ones", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Regen", specs: COLOUR_SIZE, price: 10000, stock: 4 });
    const before = keyed(p);
    // Give each surviving combination its own price, stock and code.
    await updateSkus(platform.db, m.shopId, p.id, actorOf(m), [
      { skuId: before["Red / S"].id, price: 12000, stock: 7, code: "R-S" },
      { skuId: before["Red / M"].id, price: 9000, compareAtPrice: 15000, code: "R-M" },
    ]);

    // Drop Blue and L, add Green and XL.
    const summary = await setSpecs(platform.db, m.shopId, p.id, actorOf(m), [
      { name: "Colour", values: ["Red", "Green"] },
      { name: "Size", values: ["S", "M", "XL"] },
    ]);
    expect(summary).toEqual({ kept: 2, created: 4, reactivated: 0, archived: 4, skuCount: 6 });

    const after = await getAdminProduct(platform.db, m.shopId, p.id);
    const now = keyed(after);
    expect(Object.keys(now)).toEqual(["Red / S", "Red / M", "Red / XL", "Green / S", "Green / M", "Green / XL"]);
    expect(now["Red / S"]).toMatchObject({ id: before["Red / S"].id, price: 12000, stock: 7, code: "R-S" });
    expect(now["Red / M"]).toMatchObject({ id: before["Red / M"].id, price: 9000, compareAtPrice: 15000, stock: 4, code: "R-M" });
    // New ones: the lowest price the product had (9000), no stock, no code.
    for (const label of ["Red / XL", "Green / S", "Green / M", "Green / XL"]) {
      expect(now[label]).toMatchObject({ price: 9000, compareAtPrice: null, stock: 0, code: "" });
    }
    const archived = after.skus.filter((s) => s.status === "archived");
    expect(archived.map((s) => s.specLabel).sort()).toEqual(["Blue / L", "Blue / M", "Blue / S", "Red / L"]);
    expect(archived.every((s) => s.stock === 0)).toBe(true);
    const blueS = await ledgerOf(before["Blue / S"].id);
    expect(blueS.map((l) => [l.delta, l.balance_after, l.reason])).toEqual([
      [4, 4, "initial"],
      [-4, 0, "manual_adjust"],
    ]);
    expect(blueS[1].note).toContain("Blue / S");
    expect(after.specs).toEqual([
      { name: "Colour", values: ["Red", "Green"] },
      { name: "Size", values: ["S", "M", "XL"] },
    ]);
    expect(after).toMatchObject({ minPrice: 9000, maxPrice: 12000, totalStock: 11 });
    // stock.changed for the write-offs, product.updated for the edit.
    const events = await platform.db.selectFrom("outbox").select(["name", "subject_id"]).where("shop_id", "=", m.shopId).where("name", "=", "stock.changed").where("subject_id", "=", before["Blue / S"].id).execute();
    expect(events).toHaveLength(1);
  });

  it("brings back an archived combination with its old price and code when its value returns", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Comeback", specs: [{ name: "Size", values: ["S", "M"] }], price: 500 });
    const m0 = keyed(p)["M"];
    await updateSkus(platform.db, m.shopId, p.id, actorOf(m), [{ skuId: m0.id, price: 777, code: "MED" }]);
    await setSpecs(platform.db, m.shopId, p.id, actorOf(m), [{ name: "Size", values: ["S"] }]);
    const s = await setSpecs(platform.db, m.shopId, p.id, actorOf(m), [{ name: "Size", values: ["S", "M"] }]);
    expect(s).toMatchObject({ kept: 1, reactivated: 1, created: 0, archived: 0 });
    expect(keyed(await getAdminProduct(platform.db, m.shopId, p.id))["M"]).toMatchObject({ id: m0.id, price: 777, code: "MED", status: "active" });
  });

  it("from no specs to specs archives the single SKU and writes its stock off", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Plain → sized", price: 300, stock: 9 });
    await setSpecs(platform.db, m.shopId, p.id, actorOf(m), [{ name: "Size", values: ["S", "M"] }]);
    const after = await getAdminProduct(platform.db, m.shopId, p.id);
    expect(after.skus.map((s) => [s.specLabel, s.status, s.stock])).toEqual([
      ["S", "active", 0],
      ["M", "active", 0],
      ["", "archived", 0],
    ]);
    expect(after.totalStock).toBe(0);
  });
});

describe("validation limits, each on its field", () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i + 1}`);
  let productId: string;
  let skuId: string;

  beforeAll(async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Limits", specs: [{ name: "Size", values: ["S"] }], price: 1000, stock: 1 });
    productId = p.id;
    skuId = p.skus[0].id;
  });

  it("4 dimensions → specs", async () => {
    const e = await appError(setSpecs(platform.db, m.shopId, productId, actorOf(m), [1, 2, 3, 4].map((i) => ({ name: `D${i}`, values: ["x"] }))));
    expect(e.kind).toBe("bad_request");
    expect(e.fieldErrors).toEqual({ specs: ["A product can have at most 3 spec dimensions (this has 4)"] });
  });

  it("51 values → specs.0.values", async () => {
    const e = await appError(setSpecs(platform.db, m.shopId, productId, actorOf(m), [{ name: "Size", values: values(51) }]));
    expect(e.fieldErrors).toEqual({ "specs.0.values": ["Use at most 50 values per spec (this has 51)"] });
  });

  it("25 × 25 = 625 SKUs → specs (and 600 is allowed)", async () => {
    const e = await appError(createProduct(platform.db, m.shopId, actorOf(m), { title: "Too many", specs: [{ name: "A", values: values(25) }, { name: "B", values: values(25) }] }));
    expect(e.fieldErrors).toEqual({ specs: ["25 × 25 = 625 combinations; a product can have at most 600 SKUs"] });
    const ok = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Exactly 600", specs: [{ name: "A", values: values(20) }, { name: "B", values: values(30) }], price: 1 });
    expect(ok.skus).toHaveLength(600);
  });

  it("duplicate values, also in other case or with spaces → specs.<i>.values", async () => {
    for (const dup of [["Red", "Red"], ["Red", "red"], ["Red", "  RED "]]) {
      const e = await appError(setSpecs(platform.db, m.shopId, productId, actorOf(m), [{ name: "Size", values: ["S"] }, { name: "Colour", values: dup }]));
      expect(Object.keys(e.fieldErrors!)).toEqual(["specs.1.values"]);
      expect(e.fieldErrors!["specs.1.values"][0]).toMatch(/^"(Red|red|RED)" is listed twice/);
    }
  });

  it("duplicate dimension names → specs.<i>.name", async () => {
    const e = await appError(setSpecs(platform.db, m.shopId, productId, actorOf(m), [{ name: "Size", values: ["S"] }, { name: "SIZE", values: ["M"] }]));
    expect(e.fieldErrors).toEqual({ "specs.1.name": ['"SIZE" is already used as a spec name'] });
  });

  it("names longer than 20 characters → specs.<i>.name", async () => {
    const e = await appError(setSpecs(platform.db, m.shopId, productId, actorOf(m), [{ name: "x".repeat(21), values: ["S"] }]));
    expect(e.fieldErrors).toEqual({ "specs.0.name": ["Use at most 20 characters for a spec name"] });
  });

  it("negative price → skus.<id>.price; on create → price", async () => {
    const e = await appError(updateSkus(platform.db, m.shopId, productId, actorOf(m), [{ skuId, price: -1 }]));
    expect(e.fieldErrors).toEqual({ [`skus.${skuId}.price`]: ["Prices cannot be negative"] });
    const c = await appError(createProduct(platform.db, m.shopId, actorOf(m), { title: "Neg", price: -5 }));
    expect(c.fieldErrors).toEqual({ price: ["Prices cannot be negative"] });
  });

  it("negative stock → skus.<id>.stock; on create → stock", async () => {
    const e = await appError(updateSkus(platform.db, m.shopId, productId, actorOf(m), [{ skuId, stock: -3 }]));
    expect(e.fieldErrors).toEqual({ [`skus.${skuId}.stock`]: ["Stock cannot be negative"] });
    const c = await appError(createProduct(platform.db, m.shopId, actorOf(m), { title: "Neg", price: 5, stock: -1 }));
    expect(c.fieldErrors).toEqual({ stock: ["Stock cannot be negative"] });
  });

  it("compare-at not above the price → skus.<id>.compareAt (equal and lower)", async () => {
    for (const compareAtPrice of [1000, 999]) {
      const e = await appError(updateSkus(platform.db, m.shopId, productId, actorOf(m), [{ skuId, compareAtPrice }]));
      expect(e.fieldErrors).toEqual({ [`skus.${skuId}.compareAt`]: ["The compare-at price must be higher than the price"] });
    }
    // Lowering the compare-at below a new price in the same row is judged against the new price.
    const e = await appError(updateSkus(platform.db, m.shopId, productId, actorOf(m), [{ skuId, price: 2000, compareAtPrice: 1500 }]));
    expect(e.fieldErrors).toEqual({ [`skus.${skuId}.compareAt`]: ["The compare-at price must be higher than the price"] });
    const c = await appError(createProduct(platform.db, m.shopId, actorOf(m), { title: "Cmp", price: 500, compareAtPrice: 500 }));
    expect(c.fieldErrors).toEqual({ compareAtPrice: ["The compare-at price must be higher than the price"] });
  });

  it("nothing is written when a row fails", async () => {
    const before = await getAdminProduct(platform.db, m.shopId, productId);
    await appError(updateSkus(platform.db, m.shopId, productId, actorOf(m), [{ skuId, price: 4321, stock: -1 }]));
    expect(await getAdminProduct(platform.db, m.shopId, productId)).toEqual(before);
  });

  it("a stock that moved since the editor loaded is a conflict, not an overwrite", async () => {
    const e = await appError(updateSkus(platform.db, m.shopId, productId, actorOf(m), [{ skuId, stock: 10, stockWas: 0 }]));
    expect(e.kind).toBe("conflict");
    expect(Object.keys(e.fieldErrors!)).toEqual([`skus.${skuId}.stock`]);
  });

  it("title, category and status are checked on update", async () => {
    const e = await appError(updateProduct(platform.db, m.shopId, productId, actorOf(m), { title: "  ", status: "sold" as never }));
    expect(e.fieldErrors).toMatchObject({ title: ["Enter a title"], status: [expect.any(String)] });
  });
});

describe("SKU matrix saves", () => {
  it("writes price/compare-at/code and records a stock change as manual_adjust; keeps aggregates in sync", async () => {
    const p = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Matrix", specs: [{ name: "Size", values: ["S", "M"] }], price: 1000, stock: 2 });
    const [s, md] = p.skus;
    const res = await updateSkus(platform.db, m.shopId, p.id, actorOf(m), [
      { skuId: s.id, price: 800, compareAtPrice: 1200, stock: 10, stockWas: 2, code: "S-1" },
      { skuId: md.id, price: 1500, stock: 2, stockWas: 2 },
    ]);
    expect(res).toEqual({ changed: 2 });
    const after = await getAdminProduct(platform.db, m.shopId, p.id);
    expect(after).toMatchObject({ minPrice: 800, maxPrice: 1500, totalStock: 12 });
    expect((await ledgerOf(s.id)).map((l) => [l.delta, l.balance_after, l.reason, l.note])).toEqual([
      [2, 2, "initial", null],
      [8, 10, "manual_adjust", "Set in the product editor"],
    ]);
    expect((await ledgerOf(md.id)).length).toBe(1);
  });

  it("a SKU of another product is a 404", async () => {
    const a = await createProduct(platform.db, m.shopId, actorOf(m), { title: "A", price: 1 });
    const b = await createProduct(platform.db, m.shopId, actorOf(m), { title: "B", price: 1 });
    const e = await appError(updateSkus(platform.db, m.shopId, a.id, actorOf(m), [{ skuId: b.skus[0].id, price: 5 }]));
    expect(e.kind).toBe("not_found");
  });
});

describe("status and lists", () => {
  it("bulk on/off sale changes only the shop's products and publishes product.updated each", async () => {
    const a = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Bulk A", price: 1 });
    const b = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Bulk B", price: 1 });
    expect(await setProductStatus(platform.db, m.shopId, [a.id, b.id], "on_sale", actorOf(m))).toEqual({ changed: 2 });
    expect((await outboxFor(a.id)).map((e) => e.name)).toEqual(["product.created", "product.updated"]);
    const other = await createMerchant(platform);
    const foreign = await createProduct(platform.db, other.shopId, actorOf(other), { title: "Foreign", price: 1 });
    const e = await appError(setProductStatus(platform.db, m.shopId, [a.id, foreign.id], "off_sale", actorOf(m)));
    expect(e.kind).toBe("not_found");
    expect((await getAdminProduct(platform.db, m.shopId, a.id)).status).toBe("on_sale"); // nothing changed
    expect((await getAdminProduct(platform.db, other.shopId, foreign.id)).status).toBe("draft");
  });

  it("admin search escapes % and _, filters by status, and pages by 25", async () => {
    const shop = await createMerchant(platform);
    for (let i = 0; i < 27; i++) await createProduct(platform.db, shop.shopId, actorOf(shop), { title: `Cup ${i}`, price: 100 + i });
    await createProduct(platform.db, shop.shopId, actorOf(shop), { title: "100% wool_scarf", price: 1, status: "on_sale" });
    const page1 = await listAdminProducts(platform.db, shop.shopId, { q: "cup" });
    expect(page1.items).toHaveLength(25);
    expect(page1.items[0].title).toBe("Cup 26");
    const page2 = await listAdminProducts(platform.db, shop.shopId, { q: "cup", after: page1.nextCursor! });
    expect(page2.items.map((p) => p.title)).toEqual(["Cup 1", "Cup 0"]);
    expect(page2.nextCursor).toBeNull();
    expect((await listAdminProducts(platform.db, shop.shopId, { q: "%" })).items.map((p) => p.title)).toEqual(["100% wool_scarf"]);
    expect((await listAdminProducts(platform.db, shop.shopId, { q: "_" })).items.map((p) => p.title)).toEqual(["100% wool_scarf"]);
    expect((await listAdminProducts(platform.db, shop.shopId, { status: "on_sale" })).items.map((p) => p.title)).toEqual(["100% wool_scarf"]);
  });
});

describe("categories", () => {
  it("builds an ordered tree, at most 3 levels, names unique among siblings", async () => {
    const shop = await createMerchant(platform);
    const a = actorOf(shop);
    const tea = await createCategory(platform.db, shop.shopId, a, { name: "Tea" });
    const cups = await createCategory(platform.db, shop.shopId, a, { name: "Cups" });
    const green = await createCategory(platform.db, shop.shopId, a, { name: "Green", parentId: tea.id });
    const longjing = await createCategory(platform.db, shop.shopId, a, { name: "Longjing", parentId: green.id });
    const deeper = await appError(createCategory(platform.db, shop.shopId, a, { name: "Too deep", parentId: longjing.id }));
    expect(deeper.fieldErrors).toEqual({ parentId: ["Categories go at most 3 levels deep; choose a higher parent"] });
    const dup = await appError(createCategory(platform.db, shop.shopId, a, { name: "tea" }));
    expect(dup.fieldErrors).toEqual({ name: ['There is already a category "tea" here'] });

    await reorderCategory(platform.db, shop.shopId, a, cups.id, "up");
    const tree = await listCategories(platform.db, shop.shopId);
    expect(tree.map((n) => n.name)).toEqual(["Cups", "Tea"]);
    expect(tree[1]).toEqual({
      id: tea.id,
      name: "Tea",
      parentId: null,
      children: [{ id: green.id, name: "Green", parentId: tea.id, children: [{ id: longjing.id, name: "Longjing", parentId: green.id, children: [] }] }],
    });

    // Moving "Tea" (3 levels) under "Cups" would make 4; moving into its own subtree is a cycle.
    expect((await appError(moveCategory(platform.db, shop.shopId, a, tea.id, cups.id))).fieldErrors).toEqual({
      parentId: ["That would make the tree deeper than 3 levels"],
    });
    expect((await appError(moveCategory(platform.db, shop.shopId, a, tea.id, longjing.id))).fieldErrors).toEqual({
      parentId: ["A category cannot go inside itself or one of its subcategories"],
    });
    await moveCategory(platform.db, shop.shopId, a, longjing.id, cups.id);
    await renameCategory(platform.db, shop.shopId, a, longjing.id, "Longjing tea");
    expect((await listCategories(platform.db, shop.shopId))[0].children.map((c) => c.name)).toEqual(["Longjing tea"]);
  });

  it("deletes only empty categories", async () => {
    const shop = await createMerchant(platform);
    const a = actorOf(shop);
    const parent = await createCategory(platform.db, shop.shopId, a, { name: "Parent" });
    const child = await createCategory(platform.db, shop.shopId, a, { name: "Child", parentId: parent.id });
    expect((await appError(deleteCategory(platform.db, shop.shopId, a, parent.id))).code).toBe("category_not_empty");
    const p = await createProduct(platform.db, shop.shopId, a, { title: "In child", price: 1, categoryId: child.id });
    const e = await appError(deleteCategory(platform.db, shop.shopId, a, child.id));
    expect(e.kind).toBe("conflict");
    expect(e.message).toContain("1 product");
    await updateProduct(platform.db, shop.shopId, p.id, a, { categoryId: null });
    await deleteCategory(platform.db, shop.shopId, a, child.id);
    await deleteCategory(platform.db, shop.shopId, a, parent.id);
    expect(await listCategories(platform.db, shop.shopId)).toEqual([]);
  });

  it("another shop's category is a 404 to edit and a field error to file a product under", async () => {
    const other = await createMerchant(platform);
    const theirs = await createCategory(platform.db, other.shopId, actorOf(other), { name: "Theirs" });
    for (const run of [
      () => renameCategory(platform.db, m.shopId, actorOf(m), theirs.id, "Mine now"),
      () => moveCategory(platform.db, m.shopId, actorOf(m), theirs.id, null),
      () => deleteCategory(platform.db, m.shopId, actorOf(m), theirs.id),
      () => createCategory(platform.db, m.shopId, actorOf(m), { name: "Under theirs", parentId: theirs.id }),
    ]) {
      expect((await appError(run())).kind).toBe("not_found");
    }
    const e = await appError(createProduct(platform.db, m.shopId, actorOf(m), { title: "X", price: 1, categoryId: theirs.id }));
    expect(e.fieldErrors).toEqual({ categoryId: ["Choose a category from the list"] });
  });
});

describe("storefront and cart reads", () => {
  let shop: Merchant;
  let onSale: AdminProduct;
  let draft: AdminProduct;
  let cheapSoldOut: AdminProduct;
  let teaId: string;

  beforeAll(async () => {
    shop = await createMerchant(platform);
    const a = actorOf(shop);
    const tea = await createCategory(platform.db, shop.shopId, a, { name: "Tea" });
    const green = await createCategory(platform.db, shop.shopId, a, { name: "Green", parentId: tea.id });
    teaId = tea.id;
    onSale = await createProduct(platform.db, shop.shopId, a, {
      title: "Dragon Well",
      description: "**Spring** harvest <script>alert(1)</script>",
      specs: [{ name: "Weight", values: ["50 g", "100 g"] }],
      price: 6800,
      compareAtPrice: 8800,
      stock: 3,
      status: "on_sale",
      categoryId: green.id,
    });
    await updateSkus(platform.db, shop.shopId, onSale.id, a, [{ skuId: onSale.skus[1].id, price: 12800, compareAtPrice: null }]);
    const img1 = await storeImage(platform, shop.shopId, await makePng(30, 30, "#111111"));
    const img2 = await storeImage(platform, shop.shopId, await makePng(30, 30, "#222222"));
    await attachImages(platform.db, shop.shopId, onSale.id, [img2, img1]);
    draft = await createProduct(platform.db, shop.shopId, a, { title: "Draft tea", price: 100, categoryId: tea.id });
    cheapSoldOut = await createProduct(platform.db, shop.shopId, a, { title: "Sold-out teapot", price: 100, status: "on_sale" });
  });

  it("lists on-sale products as cards, newest first, with price range, compare-at, first image and sold-out", async () => {
    const { items, nextCursor } = await listStorefrontProducts(platform.db, shop.shopId);
    expect(nextCursor).toBeNull();
    expect(items.map((c) => c.title)).toEqual(["Sold-out teapot", "Dragon Well"]);
    const gallery = (await getAdminProduct(platform.db, shop.shopId, onSale.id)).images.map((i) => i.id);
    expect(items[1]).toEqual({ id: onSale.id, title: "Dragon Well", minPrice: 6800, maxPrice: 12800, compareAtPrice: 8800, imageId: gallery[0], soldOut: false });
    expect(items[0]).toMatchObject({ soldOut: true, imageId: null, compareAtPrice: null });
  });

  it("filters by category (with subcategories) and search, and pages with a cursor", async () => {
    expect((await listStorefrontProducts(platform.db, shop.shopId, { categoryId: teaId })).items.map((c) => c.title)).toEqual(["Dragon Well"]);
    expect((await listStorefrontProducts(platform.db, shop.shopId, { search: "DRAGON" })).items.map((c) => c.title)).toEqual(["Dragon Well"]);
    const first = await listStorefrontProducts(platform.db, shop.shopId, { limit: 1 });
    expect(first.items.map((c) => c.title)).toEqual(["Sold-out teapot"]);
    const second = await listStorefrontProducts(platform.db, shop.shopId, { limit: 1, after: first.nextCursor! });
    expect(second.items.map((c) => c.title)).toEqual(["Dragon Well"]);
    expect(second.nextCursor).toBeNull();
  });

  it("with ids returns them in the given order, skipping drafts and other shops' products", async () => {
    const foreign = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Elsewhere", price: 1, status: "on_sale" });
    const { items } = await listStorefrontProducts(platform.db, shop.shopId, { ids: [onSale.id, draft.id, foreign.id, cheapSoldOut.id] });
    expect(items.map((c) => c.id)).toEqual([onSale.id, cheapSoldOut.id]);
  });

  it("gives the product page for on-sale products only, with sanitized HTML and active SKUs", async () => {
    const page = await getStorefrontProduct(platform.db, shop.shopId, onSale.id);
    expect(page).not.toBeNull();
    expect(page!.descriptionHtml).toBe("<p><strong>Spring</strong> harvest </p>\n");
    expect(page!.specs).toEqual([{ name: "Weight", values: ["50 g", "100 g"] }]);
    expect(page!.skus.map((s) => [s.specValues, s.price, s.compareAtPrice, s.stock])).toEqual([
      [["50 g"], 6800, 8800, 3],
      [["100 g"], 12800, null, 3],
    ]);
    expect(page!.images).toHaveLength(2);
    expect(await getStorefrontProduct(platform.db, shop.shopId, draft.id)).toBeNull();
    expect(await getStorefrontProduct(platform.db, m.shopId, onSale.id)).toBeNull(); // another shop
  });

  it("gives the cart every SKU asked for, flagging what cannot be bought", async () => {
    await setSpecs(platform.db, shop.shopId, onSale.id, actorOf(shop), [{ name: "Weight", values: ["50 g"] }]);
    const ids = [onSale.skus[0].id, onSale.skus[1].id, draft.skus[0].id, "sku_notreal", cheapSoldOut.skus[0].id];
    const skus = await getSkusForCart(platform.db, shop.shopId, ids);
    expect(skus.map((s) => [s.title, s.specLabel, s.price, s.available])).toEqual([
      ["Dragon Well", "50 g", 6800, true],
      ["Dragon Well", "100 g", 12800, false], // archived
      ["Draft tea", "", 100, false], // product not on sale
      ["Sold-out teapot", "", 100, true], // available, stock 0: the cart checks quantities
    ]);
    expect(skus[0]).toMatchObject({ productId: onSale.id, specValues: ["50 g"], stock: 3, categoryId: expect.any(String), imageId: expect.any(String) });
    expect(await getSkusForCart(platform.db, m.shopId, ids)).toEqual([]); // other shop sees none
  });
});
