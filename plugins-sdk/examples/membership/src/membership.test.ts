/**
 * The membership extension, run as a built bundle in the production sandbox
 * through the harness.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlugin, configureHarness, runHook, stopHarness, type BuiltPlugin, type HarnessInput } from "@bazaar/plugins-sdk";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let plugin: BuiltPlugin;

beforeAll(async () => {
  plugin = await buildPlugin(dir, { write: false });
  // This repository's test machine runs many suites on 2 cores; the wall deadline counts waiting for one.
  configureHarness({ limits: { cpuMs: 500, wallMs: 3_000 } });
});
afterAll(() => stopHarness());

const quote = (subtotal: number, customerId: string | null = "cus_1"): HarnessInput<"checkout.discounts"> => ({
  shop: { id: "shp_1", currency: "CNY" },
  buyer: { userId: "usr_1", customerId },
  lines: [{ lineId: "oln_1", skuId: "sku_1", productId: "prd_1", categoryId: null, quantity: 1, unitPrice: subtotal, lineTotal: subtotal }],
  subtotal,
  attributes: {},
});
const order = (total: number, id = "ord_1") => ({ id, customerId: "cus_1", status: "paid" as const, total, currency: "CNY" });
const paid = (total: number, id = "ord_1"): HarnessInput<"order.paid"> => ({ order: order(total, id) });
const refunded = (total: number, refundId: string, amount: number, id = "ord_1"): HarnessInput<"order.refunded"> => ({
  order: order(total, id),
  refund: { id: refundId, amount, refundedTotal: amount, full: amount === total },
});

describe("checkout.discounts: the tier's percentage off, rounded down", () => {
  it.each([
    { spend: 0, discounts: [] },
    { spend: 99_999, discounts: [] },
    { spend: 100_000, discounts: [{ lineId: null, amount: 246, label: "Silver member 2% off" }] }, // 246.9 → 246
    { spend: 500_000, discounts: [{ lineId: null, amount: 617, label: "Gold member 5% off" }] }, // 617.25 → 617
    { spend: 2_000_000, discounts: [{ lineId: null, amount: 987, label: "Platinum member 8% off" }] }, // 987.6 → 987
  ])("spend $spend on a 12345 cart", async ({ spend, discounts }) => {
    const run = await runHook(plugin, "checkout.discounts", quote(12_345), { counters: { "spend:cus_1": spend } });
    expect(run.outcome).toBe("ok");
    expect(run.outputErrors).toEqual([]);
    expect(run.output).toEqual({ discounts, reservations: [] });
  });

  it("a buyer with no record in the shop gets no discount and costs no bridge call", async () => {
    const run = await runHook(plugin, "checkout.discounts", quote(12_345, null));
    expect(run.output?.discounts).toEqual([]);
    expect(run.bridge).toEqual([]);
  });

  it("follows the merchant's thresholds and percentages", async () => {
    const settings = { silverSpend: 1_000, silverPercent: 10 };
    const run = await runHook(plugin, "checkout.discounts", quote(999), { settings, counters: { "spend:cus_1": 1_000 } });
    expect(run.output?.discounts).toEqual([{ lineId: null, amount: 99, label: "Silver member 10% off" }]);
  });
});

describe("order.paid and order.refunded: the spend, exactly once", () => {
  it("a paid order adds its total to the buyer's spend and logs the upgrade", async () => {
    const run = await runHook(plugin, "order.paid", paid(30_000), { counters: { "spend:cus_1": 80_000 } });
    expect(run.outcome).toBe("ok");
    expect(run.counters["spend:cus_1"]).toBe(110_000);
    expect(run.logs).toEqual(["upgraded from Member to Silver"]);
    expect(run.storage["order:ord_1"]).toEqual({ paidKey: run.input.idempotencyKey, counted: 30_000, refunds: {} });
  });

  it("a replayed order.paid (the same delivery) changes nothing", async () => {
    const first = await runHook(plugin, "order.paid", paid(30_000));
    const replay = await runHook(plugin, "order.paid", paid(30_000), first.state);
    expect(replay.outcome).toBe("ok");
    expect(replay.effects).toEqual([{ key: "spend:cus_1", delta: 30_000, applied: false, duplicate: true, value: 30_000 }]);
    expect(replay.counters).toEqual({ "spend:cus_1": 30_000 });
    expect(replay.storage).toEqual(first.storage);
  });

  it("a second event about the same order (another delivery) changes nothing either", async () => {
    const first = await runHook(plugin, "order.paid", paid(30_000));
    const other = await runHook(plugin, "order.paid", { ...paid(30_000), event: { id: "evt_again", name: "order.paid", occurredAt: "2026-11-02T09:00:00.000Z" } }, first.state);
    expect(other.input.idempotencyKey).not.toBe(first.input.idempotencyKey);
    expect(other.effects).toEqual([]);
    expect(other.counters).toEqual({ "spend:cus_1": 30_000 });
  });

  it("a refund takes its amount back (and the tier with it); replayed, nothing more; a full refund returns to before", async () => {
    const start = { counters: { "spend:cus_1": 90_000 } };
    const p = await runHook(plugin, "order.paid", paid(20_000), start);
    expect(p.counters["spend:cus_1"]).toBe(110_000);

    const r1 = await runHook(plugin, "order.refunded", refunded(20_000, "ref_1", 15_000), p.state);
    expect(r1.counters["spend:cus_1"]).toBe(95_000);
    expect(r1.logs).toEqual(["downgraded from Silver to Member"]);

    const replay = await runHook(plugin, "order.refunded", refunded(20_000, "ref_1", 15_000), r1.state);
    expect(replay.counters["spend:cus_1"]).toBe(95_000);

    const r2 = await runHook(plugin, "order.refunded", refunded(20_000, "ref_2", 5_000), replay.state);
    expect(r2.counters["spend:cus_1"]).toBe(90_000);
    expect(r2.storage["order:ord_1"]).toMatchObject({ counted: 20_000, refunds: { ref_1: { deducted: 15_000 }, ref_2: { deducted: 5_000 } } });
  });

  it("a refund delivered before its order.paid is netted out when the order is counted", async () => {
    const r = await runHook(plugin, "order.refunded", refunded(20_000, "ref_1", 5_000));
    expect(r.counters).toEqual({});
    const p = await runHook(plugin, "order.paid", paid(20_000), r.state);
    expect(p.counters["spend:cus_1"]).toBe(15_000);
  });
});

describe("storefront.blocks: the member card", () => {
  const page = (customerId: string | null): HarnessInput<"storefront.blocks"> => ({
    shop: { id: "shp_1", currency: "CNY" },
    buyer: customerId ? { customerId } : null,
    page: "home",
  });
  const customers = [{ id: "cus_1", name: "Li Lei", email: "li@example.com", createdAt: "2026-11-01T00:00:00.000Z" }];

  it("shows the tier, a greeting and the progress to the next tier", async () => {
    const run = await runHook(plugin, "storefront.blocks", page("cus_1"), { counters: { "spend:cus_1": 320_000 }, customers });
    expect(run.outputErrors).toEqual([]);
    expect(run.output?.blocks).toEqual([
      { type: "badge", label: "Silver member", tone: "success" },
      { type: "text", text: "Welcome back, Li. You save 2% on every order.", tone: "neutral" },
      { type: "progress", label: "To Gold", value: 320_000, max: 500_000, caption: "CNY 1,800.00 to go for 5% off" },
    ]);
  });

  it("at the top tier there is no progress bar", async () => {
    const run = await runHook(plugin, "storefront.blocks", page("cus_1"), { counters: { "spend:cus_1": 2_500_000 }, customers });
    expect(run.output?.blocks.at(-1)).toEqual({ type: "text", text: "Platinum is our top tier. Thank you!", tone: "success" });
  });

  it("without read_customers the card has no greeting, and still renders", async () => {
    const run = await runHook(plugin, "storefront.blocks", page("cus_1"), { scopes: [], customers });
    expect(run.outcome).toBe("ok");
    expect(run.bridge.find((b) => b.method === "customers.get")?.answer).toMatchObject({ ok: false, error: { code: "scope" } });
    expect(run.output?.blocks[1]).toEqual({ type: "text", text: "Members save on every order once they reach Silver.", tone: "neutral" });
  });

  it("a visitor sees what members save", async () => {
    const run = await runHook(plugin, "storefront.blocks", page(null));
    expect(run.output?.blocks).toEqual([{ type: "text", text: "Members save up to 8% on every order. Sign in to see your tier.", tone: "info" }]);
  });
});
