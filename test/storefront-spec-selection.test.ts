/**
 * The product page's spec selector logic (pure, shared by the server render
 * and the browser): which values stay pickable, which SKU a full choice
 * names, and the price range of what is still possible.
 */
import { describe, expect, it } from "vitest";
import { initialSelection, optionState, priceRange, selectedSku, toggle, type SelectableSku } from "../app/shelves/components/spec-selection";

const sku = (id: string, values: string[], price: number, stock: number, compareAtPrice: number | null = null): SelectableSku => ({ id, specValues: values, price, stock, compareAtPrice });

// Colour × Size, with Red/S sold out and Blue/L never made.
const skus = [
  sku("rs", ["Red", "S"], 9900, 0),
  sku("rm", ["Red", "M"], 10900, 3),
  sku("rl", ["Red", "L"], 11900, 1),
  sku("bs", ["Blue", "S"], 9900, 5, 12900),
  sku("bm", ["Blue", "M"], 10900, 0),
];

describe("spec selection", () => {
  it("disables sold-out and non-existent combinations given the other choices", () => {
    expect(optionState(skus, [null, null], 1, "S")).toBe("available"); // Blue/S is in stock
    expect(optionState(skus, ["Red", null], 1, "S")).toBe("sold_out");
    expect(optionState(skus, ["Blue", null], 1, "L")).toBe("unavailable");
    expect(optionState(skus, ["Blue", null], 1, "M")).toBe("sold_out");
    expect(optionState(skus, [null, "M"], 0, "Blue")).toBe("sold_out");
    expect(optionState(skus, [null, "M"], 0, "Red")).toBe("available");
    // A value is judged against the *other* dimensions only: changing Colour from Red stays possible.
    expect(optionState(skus, ["Red", "M"], 0, "Blue")).toBe("sold_out");
    expect(optionState(skus, ["Red", "L"], 0, "Blue")).toBe("unavailable");
  });

  it("names the SKU of a complete choice, and none before", () => {
    expect(selectedSku(skus, ["Red", null], 2)).toBeNull();
    expect(selectedSku(skus, ["Red", "M"], 2)?.id).toBe("rm");
    expect(selectedSku(skus, ["Blue", "L"], 2)).toBeNull();
    expect(selectedSku([sku("only", [], 500, 2)], [], 0)?.id).toBe("only");
  });

  it("shows the price range of what is still possible, with the cheapest's compare-at price", () => {
    expect(priceRange(skus, [null, null])).toEqual({ min: 9900, max: 11900, compareAt: null });
    expect(priceRange(skus, ["Blue", null])).toEqual({ min: 9900, max: 10900, compareAt: 12900 });
    expect(priceRange(skus, [null, "L"])).toEqual({ min: 11900, max: 11900, compareAt: null });
  });

  it("starts chosen for a single SKU, open otherwise, and un-chooses on a second click", () => {
    expect(initialSelection(skus, 2)).toEqual([null, null]);
    expect(initialSelection([sku("x", ["Red"], 1, 1)], 1)).toEqual(["Red"]);
    expect(toggle([null, null], 0, "Red")).toEqual(["Red", null]);
    expect(toggle(["Red", null], 0, "Red")).toEqual([null, null]);
    expect(toggle(["Red", "S"], 0, "Blue")).toEqual(["Blue", "S"]);
  });
});
