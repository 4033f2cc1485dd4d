/**
 * The quote arithmetic as pure functions: proportional allocation by
 * largest remainder (exact examples and seeded randomized invariants),
 * discount clamping (per line, per order, across installs in order, and
 * what is dropped), the freight template, and the totals identity.
 */
import { describe, expect, it } from "vitest";
import { allocateProportionally, applyDiscounts, priceLines, shippingAdjustment } from "../app/checkout/pricing";
import type { DiscountLine, FreightSettings, InstallDiscounts } from "../app/checkout/checkout.schema";

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const src = (installId: string) => ({ installId, extensionName: `Ext ${installId}` });
const disc = (installId: string, lineId: string | null, amount: number, label = "Promo"): DiscountLine => ({ lineId, amount, label, source: src(installId) });
const FREE: FreightSettings = { mode: "flat", amount: 0, perItem: 0, freeOver: null };

describe("allocateProportionally", () => {
  it("splits exactly, giving leftover units to the largest remainders", () => {
    expect(allocateProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateProportionally(10, [3000, 2000, 5000])).toEqual([3, 2, 5]);
    expect(allocateProportionally(7, [1, 2])).toEqual([2, 5]); // 2.33 / 4.67: the larger remainder (.67) takes the unit
    expect(allocateProportionally(1, [5, 5])).toEqual([1, 0]); // tie: the earlier line
    expect(allocateProportionally(0, [5, 0, 3])).toEqual([0, 0, 0]);
    expect(allocateProportionally(8, [5, 0, 3])).toEqual([5, 0, 3]); // the whole of it
  });

  it("stays exact beyond 2^53 intermediate products", () => {
    const weights = [999_999_937, 1_000_000_000, 3];
    const shares = allocateProportionally(1_999_999_939, weights);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(1_999_999_939);
    shares.forEach((s, i) => expect(s).toBeLessThanOrEqual(weights[i]));
  });

  it("refuses what cannot be allocated", () => {
    expect(() => allocateProportionally(1, [0, 0])).toThrow(RangeError);
    expect(() => allocateProportionally(-1, [1])).toThrow(RangeError);
    expect(() => allocateProportionally(1.5, [1])).toThrow(RangeError);
  });

  it("randomized: shares sum to the amount, never exceed their weight, and are within one unit of the exact share", () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const weights = Array.from({ length: r.int(1, 8) }, () => (r.next() < 0.15 ? 0 : r.int(0, r.next() < 0.5 ? 100 : 500_000_000)));
      const total = weights.reduce((a, b) => a + b, 0);
      if (total === 0) continue;
      const amount = r.int(0, total);
      const shares = allocateProportionally(amount, weights);
      expect(shares.reduce((a, b) => a + b, 0), `seed ${seed}`).toBe(amount);
      shares.forEach((s, i) => {
        expect(s, `seed ${seed}`).toBeGreaterThanOrEqual(0);
        expect(s, `seed ${seed}`).toBeLessThanOrEqual(weights[i]);
        expect(Math.abs(s - (amount * weights[i]) / total), `seed ${seed}`).toBeLessThan(1);
      });
    }
  });
});

describe("applyDiscounts", () => {
  const lines = [
    { lineId: "a", lineTotal: 1000 },
    { lineId: "b", lineTotal: 3000 },
  ];

  it("applies a line discount to its line and clamps it to what is left of the line", () => {
    const r = applyDiscounts(lines, [{ installId: "i1", lines: [disc("i1", "a", 300), disc("i1", "a", 900, "Second")], reservations: [] }]);
    expect(r.adjustments.map((a) => [a.lineId, a.requested, a.amount, a.label])).toEqual([
      ["a", 300, 300, "Promo"],
      ["a", 900, 700, "Second"],
    ]);
    expect(r.perLine).toEqual({ a: 1000, b: 0 });
    expect(r.adjustments[0].source).toEqual({ type: "extension", installId: "i1", extensionName: "Ext i1" });
  });

  it("spreads an order discount in proportion to what is left of each line, and clamps it to the order", () => {
    const r = applyDiscounts(lines, [{ installId: "i1", lines: [disc("i1", null, 1000)], reservations: [] }]);
    expect(r.perLine).toEqual({ a: 250, b: 750 });
    const over = applyDiscounts(lines, [{ installId: "i1", lines: [disc("i1", "b", 2000), disc("i1", null, 99_999)], reservations: [] }]);
    expect(over.adjustments.map((a) => a.amount)).toEqual([2000, 2000]);
    expect(over.perLine).toEqual({ a: 1000, b: 3000 });
  });

  it("applies installs in the given order: a later install gets only what the earlier left", () => {
    const first = { installId: "i1", lines: [disc("i1", null, 3500)], reservations: [] };
    const second = { installId: "i2", lines: [disc("i2", "a", 500)], reservations: [] };
    const r = applyDiscounts(lines, [first, second]);
    expect(r.perLine).toEqual({ a: 1000, b: 2625 }); // a: 875 of the order discount + 125 (clamped from 500)
    expect(r.adjustments.map((a) => [a.source.type === "extension" && a.source.installId, a.amount])).toEqual([
      ["i1", 3500],
      ["i2", 125],
    ]);
    const reversed = applyDiscounts(lines, [second, first]);
    expect(reversed.adjustments.map((a) => a.amount)).toEqual([500, 3500]);
  });

  it("drops invalid lines, lines naming another install, unknown lines, and discounts with nothing left", () => {
    const r = applyDiscounts(lines, [
      {
        installId: "i1",
        lines: [
          { ...disc("i1", "a", -5) },
          { ...disc("i1", "a", 1.5) },
          { ...disc("i1", "a", 10), label: "" },
          disc("i2", "a", 10),
          disc("i1", "zzz", 10),
          disc("i1", "a", 1000),
          disc("i1", "a", 1),
          { lineId: "b" } as unknown as DiscountLine,
        ],
        reservations: [],
      },
    ]);
    expect(r.dropped.map((d) => d.reason)).toEqual(["invalid", "invalid", "invalid", "foreign_source", "unknown_line", "nothing_left", "invalid"]);
    expect(r.adjustments).toHaveLength(1);
    expect(r.perLine).toEqual({ a: 1000, b: 0 });
  });

  it("randomized: no line and no total below zero; per-line discounts sum to the applied amounts; nothing applied beyond what was asked", () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const r = rng(seed * 7919);
      const ls = Array.from({ length: r.int(1, 6) }, (_, i) => ({ lineId: `l${i}`, lineTotal: r.int(0, r.next() < 0.3 ? 50 : 200_000) }));
      const installs: InstallDiscounts[] = Array.from({ length: r.int(0, 4) }, (_, k) => ({
        installId: `i${k}`,
        lines: Array.from({ length: r.int(0, 4) }, () => disc(`i${k}`, r.next() < 0.4 ? null : `l${r.int(0, ls.length)}`, r.int(0, 300_000))),
        reservations: [],
      }));
      const out = applyDiscounts(ls, installs);
      const applied = out.adjustments.reduce((a, d) => a + d.amount, 0);
      expect(Object.values(out.perLine).reduce((a, b) => a + b, 0), `seed ${seed}`).toBe(applied);
      for (const l of ls) {
        expect(out.perLine[l.lineId], `seed ${seed}`).toBeGreaterThanOrEqual(0);
        expect(out.perLine[l.lineId], `seed ${seed}`).toBeLessThanOrEqual(l.lineTotal);
      }
      for (const a of out.adjustments) {
        expect(a.amount, `seed ${seed}`).toBeGreaterThan(0);
        expect(a.amount, `seed ${seed}`).toBeLessThanOrEqual(a.requested);
      }
      const priced = priceLines(
        ls.map((l) => ({ ...l, quantity: 1 })),
        installs,
        { mode: "flat", amount: r.int(0, 2000), perItem: 0, freeOver: r.next() < 0.5 ? null : r.int(1, 300_000) },
        "CNY",
      );
      expect(priced.total, `seed ${seed}`).toBe(priced.subtotal - priced.discountTotal + priced.shippingTotal);
      expect(priced.total, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      expect(priced.lines.every((l) => l.total === l.lineTotal - l.discount && l.total >= 0), `seed ${seed}`).toBe(true);
    }
  });
});

describe("shipping", () => {
  it("flat: one charge per order; per item: first item, then each further one", () => {
    expect(shippingAdjustment({ mode: "flat", amount: 1000, perItem: 0, freeOver: null }, 5, 50_000, "CNY")).toMatchObject({
      kind: "shipping",
      amount: 1000,
      requested: 1000,
      label: "Shipping",
      source: { type: "platform", name: "freight" },
    });
    expect(shippingAdjustment({ mode: "per_item", amount: 800, perItem: 200, freeOver: null }, 3, 50_000, "CNY")).toMatchObject({ amount: 1200, label: "Shipping (3 items)" });
    expect(shippingAdjustment(FREE, 3, 100, "CNY")).toMatchObject({ amount: 0, label: "Free shipping" });
  });

  it("free over a threshold of the goods after discounts", () => {
    const f: FreightSettings = { mode: "flat", amount: 1000, perItem: 0, freeOver: 9900 };
    expect(shippingAdjustment(f, 1, 9900, "CNY")).toMatchObject({ amount: 0, requested: 1000, label: "Free shipping on orders over ¥99.00" });
    expect(shippingAdjustment(f, 1, 9899, "CNY")).toMatchObject({ amount: 1000 });
    // A discount that takes the goods under the threshold brings the charge back.
    const priced = priceLines([{ lineId: "a", lineTotal: 10_000, quantity: 1 }], [{ installId: "i", lines: [disc("i", null, 200)], reservations: [] }], f, "CNY");
    expect([priced.discountTotal, priced.shippingTotal, priced.total]).toEqual([200, 1000, 10_800]);
  });
});
