/**
 * The harness behaves like production: the same runner processes and limits
 * (a timeout is the same outcome with the same message as from a bare
 * production sandbox), the same bridge policy (ScopeError raised the same
 * way, typed the same way), the same output validation and counter effects.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../../sandbox/supervisor";
import { BRIDGE_METHOD_SET } from "../../sandbox/protocol";
import { buildPlugin, type BuiltPlugin } from "./build";
import { HOOK_LIMITS, checkBridgeCall, subjectOf } from "./policy";
import { HARNESS_TIMESTAMP, configureHarness, runHook, stopHarness, type HarnessInput } from "./harness";
import type { HookName } from "./hooks";

const here = path.dirname(fileURLToPath(import.meta.url));
let probe: BuiltPlugin;

/**
 * This suite shares 2 cores with other suites (load 10–18): isolated-vm's CPU
 * clock and the wall deadline count time spent waiting for a core. Tests whose
 * subject is not a limit get room; the limit tests set the limits they test.
 */
const LOADED_MACHINE = { cpuMs: 1_000, wallMs: 5_000 };

beforeAll(async () => {
  probe = await buildPlugin(path.join(here, "fixtures", "probe"), { write: false });
  configureHarness({ limits: LOADED_MACHINE });
});
afterAll(() => stopHarness());

const quote = (attributes: Record<string, unknown> = {}, customerId: string | null = "cus_1"): HarnessInput<"checkout.discounts"> => ({
  shop: { id: "shp_1", currency: "CNY" },
  buyer: { userId: "usr_1", customerId },
  lines: [{ lineId: "oln_1", skuId: "sku_1", productId: "prd_1", categoryId: null, quantity: 2, unitPrice: 1250, lineTotal: 2500 }],
  subtotal: 2500,
  attributes,
});

const orderRef = (total = 9900) => ({ id: "ord_1", customerId: "cus_1", status: "paid" as const, total, currency: "CNY" });
const paid = (total = 9900): HarnessInput<"order.paid"> => ({ order: orderRef(total) });
const refunded = (id: string, amount = 1): HarnessInput<"order.refunded"> => ({ order: orderRef(), refund: { id, amount, refundedTotal: amount, full: false } });

/** A bare sandbox whose host answers with the production policy: what app/extensions does, minus the database. */
function productionLikeSandbox(): Sandbox<{ hook: HookName; input: Record<string, unknown>; scopes: string[] }> {
  return createSandbox({
    runners: 1,
    onBridge: ({ call, method, args }) => {
      const meta = call.meta!;
      const checked = checkBridgeCall({ hook: meta.hook, method, args, grantedScopes: meta.scopes, subject: subjectOf(meta.hook, meta.input) });
      if (!checked.ok) return { ok: false, error: checked.error };
      return { ok: true, value: method === "settings.get" ? { label: "probe", percent: 10 } : null };
    },
  });
}

/** The same call the harness makes, for a bare sandbox. */
function bareCall(id: string, q: HarnessInput<"checkout.discounts">, limits: Partial<typeof LOADED_MACHINE> & object) {
  const input = { hook: "checkout.discounts" as const, install: { id: "ins_harness" }, ...q };
  return {
    id,
    versionKey: probe.versionKey,
    bundle: probe.bundle,
    hook: "checkout.discounts",
    input: JSON.stringify(input),
    timestamp: HARNESS_TIMESTAMP,
    seed: "x",
    limits: { ...HOOK_LIMITS["checkout.discounts"], ...limits },
    meta: { hook: "checkout.discounts" as HookName, input, scopes: ["read_orders"] },
  };
}

describe("limits: the same runner, the same outcome", () => {
  // Production's CPU limit; the wall deadline far enough out that the CPU limit is what fires even on this busy machine.
  const cpuLimitFires = { ...HOOK_LIMITS["checkout.discounts"], wallMs: 5_000 };

  it("an infinite loop is stopped by the 50 ms CPU limit: outcome timeout, exactly as a production sandbox reports it", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "loop" }), { limits: cpuLimitFires });
    expect(run.outcome).toBe("timeout");
    expect(run.error).toBe("the extension exceeded its CPU time limit");
    expect(run.output).toBeUndefined();
    expect(run.result.cpuMs).toBeGreaterThanOrEqual(cpuLimitFires.cpuMs - 1);

    const sandbox = productionLikeSandbox();
    try {
      const bare = await sandbox.run(bareCall("bare_loop", quote({ probe: "loop" }), cpuLimitFires));
      expect({ outcome: bare.outcome, error: bare.error }).toEqual({ outcome: run.outcome, error: run.error });
      // the isolate was recycled, the runner lives: the next call works
      const next = await runHook(probe, "checkout.discounts", quote());
      expect(next.outcome).toBe("ok");
    } finally {
      await sandbox.stop();
    }
  });

  it("with production's limits untouched, the loop is a timeout too (CPU or wall deadline, whichever a loaded machine reaches first)", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "loop" }), { limits: HOOK_LIMITS["checkout.discounts"] });
    expect(run.outcome).toBe("timeout");
    expect(run.error).toMatch(/^the extension exceeded its (CPU time limit|wall-clock deadline of 150 ms)$/);
  });

  it("a hook that never settles uses no CPU and is ended by the 150 ms wall deadline (the runner is killed and restarted)", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "never-settles" }), { limits: HOOK_LIMITS["checkout.discounts"] });
    expect(run.outcome).toBe("timeout");
    expect(run.error).toBe("the extension exceeded its wall-clock deadline of 150 ms");
    expect(run.result.wallMs).toBeGreaterThanOrEqual(HOOK_LIMITS["checkout.discounts"].wallMs - 5);
    // and the harness goes on working with a fresh runner
    const after = await runHook(probe, "checkout.discounts", quote());
    expect(after.outcome).toBe("ok");
  });

  it("the 21st bridge call of one invocation gets LimitError", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "many-calls" }));
    expect(run.outcome).toBe("ok");
    const outcomes = run.logs[0].split(",");
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill("ok"));
    expect(outcomes.slice(20)).toEqual(["LimitError", "LimitError"]);
  });
});

describe("scopes: ScopeError exactly as in production", () => {
  it("a capability without its scope fails the call with ScopeError, the same as a production-policy sandbox", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "customer" }));
    expect(run.outcome).toBe("error");
    expect(run.error).toBe("ScopeError: read_customers was not granted to this extension");
    expect(run.bridge).toEqual([
      { method: "customers.get", args: ["cus_1"], answer: { ok: false, error: { code: "scope", message: "read_customers was not granted to this extension" } } },
    ]);

    const sandbox = productionLikeSandbox();
    try {
      const bare = await sandbox.run(bareCall("bare_scope", quote({ probe: "customer" }), LOADED_MACHINE));
      expect({ outcome: bare.outcome, error: bare.error }).toEqual({ outcome: run.outcome, error: run.error });
    } finally {
      await sandbox.stop();
    }
  });

  it("the plugin sees the sandbox's own ScopeError class: instanceof ctx.errors.ScopeError, name, code", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "customer-caught" }));
    expect(run.outcome).toBe("ok");
    expect(JSON.parse(run.logs[0])).toEqual({
      name: "ScopeError",
      code: "scope",
      message: "read_customers was not granted to this extension",
      instanceOf: true,
      isBazaarError: true,
    });
  });

  it("with the scope granted the buyer reads their own record, and never another buyer's", async () => {
    const customers = [{ id: "cus_1", name: "Li Lei", email: "li@example.com", createdAt: "2026-11-01T00:00:00.000Z" }];
    const own = await runHook(probe, "checkout.discounts", quote({ probe: "customer-caught" }), { scopes: ["read_customers"], customers });
    expect(own.logs).toEqual(["read"]);

    const visitor = await runHook(probe, "checkout.discounts", quote({ probe: "customer-caught" }, null), { scopes: ["read_customers"], customers });
    expect(JSON.parse(visitor.logs[0])).toMatchObject({ name: "ScopeError", message: "this checkout.discounts call may read only its own customer" });

    const otherOrder = await runHook(probe, "checkout.discounts", quote({ probe: "other-order" }));
    expect(otherOrder.error).toBe("ScopeError: this checkout.discounts call may read only its own order");
  });

  it("an order hook reads its own order with read_orders", async () => {
    const order = {
      id: "ord_1", customerId: "cus_1", status: "paid" as const, currency: "CNY", subtotal: 9900, discountTotal: 0, shippingTotal: 0, total: 9900,
      refundedTotal: 0, itemCount: 1, createdAt: "2026-11-02T07:00:00.000Z", paidAt: "2026-11-02T07:01:00.000Z",
      lines: [{ lineId: "oln_1", productId: "prd_1", skuId: "sku_1", title: "Tea", quantity: 1, unitPrice: 9900, total: 9900 }],
    };
    const run = await runHook(probe, "order.refunded", refunded("order"), { orders: [order] });
    expect(run.outcome).toBe("ok");
    expect(run.logs).toEqual(["ord_1 1"]);
  });

  it("a hook on a buyer's request path may not write: storage.set raises ScopeError", async () => {
    const run = await runHook(probe, "checkout.discounts", quote({ probe: "write" }));
    expect(run.error).toBe("ScopeError: storage.set is not available in checkout.discounts; write from an asynchronous hook");
    expect(run.storage).toEqual({});
  });
});

describe("outputs, settings and determinism", () => {
  it("settings come from the manifest's defaults, overridden by the test's, validated", async () => {
    const byDefault = await runHook(probe, "checkout.discounts", quote());
    expect(byDefault.output).toEqual({ discounts: [{ lineId: null, amount: 250, label: "probe" }], reservations: [] });
    const custom = await runHook(probe, "checkout.discounts", quote(), { settings: { percent: 15, label: "fifteen" } });
    expect(custom.output?.discounts).toEqual([{ lineId: null, amount: 375, label: "fifteen" }]);
    await expect(runHook(probe, "checkout.discounts", quote(), { settings: { percent: 101 } })).rejects.toThrow(/settings do not fit the manifest:\n {2}percent: /);
  });

  it("a hook the manifest does not list is refused before it runs", async () => {
    await expect(runHook(probe, "customer.created", { customer: { id: "cus_1" } })).rejects.toThrow(/does not list "customer.created"/);
  });

  it("output the platform would drop is reported, not returned", async () => {
    const badLine = await runHook(probe, "checkout.discounts", quote({ probe: "bad-line" }));
    expect(badLine.outcome).toBe("ok");
    expect(badLine.output).toBeUndefined();
    expect(badLine.outputErrors).toEqual(['discounts.0.lineId: "not-a-line" is not a line of this quote']);

    const tooMuch = await runHook(probe, "checkout.discounts", quote({ probe: "too-much" }));
    expect(tooMuch.outputErrors[0]).toMatch(/more than the subtotal 2500/);

    const notJson = await runHook(probe, "checkout.discounts", quote({ probe: "not-json" }));
    expect(notJson.outcome).toBe("invalid_output");

    const blocks = await runHook(probe, "storefront.blocks", { shop: { id: "shp_1", currency: "CNY" }, buyer: null, page: "cart" });
    expect(blocks.output).toBeUndefined();
    expect(blocks.outputErrors[0]).toMatch(/^blocks\.0\.max: /);
  });

  it("the clock and Math.random are the call's: the same input gives the same output", async () => {
    const a = await runHook(probe, "checkout.discounts", quote({ probe: "clock" }));
    const b = await runHook(probe, "checkout.discounts", quote({ probe: "clock" }));
    expect(a.result.output).toBe(b.result.output);
    expect(a.output?.discounts[0].label).toMatch(/^1793606400000 2026-11-02T08:00:00.000Z 0\.\d+$/);
  });
});

describe("asynchronous hooks: storage and counter effects, once per delivery", () => {
  it("returned counter effects are applied once; replaying the delivery changes nothing", async () => {
    const first = await runHook(probe, "order.paid", paid(9900), { counters: { "spend:cus_1": 100 } });
    expect(first.outcome).toBe("ok");
    expect(first.counters).toEqual({ "spend:cus_1": 10000 });
    expect(first.effects).toEqual([{ key: "spend:cus_1", delta: 9900, applied: true, duplicate: false, value: 10000 }]);
    expect(first.storage).toEqual({ "paid:ord_1": { key: first.input.idempotencyKey, total: 9900 } });

    const replay = await runHook(probe, "order.paid", paid(9900), first.state);
    expect(replay.input.idempotencyKey).toBe(first.input.idempotencyKey);
    expect(replay.effects).toEqual([{ key: "spend:cus_1", delta: 9900, applied: false, duplicate: true, value: 10000 }]);
    expect(replay.counters).toEqual(first.counters);
  });

  it("an effect whose bound does not hold is skipped", async () => {
    const run = await runHook(probe, "order.refunded", refunded("ref_1", 500), { counters: { "spend:cus_1": 200 } });
    expect(run.effects).toEqual([{ key: "spend:cus_1", delta: -500, applied: false, duplicate: false, value: 200 }]);
    expect(run.counters).toEqual({ "spend:cus_1": 200 });
  });

  it("ctx.counters.add applies within its bound, once per delivery; ctx.storage.list pages keys", async () => {
    expect(BRIDGE_METHOD_SET.has("counters.add") && BRIDGE_METHOD_SET.has("storage.list")).toBe(true);
    const add = await runHook(probe, "order.refunded", refunded("add"));
    expect(JSON.parse(add.logs[0])).toEqual({
      first: { applied: true, duplicate: false, value: 5 },
      over: { applied: false, duplicate: false, value: 0 },
    });
    const again = await runHook(probe, "order.refunded", refunded("add"), add.state);
    expect(JSON.parse(again.logs[0]).first).toEqual({ applied: false, duplicate: true, value: 5 });

    const list = await runHook(probe, "order.refunded", refunded("list"));
    expect(JSON.parse(list.logs[0])).toEqual({ keys: ["member:a", "member:b"], next: null });
  });
});
