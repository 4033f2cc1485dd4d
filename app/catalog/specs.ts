/**
 * Spec definitions and the SKUs they generate, as pure functions: the
 * limits, the normalisation that makes "Red", " red " and "RED" the same
 * value, the cartesian product, and the plan that turns a spec edit into
 * kept / reactivated / created / archived SKUs. Browser-safe (no server
 * imports), so the editor can use the same rules; the service applies them.
 */
import type { SpecDefinition } from "../../db/database";
import type { FieldErrors } from "../lib/errors";

export type { SpecDefinition };

export const MAX_SPEC_DIMENSIONS = 3;
export const MAX_SPEC_VALUES = 50;
export const MAX_SKUS_PER_PRODUCT = 600;
export const MAX_SPEC_TEXT = 20;

/**
 * Joins a SKU's values into its `spec_key`. The unit separator (U+001F) is a
 * control character, and {@link normalizeSpecs} refuses control characters
 * in values, so two different combinations can never produce the same key.
 */
export const SPEC_KEY_SEPARATOR = "\u001f";

/** The `spec_key` of a combination; "" for a product without specs. */
export function specKey(values: readonly string[]): string {
  return values.join(SPEC_KEY_SEPARATOR);
}

/** How a combination reads to people: "Red / M"; "" without specs. */
export function specLabel(values: readonly string[]): string {
  return values.join(" / ");
}

/** Trimmed, inner whitespace collapsed, Unicode NFC: the form a value is stored in. */
export function cleanSpecText(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** The comparison form: two values are duplicates when these are equal. */
function sameness(text: string): string {
  return cleanSpecText(text).toLowerCase();
}

// Control characters (the key separator among them) and the Unicode line/paragraph separators.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function checkText(text: string, what: string): string | null {
  if (text.length === 0) return `Enter a ${what}`;
  if ([...text].length > MAX_SPEC_TEXT) return `Use at most ${MAX_SPEC_TEXT} characters for a ${what}`;
  if (FORBIDDEN.test(text)) return `A ${what} cannot contain control characters`;
  return null;
}

export type SpecsResult = { ok: true; specs: SpecDefinition[]; skuCount: number } | { ok: false; fieldErrors: FieldErrors };

/**
 * Validates and normalises spec definitions. Error keys are
 * `specs` (too many dimensions or SKUs), `specs.<i>.name` and
 * `specs.<i>.values`, where `<i>` is `rowIndexes[i]` when given — the row
 * of the form the dimension came from — so errors land next to the field.
 *
 * @example
 * normalizeSpecs([{ name: "Colour", values: ["Red", " red "] }])
 * // { ok: false, fieldErrors: { "specs.0.values": ['"red" is listed twice (values are compared ignoring case and spaces)'] } }
 */
export function normalizeSpecs(input: readonly SpecDefinition[], rowIndexes?: readonly number[]): SpecsResult {
  const fieldErrors: FieldErrors = {};
  const add = (key: string, message: string) => (fieldErrors[key] ??= []).push(message);
  const keyOf = (i: number) => `specs.${rowIndexes?.[i] ?? i}`;

  if (input.length > MAX_SPEC_DIMENSIONS) {
    add("specs", `A product can have at most ${MAX_SPEC_DIMENSIONS} spec dimensions (this has ${input.length})`);
  }

  const specs: SpecDefinition[] = [];
  const seenNames = new Map<string, number>();
  input.forEach((dimension, i) => {
    const name = cleanSpecText(String(dimension?.name ?? ""));
    const nameError = checkText(name, "spec name");
    if (nameError) add(`${keyOf(i)}.name`, nameError);
    else if (seenNames.has(sameness(name))) add(`${keyOf(i)}.name`, `"${name}" is already used as a spec name`);
    else seenNames.set(sameness(name), i);

    const rawValues = Array.isArray(dimension?.values) ? dimension.values : [];
    const values = rawValues.map((v) => cleanSpecText(String(v ?? "")));
    const valuesKey = `${keyOf(i)}.values`;
    if (values.length === 0) add(valuesKey, "Enter at least one value");
    if (values.length > MAX_SPEC_VALUES) add(valuesKey, `Use at most ${MAX_SPEC_VALUES} values per spec (this has ${values.length})`);
    const seenValues = new Set<string>();
    const reported = new Set<string>();
    for (const value of values) {
      const error = checkText(value, "value");
      if (error) {
        if (!reported.has(error)) add(valuesKey, error);
        reported.add(error);
        continue;
      }
      const same = sameness(value);
      if (seenValues.has(same)) {
        if (!reported.has(same)) add(valuesKey, `"${value}" is listed twice (values are compared ignoring case and spaces)`);
        reported.add(same);
      }
      seenValues.add(same);
    }
    specs.push({ name, values });
  });

  // Count without building anything: 600 is small, but 50 × 50 × 50 is not.
  const skuCount = specs.reduce((n, d) => n * Math.max(d.values.length, 1), 1);
  if (specs.length > 0 && skuCount > MAX_SKUS_PER_PRODUCT) {
    add(
      "specs",
      `${specs.map((d) => d.values.length).join(" × ")} = ${skuCount} combinations; a product can have at most ${MAX_SKUS_PER_PRODUCT} SKUs`,
    );
  }
  if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors };
  return { ok: true, specs, skuCount };
}

/**
 * Every combination of values, in dimension order (the first dimension
 * varies slowest): Colour [Red, Blue] × Size [S, M] →
 * [Red, S], [Red, M], [Blue, S], [Blue, M]. No dimensions → one empty
 * combination (the product's single SKU).
 */
export function combinations(specs: readonly SpecDefinition[]): string[][] {
  let out: string[][] = [[]];
  for (const dimension of specs) {
    const next: string[][] = [];
    for (const prefix of out) for (const value of dimension.values) next.push([...prefix, value]);
    out = next;
  }
  return out;
}

/** What the regeneration needs to know about an existing SKU. */
export type ExistingSku = { id: string; specKey: string; status: "active" | "archived" };

/** The changes that bring a product's SKUs in line with new specs. */
export type SkuPlan<T extends ExistingSku = ExistingSku> = {
  /** active SKUs whose combination survives: price, stock and code untouched; position and values refreshed */
  keep: { sku: T; values: string[]; position: number }[];
  /** archived SKUs whose combination came back: active again with their old price and code (stock is 0) */
  reactivate: { sku: T; values: string[]; position: number }[];
  /** combinations that never had a SKU */
  create: { values: string[]; key: string; position: number }[];
  /** active SKUs whose combination is gone: archived, their stock written off */
  archive: T[];
};

/**
 * Matches the combinations of `specs` against `existing` SKUs by spec key.
 * `specs` must already be normalised ({@link normalizeSpecs}).
 */
export function planSkus<T extends ExistingSku>(existing: readonly T[], specs: readonly SpecDefinition[]): SkuPlan<T> {
  const byKey = new Map(existing.map((s) => [s.specKey, s]));
  const plan: SkuPlan<T> = { keep: [], reactivate: [], create: [], archive: [] };
  const wanted = new Set<string>();
  combinations(specs).forEach((values, position) => {
    const key = specKey(values);
    wanted.add(key);
    const sku = byKey.get(key);
    if (!sku) plan.create.push({ values, key, position });
    else if (sku.status === "active") plan.keep.push({ sku, values, position });
    else plan.reactivate.push({ sku, values, position });
  });
  plan.archive = existing.filter((s) => s.status === "active" && !wanted.has(s.specKey));
  return plan;
}
