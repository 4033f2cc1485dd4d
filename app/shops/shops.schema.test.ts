import { describe, expect, it } from "vitest";
import { CreateShopForm, HANDLE_PATTERN, minorUnitsOf } from "./shops.schema";

describe("shop handles", () => {
  it.each(["abc", "tea-house", "a1-b2", "x".repeat(40), "123"])("accepts %s", (h) => {
    expect(HANDLE_PATTERN.test(h)).toBe(true);
    expect(CreateShopForm.safeParse({ name: "S", handle: h }).success).toBe(true);
  });

  it.each(["ab", "-abc", "abc-", "a_b", "a b", "ab.c", "x".repeat(41), "été"])("refuses %s", (h) => {
    expect(CreateShopForm.safeParse({ name: "S", handle: h }).success).toBe(false);
  });

  it("lower-cases and trims what was typed", () => {
    expect(CreateShopForm.parse({ name: "S", handle: " Tea-House " }).handle).toBe("tea-house");
  });
});

describe("currencies", () => {
  it("defaults to CNY and only takes listed codes", () => {
    expect(CreateShopForm.parse({ name: "S", handle: "abc" }).currency).toBe("CNY");
    expect(CreateShopForm.safeParse({ name: "S", handle: "abc", currency: "XXX" }).success).toBe(false);
    expect(CreateShopForm.safeParse({ name: "S", handle: "abc", currency: "usd" }).success).toBe(false);
  });

  it("knows the minor units", () => {
    expect(minorUnitsOf("CNY")).toBe(2);
    expect(minorUnitsOf("JPY")).toBe(0);
  });
});
