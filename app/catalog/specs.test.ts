import { describe, expect, it } from "vitest";
import { combinations, normalizeSpecs, planSkus, specKey, specLabel, SPEC_KEY_SEPARATOR } from "./specs";

const values = (n: number, prefix = "v") => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe("combinations", () => {
  it("2 × 3 gives 6 combinations, first dimension slowest", () => {
    const combos = combinations([
      { name: "Colour", values: ["Red", "Blue"] },
      { name: "Size", values: ["S", "M", "L"] },
    ]);
    expect(combos).toEqual([
      ["Red", "S"], ["Red", "M"], ["Red", "L"],
      ["Blue", "S"], ["Blue", "M"], ["Blue", "L"],
    ]);
    expect(combos.map(specKey)).toEqual(["Red\u001fS", "Red\u001fM", "Red\u001fL", "Blue\u001fS", "Blue\u001fM", "Blue\u001fL"]);
    expect(specLabel(["Red", "M"])).toBe("Red / M");
  });

  it("no specs give exactly one combination with key ''", () => {
    expect(combinations([])).toEqual([[]]);
    expect(specKey([])).toBe("");
  });
});

describe("normalizeSpecs limits", () => {
  it("accepts 3 dimensions and 600 SKUs, trimming and collapsing spaces", () => {
    const r = normalizeSpecs([
      { name: " Colour ", values: ["  Light   blue ", "Red"] },
      { name: "Size", values: values(30) },
      { name: "Fit", values: values(10, "f") },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.skuCount).toBe(600);
    expect(r.specs[0]).toEqual({ name: "Colour", values: ["Light blue", "Red"] });
  });

  it("refuses a fourth dimension on `specs`", () => {
    const r = normalizeSpecs([1, 2, 3, 4].map((i) => ({ name: `D${i}`, values: ["a"] })));
    expect(r).toEqual({ ok: false, fieldErrors: { specs: ["A product can have at most 3 spec dimensions (this has 4)"] } });
  });

  it("refuses 51 values on that dimension's `values`", () => {
    const r = normalizeSpecs([{ name: "Size", values: values(51) }]);
    expect(r).toEqual({ ok: false, fieldErrors: { "specs.0.values": ["Use at most 50 values per spec (this has 51)"] } });
  });

  it("refuses 25 × 25 = 625 SKUs on `specs`", () => {
    const r = normalizeSpecs([
      { name: "A", values: values(25) },
      { name: "B", values: values(25) },
    ]);
    expect(r).toEqual({ ok: false, fieldErrors: { specs: ["25 × 25 = 625 combinations; a product can have at most 600 SKUs"] } });
  });

  it("refuses duplicate values, ignoring case and surrounding/inner whitespace", () => {
    for (const dup of [["Red", "Red"], ["Red", "red"], ["Red", " RED "], ["Light blue", "light  Blue"]]) {
      const r = normalizeSpecs([{ name: "Size", values: ["S"] }, { name: "Colour", values: dup }]);
      expect(r.ok, dup.join("|")).toBe(false);
      if (r.ok) continue;
      expect(Object.keys(r.fieldErrors)).toEqual(["specs.1.values"]);
      expect(r.fieldErrors["specs.1.values"][0]).toMatch(/is listed twice/);
    }
  });

  it("refuses duplicate dimension names (case-insensitive) on the later `name`", () => {
    const r = normalizeSpecs([{ name: "Colour", values: ["Red"] }, { name: " colour", values: ["S"] }]);
    expect(r).toEqual({ ok: false, fieldErrors: { "specs.1.name": ['"colour" is already used as a spec name'] } });
  });

  it("requires names and values of 1–20 characters without control characters", () => {
    const r = normalizeSpecs([
      { name: "", values: ["a"] },
      { name: "x".repeat(21), values: ["b"] },
      { name: "Size", values: [] },
      { name: "Fit", values: ["ok", "y".repeat(21), "bad\u001fvalue"] },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors).toMatchObject({
      specs: ["A product can have at most 3 spec dimensions (this has 4)"],
      "specs.0.name": ["Enter a spec name"],
      "specs.1.name": ["Use at most 20 characters for a spec name"],
      "specs.2.values": ["Enter at least one value"],
      "specs.3.values": ["Use at most 20 characters for a value", "A value cannot contain control characters"],
    });
  });

  it("keys errors by the form row when rowIndexes are given", () => {
    const r = normalizeSpecs([{ name: "A", values: ["x", "X"] }], [2]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.fieldErrors)).toEqual(["specs.2.values"]);
  });

  it("keeps the separator out of keys: no value can contain it", () => {
    expect(SPEC_KEY_SEPARATOR).toBe("\u001f");
    const r = normalizeSpecs([{ name: "A", values: [`x${SPEC_KEY_SEPARATOR}y`] }]);
    expect(r.ok).toBe(false);
  });
});

describe("planSkus", () => {
  const sku = (id: string, values: string[], status: "active" | "archived" = "active") => ({ id, specKey: specKey(values), status });

  it("keeps surviving combinations, reactivates archived ones, creates new ones and archives the vanished", () => {
    const existing = [
      sku("s1", ["Red", "S"]),
      sku("s2", ["Red", "M"]),
      sku("s3", ["Blue", "S"]),
      sku("s4", ["Blue", "M"]),
      sku("s5", ["Green", "S"], "archived"),
    ];
    const plan = planSkus(existing, [
      { name: "Colour", values: ["Red", "Green"] },
      { name: "Size", values: ["S", "M"] },
    ]);
    expect(plan.keep.map((k) => [k.sku.id, k.position])).toEqual([["s1", 0], ["s2", 1]]);
    expect(plan.reactivate.map((k) => [k.sku.id, k.position])).toEqual([["s5", 2]]);
    expect(plan.create).toEqual([{ values: ["Green", "M"], key: "Green\u001fM", position: 3 }]);
    expect(plan.archive.map((s) => s.id)).toEqual(["s3", "s4"]);
  });

  it("going from no specs to specs archives the single '' SKU", () => {
    const plan = planSkus([sku("only", [])], [{ name: "Size", values: ["S", "M"] }]);
    expect(plan.archive.map((s) => s.id)).toEqual(["only"]);
    expect(plan.create.map((c) => c.key)).toEqual(["S", "M"]);
  });
});
