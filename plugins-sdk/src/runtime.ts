/**
 * What a plugin bundle contains of the SDK: `definePlugin` and a few small,
 * deterministic helpers. `bazaar-plugin build` resolves
 * `@bazaar/plugins-sdk` to this file, so nothing else of the SDK (the
 * manifest schema, the harness, the build) ever lands in a bundle.
 *
 * Everything here runs inside the sandbox: only ECMAScript built-ins, no
 * Node, no `Intl` (its first use in a runner costs ~90 ms of CPU, more than a
 * hook's whole 50 ms budget).
 */
import { HOOK_NAMES, type HookInputs, type HookName, type HookOutputs, type Money } from "./hooks";
import type { BazaarError, BazaarErrorName, PluginContext, Settings } from "./context";

export * from "./hooks";
export type * from "./context";

/**
 * The bundle contract version the sandbox expects in `__bazaar_plugin.apiVersion`.
 * (The manifest's `apiVersion`, "2026-11", versions the hook inputs and outputs.)
 *
 * @example
 * definePlugin({ hooks: {} }).apiVersion === BUNDLE_API_VERSION; // true
 */
export const BUNDLE_API_VERSION = 1;

/**
 * A hook implementation: input and `ctx` typed for hook `H`.
 *
 * @example
 * const paid: HookHandler<"order.paid"> = async ({ order }, ctx) => { ctx.log(order.id); };
 */
export type HookHandler<H extends HookName, S extends Settings = Settings> = (
  input: HookInputs[H],
  ctx: PluginContext<H, S>,
) => HookOutputs[H] | Promise<HookOutputs[H]>;

/**
 * The hooks a plugin implements, by name. Implement only the hooks the
 * manifest lists (the build checks).
 *
 * @example
 * const hooks: HookHandlers = { "storefront.blocks": () => ({ blocks: [] }) };
 */
export type HookHandlers<S extends Settings = Settings> = { [H in HookName]?: HookHandler<H, S> };

/**
 * What `definePlugin` takes.
 *
 * @example
 * const definition: PluginDefinition = { hooks: { "order.paid": async () => {} } };
 */
export interface PluginDefinition<S extends Settings = Settings> {
  hooks: HookHandlers<S>;
}

/**
 * A defined plugin: exactly the object the sandbox looks for in
 * `globalThis.__bazaar_plugin` (the build assigns your default export there).
 *
 * @example
 * const plugin: Plugin = definePlugin({ hooks: {} });
 */
export interface Plugin<S extends Settings = Settings> {
  readonly apiVersion: typeof BUNDLE_API_VERSION;
  readonly hooks: HookHandlers<S>;
}

/**
 * Defines a plugin. Export the result as the entry's default export.
 * `S` types `ctx.settings.get()`; keep it in step with the manifest's
 * `settings` fields (the harness validates test settings against them).
 *
 * @example
 * import { definePlugin, percentOf } from "@bazaar/plugins-sdk";
 *
 * interface TeaSettings { percent: number }
 *
 * export default definePlugin<TeaSettings>({
 *   hooks: {
 *     "checkout.discounts": async (quote, ctx) => {
 *       const { percent } = await ctx.settings.get();
 *       return { discounts: [{ lineId: null, amount: percentOf(quote.subtotal, percent), label: `${percent}% off` }] };
 *     },
 *   },
 * });
 */
export function definePlugin<S extends Settings = Settings>(definition: PluginDefinition<S>): Plugin<S> {
  const hooks = definition?.hooks;
  if (hooks === null || typeof hooks !== "object") throw new TypeError("definePlugin: `hooks` must be an object");
  const known: readonly string[] = HOOK_NAMES;
  const copy: HookHandlers<S> = {};
  for (const name of Object.keys(hooks)) {
    const handler = (hooks as Record<string, unknown>)[name];
    if (!known.includes(name)) throw new TypeError(`definePlugin: unknown hook "${name}" (known: ${HOOK_NAMES.join(", ")})`);
    if (typeof handler !== "function") throw new TypeError(`definePlugin: hook "${name}" must be a function`);
    (copy as Record<string, unknown>)[name] = handler;
  }
  return Object.freeze({ apiVersion: BUNDLE_API_VERSION, hooks: Object.freeze(copy) });
}

/**
 * True when `e` is an error thrown by a capability (optionally: of that
 * name). Matches by name, so it works across the sandbox boundary where
 * `instanceof` against a copied class would not.
 *
 * @example
 * try { await ctx.customers.get(id); } catch (e) { if (!isBazaarError(e, "ScopeError")) throw e; }
 */
export function isBazaarError(e: unknown, name?: BazaarErrorName): e is BazaarError {
  if (e === null || typeof e !== "object") return false;
  const n = (e as { name?: unknown }).name;
  const code = (e as { code?: unknown }).code;
  if (typeof n !== "string" || typeof code !== "string") return false;
  return name === undefined ? BAZAAR_ERROR_NAMES.includes(n) : n === name;
}

const BAZAAR_ERROR_NAMES: readonly string[] = [
  "BazaarError",
  "ScopeError",
  "NotFoundError",
  "LimitError",
  "InvalidArgumentError",
  "BridgeTimeoutError",
  "HostError",
];

// ---- money -------------------------------------------------------------------------------

/**
 * `percent` % of `amount`, **rounded down** to a whole minor unit, in integer
 * arithmetic (no float drift: 7.5 % is computed as 750 basis points).
 * `percent` is clamped to 0–100 and kept to two decimals.
 *
 * @example
 * percentOf(1999, 5);    // 99   (99.95 rounded down)
 * percentOf(1000, 7.5);  // 75
 */
export function percentOf(amount: Money, percent: number): Money {
  assertMoney(amount, "amount");
  if (!Number.isFinite(percent)) throw new RangeError("percentOf: percent must be a finite number");
  const basisPoints = Math.round(Math.min(100, Math.max(0, percent)) * 100);
  // amount ≤ 2^53 / 10^4 keeps the product exact; larger amounts go through BigInt.
  if (amount <= 900_719_925_474) return Math.floor((amount * basisPoints) / 10_000);
  return Number((BigInt(amount) * BigInt(basisPoints)) / 10_000n);
}

/**
 * How many times `every` fits in `amount` (integer division, rounded down).
 *
 * @example
 * timesIn(45000, 20000); // 2  → "20 off every 200" gives 2 × 20
 */
export function timesIn(amount: Money, every: Money): number {
  assertMoney(amount, "amount");
  assertMoney(every, "every");
  return every === 0 ? 0 : Math.floor(amount / every);
}

/** ISO 4217 currencies whose minor unit is not 1/100 (the rest have two decimals). */
const CURRENCY_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/**
 * Decimal digits of a currency's minor unit (ISO 4217; 2 unless listed otherwise).
 *
 * @example
 * currencyDigits("CNY"); // 2
 * currencyDigits("JPY"); // 0
 */
export function currencyDigits(currency: string): number {
  return CURRENCY_DIGITS[currency.toUpperCase()] ?? 2;
}

/**
 * Minor units in one whole unit of the currency.
 *
 * @example
 * minorPerMajor("CNY"); // 100
 * minorPerMajor("JPY"); // 1
 */
export function minorPerMajor(currency: string): number {
  return 10 ** currencyDigits(currency);
}

/**
 * Formats minor units as `"CNY 1,234.50"`: deterministic, locale-free (no `Intl`).
 *
 * @example
 * formatMoney(123450, "CNY"); // "CNY 1,234.50"
 * formatMoney(-500, "JPY");   // "-JPY 500"
 */
export function formatMoney(amount: Money, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError("formatMoney: amount must be an integer number of minor units");
  const digits = currencyDigits(currency);
  const abs = Math.abs(amount);
  const scale = 10 ** digits;
  const major = Math.floor(abs / scale)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const minor = digits === 0 ? "" : "." + (abs % scale).toString().padStart(digits, "0");
  return `${amount < 0 ? "-" : ""}${currency.toUpperCase()} ${major}${minor}`;
}

function assertMoney(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer number of minor units`);
}
