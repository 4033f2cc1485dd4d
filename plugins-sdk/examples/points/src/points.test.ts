/**
 * The points extension, run as a built bundle in the production sandbox
 * through the harness.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyReservations, buildPlugin, configureHarness, runHook, stopHarness, type BuiltPlugin, type HarnessInput } from "@bazaar/plugins-sdk";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let plugin: BuiltPlugin;

beforeAll(async () => {
  plugin = await buildPlugin(dir, { write: false });
  // This repository's test machine runs many suites on 2 cores; the wall deadline counts waiting for one.
  configureHarness({ limits: { cpuMs: 500, wallMs: 3_000 } });
});
afterAll(() => stopHarness());

const order = (total: number, currency = "CNY") => ({ id: "ord_1", customerId: "cus_1", status: "paid" as const, total, currency });
const paid = (total: number, currency = "CNY"): HarnessInput<"order.paid"> => ({ order: order(total, currency) });
const refunded = (total: number, refundId: string, amount: number): HarnessInput<"order.refunded"> => ({
  order: order(total),
  refund: { id: refundId, amount, refundedTotal: amount, full: false },
});
const quote = (subtotal: number, attributes: Record<string, unknown> = { usePoints: true }, customerId: string | null = "cus_1"): HarnessInput<"checkout.discounts"> => ({
  shop: { id: "shp_1", currency: "CNY" },
  buyer: { userId: "usr_1", customerId },
  lines: [
    { lineId: "oln_1", skuId: "sku_1", productId: "prd_1", categoryId: null, quantity: 1, unitPrice: subtotal - 1, lineTotal: subtotal - 1 },
    { lineId: "oln_2", skuId: "sku_2", productId: "prd_2", categoryId: null, quantity: 1, unitPrice: 1, lineTotal: 1 },
  ],
  subtotal,
  attributes,
});

describe("order.paid: earn per whole currency unit, exactly once", () => {
  it("earns pointsPerUnit for every whole unit paid, rounded down", async () => {
    const run = await runHook(plugin, "order.paid", paid(12_399), { counters: { "balance:cus_1": 10 } });
    expect(run.outcome).toBe("ok");
    expect(run.counters["balance:cus_1"]).toBe(10 + 123); // CNY 123.99 → 123 points
    expect(run.logs).toEqual(["earned 123 points on ord_1"]);
  });

  it("uses the currency's minor unit and the merchant's rate", async () => {
    const yen = await runHook(plugin, "order.paid", paid(1_234, "JPY"), { settings: { pointsPerUnit: 3 } });
    expect(yen.counters["balance:cus_1"]).toBe(3_702);
  });

  it("a replayed order.paid (the same delivery) earns nothing more", async () => {
    const first = await runHook(plugin, "order.paid", paid(50_000));
    expect(first.counters["balance:cus_1"]).toBe(500);
    const replay = await runHook(plugin, "order.paid", paid(50_000), first.state);
    expect(replay.effects).toEqual([{ key: "balance:cus_1", delta: 500, applied: false, duplicate: true, value: 500 }]);
    expect(replay.counters["balance:cus_1"]).toBe(500);
  });

  it("a second event about the same order (another delivery) earns nothing more", async () => {
    const first = await runHook(plugin, "order.paid", paid(50_000));
    const other = await runHook(plugin, "order.paid", { ...paid(50_000), event: { id: "evt_other", name: "order.paid", occurredAt: "2026-11-02T09:00:00.000Z" } }, first.state);
    expect(other.effects).toEqual([]);
    expect(other.counters["balance:cus_1"]).toBe(500);
  });
});

describe("order.refunded: the points go back, never below zero", () => {
  it("partial refunds reverse what the refunded part earned; together exactly what the order earned", async () => {
    const p = await runHook(plugin, "order.paid", paid(10_000), { counters: { "balance:cus_1": 7 } });
    expect(p.counters["balance:cus_1"]).toBe(107);
    const r1 = await runHook(plugin, "order.refunded", refunded(10_000, "ref_1", 2_550), p.state);
    expect(r1.counters["balance:cus_1"]).toBe(107 - 26); // kept 100.00 → 74.50: 100 − 74 points
    const replay = await runHook(plugin, "order.refunded", refunded(10_000, "ref_1", 2_550), r1.state);
    expect(replay.counters["balance:cus_1"]).toBe(81);
    const r2 = await runHook(plugin, "order.refunded", refunded(10_000, "ref_2", 7_450), replay.state);
    expect(r2.counters["balance:cus_1"]).toBe(7);
  });

  it("points already spent are not clawed below zero; the shortfall is recorded", async () => {
    const p = await runHook(plugin, "order.paid", paid(10_000));
    const spent = { ...p.state, counters: { "balance:cus_1": 30 } }; // 70 of the 100 were redeemed since
    const r = await runHook(plugin, "order.refunded", refunded(10_000, "ref_1", 10_000), spent);
    expect(r.counters["balance:cus_1"]).toBe(0);
    expect(r.storage["order:ord_1"]).toMatchObject({ refunds: { ref_1: { reversed: 30, shortfall: 70 } } });
    expect(r.logs).toEqual(["70 points of refund ref_1 were already spent"]);
  });

  it("a refund delivered before its order.paid: the order earns only on what was kept", async () => {
    const r = await runHook(plugin, "order.refunded", refunded(10_000, "ref_1", 4_000));
    expect(r.counters).toEqual({});
    const p = await runHook(plugin, "order.paid", paid(10_000), r.state);
    expect(p.counters["balance:cus_1"]).toBe(60);
  });
});

describe("checkout.discounts: redeem through a reservation on the balance", () => {
  it("uses the whole balance when under the cap, with a reservation that keeps it ≥ 0", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(10_000), { counters: { "balance:cus_1": 420 } });
    expect(run.outputErrors).toEqual([]);
    expect(run.output).toEqual({
      discounts: [{ lineId: null, amount: 420, label: "420 points redeemed" }],
      reservations: [{ counterKey: "balance:cus_1", delta: -420, bound: { min: 0 } }],
    });
  });

  it("is capped at maxRedeemPercent of the subtotal, rounded down to whole points", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(9_999), { settings: { pointValue: 10, maxRedeemPercent: 30 }, counters: { "balance:cus_1": 100_000 } });
    // 30% of 9999 = 2999 (rounded down) → 299 points of 10 = 2990
    expect(run.output?.discounts).toEqual([{ lineId: null, amount: 2_990, label: "299 points redeemed" }]);
    expect(run.output?.reservations).toEqual([{ counterKey: "balance:cus_1", delta: -299, bound: { min: 0 } }]);
  });

  it("nothing unless the buyer opted in, has a record and has points", async () => {
    for (const [q, counters] of [
      [quote(10_000, {}), { "balance:cus_1": 500 }],
      [quote(10_000, { usePoints: "yes" }), { "balance:cus_1": 500 }],
      [quote(10_000, { usePoints: true }, null), {}],
      [quote(10_000), {}],
    ] as const) {
      const run = await runHook(plugin, "checkout.discounts", q, { counters });
      expect(run.output).toEqual({ discounts: [], reservations: [] });
    }
  });

  it("placing the order spends the points once; a second order on the same stale quote fails", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(10_000), { counters: { "balance:cus_1": 420 } });
    const first = applyReservations(run.counters, run.output!.reservations);
    expect(first).toEqual({ applied: true, counters: { "balance:cus_1": 0 } });
    const second = applyReservations(first.counters, run.output!.reservations);
    expect(second.applied).toBe(false);
    expect(second.counters["balance:cus_1"]).toBe(0);
  });
});

describe("storefront.blocks", () => {
  const page = (customerId: string | null): HarnessInput<"storefront.blocks"> => ({ shop: { id: "shp_1", currency: "CNY" }, buyer: { customerId }, page: "cart" });

  it("shows the balance and what it is worth", async () => {
    const run = await runHook(plugin, "storefront.blocks", page("cus_1"), { counters: { "balance:cus_1": 1_234 } });
    expect(run.outputErrors).toEqual([]);
    expect(run.output?.blocks).toEqual([
      { type: "badge", label: "1234 points", tone: "success" },
      { type: "text", text: "Worth CNY 12.34 at checkout (up to 50% of an order). Earn 1 point for every CNY 1.00 you spend.", tone: "neutral" },
    ]);
  });

  it("tells a visitor how to earn", async () => {
    const run = await runHook(plugin, "storefront.blocks", page(null));
    expect(run.output?.blocks).toEqual([{ type: "text", text: "Earn 1 point for every CNY 1.00 you spend.", tone: "info" }]);
  });
});
