/**
 * The cart through the storefront's cart route and the module's API: the
 * guest cookie (only its hash stored), stock limits with clear messages,
 * prices re-read from the catalog at every view, flagged lines, the guest
 * cart merging into the buyer's on login, and shop isolation.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartItemCount, getCartView, mergeGuestCart } from "../app/cart/index.server";
import { setProductStatus, setSpecs, updateSkus, type AdminProduct } from "../app/catalog/index.server";
import * as cartRoute from "../app/routes/s.$shopHandle.cart";
import * as storefrontLayout from "../app/routes/s.$shopHandle";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { body, createMerchantShop, createTestProduct, createUser, TestBrowser, type TestShop, type TestUser } from "./support/storefront-fixtures";

let platform: TestPlatform;
let shop: TestShop;
let owner: TestUser;
const actor = () => ({ type: "user" as const, id: owner.id });

beforeAll(async () => {
  platform = await createTestPlatform();
  ({ shop, owner } = await createMerchantShop(platform));
});

afterAll(async () => {
  await platform?.close();
});

const cartPath = () => `/s/${shop.handle}/cart`;
const cartCookie = () => `bz_cart_${shop.id}`;

function add(browser: TestBrowser, fields: Record<string, string>, target = shop) {
  return browser.post(cartRoute, `/s/${target.handle}/cart`, { shopHandle: target.handle }, { intent: "add", ...fields });
}

async function viewCart(browser: TestBrowser, target = shop) {
  const res = await browser.get(cartRoute, `/s/${target.handle}/cart`, { shopHandle: target.handle });
  expect(res.status).toBe(200);
  return (await body(res)).cart;
}

describe("a guest's cart", () => {
  it("starts with the first add: an HttpOnly cookie holds a random token, the database only its SHA-256", async () => {
    const product = await createTestProduct(platform, shop, { price: 2500, stock: 10 });
    const guest = new TestBrowser(platform);
    const res = await add(guest, { skuId: product.skus[0].id, quantity: "2" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(cartPath());
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${cartCookie()}=`))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const token = guest.cookies.get(cartCookie())!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const row = await platform.db.selectFrom("carts").selectAll().where("shop_id", "=", shop.id).where("guest_token_hash", "=", createHash("sha256").update(token).digest("hex")).executeTakeFirstOrThrow();
    expect(row.user_id).toBeNull();
    const stored = JSON.stringify(await platform.db.selectFrom("carts").selectAll().where("id", "=", row.id).execute());
    expect(stored).not.toContain(token);

    // A second add uses the same cart (no new cookie) and sums the quantity.
    const again = await add(guest, { skuId: product.skus[0].id, quantity: "1", reply: "json" });
    expect(again.status).toBe(200);
    expect(await body(again)).toEqual({ ok: true, quantity: 3 });
    expect(again.headers.getSetCookie().some((c) => c.startsWith(cartCookie()))).toBe(false);

    const cart = await viewCart(guest);
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]).toMatchObject({ skuId: product.skus[0].id, quantity: 3, unitPrice: 2500, lineTotal: 7500, problem: null });
    expect(cart.subtotal).toBe(7500);

    const layout = await guest.get(storefrontLayout, `/s/${shop.handle}`, { shopHandle: shop.handle });
    expect((await body(layout)).cartCount).toBe(3);
  });

  it("refuses more than the stock with a message saying how many are left", async () => {
    const product = await createTestProduct(platform, shop, { price: 900, stock: 3 });
    const guest = new TestBrowser(platform);
    const over = await add(guest, { skuId: product.skus[0].id, quantity: "4" });
    expect(over.status).toBe(400);
    expect(await body(over)).toMatchObject({ formError: "Only 3 left in stock.", code: "insufficient_stock" });

    expect((await add(guest, { skuId: product.skus[0].id, quantity: "2" })).status).toBe(303);
    const more = await add(guest, { skuId: product.skus[0].id, quantity: "2" });
    expect(more.status).toBe(400);
    expect((await body(more)).formError).toBe("Only 3 left in stock, and 2 are already in your cart.");

    const zero = await add(guest, { skuId: product.skus[0].id, quantity: "0" });
    expect(zero.status).toBe(400);
    expect((await body(zero)).fieldErrors.quantity).toEqual(["Add at least 1"]);
    const huge = await add(guest, { skuId: product.skus[0].id, quantity: "1000" });
    expect(huge.status).toBe(400);
  });

  it("caps a line at the stock when buyers add at the same time", async () => {
    const product = await createTestProduct(platform, shop, { stock: 5 });
    const guest = new TestBrowser(platform);
    expect((await add(guest, { skuId: product.skus[0].id })).status).toBe(303);
    const results = await Promise.all(Array.from({ length: 9 }, () => add(guest, { skuId: product.skus[0].id, reply: "json" })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect(results.filter((r) => r.status === 400)).toHaveLength(5);
    expect((await viewCart(guest)).lines[0].quantity).toBe(5);
  });

  it("sets and removes lines with the stepper forms", async () => {
    const product = await createTestProduct(platform, shop, { price: 1000, stock: 4 });
    const sku = product.skus[0].id;
    const guest = new TestBrowser(platform);
    await add(guest, { skuId: sku });
    const post = (fields: Record<string, string>) => guest.post(cartRoute, cartPath(), { shopHandle: shop.handle }, fields);
    expect((await post({ intent: "set", skuId: sku, quantity: "4" })).status).toBe(303);
    expect((await viewCart(guest)).lines[0].quantity).toBe(4);
    const over = await post({ intent: "set", skuId: sku, quantity: "5" });
    expect(over.status).toBe(400);
    expect((await body(over)).formError).toBe("Only 4 left in stock.");
    expect((await post({ intent: "set", skuId: sku, quantity: "0" })).status).toBe(303);
    expect((await viewCart(guest)).lines).toHaveLength(0);
    await add(guest, { skuId: sku });
    expect((await post({ intent: "remove", skuId: sku })).status).toBe(303);
    expect((await post({ intent: "remove", skuId: sku })).status).toBe(303); // twice is harmless
    expect((await post({ intent: "steal" })).status).toBe(400);
    expect((await post({ intent: "set", skuId: sku, quantity: "1" }, )).status).toBe(404);
  });

  it("resolves the SKU from spec values when the product page posts without JavaScript", async () => {
    const tote = await createTestProduct(platform, shop, {
      specs: [
        { name: "Colour", values: ["Natural", "Indigo"] },
        { name: "Size", values: ["S", "M", "L"] },
      ],
      price: 5900,
      stock: 5,
    });
    const guest = new TestBrowser(platform);
    expect((await add(guest, { productId: tote.id, "spec.0": "Indigo", "spec.1": "M" })).status).toBe(303);
    const cart = await viewCart(guest);
    const indigoM = tote.skus.find((s) => s.specValues.join("/") === "Indigo/M")!;
    expect(cart.lines[0]).toMatchObject({ skuId: indigoM.id, specLabel: "Indigo / M" });

    const incomplete = await add(guest, { productId: tote.id, "spec.0": "Indigo" });
    expect(incomplete.status).toBe(400);
    expect((await body(incomplete)).formError).toBe("Choose Size");
    const nonsense = await add(guest, { productId: tote.id, "spec.0": "Purple", "spec.1": "M" });
    expect(nonsense.status).toBe(400);
    expect((await body(nonsense)).formError).toBe("That combination is not available.");
  });
});

describe("prices and availability are the catalog's, at every view", () => {
  it("shows a changed price at once and never takes a price from the client", async () => {
    const product = await createTestProduct(platform, shop, { price: 1000, stock: 10 });
    const guest = new TestBrowser(platform);
    await add(guest, { skuId: product.skus[0].id, quantity: "2", price: "1", unitPrice: "1" });
    expect((await viewCart(guest)).lines[0]).toMatchObject({ unitPrice: 1000, lineTotal: 2000 });
    await updateSkus(platform.db, shop.id, product.id, actor(), [{ skuId: product.skus[0].id, price: 1550 }]);
    const cart = await viewCart(guest);
    expect(cart.lines[0]).toMatchObject({ unitPrice: 1550, lineTotal: 3100 });
    expect(cart.subtotal).toBe(3100);
  });

  it("flags off-sale, archived, sold-out and short lines and leaves them out of the subtotal", async () => {
    const fine = await createTestProduct(platform, shop, { title: "Fine", price: 1000, stock: 10 });
    const offSale = await createTestProduct(platform, shop, { title: "Off sale soon", price: 2000, stock: 10 });
    const soldOut = await createTestProduct(platform, shop, { title: "Sells out", price: 3000, stock: 10 });
    const short = await createTestProduct(platform, shop, { title: "Runs short", price: 4000, stock: 10 });
    const specced = await createTestProduct(platform, shop, { title: "Loses a size", specs: [{ name: "Size", values: ["S", "M"] }], price: 5000, stock: 10 });
    const guest = new TestBrowser(platform);
    for (const [p, q] of [
      [fine, 1],
      [offSale, 1],
      [soldOut, 1],
      [short, 5],
    ] as [AdminProduct, number][]) {
      expect((await add(guest, { skuId: p.skus[0].id, quantity: String(q) })).status).toBe(303);
    }
    const small = specced.skus.find((s) => s.specValues[0] === "S")!;
    await add(guest, { skuId: small.id });
    expect((await viewCart(guest)).subtotal).toBe(1000 + 2000 + 3000 + 5 * 4000 + 5000);

    await setProductStatus(platform.db, shop.id, [offSale.id], "off_sale", actor());
    await updateSkus(platform.db, shop.id, soldOut.id, actor(), [{ skuId: soldOut.skus[0].id, stock: 0 }]);
    await updateSkus(platform.db, shop.id, short.id, actor(), [{ skuId: short.skus[0].id, stock: 2 }]);
    await setSpecs(platform.db, shop.id, specced.id, actor(), [{ name: "Size", values: ["M", "L"] }]);

    const cart = await viewCart(guest);
    const byTitle = Object.fromEntries(cart.lines.map((l: any) => [l.title, l]));
    expect(byTitle["Fine"]).toMatchObject({ problem: null, note: null, lineTotal: 1000 });
    expect(byTitle["Off sale soon"]).toMatchObject({ problem: "unavailable", note: "No longer available", lineTotal: 0 });
    expect(byTitle["Sells out"]).toMatchObject({ problem: "sold_out", note: "Sold out", lineTotal: 0 });
    expect(byTitle["Runs short"]).toMatchObject({ problem: "insufficient_stock", note: "Only 2 left", lineTotal: 0, maxQuantity: 2 });
    expect(byTitle["Loses a size"]).toMatchObject({ problem: "unavailable", note: "No longer available" });
    expect(cart.subtotal).toBe(1000);
    expect(cart.itemCount).toBe(1);
    expect(cart.hasProblems).toBe(true);

    // Lowering the short line fixes it; an off-sale line cannot be added to.
    const post = (fields: Record<string, string>) => guest.post(cartRoute, cartPath(), { shopHandle: shop.handle }, fields);
    expect((await post({ intent: "set", skuId: short.skus[0].id, quantity: "2" })).status).toBe(303);
    expect((await add(guest, { skuId: offSale.skus[0].id })).status).toBe(400);
    const fixed = await viewCart(guest);
    expect(fixed.subtotal).toBe(1000 + 2 * 4000);
  });
});

describe("merging a guest cart on login", () => {
  it("sums quantities, capped by stock, when the signed-in buyer opens the cart, and clears the cookie", async () => {
    const tea = await createTestProduct(platform, shop, { title: "Tea", price: 1000, stock: 5 });
    const cup = await createTestProduct(platform, shop, { title: "Cup", price: 500, stock: 10 });
    const buyer = await createUser(platform);

    // Signed in earlier on another device: 4 teas in the buyer's own cart.
    const phone = await new TestBrowser(platform).signIn(buyer.id);
    await add(phone, { skuId: tea.skus[0].id, quantity: "4" });

    // As a guest on this laptop: 3 teas and 2 cups.
    const laptop = new TestBrowser(platform);
    await add(laptop, { skuId: tea.skus[0].id, quantity: "3" });
    await add(laptop, { skuId: cup.skus[0].id, quantity: "2" });
    const guestToken = laptop.cookies.get(cartCookie())!;
    expect(guestToken).toBeTruthy();

    // Logs in; the header counts both carts until they merge.
    await laptop.signIn(buyer.id);
    const header = await laptop.get(storefrontLayout, `/s/${shop.handle}`, { shopHandle: shop.handle });
    expect((await body(header)).cartCount).toBe(4 + 3 + 2);

    const cart = await viewCart(laptop);
    expect(laptop.cookies.has(cartCookie())).toBe(false);
    const quantities = Object.fromEntries(cart.lines.map((l: any) => [l.title, l.quantity]));
    expect(quantities).toEqual({ Tea: 5, Cup: 2 });
    expect(cart.subtotal).toBe(5 * 1000 + 2 * 500);
    const guestCarts = await platform.db.selectFrom("carts").select("id").where("shop_id", "=", shop.id).where("guest_token_hash", "=", createHash("sha256").update(guestToken).digest("hex")).execute();
    expect(guestCarts).toHaveLength(0);

    // The phone sees the same cart; merging the (gone) guest cart again changes nothing.
    expect((await viewCart(phone)).lines).toHaveLength(2);
    expect(await mergeGuestCart(platform.db, shop.id, guestToken, buyer.id)).toEqual({ mergedLines: 0 });
    expect(await cartItemCount(platform.db, shop.id, [{ userId: buyer.id }])).toBe(7);
  });

  it("gives the checkout the same view through getCartView", async () => {
    const buyer = await createUser(platform);
    const p = await createTestProduct(platform, shop, { price: 1234, stock: 3 });
    const browser = await new TestBrowser(platform).signIn(buyer.id);
    await add(browser, { skuId: p.skus[0].id, quantity: "2" });
    const view = await getCartView(platform.db, shop.id, { userId: buyer.id });
    expect(view).toMatchObject({ subtotal: 2468, itemCount: 2, hasProblems: false });
    expect(view.cartId).toMatch(/^cart_/);
    expect(await getCartView(platform.db, shop.id, null)).toEqual({ cartId: null, lines: [], subtotal: 0, itemCount: 0, hasProblems: false });
  });
});

describe("shop isolation", () => {
  it("will not put another shop's SKU in this shop's cart", async () => {
    const { shop: other } = await createMerchantShop(platform);
    const foreign = await createTestProduct(platform, other, { price: 100, stock: 50 });
    const guest = new TestBrowser(platform);
    const res = await add(guest, { skuId: foreign.skus[0].id });
    expect(res.status).toBe(404);
    expect((await body(res)).error.message).toBe("This item is not sold in this shop.");
    const byProduct = await add(guest, { productId: foreign.id });
    expect(byProduct.status).toBe(404);
  });

  it("keeps a guest's carts per shop, and a cart token of one shop opens nothing in another", async () => {
    const { shop: other } = await createMerchantShop(platform);
    const there = await createTestProduct(platform, other, { price: 700, stock: 5 });
    const guest = new TestBrowser(platform);
    await add(guest, { skuId: there.skus[0].id }, other);
    const token = guest.cookies.get(`bz_cart_${other.id}`)!;
    expect((await viewCart(guest, other)).lines).toHaveLength(1);
    expect((await viewCart(guest)).lines).toHaveLength(0);
    // Even the raw token used against this shop finds no cart here.
    expect((await getCartView(platform.db, shop.id, { guestToken: token })).lines).toHaveLength(0);
    const buyer = await createUser(platform);
    expect(await mergeGuestCart(platform.db, shop.id, token, buyer.id)).toEqual({ mergedLines: 0 });
  });
});
