/**
 * Reservations under real concurrency (PostgreSQL only): the conditional
 * update on an extension counter lets exactly as many claims through as the
 * bound allows, whether they race in bare transactions or as twenty buyers
 * placing orders through the checkout at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "../app/cart/index.server";
import { createQuote, placeOrder, QuoteChangedError } from "../app/checkout/index.server";
import { applyExtensionReservations } from "../app/extensions/index.server";
import { isAppError } from "../app/lib/errors";
import { newId, newToken } from "../app/lib/ids";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createBuyer, shopWithProducts } from "./orders-fixtures";
import { createMarketplace, installTestExtension, useTestHost, type Marketplace } from "./extensions-fixtures";

describe.skipIf(!process.env.DATABASE_URL)("reservations under concurrency (PostgreSQL)", () => {
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

  const counter = async (installId: string, key: string) =>
    (await platform.db.selectFrom("extension_counters").select("value").where("install_id", "=", installId).where("key", "=", key).executeTakeFirstOrThrow()).value;

  /** Runs `n` order transactions at once, each applying `reservation`; resolves to how many committed. */
  async function race(shopId: string, n: number, reservation: { installId: string; counterKey: string; delta: number; bound: { min?: number; max?: number } }) {
    const start = new Promise((r) => setTimeout(r, 50));
    const results = await Promise.allSettled(
      Array.from({ length: n }, async () => {
        await start;
        await platform.db.transaction().execute(async (trx) => {
          await applyExtensionReservations(trx, { shopId, orderId: newId("ord"), reservations: [reservation] });
        });
      }),
    );
    for (const r of results) if (r.status === "rejected" && !(isAppError(r.reason) && r.reason.code === "reservation_failed")) throw r.reason;
    return results.filter((r) => r.status === "fulfilled").length;
  }

  it("20 concurrent claims on a single-use coupon (bound max 1): exactly one succeeds", async () => {
    const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 1 }]);
    const install = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: `{ "checkout.discounts": async () => null }` });
    const won = await race(shop.id, 20, { installId: install.installId, counterKey: "coupon:SOLO:uses", delta: 1, bound: { max: 1 } });
    expect(won).toBe(1);
    expect(await counter(install.installId, "coupon:SOLO:uses")).toBe(1);
    expect(await platform.db.selectFrom("extension_reservations").select("id").where("install_id", "=", install.installId).execute()).toHaveLength(1);
  });

  it("20 concurrent redemptions of 30 points from a balance of 100 (bound min 0): never negative", async () => {
    const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 1 }]);
    const install = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: `{ "checkout.discounts": async () => null }` });
    await platform.db.insertInto("extension_counters").values({ install_id: install.installId, key: "points:cus_1", value: 100, updated_at: new Date() }).execute();
    const won = await race(shop.id, 20, { installId: install.installId, counterKey: "points:cus_1", delta: -30, bound: { min: 0 } });
    expect(won).toBe(3);
    expect(await counter(install.installId, "points:cus_1")).toBe(10);
  });

  it("20 buyers placing orders with the same single-use coupon at once: one order gets it, the rest get 409 with a fresh quote", async () => {
    const { shop, skus } = await shopWithProducts(platform, Array.from({ length: 20 }, () => ({ price: 1000, stock: 5 })));
    const coupon = await installTestExtension(platform, m, shop, {
      name: "Coupons",
      hooks: ["checkout.discounts"],
      source: `{ "checkout.discounts": async (input, ctx) => {
        if (input.attributes.coupon !== "FIRST20") return null;
        if ((await ctx.counters.get("coupon:FIRST20:uses")) >= 1) return null;
        return { discounts: [{ lineId: null, amount: 200, label: "Coupon FIRST20" }],
                 reservations: [{ counterKey: "coupon:FIRST20:uses", delta: 1, bound: { max: 1 } }] };
      } }`,
    });
    const buyers = await Promise.all(skus.map(() => createBuyer(platform, { fast: true })));
    const quotes: Awaited<ReturnType<typeof createQuote>>[] = [];
    for (const [i, buyer] of buyers.entries()) {
      await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[i], quantity: 1 });
      await platform.db.updateTable("carts").set({ attributes: JSON.stringify({ coupon: "FIRST20" }) }).where("shop_id", "=", shop.id).where("user_id", "=", buyer.id).execute();
      const q = await createQuote(platform, { shopId: shop.id, user: buyer });
      expect(q.discountTotal).toBe(200);
      quotes.push(q);
    }
    const results = await Promise.allSettled(
      buyers.map((buyer, i) => placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quotes[i].id, addressId: buyer.addressId, idempotencyKey: newToken(18) } })),
    );
    const placed = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(placed).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(QuoteChangedError);
      expect(["reservation_failed", "quote_changed"]).toContain((r.reason as QuoteChangedError).code);
      // the fresh quote no longer carries the coupon
      expect((r.reason as QuoteChangedError).freshQuote?.discountTotal).toBe(0);
    }
    expect(await counter(coupon.installId, "coupon:FIRST20:uses")).toBe(1);
    const discounted = await platform.db.selectFrom("orders").select("id").where("shop_id", "=", shop.id).where("discount_total", ">", 0).execute();
    expect(discounted).toHaveLength(1);
  });
});
