import { describe, expect, it } from "vitest";
import { currencyDecimals, formatMoney, MAX_MINOR, minorToDecimal, MoneyFormatError, parseMoney } from "./money";

/** A small deterministic PRNG (mulberry32), so the property-style cases are reproducible. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parseMoney", () => {
  it("converts decimal text to exact minor units", () => {
    expect(parseMoney("12.50", "CNY")).toBe(1250);
    expect(parseMoney("12.5", "CNY")).toBe(1250);
    expect(parseMoney("12", "CNY")).toBe(1200);
    expect(parseMoney(" 0.01 ", "USD")).toBe(1);
    expect(parseMoney("0", "EUR")).toBe(0);
    expect(parseMoney("007.10", "CNY")).toBe(710);
    expect(parseMoney("1250", "JPY")).toBe(1250);
    expect(parseMoney("9900", "KRW")).toBe(9900);
  });

  it("has none of the float errors: 0.1 + 0.2 is exactly 0.3, 1.15 and 4.35 are exact", () => {
    expect(0.1 + 0.2).not.toBe(0.3); // the trap this avoids
    expect(parseMoney("0.1", "CNY") + parseMoney("0.2", "CNY")).toBe(parseMoney("0.3", "CNY"));
    expect(parseMoney("0.1", "CNY") + parseMoney("0.2", "CNY")).toBe(30);
    expect(parseMoney("1.15", "CNY")).toBe(115); // Math.round(1.15 * 100) is 115 but 1.15*100 is 114.99999999999999
    expect(parseMoney("4.35", "USD")).toBe(435); // 4.35 * 100 = 434.99999999999994
    expect(parseMoney("1.005", "BHD")).toBe(1005);
  });

  it("refuses more decimals than the currency has", () => {
    expect(() => parseMoney("12.345", "CNY")).toThrow(MoneyFormatError);
    expect(() => parseMoney("12.345", "CNY")).toThrow("at most 2 decimal places");
    expect(() => parseMoney("12.5", "JPY")).toThrow("JPY has no decimals");
    expect(() => parseMoney("100.0", "KRW")).toThrow(MoneyFormatError);
  });

  it("refuses exponents, signs, separators, words and empty text", () => {
    for (const text of ["1e3", "1E3", "-1", "-0.50", "+5", "1,000", "12,50", "12.", ".5", "abc", "", "   ", "NaN", "Infinity", "0x10", "1 000", "¥12", "12.5.0"]) {
      expect(() => parseMoney(text, "CNY"), text).toThrow(MoneyFormatError);
    }
    expect(() => parseMoney("-1", "CNY")).toThrow("cannot be negative");
  });

  it("refuses amounts above the maximum, including absurdly long digit strings", () => {
    expect(parseMoney(minorToDecimal(MAX_MINOR, "CNY"), "CNY")).toBe(MAX_MINOR);
    expect(() => parseMoney("10000000.01", "CNY")).toThrow("too large");
    expect(() => parseMoney("9".repeat(400), "CNY")).toThrow("too large");
  });

  it("round-trips every amount through its decimal text (10,000 random cases per currency)", () => {
    const next = rng(42);
    const failures: string[] = [];
    for (const currency of ["CNY", "USD", "JPY", "KRW", "BHD"]) {
      for (let i = 0; i < 10_000; i++) {
        const minor = Math.floor(next() * (MAX_MINOR + 1));
        const text = minorToDecimal(minor, currency);
        if (parseMoney(text, currency) !== minor) failures.push(`${currency} ${minor} → ${text}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("sums of parsed amounts equal the parsed sum (random cents)", () => {
    const next = rng(7);
    const failures: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      const a = Math.floor(next() * 100_000);
      const b = Math.floor(next() * 100_000);
      const ta = `${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
      const tb = `${Math.floor(b / 100)}.${String(b % 100).padStart(2, "0")}`;
      if (parseMoney(ta, "CNY") + parseMoney(tb, "CNY") !== a + b) failures.push(`${ta} + ${tb}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("formatMoney and minorToDecimal", () => {
  it("knows the currencies' decimals", () => {
    expect([currencyDecimals("CNY"), currencyDecimals("usd"), currencyDecimals("EUR"), currencyDecimals("JPY"), currencyDecimals("KRW")]).toEqual([2, 2, 2, 0, 0]);
  });

  it("formats minor units with the currency's symbol and decimals", () => {
    expect(formatMoney(1250, "CNY")).toBe("¥12.50");
    expect(formatMoney(5, "CNY")).toBe("¥0.05");
    expect(formatMoney(0, "USD")).toBe("$0.00");
    expect(formatMoney(123456789, "EUR")).toBe("€1,234,567.89");
    expect(formatMoney(1250, "JPY")).toBe("¥1,250");
    expect(formatMoney(9900, "KRW")).toBe("₩9,900");
  });

  it("writes form values that parse back", () => {
    expect(minorToDecimal(1250, "CNY")).toBe("12.50");
    expect(minorToDecimal(7, "CNY")).toBe("0.07");
    expect(minorToDecimal(0, "USD")).toBe("0.00");
    expect(minorToDecimal(1250, "JPY")).toBe("1250");
    expect(() => minorToDecimal(1.5, "CNY")).toThrow(RangeError);
  });
});
