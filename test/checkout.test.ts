/**
 * Checkout end to end on one database: the quote is priced on the server
 * (catalog prices, extension discounts with their source, the freight
 * template); placing an order from it writes the order, lines, adjustments,
 * stock ledger, customer, timeline and events in one transaction and takes
 * the lines out of the cart; a double submit makes one order; a quote that
 * no longer holds is a 409 with a fresh quote; the address book; and the
 * checkout page through its route.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addToCart, getCartView } from "../app/cart/index.server";
import { adjustStock, updateSkus } from "../app/catalog/index.server";
import {
  addAddress,
  createQuote,
  listAddresses,
  makeDefaultAddress,
  placeOrder,
  QuoteChangedError,
  removeAddress,
  setDiscountSource,
  setFreightSettings,
  setReservationApplier,
  updateAddress,
  type InstallDiscounts,
  type QuoteInput,
} from "../app/checkout/index.server";
import { newToken } from "../app/lib/ids";
import * as checkoutRoute from "../app/routes/s.$shopHandle.checkout";
import * as addressesRoute from "../app/routes/account_.addresses";
import { createBuyer, ledgerOf, orderRow, publishedFor, shopWithProducts, stockOf, timelineOf, type TestBuyer } from "./orders-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { body, TestBrowser, type TestShop, type TestUser } from "./support/storefront-fixtures";

let platform: TestPlatform;
let shop: TestShop;
let owner: TestUser;
let skus: string[];

beforeAll(async () => {
  platform = await createTestPlatform();
  ({ shop, owner, skus } = await shopWithProducts(platform, [
    { price: 2500, stock: 50, title: "Green tea" },
    { price: 1000, stock: 50, title: "Teacup" },
    { price: 700, stock: 2, title: "Rare biscuit" },
  ]));
  await setFreightSettings(platform.db, { id: owner.id }, shop.id, { mode: "flat", amount: 1000, freeOver: 20_000 });
});

afterEach(() => {
  setDiscountSource(null);
  setReservationApplier(null);
});

afterAll(async () => {
  await platform?.close();
});

const key = () => newToken(18);

async function buyerWithCart(lines: { skuId: string; quantity: number }[]): Promise<TestBuyer> {
  const buyer = await createBuyer(platform);
  for (const l of lines) await addToCart(platform.db, shop.id, { userId: buyer.id }, l);
  return buyer;
}

/** An extension that takes `amount` off the first line and `order` off the whole order, seeing the quote input. */
function fakeExtension(opts: { line?: number; order?: number; reservation?: boolean; seen?: QuoteInput[] }) {
  setDiscountSource(async (_p, input) => {
    opts.seen?.push(input);
    const offer: InstallDiscounts = { installId: "ins_coupon", lines: [], reservations: [] };
    if (opts.line) offer.lines.push({ lineId: input.lines[0].lineId, amount: opts.line, label: "Tea lover's price", source: { installId: "ins_coupon", extensionName: "Coupons" } });
    if (opts.order) offer.lines.push({ lineId: null, amount: opts.order, label: "WELCOME", source: { installId: "ins_coupon", extensionName: "Coupons" } });
    if (opts.reservation) offer.reservations.push({ installId: "ins_coupon", counterKey: "coupon:WELCOME:uses", delta: 1, bound: { max: 100 } });
    return [offer];
  });
}

describe("the quote", () => {
  it("prices the cart from the catalog, applies each discount with its source, then shipping, and stores it with a 15-minute expiry", async () => {
    const buyer = await buyerWithCart([
      { skuId: skus[0], quantity: 2 },
      { skuId: skus[1], quantity: 3 },
    ]);
    const seen: QuoteInput[] = [];
    fakeExtension({ line: 500, order: 1000, seen });
    const before = Date.now();
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });

    expect(seen[0]).toMatchObject({
      shop: { id: shop.id, currency: "CNY" },
      buyer: { userId: buyer.id, customerId: null },
      subtotal: 8000,
      attributes: {},
    });
    expect(seen[0].lines.map((l) => [l.skuId, l.quantity, l.unitPrice, l.lineTotal, l.categoryId])).toEqual([
      [skus[0], 2, 2500, 5000, null],
      [skus[1], 3, 1000, 3000, null],
    ]);
    // 500 on line 1; then 1000 over 4500 : 3000 → 600 / 400.
    expect(quote.lines.map((l) => [l.title, l.lineTotal, l.discount, l.total])).toEqual([
      ["Green tea", 5000, 1100, 3900],
      ["Teacup", 3000, 400, 2600],
    ]);
    expect(quote.adjustments).toEqual([
      { kind: "discount", lineId: quote.lines[0].lineId, amount: 500, requested: 500, label: "Tea lover's price", source: { type: "extension", installId: "ins_coupon", extensionName: "Coupons" } },
      { kind: "discount", lineId: null, amount: 1000, requested: 1000, label: "WELCOME", source: { type: "extension", installId: "ins_coupon", extensionName: "Coupons" } },
      { kind: "shipping", lineId: null, amount: 1000, requested: 1000, label: "Shipping", source: { type: "platform", name: "freight" } },
    ]);
    expect([quote.subtotal, quote.discountTotal, quote.shippingTotal, quote.total, quote.itemCount]).toEqual([8000, 1500, 1000, 7500, 5]);
    const expires = new Date(quote.expiresAt).getTime();
    expect(expires - before).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(15 * 60_000 + 5000);
    const row = await platform.db.selectFrom("checkout_quotes").selectAll().where("id", "=", quote.id).executeTakeFirstOrThrow();
    expect([row.user_id, row.total, row.consumed_at]).toEqual([buyer.id, 7500, null]);
  });

  it("ships free over the template's threshold, and refuses an empty cart or one with flagged lines (422)", async () => {
    const rich = await buyerWithCart([{ skuId: skus[0], quantity: 8 }]);
    const q = await createQuote(platform, { shopId: shop.id, user: rich });
    expect(q.adjustments.at(-1)).toMatchObject({ kind: "shipping", amount: 0, requested: 1000, label: "Free shipping on orders over ¥200.00" });
    expect(q.total).toBe(20_000);

    const empty = await createBuyer(platform);
    await expect(createQuote(platform, { shopId: shop.id, user: empty })).rejects.toMatchObject({ kind: "unprocessable", code: "cart_empty" });
    const greedy = await buyerWithCart([{ skuId: skus[2], quantity: 2 }]);
    // One of the two sells elsewhere: the cart line is flagged, so there is no quote until the buyer fixes it.
    await adjustStock(platform.db, shop.id, skus[2], { set: 1 }, { type: "user", id: owner.id }, "test: one sold elsewhere");
    await expect(createQuote(platform, { shopId: shop.id, user: greedy })).rejects.toMatchObject({ kind: "unprocessable", code: "cart_problems" });
  });
});

describe("placing an order", () => {
  it("writes the order, its snapshot lines with allocated discounts, adjustments, stock, customer, timeline and events, and empties the cart of what was bought", async () => {
    const buyer = await buyerWithCart([
      { skuId: skus[0], quantity: 2 },
      { skuId: skus[1], quantity: 3 },
    ]);
    fakeExtension({ line: 500, order: 1000 });
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    // The buyer adds one more teacup in another tab after the quote: it stays in the cart.
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[1], quantity: 1 });
    const stock = [await stockOf(platform, skus[0]), await stockOf(platform, skus[1])];

    const placed = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: key() } });
    expect(placed).toMatchObject({ total: 7500, currency: "CNY", replayed: false });

    const order = await orderRow(platform, placed.orderId);
    expect(order).toMatchObject({
      shop_id: shop.id,
      user_id: buyer.id,
      quote_id: quote.id,
      status: "pending_payment",
      subtotal: 8000,
      discount_total: 1500,
      shipping_total: 1000,
      total: 7500,
      refunded_total: 0,
      item_count: 5,
    });
    expect(order.address).toEqual({ recipient: buyer.name, phone: "13800138000", region: "Zhejiang Hangzhou Xihu", street: "1 West Lake Road", postalCode: "310000" });
    const lines = await platform.db.selectFrom("order_lines").selectAll().where("order_id", "=", placed.orderId).orderBy("position").execute();
    expect(lines.map((l) => [l.id, l.sku_id, l.title, l.unit_price, l.quantity, l.subtotal, l.discount, l.total])).toEqual([
      [quote.lines[0].lineId, skus[0], "Green tea", 2500, 2, 5000, 1100, 3900],
      [quote.lines[1].lineId, skus[1], "Teacup", 1000, 3, 3000, 400, 2600],
    ]);
    const adjustments = await platform.db.selectFrom("order_adjustments").selectAll().where("order_id", "=", placed.orderId).orderBy("position").execute();
    expect(adjustments.map((a) => [a.kind, a.line_id, a.amount, a.label, (a.source as any).type])).toEqual([
      ["discount", quote.lines[0].lineId, 500, "Tea lover's price", "extension"],
      ["discount", null, 1000, "WELCOME", "extension"],
      ["shipping", null, 1000, "Shipping", "platform"],
    ]);

    expect([await stockOf(platform, skus[0]), await stockOf(platform, skus[1])]).toEqual([stock[0] - 2, stock[1] - 3]);
    const reserved = (await ledgerOf(platform, skus[0])).filter((r) => r.ref_id === placed.orderId);
    expect(reserved.map((r) => [r.delta, r.reason, r.ref_type])).toEqual([[-2, "order_reserved", "order"]]);

    const customer = await platform.db.selectFrom("shop_customers").selectAll().where("shop_id", "=", shop.id).where("user_id", "=", buyer.id).executeTakeFirstOrThrow();
    expect(order.customer_id).toBe(customer.id);
    const customerEvents = await platform.db.selectFrom("outbox").select("payload").where("name", "=", "customer.created").where("subject_id", "=", customer.id).execute();
    expect(customerEvents).toHaveLength(1);
    expect(await timelineOf(platform, placed.orderId)).toEqual(["created"]);
    expect(await publishedFor(platform, placed.orderId)).toEqual(["order.created"]);
    const created = await platform.db.selectFrom("outbox").select("payload").where("name", "=", "order.created").where("subject_id", "=", placed.orderId).executeTakeFirstOrThrow();
    expect(created.payload).toMatchObject({ orderId: placed.orderId, userId: buyer.id, customerId: customer.id, total: 7500, currency: "CNY" });

    const quoteRow = await platform.db.selectFrom("checkout_quotes").selectAll().where("id", "=", quote.id).executeTakeFirstOrThrow();
    expect(quoteRow.order_id).toBe(placed.orderId);
    expect(quoteRow.consumed_at).not.toBeNull();
    const cart = await getCartView(platform.db, shop.id, { userId: buyer.id });
    expect(cart.lines.map((l) => [l.skuId, l.quantity])).toEqual([[skus[1], 1]]);

    // A second order of the same buyer in this shop reuses the customer record: no second customer.created.
    const again = await createQuote(platform, { shopId: shop.id, user: buyer });
    const second = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: again.id, addressId: buyer.addressId, idempotencyKey: key() } });
    expect((await orderRow(platform, second.orderId)).customer_id).toBe(customer.id);
    expect(await platform.db.selectFrom("outbox").select("id").where("name", "=", "customer.created").where("subject_id", "=", customer.id).execute()).toHaveLength(1);
  });

  it("the same submit key twice gives the same order, once; the same quote under another key is a 409", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[1], quantity: 1 }]);
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    const form = { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: key() };
    const stock = await stockOf(platform, skus[1]);
    const first = await placeOrder(platform, { shopId: shop.id, user: buyer, form });
    const second = await placeOrder(platform, { shopId: shop.id, user: buyer, form });
    expect(second).toEqual({ ...first, replayed: true });
    expect(await platform.db.selectFrom("orders").select("id").where("user_id", "=", buyer.id).execute()).toHaveLength(1);
    expect(await stockOf(platform, skus[1])).toBe(stock - 1);
    await expect(placeOrder(platform, { shopId: shop.id, user: buyer, form: { ...form, idempotencyKey: key() } })).rejects.toMatchObject({ status: 409, code: "quote_consumed" });
  });

  it("a changed price is a 409 with a fresh quote at the new price, and nothing is written", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[0], quantity: 1 }]);
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    const productId = (await platform.db.selectFrom("skus").select("product_id").where("id", "=", skus[0]).executeTakeFirstOrThrow()).product_id;
    await updateSkus(platform.db, shop.id, productId, { type: "user", id: owner.id }, [{ skuId: skus[0], price: 2600 }]);
    try {
      const error = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: key() } }).catch((e) => e);
      expect(error).toBeInstanceOf(QuoteChangedError);
      expect(error).toMatchObject({ status: 409, code: "quote_changed" });
      expect(error.freshQuote).toMatchObject({ subtotal: 2600, total: 3600 });
      expect(error.freshQuote.id).not.toBe(quote.id);
      expect(await platform.db.selectFrom("orders").select("id").where("user_id", "=", buyer.id).execute()).toHaveLength(0);
      // The fresh quote places.
      const placed = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: error.freshQuote.id, addressId: buyer.addressId, idempotencyKey: key() } });
      expect(placed.total).toBe(3600);
    } finally {
      await updateSkus(platform.db, shop.id, productId, { type: "user", id: owner.id }, [{ skuId: skus[0], price: 2500 }]);
    }
  });

  it("a changed discount or an expired quote is a 409 with a fresh quote", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[1], quantity: 2 }]);
    fakeExtension({ order: 300 });
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    fakeExtension({ order: 100 });
    const changed = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: key() } }).catch((e) => e);
    expect(changed).toMatchObject({ code: "quote_changed", freshQuote: { discountTotal: 100 } });

    const fresh = changed.freshQuote;
    await platform.db.updateTable("checkout_quotes").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", fresh.id).execute();
    const expired = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: fresh.id, addressId: buyer.addressId, idempotencyKey: key() } }).catch((e) => e);
    expect(expired).toBeInstanceOf(QuoteChangedError);
    expect(expired).toMatchObject({ status: 409, code: "quote_expired", freshQuote: { discountTotal: 100, total: 2900 } });
  });

  it("stock gone since the quote is a 409 out_of_stock that writes nothing", async () => {
    const { shop: s2, skus: [last] } = await shopWithProducts(platform, [{ price: 500, stock: 1 }]);
    const a = await createBuyer(platform);
    const b = await createBuyer(platform);
    await addToCart(platform.db, s2.id, { userId: a.id }, { skuId: last, quantity: 1 });
    await addToCart(platform.db, s2.id, { userId: b.id }, { skuId: last, quantity: 1 });
    const qa = await createQuote(platform, { shopId: s2.id, user: a });
    const qb = await createQuote(platform, { shopId: s2.id, user: b });
    await placeOrder(platform, { shopId: s2.id, user: a, form: { quoteId: qa.id, addressId: a.addressId, idempotencyKey: key() } });
    const error = await placeOrder(platform, { shopId: s2.id, user: b, form: { quoteId: qb.id, addressId: b.addressId, idempotencyKey: key() } }).catch((e) => e);
    expect(error).toMatchObject({ status: 409, code: "out_of_stock", freshQuote: null });
    expect(await stockOf(platform, last)).toBe(0);
    expect(await platform.db.selectFrom("orders").select("id").where("user_id", "=", b.id).execute()).toHaveLength(0);
    expect(await platform.db.selectFrom("checkout_quotes").select("consumed_at").where("id", "=", qb.id).executeTakeFirstOrThrow()).toEqual({ consumed_at: null });
    expect(await platform.db.selectFrom("checkout_idempotency_keys").select("key").where("user_id", "=", b.id).execute()).toHaveLength(0);
  });

  it("reservations: applied in the order's transaction, kept on the order; with no applier registered placement is a 409", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[1], quantity: 1 }]);
    fakeExtension({ order: 200, reservation: true });
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    expect(quote.reservations).toEqual([{ installId: "ins_coupon", counterKey: "coupon:WELCOME:uses", delta: 1, bound: { max: 100 } }]);

    const refused = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: key() } }).catch((e) => e);
    expect(refused).toMatchObject({ status: 409, code: "reservation_failed" });
    expect(await platform.db.selectFrom("orders").select("id").where("user_id", "=", buyer.id).execute()).toHaveLength(0);

    const applied: { orderId: string; inTransaction: boolean; reservations: unknown }[] = [];
    setReservationApplier(async (trx, ctx) => {
      applied.push({ orderId: ctx.orderId, inTransaction: trx.isTransaction, reservations: ctx.reservations });
    });
    const placed = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: refused.freshQuote.id, addressId: buyer.addressId, idempotencyKey: key() } });
    expect(applied).toEqual([{ orderId: placed.orderId, inTransaction: true, reservations: quote.reservations }]);
    expect((await orderRow(platform, placed.orderId)).reservations).toEqual(quote.reservations);

    // An applier that says the coupon ran out: 409 with a fresh quote, nothing written.
    const other = await buyerWithCart([{ skuId: skus[1], quantity: 1 }]);
    const q2 = await createQuote(platform, { shopId: shop.id, user: other });
    const { AppError } = await import("../app/lib/errors");
    setReservationApplier(async () => {
      throw new AppError("conflict", "This coupon has been used up.", { code: "reservation_failed" });
    });
    const stock = await stockOf(platform, skus[1]);
    await expect(placeOrder(platform, { shopId: shop.id, user: other, form: { quoteId: q2.id, addressId: other.addressId, idempotencyKey: key() } })).rejects.toMatchObject({
      status: 409,
      code: "reservation_failed",
    });
    expect(await stockOf(platform, skus[1])).toBe(stock);
  });

  it("refuses another buyer's address and another buyer's quote", async () => {
    const a = await buyerWithCart([{ skuId: skus[1], quantity: 1 }]);
    const b = await createBuyer(platform);
    const quote = await createQuote(platform, { shopId: shop.id, user: a });
    await expect(placeOrder(platform, { shopId: shop.id, user: a, form: { quoteId: quote.id, addressId: b.addressId, idempotencyKey: key() } })).rejects.toMatchObject({
      status: 400,
      fieldErrors: { addressId: ["Choose a delivery address"] },
    });
    await expect(placeOrder(platform, { shopId: shop.id, user: b, form: { quoteId: quote.id, addressId: b.addressId, idempotencyKey: key() } })).rejects.toMatchObject({ status: 404 });
  });
});

describe("the address book", () => {
  it("the first address is the default; one default at a time; deleting the default promotes the oldest left", async () => {
    const user = await createBuyer(platform); // one address already, the default
    const [first] = await listAddresses(platform.db, user.id);
    expect(first.isDefault).toBe(true);
    const second = await addAddress(platform.db, user.id, { recipient: "Han Meimei", phone: "+86 138-0000-0000", region: "Shanghai", street: "2 Bund" });
    expect(second.isDefault).toBe(false);
    const third = await addAddress(platform.db, user.id, { recipient: "Li Lei", phone: "13900000000", region: "Beijing", street: "3 Chang'an", isDefault: "on" });
    expect((await listAddresses(platform.db, user.id)).map((a) => [a.id, a.isDefault])).toEqual([
      [third.id, true],
      [first.id, false],
      [second.id, false],
    ]);
    await makeDefaultAddress(platform.db, user.id, second.id);
    await updateAddress(platform.db, user.id, first.id, { recipient: "Renamed", phone: "13800138000", region: "Zhejiang", street: "1 Lake Rd" });
    expect((await listAddresses(platform.db, user.id)).find((a) => a.id === first.id)).toMatchObject({ recipient: "Renamed", isDefault: false });
    await removeAddress(platform.db, user.id, second.id);
    expect((await listAddresses(platform.db, user.id)).map((a) => [a.id, a.isDefault])).toEqual([
      [first.id, true],
      [third.id, false],
    ]);
    await expect(addAddress(platform.db, user.id, { recipient: "", phone: "x", region: "", street: "" })).rejects.toMatchObject({
      kind: "bad_request",
      fieldErrors: { recipient: expect.any(Array), phone: expect.any(Array), region: expect.any(Array), street: expect.any(Array) },
    });
    // Another buyer cannot touch these.
    const stranger = await createBuyer(platform);
    await expect(updateAddress(platform.db, stranger.id, first.id, { recipient: "X", phone: "13800138000", region: "Y", street: "Z" })).rejects.toMatchObject({ kind: "not_found" });
    await removeAddress(platform.db, stranger.id, first.id);
    expect(await listAddresses(platform.db, user.id)).toHaveLength(2);
  });

  it("the address page adds and lists through its route", async () => {
    const user = await createBuyer(platform);
    const browser = await new TestBrowser(platform).signIn(user.id);
    const res = await browser.post(addressesRoute, "/account/addresses", {}, { intent: "add", recipient: "Page User", phone: "13700000000", region: "Guangdong", street: "9 Pearl St" });
    expect(res.status).toBe(303);
    const page = await body(await browser.get(addressesRoute, "/account/addresses", {}));
    expect(page.addresses.map((a: any) => a.recipient)).toEqual([user.name, "Page User"]);
    const bad = await browser.post(addressesRoute, "/account/addresses", {}, { intent: "add", recipient: "", phone: "1", region: "", street: "" });
    expect(bad.status).toBe(400);
  });
});

describe("the checkout page", () => {
  const path = () => `/s/${shop.handle}/checkout`;
  const params = () => ({ shopHandle: shop.handle });

  it("sends a guest to log in and back", async () => {
    const res = await new TestBrowser(platform).get(checkoutRoute, path(), params());
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(path())}`);
  });

  it("shows the quote and addresses with a submit key; placing redirects to the cashier; a double submit makes one order", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[1], quantity: 2 }]);
    const browser = await new TestBrowser(platform).signIn(buyer.id);
    const page = await body(await browser.get(checkoutRoute, path(), params()));
    expect(page.quote).toMatchObject({ subtotal: 2000, shippingTotal: 1000, total: 3000 });
    expect(page.addresses.map((a: any) => a.id)).toEqual([buyer.addressId]);
    expect(page.idempotencyKey).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const form = { intent: "place", quoteId: page.quote.id, addressId: buyer.addressId, idempotencyKey: page.idempotencyKey };
    const res = await browser.post(checkoutRoute, path(), params(), form);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/pay\/pay_[0-9a-z]{26}$/);
    const again = await browser.post(checkoutRoute, path(), params(), form);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(res.headers.get("location"));
    const orders = await platform.db.selectFrom("orders").select(["id", "total"]).where("user_id", "=", buyer.id).execute();
    expect(orders).toEqual([{ id: expect.any(String), total: 3000 }]);
    const payments = await platform.db.selectFrom("payments").select(["amount", "order_id"]).where("order_id", "=", orders[0].id).execute();
    expect(payments).toEqual([{ amount: 3000, order_id: orders[0].id }]);

    // The cart is empty now: the page says so instead of quoting.
    const after = await body(await browser.get(checkoutRoute, path(), params()));
    expect(after).toMatchObject({ quote: null, blocked: { code: "cart_empty" } });
  });

  it("answers a changed price with 409 and the fresh quote for the page to show", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[1], quantity: 1 }]);
    const browser = await new TestBrowser(platform).signIn(buyer.id);
    const page = await body(await browser.get(checkoutRoute, path(), params()));
    await setFreightSettings(platform.db, { id: owner.id }, shop.id, { mode: "flat", amount: 1200, freeOver: 20_000 });
    try {
      const res = await browser.post(checkoutRoute, path(), params(), { intent: "place", quoteId: page.quote.id, addressId: buyer.addressId, idempotencyKey: page.idempotencyKey });
      expect(res.status).toBe(409);
      const data = await body(res);
      expect(data).toMatchObject({ ok: false, code: "quote_changed", freshQuote: { shippingTotal: 1200, total: 2200 } });
    } finally {
      await setFreightSettings(platform.db, { id: owner.id }, shop.id, { mode: "flat", amount: 1000, freeOver: 20_000 });
    }
  });

  it("adds an address from the checkout and preselects it", async () => {
    const buyer = await buyerWithCart([{ skuId: skus[1], quantity: 1 }]);
    const browser = await new TestBrowser(platform).signIn(buyer.id);
    const res = await browser.post(checkoutRoute, path(), params(), { intent: "add-address", recipient: "New Place", phone: "13600000000", region: "Sichuan Chengdu", street: "8 Panda Rd" });
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${path()}\\?address=addr_`));
    const bad = await browser.post(checkoutRoute, path(), params(), { intent: "add-address", recipient: "", phone: "", region: "", street: "" });
    expect(bad.status).toBe(400);
    expect(await body(bad)).toMatchObject({ intent: "add-address", fieldErrors: { recipient: expect.any(Array) } });
  });
});
