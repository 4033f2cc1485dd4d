import { describe, expect, it } from "vitest";
import { currencyDigits, definePlugin, formatMoney, isBazaarError, minorPerMajor, percentOf, timesIn } from "./runtime";

describe("money helpers: integers, rounded down", () => {
  it.each([
    [1999, 5, 99],
    [1000, 7.5, 75],
    [12345, 2, 246],
    [1, 99, 0],
    [2_000_000_000, 33, 660_000_000],
    [9_007_199_254_740_991, 50, 4_503_599_627_370_495],
    [100, 150, 100],
    [100, -5, 0],
  ])("percentOf(%i, %d) = %i", (amount, percent, expected) => {
    expect(percentOf(amount, percent)).toBe(expected);
  });

  it("never drifts the way floats do", () => {
    // 0.1 + 0.2 style drift: 29 % of 100 in floats is 28.999999999999996
    expect(percentOf(100, 29)).toBe(29);
    expect(Math.floor(100 * 0.29)).toBe(28);
  });

  it("refuses what is not money", () => {
    expect(() => percentOf(10.5, 10)).toThrow(RangeError);
    expect(() => percentOf(-1, 10)).toThrow(RangeError);
    expect(() => percentOf(10, Number.NaN)).toThrow(RangeError);
  });

  it("timesIn, currency digits, formatting", () => {
    expect(timesIn(45000, 20000)).toBe(2);
    expect(timesIn(45000, 0)).toBe(0);
    expect([currencyDigits("CNY"), currencyDigits("jpy"), currencyDigits("KWD")]).toEqual([2, 0, 3]);
    expect(minorPerMajor("USD")).toBe(100);
    expect(formatMoney(123450, "CNY")).toBe("CNY 1,234.50");
    expect(formatMoney(5, "cny")).toBe("CNY 0.05");
    expect(formatMoney(-500, "JPY")).toBe("-JPY 500");
    expect(formatMoney(1234567, "KWD")).toBe("KWD 1,234.567");
  });
});

describe("definePlugin", () => {
  it("produces exactly the object the sandbox looks for, frozen", () => {
    const paid = async () => undefined;
    const plugin = definePlugin({ hooks: { "order.paid": paid } });
    expect(plugin).toEqual({ apiVersion: 1, hooks: { "order.paid": paid } });
    expect(Object.isFrozen(plugin) && Object.isFrozen(plugin.hooks)).toBe(true);
  });

  it("refuses unknown hooks and non-functions at load time", () => {
    expect(() => definePlugin({ hooks: { "order.shipped": () => {} } as never })).toThrow('definePlugin: unknown hook "order.shipped"');
    expect(() => definePlugin({ hooks: { "order.paid": 1 } as never })).toThrow('definePlugin: hook "order.paid" must be a function');
  });
});

describe("isBazaarError", () => {
  it("matches by name and code, across realms", () => {
    const e = Object.assign(new Error("no"), { name: "ScopeError", code: "scope" });
    expect(isBazaarError(e)).toBe(true);
    expect(isBazaarError(e, "ScopeError")).toBe(true);
    expect(isBazaarError(e, "LimitError")).toBe(false);
    expect(isBazaarError(new TypeError("x"))).toBe(false);
    expect(isBazaarError(null)).toBe(false);
  });
});
