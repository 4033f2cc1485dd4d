/**
 * The promotions extension, run as a built bundle in the production sandbox
 * through the harness.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyReservations, buildPlugin, configureHarness, runHook, stopHarness, type BuiltPlugin, type HarnessInput, type QuoteLine } from "@bazaar/plugins-sdk";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let plugin: BuiltPlugin;

beforeAll(async () => {
  plugin = await buildPlugin(dir, { write: false });
  // This repository's test machine runs many suites on 2 cores; the wall deadline counts waiting for one.
  configureHarness({ limits: { cpuMs: 500, wallMs: 3_000 } });
});
afterAll(() => stopHarness());

let n = 0;
const line = (productId: string, unitPrice: number, quantity = 1, categoryId: string | null = null): QuoteLine => ({
  lineId: `oln_${++n}`,
  skuId: `sku_${n}`,
  productId,
  categoryId,
  quantity,
  unitPrice,
  lineTotal: unitPrice * quantity,
});
const quote = (lines: QuoteLine[], attributes: Record<string, unknown> = {}, customerId: string | null = "cus_1"): HarnessInput<"checkout.discounts"> => ({
  shop: { id: "shp_1", currency: "CNY" },
  buyer: { userId: "usr_1", customerId },
  lines,
  subtotal: lines.reduce((s, l) => s + l.lineTotal, 0),
  attributes,
});
/** Everything off but what a test turns on. */
const off = { spendEvery: 0, categoryId: "", bxgyProductId: "", couponCodes: "" };

describe("spend thresholds", () => {
  it("20 off every 200, on what the order comes to", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote([line("prd_1", 45_000)]), { settings: { ...off, spendEvery: 20_000, spendOff: 2_000 } });
    expect(run.outputErrors).toEqual([]);
    expect(run.output?.discounts).toEqual([{ lineId: null, amount: 4_000, label: "CNY 20.00 off every CNY 200.00" }]);
    const under = await runHook(plugin, "checkout.discounts", quote([line("prd_1", 19_999)]), { settings: { ...off, spendEvery: 20_000, spendOff: 2_000 } });
    expect(under.output?.discounts).toEqual([]);
  });
});

describe("percent off a category", () => {
  it("takes the percentage off each line in the category, rounded down, and leaves the others", async () => {
    const tea = line("prd_tea", 333, 1, "cat_tea");
    const cups = line("prd_cup", 1_000, 2, "cat_cups");
    const run = await runHook(plugin, "checkout.discounts", quote([tea, cups]), { settings: { ...off, categoryId: "cat_tea", categoryName: "tea", categoryPercent: 15 } });
    expect(run.output?.discounts).toEqual([{ lineId: tea.lineId, amount: 49, label: "15% off tea" }]); // 49.95 → 49
  });
});

describe("buy X get Y", () => {
  const settings = { ...off, bxgyProductId: "prd_tea", bxgyBuy: 2, bxgyGet: 1 };

  it("the free unit is the cheapest one", async () => {
    const big = line("prd_tea", 1_000, 2);
    const small = line("prd_tea", 500, 1);
    const run = await runHook(plugin, "checkout.discounts", quote([big, small, line("prd_cup", 800)]), { settings });
    expect(run.output?.discounts).toEqual([{ lineId: small.lineId, amount: 500, label: "Buy 2 get 1 free" }]);
  });

  it("every full group counts: 7 units give 2 free; 2 units give none", async () => {
    const a = line("prd_tea", 900, 4);
    const b = line("prd_tea", 700, 3);
    const run = await runHook(plugin, "checkout.discounts", quote([a, b]), { settings });
    expect(run.output?.discounts).toEqual([{ lineId: b.lineId, amount: 1_400, label: "Buy 2 get 1 free" }]);
    const two = await runHook(plugin, "checkout.discounts", quote([line("prd_tea", 900, 2)]), { settings });
    expect(two.output?.discounts).toEqual([]);
  });

  it("stacks with the category percentage without taking a line below zero", async () => {
    const only = line("prd_tea", 1_000, 3, "cat_tea");
    const run = await runHook(plugin, "checkout.discounts", quote([only]), { settings: { ...settings, categoryId: "cat_tea", categoryName: "tea", categoryPercent: 10 } });
    expect(run.output?.discounts).toEqual([
      { lineId: only.lineId, amount: 1_000, label: "Buy 2 get 1 free" },
      { lineId: only.lineId, amount: 200, label: "10% off tea" },
    ]);
  });
});

describe("coupons: limits enforced through reservations", () => {
  const coupon = { ...off, couponCodes: "WELCOME10, vip-2026", couponKind: "amount", couponValue: 1_000, couponTotalUses: 100, couponPerCustomerUses: 1 };
  const cart = () => [line("prd_1", 5_000)];

  it("a valid code (any case, any spaces) gives its discount and claims one use in all and one for the buyer", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(cart(), { coupon: "  welcome10 " }), { settings: coupon });
    expect(run.outputErrors).toEqual([]);
    expect(run.output).toEqual({
      discounts: [{ lineId: null, amount: 1_000, label: "Coupon WELCOME10" }],
      reservations: [
        { counterKey: "coupon:WELCOME10:uses", delta: 1, bound: { max: 100 } },
        { counterKey: "coupon:WELCOME10:customer:cus_1", delta: 1, bound: { max: 1 } },
      ],
    });
  });

  it("a percentage coupon applies to what is left after the other promotions", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote([line("prd_1", 45_000)], { coupon: "VIP-2026" }), {
      settings: { ...coupon, couponKind: "percent", couponValue: 10, spendEvery: 20_000, spendOff: 2_000 },
    });
    expect(run.output?.discounts).toEqual([
      { lineId: null, amount: 4_000, label: "CNY 20.00 off every CNY 200.00" },
      { lineId: null, amount: 4_100, label: "Coupon VIP-2026" },
    ]);
  });

  it.each<{ why: string; attributes: Record<string, unknown>; counters: Record<string, number>; customerId: string | null; log: string }>([
    { why: "unknown code", attributes: { coupon: "NOPE" }, counters: {}, customerId: "cus_1", log: "unknown coupon code" },
    { why: "used up in all", attributes: { coupon: "WELCOME10" }, counters: { "coupon:WELCOME10:uses": 100 }, customerId: "cus_1", log: "coupon WELCOME10: used up" },
    { why: "already used by this buyer", attributes: { coupon: "WELCOME10" }, counters: { "coupon:WELCOME10:customer:cus_1": 1 }, customerId: "cus_1", log: "coupon WELCOME10: already used by this buyer" },
    { why: "a buyer with no record", attributes: { coupon: "WELCOME10" }, counters: {}, customerId: null, log: "coupon WELCOME10: the buyer has no record in the shop yet" },
  ])("no coupon discount: $why", async ({ attributes, counters, customerId, log }) => {
    const run = await runHook(plugin, "checkout.discounts", quote(cart(), attributes, customerId), { settings: coupon, counters });
    expect(run.output).toEqual({ discounts: [], reservations: [] });
    expect(run.logs).toEqual([log]);
  });

  it("below the minimum order: no coupon", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(cart(), { coupon: "WELCOME10" }), { settings: { ...coupon, couponMinSubtotal: 5_001 } });
    expect(run.output?.discounts).toEqual([]);
  });

  it("the last use goes to one order: of two placements on the same quote, the second fails", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(cart(), { coupon: "WELCOME10" }, "cus_1"), { settings: coupon, counters: { "coupon:WELCOME10:uses": 99 } });
    const other = await runHook(plugin, "checkout.discounts", quote(cart(), { coupon: "WELCOME10" }, "cus_2"), { settings: coupon, counters: { "coupon:WELCOME10:uses": 99 } });
    const first = applyReservations(run.counters, run.output!.reservations);
    expect(first.applied).toBe(true);
    expect(first.counters["coupon:WELCOME10:uses"]).toBe(100);
    const second = applyReservations(first.counters, other.output!.reservations);
    expect(second.applied).toBe(false);
  });

  it("unlimited coupons claim nothing", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(cart(), { coupon: "WELCOME10" }), { settings: { ...coupon, couponTotalUses: 0, couponPerCustomerUses: 0 } });
    expect(run.output?.reservations).toEqual([]);
    expect(run.output?.discounts).toHaveLength(1);
  });
});

describe("all together, and the storefront", () => {
  it("every discount is valid for the platform and the total never exceeds the subtotal", async () => {
    const lines = [line("prd_tea", 3_333, 3, "cat_tea"), line("prd_cup", 9_999, 1, "cat_cups")];
    const settings = { spendEvery: 1_000, spendOff: 900, categoryId: "cat_tea", categoryPercent: 90, bxgyProductId: "prd_tea", couponCodes: "ALL", couponKind: "percent", couponValue: 100 };
    const run = await runHook(plugin, "checkout.discounts", quote(lines, { coupon: "all" }), { settings });
    expect(run.outputErrors).toEqual([]);
    const total = run.output!.discounts.reduce((s, d) => s + d.amount, 0);
    expect(total).toBeLessThanOrEqual(run.input.subtotal);
    expect(total).toBe(run.input.subtotal); // everything given away, exactly, not a unit more
  });

  it("lists the active offers", async () => {
    const run = await runHook(plugin, "storefront.blocks", { shop: { id: "shp_1", currency: "CNY" }, buyer: null, page: "home" }, {
      settings: { categoryId: "cat_tea", categoryName: "tea", bxgyProductId: "prd_cup", bxgyProductName: "cups" },
    });
    expect(run.outputErrors).toEqual([]);
    expect(run.output?.blocks).toEqual([
      { type: "list", title: "Offers in this shop", items: ["CNY 20.00 off every CNY 200.00 you spend", "10% off tea", "Buy 2 cups, get 1 free"] },
    ]);
  });

  it("no active offer, no block", async () => {
    const run = await runHook(plugin, "storefront.blocks", { shop: { id: "shp_1", currency: "CNY" }, buyer: null, page: "home" }, { settings: off });
    expect(run.output?.blocks).toEqual([]);
  });
});
