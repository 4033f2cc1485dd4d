/**
 * checkout.discounts through the real runner and the real checkout: every
 * invalid output shape is dropped and recorded while the quote succeeds with
 * the other installs' lines; throwing and looping extensions never fail a
 * quote; 5 faults in 10 minutes suspend the install and notify the owner;
 * reservations are applied in the order's transaction and reversed once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "../app/cart/index.server";
import { createQuote, placeOrder } from "../app/checkout/index.server";
import { newToken } from "../app/lib/ids";
import { activeInstalls, getInstall, resumeInstall } from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { allowConsoleError } from "./support/setup-file";
import { createBuyer, shopWithProducts } from "./orders-fixtures";
import { createMarketplace, installTestExtension, invocationsOf, quoteInput, useTestHost, type Marketplace } from "./extensions-fixtures";
import type { TestShop } from "./support/storefront-fixtures";
import { cancelOrder } from "../app/orders/index.server";

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

const GOOD = `{ "checkout.discounts": async (input) => ({ discounts: [{ lineId: null, amount: Math.floor(input.subtotal / 10), label: "10% off" }] }) }`;

/** An extension whose checkout.discounts returns `output` (a JS expression over `input`). */
const returning = (output: string) => `{ "checkout.discounts": async (input) => (${output}) }`;

describe("output validation", () => {
  let shop: TestShop;
  let skuA: string;
  let skuB: string;
  const installs: Record<string, string> = {};

  const SHAPES: Record<string, string> = {
    unknownLine: returning(`{ discounts: [{ lineId: "oln_00000000000000000000000000", amount: 10, label: "ghost" }] }`),
    negative: returning(`{ discounts: [{ lineId: input.lines[0].lineId, amount: -5, label: "negative" }] }`),
    overLine: returning(`{ discounts: [{ lineId: input.lines[1].lineId, amount: input.lines[1].lineTotal + 1, label: "too much" }] }`),
    overSubtotal: returning(`{ discounts: input.lines.map((l) => ({ lineId: l.lineId, amount: l.lineTotal, label: "all" })).concat([{ lineId: null, amount: 1, label: "and more" }]) }`),
    wrongTypes: returning(`{ discounts: [{ lineId: input.lines[0].lineId, amount: "10", label: 7 }] }`),
    huge: returning(`{ discounts: [], padding: "x".repeat(70 * 1024) }`),
    notAnObject: returning(`"free stuff"`),
  };

  beforeAll(async () => {
    const s = await shopWithProducts(platform, [
      { price: 1000, stock: 50 },
      { price: 500, stock: 50 },
    ]);
    shop = s.shop;
    [skuA, skuB] = s.skus;
    installs.good = (await installTestExtension(platform, m, shop, { name: "Good promo", hooks: ["checkout.discounts"], source: GOOD })).installId;
    for (const [name, source] of Object.entries(SHAPES)) {
      installs[name] = (await installTestExtension(platform, m, shop, { name: `Bad ${name}`, hooks: ["checkout.discounts"], source })).installId;
    }
  });

  it("drops each invalid shape, records it as invalid_output, and keeps the valid install's lines", async () => {
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
    expect(offers.map((o) => o.installId)).toEqual([installs.good]);
    expect(offers[0].lines).toEqual([{ lineId: null, amount: 250, label: "10% off", source: { installId: installs.good, extensionName: "Good promo" } }]);

    const expected: Record<string, RegExp> = {
      unknownLine: /unknown line/,
      negative: /discounts\.0\.amount/,
      overLine: /exceeds the line total 500/,
      overSubtotal: /the sum 2501 exceeds the subtotal 2500/,
      wrongTypes: /discounts\.0\.amount/,
      huge: /output exceeds 65536 bytes/,
      notAnObject: /expected object/i,
    };
    for (const [name, pattern] of Object.entries(expected)) {
      const rows = await invocationsOf(platform, installs[name]);
      expect(rows, name).toHaveLength(1);
      expect(rows[0].outcome, name).toBe("invalid_output");
      expect(rows[0].charged, name).toBe(true);
      expect(rows[0].error, name).toMatch(pattern);
    }
    const good = await invocationsOf(platform, installs.good);
    expect(good[0]).toMatchObject({ outcome: "ok", charged: false });
    expect(good[0].summary).toEqual({ discounts: [{ lineId: null, amount: 250, label: "10% off" }], reservations: [] });
  });

  it("a real quote succeeds with the valid install's discount only", async () => {
    const buyer = await createBuyer(platform);
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skuA, quantity: 2 });
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skuB, quantity: 1 });
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    expect(quote.subtotal).toBe(2500);
    expect(quote.discountTotal).toBe(250);
    const discounts = quote.adjustments.filter((a) => a.kind === "discount");
    expect(discounts).toEqual([
      { kind: "discount", lineId: null, amount: 250, requested: 250, label: "10% off", source: { type: "extension", installId: installs.good, extensionName: "Good promo" } },
    ]);
    // and the order can be placed from it (priced again at placement, same result)
    const placed = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: newToken(18) } });
    expect(placed.total).toBe(quote.total);
  });
});

describe("faults never fail the quote", () => {
  it("throwing and looping extensions are dropped and recorded; the others' lines stand", async () => {
    const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 5 }]);
    const good = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: GOOD });
    const thrower = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: `{ "checkout.discounts": async () => { throw new TypeError("boom"); } }` });
    const looper = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: `{ "checkout.discounts": () => { for (;;) {} } }` });
    const missing = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: `{ "order.paid": async () => null }` });

    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
    expect(offers.map((o) => o.installId)).toEqual([good.installId]);
    expect((await invocationsOf(platform, thrower.installId))[0]).toMatchObject({ outcome: "error", error: "TypeError: boom", charged: true });
    expect((await invocationsOf(platform, looper.installId))[0]).toMatchObject({ outcome: "timeout", charged: true });
    expect((await invocationsOf(platform, missing.installId))[0]).toMatchObject({ outcome: "error", error: 'the extension defines no "checkout.discounts" hook' });
  });

  it("a memory bomb and a runner crash are dropped too; the innocent calls are retried, uncharged", async () => {
    allowConsoleError();
    const previous = platform.extensions;
    useTestHost(platform, { limits: { "checkout.discounts": { cpuMs: 10_000, wallMs: 30_000 } }, sandbox: { onRunnerStderr: () => {}, onFault: () => {} } });
    try {
      const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 5 }]);
      const good = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: GOOD });
      const hog = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: `{ "checkout.discounts": () => { const kept = []; for (;;) kept.push(new Array(1e6).fill(1.5)); } }` });
      const bomb = await installTestExtension(platform, m, shop, {
        hooks: ["checkout.discounts"],
        source: `{ "checkout.discounts": () => { const o = {}; for (let i = 0; i < 1e6; i++) o["k" + i] = i; return null; } }`,
      });
      const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
      expect(offers.map((o) => o.installId)).toEqual([good.installId]);
      expect((await invocationsOf(platform, hog.installId))[0]).toMatchObject({ outcome: "memory", charged: true });
      // "crash" (V8's fatal OOM aborts the runner); on a loaded machine the CPU limit may stop it first ("timeout").
      // Either way the runner or the isolate is gone and the fault is charged; sandbox/crash-recovery.test.ts pins the crash itself.
      const crashed = (await invocationsOf(platform, bomb.installId))[0];
      expect(["crash", "timeout"]).toContain(crashed.outcome);
      expect(crashed).toMatchObject({ charged: true, retried: false });
      const innocent = (await invocationsOf(platform, good.installId))[0];
      expect(innocent).toMatchObject({ outcome: "ok", charged: false });
    } finally {
      await platform.extensions.stop();
      platform.extensions = previous;
    }
  });

  it("5 faults in 10 minutes suspend the install and notify the shop's owner; others keep working", async () => {
    const { shop, owner } = await shopWithProducts(platform, [{ price: 1000, stock: 5 }]);
    const good = await installTestExtension(platform, m, shop, { hooks: ["checkout.discounts"], source: GOOD });
    const flaky = await installTestExtension(platform, m, shop, { name: "Flaky promo", hooks: ["checkout.discounts"], source: `{ "checkout.discounts": async () => { throw new Error("nope"); } }` });
    const input = quoteInput(shop.id, { userId: "usr_x", customerId: null });

    for (let i = 1; i <= 4; i++) {
      await platform.extensions.collectDiscounts(input);
      expect((await getInstall(platform.db, shop.id, flaky.installId))!.status, `after ${i} faults`).toBe("active");
    }
    const fifth = await platform.extensions.collectDiscounts(input);
    expect(fifth.map((o) => o.installId)).toEqual([good.installId]);
    const after = (await getInstall(platform.db, shop.id, flaky.installId))!;
    expect(after).toMatchObject({ status: "suspended", statusReason: "faults" });
    expect((await activeInstalls(platform.db, shop.id, "checkout.discounts")).map((i) => i.installId)).toEqual([good.installId]);

    const notes = await platform.db.selectFrom("notifications").selectAll().where("user_id", "=", owner.id).where("kind", "=", "extension.suspended").execute();
    expect(notes).toHaveLength(1);
    expect(notes[0].title).toBe("Flaky promo was suspended");
    expect(notes[0].link).toBe(`/admin/shops/${shop.id}/extensions/${flaky.installId}`);
    const audit = await platform.db.selectFrom("audit_log").selectAll().where("action", "=", "extension.suspended").where("target_id", "=", flaky.installId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: "system", shop_id: shop.id });

    // suspended: no longer called
    await platform.extensions.collectDiscounts(input);
    expect(await invocationsOf(platform, flaky.installId)).toHaveLength(5);
    expect(await invocationsOf(platform, good.installId)).toHaveLength(6);

    // the merchant can resume it; the old faults are still in the window, so one more suspends it again
    await resumeInstall(platform.db, { type: "user", id: owner.id }, { shopId: shop.id, installId: flaky.installId });
    await platform.extensions.collectDiscounts(input);
    expect((await getInstall(platform.db, shop.id, flaky.installId))!.status).toBe("suspended");
  });
});

describe("reservations", () => {
  it("a coupon's reservation is applied when the order is placed and reversed once when it closes", async () => {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 1000, stock: 10 }]);
    const coupon = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      source: `{ "checkout.discounts": async (input, ctx) => {
        if (input.attributes.coupon !== "ONCE") return null;
        const used = await ctx.counters.get("coupon:ONCE:uses");
        if (used >= 1) return null;
        return { discounts: [{ lineId: null, amount: 300, label: "Coupon ONCE" }],
                 reservations: [{ counterKey: "coupon:ONCE:uses", delta: 1, bound: { max: 1 } }] };
      } }`,
    });
    const buyer = await createBuyer(platform);
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[0], quantity: 1 });
    await platform.db.updateTable("carts").set({ attributes: JSON.stringify({ coupon: "ONCE" }) }).where("shop_id", "=", shop.id).where("user_id", "=", buyer.id).execute();
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    expect(quote.discountTotal).toBe(300);
    expect(quote.reservations).toEqual([{ installId: coupon.installId, counterKey: "coupon:ONCE:uses", delta: 1, bound: { max: 1 } }]);
    const placed = await placeOrder(platform, { shopId: shop.id, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: newToken(18) } });
    const counter = () => platform.db.selectFrom("extension_counters").select("value").where("install_id", "=", coupon.installId).where("key", "=", "coupon:ONCE:uses").executeTakeFirstOrThrow();
    expect((await counter()).value).toBe(1);

    await cancelOrder(platform, { shopId: shop.id, orderId: placed.orderId, actor: { type: "buyer", id: buyer.id } });
    expect((await counter()).value).toBe(0);
    const applied = await platform.db.selectFrom("extension_reservations").selectAll().where("order_id", "=", placed.orderId).execute();
    expect(applied).toHaveLength(1);
    expect(applied[0].reversed_at).not.toBeNull();
    // a second close is a no-op for the counter
    await cancelOrder(platform, { shopId: shop.id, orderId: placed.orderId, actor: { type: "buyer", id: buyer.id } });
    expect((await counter()).value).toBe(0);
  });
});
