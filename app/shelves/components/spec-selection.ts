/**
 * The product page's spec selector as pure functions: which values a buyer
 * can still pick given what they picked in the other dimensions, which SKU a
 * complete choice names, and the price range of what is still possible.
 * Browser-safe; the server renders the initial state with the same code, so
 * the page hydrates without a mismatch.
 */

export type SelectableSku = { id: string; specValues: string[]; price: number; compareAtPrice: number | null; stock: number };
/** One value per spec dimension, or null where the buyer has not chosen yet. */
export type Selection = (string | null)[];

/** What a spec value's button shows: pickable, sold out, or a combination that does not exist. */
export type OptionState = "available" | "sold_out" | "unavailable";

function matchesOthers(sku: SelectableSku, selection: Selection, except: number): boolean {
  return selection.every((v, i) => i === except || v === null || sku.specValues[i] === v);
}

/**
 * Whether `value` in dimension `dim` can be picked, given the buyer's
 * choices in the *other* dimensions (their choice in this one is what the
 * click replaces).
 */
export function optionState(skus: SelectableSku[], selection: Selection, dim: number, value: string): OptionState {
  const candidates = skus.filter((s) => s.specValues[dim] === value && matchesOthers(s, selection, dim));
  if (candidates.length === 0) return "unavailable";
  return candidates.some((s) => s.stock > 0) ? "available" : "sold_out";
}

/** The SKU a complete selection names, or null while a dimension is still open. */
export function selectedSku(skus: SelectableSku[], selection: Selection, dimensions: number): SelectableSku | null {
  if (dimensions === 0) return skus.length === 1 ? skus[0] : null;
  if (selection.length < dimensions || selection.some((v) => v === null)) return null;
  return skus.find((s) => s.specValues.every((v, i) => v === selection[i])) ?? null;
}

/** The lowest and highest price among the SKUs the selection still allows (all SKUs before any choice). */
export function priceRange(skus: SelectableSku[], selection: Selection): { min: number; max: number; compareAt: number | null } | null {
  const possible = skus.filter((s) => matchesOthers(s, selection, -1));
  const pool = possible.length ? possible : skus;
  if (pool.length === 0) return null;
  let cheapest = pool[0];
  let max = pool[0].price;
  for (const s of pool) {
    if (s.price < cheapest.price) cheapest = s;
    if (s.price > max) max = s.price;
  }
  return { min: cheapest.price, max, compareAt: cheapest.compareAtPrice };
}

/** The starting selection: a product with a single SKU starts chosen; others start open. */
export function initialSelection(skus: SelectableSku[], dimensions: number): Selection {
  if (skus.length === 1 && skus[0].specValues.length === dimensions) return skus[0].specValues.slice();
  return Array.from({ length: dimensions }, () => null);
}

/** A click on a value: choose it, or un-choose it when it was already chosen. */
export function toggle(selection: Selection, dim: number, value: string): Selection {
  const next = selection.slice();
  next[dim] = next[dim] === value ? null : value;
  return next;
}
