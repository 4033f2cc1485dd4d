/**
 * The bridge policy, refusal by refusal. The messages are the host's
 * (app/extensions/bridge.server.ts) word for word: plugins see them, and the
 * harness must give the same ones.
 */
import { describe, expect, it } from "vitest";
import { addCounterOnce, applyCounterChanges, checkBridgeCall, subjectOf, type CallSubject } from "./policy";
import type { HookName } from "./hooks";

const buyer: CallSubject = { customerIds: ["cus_1"], orderIds: [] };
const orderSubject: CallSubject = { customerIds: ["cus_1"], orderIds: ["ord_1"] };
const nobody: CallSubject = { customerIds: [], orderIds: [] };
const check = (hook: HookName, method: string, args: unknown[], grantedScopes: string[] = [], subject = buyer, idempotencyKey: string | null = null) =>
  checkBridgeCall({ hook, method, args, grantedScopes, subject, idempotencyKey });

describe("subjects", () => {
  it("are the buyer, the order and its customer, or the new customer", () => {
    expect(subjectOf("checkout.discounts", { buyer: { customerId: "cus_1" } })).toEqual({ customerIds: ["cus_1"], orderIds: [] });
    expect(subjectOf("storefront.blocks", { buyer: null })).toEqual({ customerIds: [], orderIds: [] });
    expect(subjectOf("order.refunded", { order: { id: "ord_1", customerId: "cus_1" } })).toEqual(orderSubject);
    expect(subjectOf("customer.created", { customer: { id: "cus_9" } })).toEqual({ customerIds: ["cus_9"], orderIds: [] });
  });
});

describe("checkBridgeCall", () => {
  it.each([
    ["checkout.discounts", "customers.get", ["cus_1"], [], buyer, "scope", "read_customers was not granted to this extension"],
    ["checkout.discounts", "customers.get", ["cus_2"], ["read_customers"], buyer, "scope", "this checkout.discounts call may read only its own customer"],
    ["storefront.blocks", "customers.get", ["cus_1"], ["read_customers"], nobody, "scope", "this storefront.blocks call may read only its own customer"],
    ["order.paid", "orders.get", ["ord_1"], [], orderSubject, "scope", "read_orders was not granted to this extension"],
    ["order.paid", "orders.get", ["ord_2"], ["read_orders"], orderSubject, "scope", "this order.paid call may read only its own order"],
    ["checkout.discounts", "orders.get", ["ord_1"], ["read_orders"], buyer, "scope", "this checkout.discounts call may read only its own order"],
    ["checkout.discounts", "storage.set", ["k", 1], [], buyer, "scope", "storage.set is not available in checkout.discounts; write from an asynchronous hook"],
    ["storefront.blocks", "storage.delete", ["k"], [], buyer, "scope", "storage.delete is not available in storefront.blocks; write from an asynchronous hook"],
    ["checkout.discounts", "counters.add", ["k", 1], [], buyer, "scope", "counters change only through reservations in checkout.discounts; counters.add is for asynchronous hooks"],
    ["order.paid", "storage.get", [""], [], orderSubject, "invalid", "key must be a string of 1–256 characters"],
    ["order.paid", "storage.set", ["k"], [], orderSubject, "invalid", "value is required (use storage.delete to remove a key)"],
    ["order.paid", "storage.set", ["k", "x".repeat(16 * 1024)], [], orderSubject, "limit", "a stored value may be at most 16384 bytes"],
    ["order.paid", "storage.list", [7], [], orderSubject, "invalid", "prefix must be a string of at most 256 characters"],
    ["order.paid", "storage.list", ["", { limit: 1000 }], [], orderSubject, "invalid", "options are { limit?: 1–100, after?: key }"],
    ["order.paid", "counters.get", [42], [], orderSubject, "invalid", "counter name must be a string of 1–256 characters"],
    ["order.paid", "counters.add", ["k", 0], [], orderSubject, "invalid", "delta must be a non-zero integer within ±1000000000"],
    ["order.paid", "counters.add", ["k", 1.5], [], orderSubject, "invalid", "delta must be a non-zero integer within ±1000000000"],
    ["order.paid", "counters.add", ["k", 1, { min: "0" }], [], orderSubject, "invalid", "bounds are { min?: integer, max?: integer }"],
    ["order.paid", "customers.get", ["x".repeat(257)], ["read_customers"], orderSubject, "invalid", "customer id must be a string of 1–256 characters"],
    ["order.paid", "files.read", ["/etc/passwd"], [], orderSubject, "invalid", "unknown capability"],
  ] as const)("%s %s(%j) with %j → %s", (hook, method, args, scopes, subject, code, message) => {
    const r = check(hook, method, [...args], [...scopes], subject, "hook-ins_1-1");
    expect(r.ok).toBe(false);
    if (!r.ok) expect({ code: r.error.code, message: r.error.message }).toEqual({ code, message });
  });

  it("says why a scope refusal was made (the host audits the reason; the plugin never sees it)", () => {
    const reason = (r: ReturnType<typeof check>) => (r.ok ? null : r.error.reason ?? null);
    expect(reason(check("checkout.discounts", "customers.get", ["cus_1"], [], buyer, null))).toBe("scope");
    expect(reason(check("checkout.discounts", "customers.get", ["cus_2"], ["read_customers"], buyer, null))).toBe("subject");
    expect(reason(check("order.paid", "orders.get", ["ord_2"], ["read_orders"], orderSubject, null))).toBe("subject");
    expect(reason(check("checkout.discounts", "storage.set", ["k", 1], [], buyer, null))).toBe("hook");
    expect(reason(check("order.paid", "counters.add", ["k", 1], [], orderSubject, null))).toBe("hook");
    expect(reason(check("order.paid", "storage.get", [""], [], orderSubject, null))).toBeNull();
  });

  it("counters.add needs a delivery key even in an asynchronous hook", () => {
    expect(check("order.paid", "counters.add", ["k", 1], [], orderSubject, null)).toMatchObject({ ok: false, error: { code: "scope" } });
  });

  it.each([
    ["checkout.discounts", "settings.get", [], { method: "settings.get" }],
    ["checkout.discounts", "counters.get", ["balance:cus_1"], { method: "counters.get", counterKey: "balance:cus_1" }],
    ["checkout.discounts", "storage.list", [], { method: "storage.list", prefix: "", limit: 100, after: null }],
    ["order.paid", "storage.set", ["k", { a: 1 }], { method: "storage.set", key: "k", value: { a: 1 }, bytes: 7 }],
    ["order.paid", "counters.add", ["k", -5, { min: 0 }], { method: "counters.add", counterKey: "k", delta: -5, bound: { min: 0 } }],
    ["order.paid", "orders.get", ["ord_1"], { method: "orders.get", orderId: "ord_1" }],
  ] as const)("%s %s(%j) is allowed", (hook, method, args, request) => {
    expect(check(hook, method, [...args], ["read_orders"], hook === "order.paid" ? orderSubject : buyer, "hook-ins_1-1")).toEqual({ ok: true, request });
  });
});

describe("counters", () => {
  it("addCounterOnce: within the bound, once per op key; a failed bound records nothing", () => {
    const counters: Record<string, number> = {};
    const ops = new Set<string>();
    expect(addCounterOnce(counters, ops, "d1|add|k", "k", 5, { max: 10 })).toEqual({ applied: true, duplicate: false, value: 5 });
    expect(addCounterOnce(counters, ops, "d1|add|k", "k", 5, { max: 10 })).toEqual({ applied: false, duplicate: true, value: 5 });
    expect(addCounterOnce(counters, ops, "d2|add|k", "k", 6, { max: 10 })).toEqual({ applied: false, duplicate: false, value: 5 });
    expect(addCounterOnce(counters, ops, "d2|add|k", "k", 5, { max: 10 })).toEqual({ applied: true, duplicate: false, value: 10 });
  });

  it("applyCounterChanges: all or nothing", () => {
    expect(applyCounterChanges({ a: 1 }, [{ counterKey: "a", delta: 1, bound: { max: 2 } }, { counterKey: "b", delta: -1, bound: { min: 0 } }])).toEqual({
      applied: false,
      values: { a: 1, b: 0 },
    });
    expect(applyCounterChanges({ a: 1 }, [{ counterKey: "a", delta: 1, bound: { max: 2 } }, { counterKey: "b", delta: 3 }])).toEqual({ applied: true, values: { a: 2, b: 3 } });
  });
});
