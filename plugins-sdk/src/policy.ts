/**
 * The bridge policy: which scope each `ctx` capability needs, which hooks may
 * write, what the arguments must look like, whose data a call may read, and
 * the limits on storage and counters. Pure functions over plain data.
 *
 * This file is the one source of truth: the host (`app/extensions/bridge.server.ts`)
 * calls {@link checkBridgeCall} on every bridge call and takes its limits from
 * here (`app/extensions/hooks.config.ts`), and the harness runs the same
 * function, so a test that gets a `ScopeError` from the harness gets the same
 * one in production (docs/decisions/0017). `policy.test.ts` pins every refusal.
 *
 * The sandbox forwards only the method names in its `BRIDGE_METHODS` and JSON
 * arguments; it checks nothing else.
 *
 * @example
 * const checked = checkBridgeCall({ hook, method, args, grantedScopes, subject: subjectOf(hook, input) });
 * if (!checked.ok) return { ok: false, error: checked.error };
 */
import { z } from "zod";
import { ASYNC_HOOK_NAMES, type CounterBound, type HookInputs, type HookName, type Reservation } from "./hooks";
import type { BazaarErrorCode, JsonValue } from "./context";
import type { Scope } from "./manifest";

/**
 * Every bridge method, the scope it needs (null: none — it is the install's
 * own data) and whether it writes (asynchronous hooks only).
 *
 * @example
 * BRIDGE_CAPABILITIES["customers.get"].scope; // "read_customers"
 */
export const BRIDGE_CAPABILITIES = {
  "settings.get": { scope: null, writes: false },
  "storage.get": { scope: null, writes: false },
  "storage.list": { scope: null, writes: false },
  "storage.set": { scope: null, writes: true },
  "storage.delete": { scope: null, writes: true },
  "counters.get": { scope: null, writes: false },
  "counters.add": { scope: null, writes: true },
  "customers.get": { scope: "read_customers", writes: false },
  "orders.get": { scope: "read_orders", writes: false },
} as const satisfies Record<string, { scope: Scope | null; writes: boolean }>;

/**
 * A bridge method name.
 *
 * @example
 * const method: CapabilityMethod = "storage.set";
 */
export type CapabilityMethod = keyof typeof BRIDGE_CAPABILITIES;

/**
 * Per-install storage limits (`ctx.storage`).
 *
 * @example
 * STORAGE_LIMITS.valueBytes; // 16384
 */
export const STORAGE_LIMITS = Object.freeze({ valueBytes: 16 * 1024, installBytes: 256 * 1024, installKeys: 1_000, listPage: 100 });

/**
 * Counter limits: values and deltas stay within PostgreSQL's `integer`.
 *
 * @example
 * COUNTER_LIMITS.maxAbs; // 1000000000
 */
export const COUNTER_LIMITS = Object.freeze({ maxAbs: 1_000_000_000, maxEffectsPerCall: 20 });

const BASE_LIMITS = { cpuMs: 50, wallMs: 150, memoryMb: 32, inputBytes: 128 * 1024, outputBytes: 64 * 1024, bridgeCalls: 20, logBytes: 1024 };

/**
 * The sandbox limits of each hook in production (CPU and wall time in ms,
 * memory in MB, sizes in bytes, bridge calls per call).
 *
 * @example
 * HOOK_LIMITS["storefront.blocks"].outputBytes; // 16384
 */
export const HOOK_LIMITS: Readonly<Record<HookName, Readonly<typeof BASE_LIMITS>>> = Object.freeze({
  "checkout.discounts": BASE_LIMITS,
  "storefront.blocks": { ...BASE_LIMITS, outputBytes: 16 * 1024 },
  "order.paid": BASE_LIMITS,
  "order.completed": BASE_LIMITS,
  "order.refunded": BASE_LIMITS,
  "customer.created": BASE_LIMITS,
});

/**
 * Whose data a call may read: the buyer's record in checkout and on the
 * storefront; the order and its customer in an order hook; the new customer
 * in `customer.created`.
 *
 * @example
 * { customerIds: ["cus_1"], orderIds: ["ord_1"] }
 */
export interface CallSubject {
  customerIds: string[];
  orderIds: string[];
}

/**
 * A refusal, as the host answers it (`{ ok: false, error }`); the sandbox
 * throws it in the plugin as the matching typed error (`scope` → `ScopeError`…).
 *
 * @example
 * { code: "scope", message: "read_customers was not granted to this extension" }
 */
export interface BridgeRefusal {
  code: BazaarErrorCode;
  message: string;
  /**
   * Why a `scope` refusal was made: the scope was not granted, the call's
   * subject is someone else, or the hook may not write. The host audits it;
   * it is not sent to the plugin.
   */
  reason?: "scope" | "subject" | "hook";
}

/**
 * A bridge call with its arguments checked and named.
 *
 * @example
 * { method: "counters.add", counterKey: "balance:cus_1", delta: 10, bound: {} }
 */
export type BridgeRequest =
  | { method: "settings.get" }
  | { method: "storage.get" | "storage.delete"; key: string }
  | { method: "storage.set"; key: string; value: JsonValue; bytes: number }
  | { method: "storage.list"; prefix: string; limit: number; after: string | null }
  | { method: "counters.get"; counterKey: string }
  | { method: "counters.add"; counterKey: string; delta: number; bound: CounterBound }
  | { method: "customers.get"; customerId: string }
  | { method: "orders.get"; orderId: string };

const ASYNC: readonly string[] = ASYNC_HOOK_NAMES;
const Key = z.string().min(1).max(256);
const Bound = z.object({ min: z.number().int().optional(), max: z.number().int().optional() }).optional();
const ListOptions = z.object({ limit: z.number().int().min(1).max(STORAGE_LIMITS.listPage).optional(), after: Key.optional() }).optional();

/**
 * The subject of a hook call, from its input.
 *
 * @example
 * subjectOf("order.paid", input); // { customerIds: [input.order.customerId], orderIds: [input.order.id] }
 */
export function subjectOf<H extends HookName>(hook: H, input: HookInputs[H] | Record<string, unknown>): CallSubject {
  const i = input as Record<string, any>;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : null);
  const ids = (...values: (string | null)[]) => values.filter((v): v is string => v !== null);
  switch (hook) {
    case "checkout.discounts":
    case "storefront.blocks":
      return { customerIds: ids(str(i?.buyer?.customerId)), orderIds: [] };
    case "customer.created":
      return { customerIds: ids(str(i?.customer?.id)), orderIds: [] };
    default:
      return { customerIds: ids(str(i?.order?.customerId)), orderIds: ids(str(i?.order?.id)) };
  }
}

/**
 * Checks one bridge call completely — arguments, scope, subject, whether the
 * hook may write, the stateless limits — in the host's order. What is left
 * to the store is the install-wide storage quota and the look-up itself
 * (`not_found`: "no such customer" / "no such order").
 *
 * @example
 * checkBridgeCall({ hook: "checkout.discounts", method: "customers.get", args: ["cus_1"], grantedScopes: [],
 *   subject: { customerIds: ["cus_1"], orderIds: [] } });
 * // { ok: false, error: { code: "scope", message: "read_customers was not granted to this extension" } }
 */
export function checkBridgeCall(call: {
  hook: HookName;
  method: string;
  args: unknown[];
  grantedScopes: readonly string[];
  subject: CallSubject;
  /** The delivery's key (asynchronous hooks); `counters.add` needs one. */
  idempotencyKey?: string | null;
}): { ok: true; request: BridgeRequest } | { ok: false; error: BridgeRefusal } {
  const { hook, method } = call;
  const args = Array.isArray(call.args) ? call.args : [];
  const isAsync = ASYNC.includes(hook);
  const arg = <T>(schema: z.ZodType<T>, i: number): T | undefined => {
    const r = schema.safeParse(args[i]);
    return r.success ? r.data : undefined;
  };
  switch (method) {
    case "settings.get":
      return { ok: true, request: { method } };

    case "storage.get": {
      const key = arg(Key, 0);
      if (key === undefined) return refuse("invalid", "key must be a string of 1–256 characters");
      return { ok: true, request: { method, key } };
    }

    case "storage.set": {
      const key = arg(Key, 0);
      if (key === undefined) return refuse("invalid", "key must be a string of 1–256 characters");
      if (!isAsync) return refuse("scope", `storage.set is not available in ${hook}; write from an asynchronous hook`, "hook");
      if (args.length < 2 || args[1] === undefined) return refuse("invalid", "value is required (use storage.delete to remove a key)");
      const bytes = new TextEncoder().encode(JSON.stringify(args[1])).length;
      if (bytes > STORAGE_LIMITS.valueBytes) return refuse("limit", `a stored value may be at most ${STORAGE_LIMITS.valueBytes} bytes`);
      return { ok: true, request: { method, key, value: args[1] as JsonValue, bytes } };
    }

    case "storage.delete": {
      const key = arg(Key, 0);
      if (key === undefined) return refuse("invalid", "key must be a string of 1–256 characters");
      if (!isAsync) return refuse("scope", `storage.delete is not available in ${hook}; write from an asynchronous hook`, "hook");
      return { ok: true, request: { method, key } };
    }

    case "storage.list": {
      const prefix = args[0] === undefined || args[0] === null ? "" : arg(z.string().max(256), 0);
      if (prefix === undefined) return refuse("invalid", "prefix must be a string of at most 256 characters");
      const options = arg(ListOptions, 1);
      if (options === undefined && args[1] !== undefined) return refuse("invalid", `options are { limit?: 1–${STORAGE_LIMITS.listPage}, after?: key }`);
      return { ok: true, request: { method, prefix, limit: options?.limit ?? STORAGE_LIMITS.listPage, after: options?.after ?? null } };
    }

    case "counters.get": {
      const counterKey = arg(Key, 0);
      if (counterKey === undefined) return refuse("invalid", "counter name must be a string of 1–256 characters");
      return { ok: true, request: { method, counterKey } };
    }

    case "counters.add": {
      const counterKey = arg(Key, 0);
      if (counterKey === undefined) return refuse("invalid", "counter name must be a string of 1–256 characters");
      const delta = arg(z.number().int().min(-COUNTER_LIMITS.maxAbs).max(COUNTER_LIMITS.maxAbs), 1);
      if (delta === undefined || delta === 0) return refuse("invalid", `delta must be a non-zero integer within ±${COUNTER_LIMITS.maxAbs}`);
      const bound = arg(Bound, 2);
      if (bound === undefined && args[2] !== undefined) return refuse("invalid", "bounds are { min?: integer, max?: integer }");
      if (!isAsync || !call.idempotencyKey) {
        return refuse("scope", `counters change only through reservations in ${hook}; counters.add is for asynchronous hooks`, "hook");
      }
      return { ok: true, request: { method, counterKey, delta, bound: bound ?? {} } };
    }

    case "customers.get": {
      const customerId = arg(Key, 0);
      if (customerId === undefined) return refuse("invalid", "customer id must be a string of 1–256 characters");
      if (!call.grantedScopes.includes("read_customers")) return refuse("scope", "read_customers was not granted to this extension", "scope");
      if (!call.subject.customerIds.includes(customerId)) return refuse("scope", `this ${hook} call may read only its own customer`, "subject");
      return { ok: true, request: { method, customerId } };
    }

    case "orders.get": {
      const orderId = arg(Key, 0);
      if (orderId === undefined) return refuse("invalid", "order id must be a string of 1–256 characters");
      if (!call.grantedScopes.includes("read_orders")) return refuse("scope", "read_orders was not granted to this extension", "scope");
      if (!call.subject.orderIds.includes(orderId)) return refuse("scope", `this ${hook} call may read only its own order`, "subject");
      return { ok: true, request: { method, orderId } };
    }

    default:
      return refuse("invalid", "unknown capability");
  }
}

/**
 * Adds to one counter the way the host does: at most once per `opKey` (the
 * delivery's key and the counter), only within `bound`. Mutates `counters`
 * and `ops` (the harness's fake store).
 *
 * @example
 * addCounterOnce(counters, ops, "hook-ins_1-42|add|balance:cus_1", "balance:cus_1", 120, {});
 * // { applied: true, duplicate: false, value: 120 }; again → { applied: false, duplicate: true, value: 120 }
 */
export function addCounterOnce(
  counters: Record<string, number>,
  ops: Set<string>,
  opKey: string,
  counterKey: string,
  delta: number,
  bound: CounterBound,
): { applied: boolean; duplicate: boolean; value: number } {
  const value = Object.hasOwn(counters, counterKey) ? counters[counterKey] : 0;
  if (ops.has(opKey)) return { applied: false, duplicate: true, value };
  const next = value + delta;
  if ((bound.min !== undefined && next < bound.min) || (bound.max !== undefined && next > bound.max)) return { applied: false, duplicate: false, value };
  ops.add(opKey);
  counters[counterKey] = next;
  return { applied: true, duplicate: false, value: next };
}

/**
 * Applies reservations all-or-nothing, the way order placement does: every
 * counter starts at 0; if any result would leave its bound, nothing changes
 * (placement fails with a conflict). Pure.
 *
 * @example
 * applyCounterChanges({ "balance:cus_1": 100 }, [{ counterKey: "balance:cus_1", delta: -150, bound: { min: 0 } }]);
 * // { applied: false, values: { "balance:cus_1": 100 } }
 */
export function applyCounterChanges(
  current: Readonly<Record<string, number>>,
  changes: readonly Reservation[],
): { applied: boolean; values: Record<string, number> } {
  const before: Record<string, number> = {};
  const after: Record<string, number> = {};
  let applied = true;
  for (const c of changes) {
    const base = Object.hasOwn(after, c.counterKey) ? after[c.counterKey] : Object.hasOwn(current, c.counterKey) ? current[c.counterKey] : 0;
    if (!Object.hasOwn(before, c.counterKey)) before[c.counterKey] = base;
    const next = base + c.delta;
    after[c.counterKey] = next;
    if ((c.bound?.min !== undefined && next < c.bound.min) || (c.bound?.max !== undefined && next > c.bound.max)) applied = false;
  }
  return { applied, values: applied ? after : before };
}

function refuse(code: BazaarErrorCode, message: string, reason?: BridgeRefusal["reason"]): { ok: false; error: BridgeRefusal } {
  return { ok: false, error: reason ? { code, message, reason } : { code, message } };
}
