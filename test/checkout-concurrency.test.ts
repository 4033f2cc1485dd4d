/**
 * Placing orders under real concurrency, on PostgreSQL only (PGlite has one
 * connection): a pool of 30 connections of its own so transactions really
 * overlap.
 *
 * - 200 buyers race for the last 10 units: exactly 10 orders, stock 0, and a
 *   ledger that explains every unit; everyone else gets 409 out_of_stock.
 * - 40 buyers each order the same 3 SKUs, half listing them in the opposite
 *   order: no deadlock (40P01), no oversell, stock and ledger agree.
 * - One checkout submitted 8 times at once with the same key: one order, and
 *   every submit gets it; the same quote under 8 different keys: one order,
 *   7 × 409 quote_consumed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "../app/cart/index.server";
import { createQuote, placeOrder, QuoteChangedError, type QuoteView } from "../app/checkout/index.server";
import { isAppError } from "../app/lib/errors";
import { newToken } from "../app/lib/ids";
import { openPostgres, type DatabaseHandle } from "../db/connect";
import { createBuyer, ledgerOf, shopWithProducts, stockOf, type TestBuyer } from "./orders-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

describe.skipIf(!process.env.DATABASE_URL)("placing orders concurrently (PostgreSQL)", () => {
  let platform: TestPlatform;
  let pool: DatabaseHandle;
  let fast: { db: DatabaseHandle["db"] };

  beforeAll(async () => {
    platform = await createTestPlatform();
    pool = await openPostgres(platform.reopenInfo.databaseUrl!, { max: 30 });
    fast = { db: pool.db };
  });

  afterAll(async () => {
    await pool?.close();
    await platform?.close();
  });

  /** `n` buyers, each with these lines in their cart (in this order) and a quote of it. */
  async function buyersWithQuotes(shopId: string, n: number, linesFor: (i: number) => { skuId: string; quantity: number }[]): Promise<{ buyer: TestBuyer; quote: QuoteView }[]> {
    const out: { buyer: TestBuyer; quote: QuoteView }[] = [];
    for (let start = 0; start < n; start += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, n - start) }, async (_, k) => {
          const i = start + k;
          const buyer = await createBuyer(fast, { fast: true });
          for (const l of linesFor(i)) await addToCart(fast.db, shopId, { userId: buyer.id }, l);
          return { buyer, quote: await createQuote(fast, { shopId, user: buyer }) };
        }),
      );
      out.push(...batch);
    }
    return out;
  }

  function place(shopId: string, b: { buyer: TestBuyer; quote: QuoteView }, key = newToken(18)) {
    return placeOrder(fast, { shopId, user: b.buyer, form: { quoteId: b.quote.id, addressId: b.buyer.addressId, idempotencyKey: key } });
  }

  function expectLedgerConsistent(rows: Awaited<ReturnType<typeof ledgerOf>>, finalStock: number) {
    expect(rows.reduce((a, r) => a + r.delta, 0)).toBe(finalStock);
    // Each row's balance is the previous balance plus its delta, in the order written.
    let balance = 0;
    for (const r of rows) {
      balance += r.delta;
      expect(r.balance_after).toBe(balance);
    }
  }

  it("200 buyers, the last 10 units: exactly 10 orders, stock 0, ledger consistent", async () => {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 9900, stock: 10, title: "Limited teapot" }]);
    const contenders = await buyersWithQuotes(shop.id, 200, () => [{ skuId: skus[0], quantity: 1 }]);

    const results = await Promise.allSettled(contenders.map((c) => place(shop.id, c)));
    const placed = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof place>>> => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(QuoteChangedError);
      expect(r.reason).toMatchObject({ status: 409, code: "out_of_stock" });
    }
    expect(placed).toHaveLength(10);
    expect(refused).toHaveLength(190);

    expect(await stockOf(platform, skus[0])).toBe(0);
    const orders = await platform.db.selectFrom("orders").select(["id", "item_count"]).where("shop_id", "=", shop.id).execute();
    expect(orders).toHaveLength(10);
    expect(new Set(orders.map((o) => o.id))).toEqual(new Set(placed.map((p) => p.value.orderId)));
    const ledger = await ledgerOf(platform, skus[0]);
    expect(ledger.filter((r) => r.reason === "order_reserved").map((r) => r.ref_id).sort()).toEqual(orders.map((o) => o.id).sort());
    expectLedgerConsistent(ledger, 0);
    const product = await platform.db.selectFrom("products").select("total_stock").where("shop_id", "=", shop.id).executeTakeFirstOrThrow();
    expect(product.total_stock).toBe(0);
  });

  it("40 buyers × the same 3 SKUs, half in the opposite order: no deadlock, no oversell", async () => {
    const { shop, skus } = await shopWithProducts(platform, [
      { price: 100, stock: 25 },
      { price: 200, stock: 25 },
      { price: 300, stock: 25 },
    ]);
    const contenders = await buyersWithQuotes(shop.id, 40, (i) => {
      const lines = skus.map((skuId) => ({ skuId, quantity: 1 }));
      return i % 2 === 0 ? lines : lines.reverse();
    });
    // The cart order carries into the quote: half the quotes really list them reversed.
    expect(contenders[1].quote.lines.map((l) => l.skuId)).toEqual([...skus].reverse());

    const results = await Promise.allSettled(contenders.map((c) => place(shop.id, c)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    for (const r of refused) {
      // Never a deadlock (40P01) or any other database error: only a clean 409.
      expect(isAppError(r.reason), String(r.reason?.code ?? r.reason)).toBe(true);
      expect(r.reason).toMatchObject({ status: 409, code: "out_of_stock" });
    }
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(25);
    for (const sku of skus) {
      expect(await stockOf(platform, sku)).toBe(0);
      const ledger = await ledgerOf(platform, sku);
      expect(ledger.filter((r) => r.reason === "order_reserved")).toHaveLength(25);
      expectLedgerConsistent(ledger, 0);
    }
    const lines = await platform.db.selectFrom("order_lines").select(["sku_id", "quantity"]).where("shop_id", "=", shop.id).execute();
    expect(lines).toHaveLength(75);
  });

  it("the same checkout submitted 8 times at once with one key: one order, which every submit gets", async () => {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 1500, stock: 100 }]);
    const [c] = await buyersWithQuotes(shop.id, 1, () => [{ skuId: skus[0], quantity: 2 }]);
    const key = newToken(18);
    const results = await Promise.all(Array.from({ length: 8 }, () => place(shop.id, c, key)));
    expect(new Set(results.map((r) => r.orderId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await platform.db.selectFrom("orders").select("id").where("user_id", "=", c.buyer.id).execute()).toHaveLength(1);
    expect(await stockOf(platform, skus[0])).toBe(98);
  });

  it("the same quote submitted 8 times at once under different keys: one order, the rest 409 quote_consumed", async () => {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 1500, stock: 100 }]);
    const [c] = await buyersWithQuotes(shop.id, 1, () => [{ skuId: skus[0], quantity: 1 }]);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => place(shop.id, c)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409, code: "quote_consumed" });
    expect(await stockOf(platform, skus[0])).toBe(99);
  });
});
