/**
 * Stock: reserve / release / adjust write exactly one ledger row per SKU
 * change with the right balance, refuse atomically, and — on real
 * PostgreSQL — hold up under concurrency: 50 buyers racing for 10 units,
 * and 40 multi-SKU reservations in opposite orders (with merchant edits
 * mixed in) that never deadlock and leave stock and ledger agreeing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, type DatabaseHandle } from "../db/connect";
import {
  adjustStock,
  createProduct,
  getAdminProduct,
  OutOfStockError,
  release,
  reserve,
  setProductStatus,
  setSpecs,
  updateSkus,
  type AdminProduct,
} from "../app/catalog/index.server";
import { isAppError } from "../app/lib/errors";
import { actorOf, createMerchant, type Merchant } from "./catalog-fixtures";
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

const ref = (id: string) => ({ type: "order", id });

async function ledgerOf(skuId: string) {
  return platform.db.selectFrom("stock_ledger").selectAll().where("sku_id", "=", skuId).orderBy("id").execute();
}

async function stockOf(skuId: string) {
  return (await platform.db.selectFrom("skus").select("stock").where("id", "=", skuId).executeTakeFirstOrThrow()).stock;
}

async function onSaleProduct(title: string, stock: number, specs?: { name: string; values: string[] }[]): Promise<AdminProduct> {
  return createProduct(platform.db, m.shopId, actorOf(m), { title, price: 1000, stock, specs, status: "on_sale" });
}

describe("reserve", () => {
  it("decrements stock, merges lines of one SKU, writes order_reserved rows with balance and ref, and syncs total_stock", async () => {
    const p = await onSaleProduct("Reservable", 10, [{ name: "Size", values: ["S", "M"] }]);
    const [s, md] = p.skus;
    await platform.db.transaction().execute((trx) =>
      reserve(trx, m.shopId, [{ skuId: s.id, quantity: 2 }, { skuId: md.id, quantity: 1 }, { skuId: s.id, quantity: 1 }], ref("ord_1")),
    );
    expect([await stockOf(s.id), await stockOf(md.id)]).toEqual([7, 9]);
    const rows = await ledgerOf(s.id);
    expect(rows.map((r) => [r.delta, r.balance_after, r.reason, r.ref_type, r.ref_id])).toEqual([
      [10, 10, "initial", null, null],
      [-3, 7, "order_reserved", "order", "ord_1"],
    ]);
    expect((await getAdminProduct(platform.db, m.shopId, p.id)).totalStock).toBe(16);
    const events = await platform.db.selectFrom("outbox").select(["payload"]).where("name", "=", "stock.changed").where("subject_id", "=", s.id).execute();
    expect(events.map((e) => e.payload)).toEqual([{ skuId: s.id, productId: p.id, delta: -3, stock: 7, reason: "order_reserved", ref: { type: "order", id: "ord_1" } }]);
  });

  it("refuses atomically with out_of_stock, listing every short SKU and writing nothing", async () => {
    const plenty = await onSaleProduct("Plenty", 5);
    const few = await onSaleProduct("Few", 1);
    const draft = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Draft", price: 1, stock: 5 });
    const sized = await onSaleProduct("Sized", 5, [{ name: "Size", values: ["S", "M"] }]);
    await setSpecs(platform.db, m.shopId, sized.id, actorOf(m), [{ name: "Size", values: ["S"] }]); // M archived
    const lines = [
      { skuId: plenty.skus[0].id, quantity: 2 },
      { skuId: few.skus[0].id, quantity: 2 },
      { skuId: draft.skus[0].id, quantity: 1 },
      { skuId: sized.skus[1].id, quantity: 1 },
      { skuId: "sku_00000000000000000000000000", quantity: 1 },
    ];
    const error = await reserve(platform.db, m.shopId, lines, ref("ord_2")).catch((e) => e);
    expect(error).toBeInstanceOf(OutOfStockError);
    expect(error).toMatchObject({ kind: "conflict", code: "out_of_stock", status: 409 });
    expect((error as OutOfStockError).shortages).toEqual(
      expect.arrayContaining([
        { skuId: few.skus[0].id, requested: 2, available: 1, reason: "insufficient" },
        { skuId: draft.skus[0].id, requested: 1, available: 0, reason: "unavailable" },
        { skuId: sized.skus[1].id, requested: 1, available: 0, reason: "unavailable" },
        { skuId: "sku_00000000000000000000000000", requested: 1, available: 0, reason: "not_found" },
      ]),
    );
    expect((error as OutOfStockError).shortages).toHaveLength(4);
    expect((error as OutOfStockError).fieldErrors?.[`lines.${few.skus[0].id}`]).toEqual(["Only 1 left"]);
    expect(await stockOf(plenty.skus[0].id)).toBe(5);
    expect((await ledgerOf(plenty.skus[0].id)).map((r) => r.reason)).toEqual(["initial"]);
  });

  it("another shop's SKU is not found to this shop", async () => {
    const other = await createMerchant(platform);
    const theirs = await createProduct(platform.db, other.shopId, actorOf(other), { title: "Theirs", price: 1, stock: 5, status: "on_sale" });
    const error = await reserve(platform.db, m.shopId, [{ skuId: theirs.skus[0].id, quantity: 1 }], ref("ord_3")).catch((e) => e);
    expect((error as OutOfStockError).shortages).toEqual([{ skuId: theirs.skus[0].id, requested: 1, available: 0, reason: "not_found" }]);
    expect(await stockOf(theirs.skus[0].id)).toBe(5);
  });

  it("refuses malformed lines as a bad request", async () => {
    const p = await onSaleProduct("Lines", 5);
    for (const lines of [[], [{ skuId: p.skus[0].id, quantity: 0 }], [{ skuId: p.skus[0].id, quantity: 1.5 }], [{ skuId: "nope", quantity: 1 }]]) {
      await expect(reserve(platform.db, m.shopId, lines, ref("ord_4"))).rejects.toMatchObject({ kind: "bad_request" });
    }
  });

  it("rolls back with the caller's transaction", async () => {
    const p = await onSaleProduct("Rollback", 5);
    await expect(
      platform.db.transaction().execute(async (trx) => {
        await reserve(trx, m.shopId, [{ skuId: p.skus[0].id, quantity: 4 }], ref("ord_5"));
        throw new Error("order insert failed");
      }),
    ).rejects.toThrow("order insert failed");
    expect(await stockOf(p.skus[0].id)).toBe(5);
    expect((await ledgerOf(p.skus[0].id)).length).toBe(1);
  });
});

describe("release and adjust", () => {
  it("release puts units back with its reason, even on an archived SKU or off-sale product", async () => {
    const p = await onSaleProduct("Releasable", 4, [{ name: "Size", values: ["S", "M"] }]);
    const [s, md] = p.skus;
    await reserve(platform.db, m.shopId, [{ skuId: s.id, quantity: 3 }, { skuId: md.id, quantity: 4 }], ref("ord_10"));
    await setProductStatus(platform.db, m.shopId, [p.id], "off_sale", actorOf(m));
    await release(platform.db, m.shopId, [{ skuId: s.id, quantity: 3 }], ref("ord_10"), "order_released");
    await setSpecs(platform.db, m.shopId, p.id, actorOf(m), [{ name: "Size", values: ["S"] }]); // M archived at 0
    await release(platform.db, m.shopId, [{ skuId: md.id, quantity: 1 }], { type: "refund", id: "rfd_1" }, "refund_restock");
    expect((await ledgerOf(s.id)).map((r) => [r.delta, r.balance_after, r.reason])).toEqual([
      [4, 4, "initial"],
      [-3, 1, "order_reserved"],
      [3, 4, "order_released"],
    ]);
    expect((await ledgerOf(md.id)).map((r) => [r.delta, r.balance_after, r.reason, r.ref_type])).toEqual([
      [4, 4, "initial", null],
      [-4, 0, "order_reserved", "order"],
      [1, 1, "refund_restock", "refund"],
    ]);
    // total_stock counts active SKUs only.
    expect((await getAdminProduct(platform.db, m.shopId, p.id)).totalStock).toBe(4);
    await expect(release(platform.db, m.shopId, [{ skuId: "sku_00000000000000000000000000", quantity: 1 }], ref("x"), "order_released")).rejects.toMatchObject({
      kind: "not_found",
    });
  });

  it("adjustStock adds, removes and sets, with the note and actor on the ledger row", async () => {
    const p = await onSaleProduct("Adjustable", 10);
    const sku = p.skus[0].id;
    expect(await adjustStock(platform.db, m.shopId, sku, -3, actorOf(m), "Damaged")).toEqual({ stock: 7, delta: -3 });
    expect(await adjustStock(platform.db, m.shopId, sku, { set: 20 }, actorOf(m), "Counted")).toEqual({ stock: 20, delta: 13 });
    await expect(adjustStock(platform.db, m.shopId, sku, -21, actorOf(m), "Too many")).rejects.toMatchObject({
      fieldErrors: { amount: ["Only 20 in stock; cannot remove 21"] },
    });
    await expect(adjustStock(platform.db, m.shopId, sku, { set: -1 }, actorOf(m), "Neg")).rejects.toMatchObject({ fieldErrors: { amount: ["Stock cannot be negative"] } });
    await expect(adjustStock(platform.db, m.shopId, sku, 1, actorOf(m), "  ")).rejects.toMatchObject({ fieldErrors: { note: [expect.any(String)] } });
    expect((await ledgerOf(sku)).map((r) => [r.delta, r.balance_after, r.reason, r.note, r.actor_id])).toEqual([
      [10, 10, "initial", null, m.userId],
      [-3, 7, "manual_adjust", "Damaged", m.userId],
      [13, 20, "manual_adjust", "Counted", m.userId],
    ]);
    expect((await getAdminProduct(platform.db, m.shopId, p.id)).totalStock).toBe(20);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("concurrency on PostgreSQL", () => {
  let pool: DatabaseHandle;

  beforeAll(async () => {
    // A pool big enough for 20 transactions at once on this file's own database.
    pool = await openPostgres(platform.reopenInfo.databaseUrl!, { max: 20 });
  });

  afterAll(async () => {
    await pool?.close();
  });

  it("50 parallel reservations of 1 unit against stock 10: exactly 10 succeed, 40 are out_of_stock, stock 0, 10 ledger rows", async () => {
    const p = await onSaleProduct("Hot item", 10);
    const skuId = p.skus[0].id;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        pool.db.transaction().execute((trx) => reserve(trx, m.shopId, [{ skuId, quantity: 1 }], ref(`race_${i}`))),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(10);
    expect(failed).toHaveLength(40);
    for (const f of failed) expect(f.reason).toMatchObject({ kind: "conflict", code: "out_of_stock" });
    expect(await stockOf(skuId)).toBe(0);
    const reserved = (await ledgerOf(skuId)).filter((r) => r.reason === "order_reserved");
    expect(reserved).toHaveLength(10);
    expect(reserved.map((r) => r.balance_after).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(reserved.map((r) => r.ref_id)).size).toBe(10);
    expect((await getAdminProduct(platform.db, m.shopId, p.id)).totalStock).toBe(0);
  });

  it("40 multi-SKU reservations over 3 SKUs, half in reverse order, with merchant edits mixed in: no deadlock, stock and ledger agree", async () => {
    // Two SKUs of one product and one of another, so product rows are contended too.
    const pair = await onSaleProduct("Pair", 500, [{ name: "Size", values: ["S", "M"] }]);
    const single = await onSaleProduct("Single", 500);
    const skus = [pair.skus[0].id, pair.skus[1].id, single.skus[0].id];
    const initial = 500;

    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const order = i % 2 === 0 ? skus : [...skus].reverse();
      const lines = order.map((skuId, k) => ({ skuId, quantity: 1 + ((i + k) % 3) }));
      jobs.push(
        pool.db.transaction().execute(async (trx) => {
          await reserve(trx, m.shopId, lines, ref(`multi_${i}`));
          // Hold the locks a moment, as an order insert would, so transactions overlap.
          await new Promise((r) => setTimeout(r, 5));
        }),
      );
      if (i % 8 === 0) {
        // The merchant saves the matrix and adjusts stock while buyers check out.
        jobs.push(
          pool.db.transaction().execute((trx) =>
            updateSkus(trx, m.shopId, pair.id, actorOf(m), [
              { skuId: skus[1], price: 1000 + i },
              { skuId: skus[0], price: 2000 + i },
            ]),
          ),
        );
        jobs.push(pool.db.transaction().execute((trx) => adjustStock(trx, m.shopId, skus[2], 1, actorOf(m), `restock ${i}`)));
        jobs.push(pool.db.transaction().execute((trx) => setProductStatus(trx, m.shopId, [single.id, pair.id], "on_sale", actorOf(m))));
      }
    }
    const results = await Promise.allSettled(jobs);
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
    expect(errors.filter((e) => (e as { code?: string })?.code === "40P01")).toEqual([]);
    expect(errors).toEqual([]);

    for (const skuId of skus) {
      const ledger = await ledgerOf(skuId);
      const sum = ledger.reduce((n, r) => n + r.delta, 0);
      const stock = await stockOf(skuId);
      expect(stock).toBe(sum); // the initial row is in the ledger too
      expect(ledger[0]).toMatchObject({ reason: "initial", delta: initial });
      expect(ledger.filter((r) => r.reason === "order_reserved")).toHaveLength(40);
      // Each row's balance follows from the one before it.
      let balance = 0;
      for (const r of ledger) {
        balance += r.delta;
        expect(r.balance_after).toBe(balance);
      }
    }
    // Every reservation took 1–3 of each SKU, and product totals follow their SKUs.
    const pairNow = await getAdminProduct(platform.db, m.shopId, pair.id);
    const singleNow = await getAdminProduct(platform.db, m.shopId, single.id);
    expect(pairNow.totalStock).toBe((await stockOf(skus[0])) + (await stockOf(skus[1])));
    expect(singleNow.totalStock).toBe(await stockOf(skus[2]));
    expect(isAppError(errors[0])).toBe(false);
  });
});
