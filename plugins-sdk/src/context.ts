/**
 * `ctx`: the one object through which a hook reaches the platform. Types
 * only: the object itself is built by the sandbox before your code runs, and
 * is frozen.
 *
 * Every capability is asynchronous and goes to the host, which checks it
 * against the install's granted scopes and the call's subject (a hook about
 * buyer X reads buyer X only), counts it (20 per call) and audits it. A
 * refusal is thrown as a typed error (see {@link BazaarErrorName}).
 */
import type { AsyncHookName, CounterBound, Customer, HookName, Order } from "./hooks";

/**
 * A value that survives JSON: what storage keeps and what crosses the sandbox boundary.
 *
 * @example
 * const v: JsonValue = { tier: "gold", since: "2026-11-02T08:00:00.000Z", orders: [1, 2] };
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A merchant's settings for this install, as declared in the manifest's
 * `settings` fields (every field has a default, so every key is present).
 *
 * @example
 * interface MySettings extends Settings { percent: number; label: string }
 */
export type Settings = Record<string, string | number | boolean>;

/**
 * `ctx.settings`: the install's settings.
 */
export interface SettingsCapability<S extends Settings = Settings> {
  /**
   * The merchant's settings, validated against the manifest, defaults filled in.
   * One bridge call: read them once per hook call.
   *
   * @example
   * const { percent } = await ctx.settings.get();
   */
  get(): Promise<S>;
}

/**
 * A page of storage keys.
 *
 * @example
 * { keys: ["member:cus_1", "member:cus_2"], next: "member:cus_2" }
 */
export interface StorageKeyPage {
  keys: string[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/**
 * `ctx.storage` in a hook on a buyer's request path: read only. The install's
 * own key/value store (JSON values), shared with no other install; kept
 * `retentionDays` after an uninstall.
 */
export interface StorageCapability {
  /**
   * The value stored under `key` (1–256 characters), or `null`.
   *
   * @example
   * const record = await ctx.storage.get<{ earned: number }>(`order:${order.id}`);
   */
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | null>;
  /**
   * Keys starting with `prefix`, in order, a page (≤ 100) at a time.
   *
   * @example
   * const { keys, next } = await ctx.storage.list("member:", { limit: 50 });
   */
  list(prefix?: string, options?: { limit?: number; after?: string }): Promise<StorageKeyPage>;
}

/**
 * `ctx.storage` in an asynchronous hook: read and write. Quota: 16 KB per
 * value, 256 KB and 1,000 keys per install (`LimitError` beyond).
 */
export interface WritableStorageCapability extends StorageCapability {
  /**
   * Stores `value` under `key`, replacing what was there. A replayed delivery
   * writing the same value changes nothing; not atomic with anything else, so
   * keep amounts that must add up in counters.
   *
   * @example
   * await ctx.storage.set(`order:${order.id}`, { earned: 120, paidKey: input.idempotencyKey });
   */
  set(key: string, value: JsonValue): Promise<void>;
  /**
   * Removes `key` (no error when it is absent).
   *
   * @example
   * await ctx.storage.delete(`order:${order.id}`);
   */
  delete(key: string): Promise<void>;
}

/**
 * The answer to {@link WritableCountersCapability.add}.
 *
 * @example
 * { applied: true, duplicate: false, value: 420 }
 */
export interface CounterAddResult {
  /** False when nothing changed: the bound would have been crossed, or this delivery already added to this counter. */
  applied: boolean;
  /** True when this delivery (same `idempotencyKey`) already added to this counter: a replay. */
  duplicate: boolean;
  /** The counter's value after the call. */
  value: number;
}

/**
 * `ctx.counters` in a hook on a buyer's request path: read only. Counters are
 * integers per install, 0 until first changed; a checkout changes them only
 * through the reservations its discounts return.
 */
export interface CountersCapability {
  /**
   * The counter's value (0 if it was never changed).
   *
   * @example
   * const balance = await ctx.counters.get(`balance:${customerId}`);
   */
  get(counterKey: string): Promise<number>;
}

/**
 * `ctx.counters` in an asynchronous hook (`order.*`, `customer.created`):
 * read, and add at most once per delivery.
 */
export interface WritableCountersCapability extends CountersCapability {
  /**
   * Adds `delta` (a non-zero integer within ±1,000,000,000) to the counter,
   * only if the result stays within `bound`. At most once per delivery and
   * counter: a replay of the same `idempotencyKey` gets `duplicate: true`
   * and changes nothing. (Or return the same change as a counter effect.)
   *
   * @example
   * const r = await ctx.counters.add(`spend:${order.customerId}`, order.total);
   * if (r.applied) ctx.log("spend is now", r.value);
   */
  add(counterKey: string, delta: number, bound?: CounterBound): Promise<CounterAddResult>;
}

/**
 * `ctx.customers`: needs the `read_customers` scope; only the customer the call is about.
 */
export interface CustomersCapability {
  /**
   * The buyer's record. Throws `ScopeError` without `read_customers` or for
   * another buyer, `NotFoundError` for an unknown id.
   *
   * @example
   * try {
   *   const { name } = await ctx.customers.get(input.buyer.customerId!);
   * } catch (e) {
   *   if (!(e instanceof ctx.errors.ScopeError)) throw e;
   * }
   */
  get(customerId: string): Promise<Customer>;
}

/**
 * `ctx.orders`: needs the `read_orders` scope; only orders of the customer the call is about.
 */
export interface OrdersCapability {
  /**
   * An order as it is now. Throws `ScopeError` without `read_orders` or for
   * another buyer's order, `NotFoundError` for an unknown id.
   *
   * @example
   * const order = await ctx.orders.get(input.order.id);
   */
  get(orderId: string): Promise<Order>;
}

/**
 * The names of the errors capabilities throw, one per host answer code.
 *
 * @example
 * if (isBazaarError(e, "ScopeError")) ctx.log("not granted:", e.message);
 */
export type BazaarErrorName =
  | "BazaarError"
  | "ScopeError"
  | "NotFoundError"
  | "LimitError"
  | "InvalidArgumentError"
  | "BridgeTimeoutError"
  | "HostError";

/**
 * The code a host answer carries (`HostError` may carry others).
 *
 * @example
 * if (e.code === "limit") ctx.log("too many host calls");
 */
export type BazaarErrorCode = "scope" | "not_found" | "limit" | "invalid" | "timeout" | "internal";

/**
 * An error thrown by a capability.
 *
 * @example
 * catch (e) { if (isBazaarError(e)) ctx.log(e.name, e.code, e.message); }
 */
export interface BazaarError extends Error {
  readonly name: BazaarErrorName;
  readonly code: BazaarErrorCode | (string & {});
}

/**
 * A class of {@link BazaarError}, as found on `ctx.errors`.
 *
 * @example
 * const C: BazaarErrorClass = ctx.errors.ScopeError;
 */
export interface BazaarErrorClass {
  new (code: string, message: string): BazaarError;
  readonly prototype: BazaarError;
}

/**
 * `ctx.errors`: the error classes the capabilities throw (the sandbox's own
 * classes: `instanceof` works with these, not with copies).
 */
export interface ErrorClasses {
  /**
   * Base of every capability error.
   *
   * @example
   * if (e instanceof ctx.errors.BazaarError) ctx.log(e.code);
   */
  readonly BazaarError: BazaarErrorClass;
  /**
   * The install lacks the scope, or the call reached another buyer's data (code `scope`).
   *
   * @example
   * if (e instanceof ctx.errors.ScopeError) return { blocks: [] };
   */
  readonly ScopeError: BazaarErrorClass;
  /**
   * No such customer or order (code `not_found`).
   *
   * @example
   * if (e instanceof ctx.errors.NotFoundError) return;
   */
  readonly NotFoundError: BazaarErrorClass;
  /**
   * Over the call's bridge-call budget or a size quota (code `limit`).
   *
   * @example
   * if (e instanceof ctx.errors.LimitError) ctx.log("budget spent");
   */
  readonly LimitError: BazaarErrorClass;
  /**
   * A malformed argument, or a capability this hook may not use (code `invalid`).
   *
   * @example
   * if (e instanceof ctx.errors.InvalidArgumentError) throw e;
   */
  readonly InvalidArgumentError: BazaarErrorClass;
  /**
   * The host did not answer in time (code `timeout`).
   *
   * @example
   * if (e instanceof ctx.errors.BridgeTimeoutError) return { discounts: [] };
   */
  readonly BridgeTimeoutError: BazaarErrorClass;
  /**
   * The host failed to answer (code `internal` or unknown).
   *
   * @example
   * if (e instanceof ctx.errors.HostError) throw e; // retried by the relay for async hooks
   */
  readonly HostError: BazaarErrorClass;
}

/**
 * `ctx`: everything a hook may do beyond computing its result. Typed per hook:
 * writes (`ctx.storage.set` / `delete`, `ctx.counters.add`) exist only in
 * asynchronous hooks.
 *
 * @example
 * export default definePlugin<MySettings>({
 *   hooks: {
 *     "order.paid": async ({ order }, ctx) => {
 *       const settings = await ctx.settings.get();
 *       ctx.log("counted", order.id);
 *       return { counters: [{ key: `spend:${order.customerId}`, delta: order.total }] };
 *     },
 *   },
 * });
 */
export interface PluginContext<H extends HookName = HookName, S extends Settings = Settings> {
  /**
   * The install's settings.
   *
   * @example
   * const settings = await ctx.settings.get();
   */
  readonly settings: SettingsCapability<S>;
  /**
   * The install's key/value store (read everywhere; write in asynchronous hooks).
   *
   * @example
   * await ctx.storage.set("last-order", order.id);
   */
  readonly storage: H extends AsyncHookName ? WritableStorageCapability : StorageCapability;
  /**
   * The install's integer counters (read everywhere; `add` in asynchronous hooks).
   *
   * @example
   * const uses = await ctx.counters.get("coupon:WELCOME10:uses");
   */
  readonly counters: H extends AsyncHookName ? WritableCountersCapability : CountersCapability;
  /**
   * Customer records (`read_customers`).
   *
   * @example
   * const customer = await ctx.customers.get(order.customerId);
   */
  readonly customers: CustomersCapability;
  /**
   * Orders (`read_orders`).
   *
   * @example
   * const order = await ctx.orders.get(input.order.id);
   */
  readonly orders: OrdersCapability;
  /**
   * Keeps a line in the invocation log (1 KB per call in all; the rest is cut).
   * `console.log` and friends do the same. Never log personal data.
   *
   * @example
   * ctx.log("tier changed", { from: "silver", to: "gold" });
   */
  log(...parts: unknown[]): void;
  /**
   * The error classes capabilities throw.
   *
   * @example
   * catch (e) { if (e instanceof ctx.errors.ScopeError) … }
   */
  readonly errors: ErrorClasses;
}
