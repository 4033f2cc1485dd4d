/**
 * The host bridge: ctx capabilities → runner → supervisor → onBridge and back,
 * in real runner processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeRequest, BridgeResult, Sandbox } from "./supervisor";
import { RELAXED, callOf, failOnUnhandledRejection, quietSandbox, version } from "./test-fixtures";

failOnUnhandledRejection();

interface Meta {
  shopId: string;
  subject: string;
}

const plugin = version(`{
  settings: async (input, ctx) => ctx.settings.get(),
  customer: async (input, ctx) => ctx.customers.get(input.id),
  storage: async (input, ctx) => { await ctx.storage.set("visits", 3); return ctx.storage.get("visits"); },
  many: async (input, ctx) => {
    const outcomes = [];
    for (let i = 0; i < input.n; i++) {
      try { await ctx.counters.get("uses"); outcomes.push("ok"); } catch (e) { outcomes.push(e.name + ":" + e.code); }
    }
    return outcomes;
  },
  parallel: async (input, ctx) => Promise.all([1, 2, 3, 4, 5].map((i) => ctx.orders.get("o" + i))),
  scope: async (input, ctx) => {
    try { await ctx.customers.get("someone-else"); return "read"; }
    catch (e) { return { name: e.name, code: e.code, message: e.message, isError: e instanceof Error, typed: e instanceof ctx.errors.ScopeError }; }
  },
  scopeUncaught: async (input, ctx) => ctx.customers.get("someone-else"),
  scopePolluted: async (input, ctx) => {
    Object.prototype.ok = true;
    Object.prototype.value = "forged";
    try { return await ctx.customers.get("someone-else"); } catch (e) { return e.name; }
  },
  hostFails: async (input, ctx) => {
    try { await ctx.settings.get(); return "answered"; } catch (e) { return e.name + ":" + e.code + ":" + e.message; }
  },
  fireAndForget: (input, ctx) => { ctx.storage.set("late", 1); return "returned first"; },
  spinAfterAwait: async (input, ctx) => { await ctx.settings.get(); for (;;) {} },
  slowHost: async (input, ctx) => { await ctx.settings.get(); return "after the host"; },
  log: (input, ctx) => { ctx.log("checking", { cart: input.cart }); console.warn("warned"); return null; },
}`);

let sandbox: Sandbox<Meta>;
const requests: BridgeRequest<Meta>[] = [];
let answer: (request: BridgeRequest<Meta>) => Promise<BridgeResult> | BridgeResult = () => ({ ok: true, value: null });

beforeAll(() => {
  ({ sandbox } = quietSandbox<Meta>({
    runners: 1,
    limits: RELAXED,
    onBridge: (request) => {
      requests.push(request);
      return answer(request);
    },
  }));
});

afterAll(async () => {
  await sandbox.stop();
});

const meta: Meta = { shopId: "shop_1", subject: "cust_1" };

function run(hook: string, input: unknown = {}, limits = {}) {
  requests.length = 0;
  return sandbox.run(callOf<Meta>(plugin, hook, input, { meta, limits: { ...RELAXED, ...limits } }));
}

describe("bridge round trips", () => {
  it("ctx.settings.get() reaches onBridge with the call, its meta, the method and JSON arguments", async () => {
    answer = () => ({ ok: true, value: { threshold: 5000, tiers: ["gold"] } });
    const result = await run("settings");
    expect(result).toMatchObject({ outcome: "ok", output: '{"threshold":5000,"tiers":["gold"]}', bridgeCalls: 1 });
    expect(requests).toHaveLength(1);
    expect(requests[0].method).toBe("settings.get");
    expect(requests[0].args).toEqual([]);
    expect(requests[0].call.meta).toEqual(meta);
    expect(requests[0].call.id).toBe(result.id);
  });

  it("arguments arrive as parsed plain data", async () => {
    answer = ({ args }) => ({ ok: true, value: { id: args[0], tier: "gold" } });
    expect(await run("customer", { id: "cust_1" })).toMatchObject({ outcome: "ok", output: '{"id":"cust_1","tier":"gold"}' });
    expect(requests.map((r) => [r.method, r.args])).toEqual([["customers.get", ["cust_1"]]]);

    const store = new Map<string, unknown>();
    answer = ({ method, args }) => {
      if (method === "storage.set") store.set(args[0] as string, args[1]);
      return { ok: true, value: method === "storage.get" ? store.get(args[0] as string) : null };
    };
    expect(await run("storage")).toMatchObject({ outcome: "ok", output: "3", bridgeCalls: 2 });
  });

  it("parallel bridge calls all resolve", async () => {
    answer = ({ args }) => ({ ok: true, value: args[0] });
    expect(await run("parallel")).toMatchObject({ outcome: "ok", output: '["o1","o2","o3","o4","o5"]', bridgeCalls: 5 });
  });
});

describe("bridge limits", () => {
  it("counts calls: 20 reach the host, the 21st is refused in the runner with LimitError", async () => {
    answer = () => ({ ok: true, value: 1 });
    const result = await run("many", { n: 21 });
    expect(result.outcome).toBe("ok");
    const outcomes = JSON.parse(result.output!) as string[];
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill("ok"));
    expect(outcomes[20]).toBe("LimitError:limit");
    expect(requests).toHaveLength(20);
    expect(result.bridgeCalls).toBe(21);
  });

  it("the limit is per call and configurable", async () => {
    answer = () => ({ ok: true, value: 1 });
    const result = await run("many", { n: 3 }, { bridgeCalls: 2 });
    expect(JSON.parse(result.output!)).toEqual(["ok", "ok", "LimitError:limit"]);
    expect(requests).toHaveLength(2);
  });
});

describe("bridge errors", () => {
  it("{ ok: false, error: { code: 'scope' } } becomes a thrown ScopeError in the plugin", async () => {
    answer = () => ({ ok: false, error: { code: "scope", message: "read_customers is not granted for this customer" } });
    const result = await run("scope");
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.output!)).toEqual({
      name: "ScopeError",
      code: "scope",
      message: "read_customers is not granted for this customer",
      isError: true,
      typed: true,
    });
  });

  it("polluting Object.prototype in the isolate cannot turn a host refusal into a value", async () => {
    answer = () => ({ ok: false, error: { code: "scope", message: "not granted" } });
    expect(await run("scopePolluted")).toMatchObject({ outcome: "ok", output: '"ScopeError"' });
  });

  it("an uncaught ScopeError fails the call with its message only", async () => {
    answer = () => ({ ok: false, error: { code: "scope", message: "not granted" } });
    expect(await run("scopeUncaught")).toMatchObject({ outcome: "error", error: "ScopeError: not granted" });
  });

  it("a host handler that throws or rejects gives the plugin a HostError, and the host no unhandled rejection", async () => {
    answer = () => {
      throw new Error("database password is hunter2");
    };
    expect(await run("hostFails")).toMatchObject({ outcome: "ok", output: '"HostError:internal:the host failed to answer"' });
    answer = () => Promise.reject(new Error("connection refused"));
    expect(await run("hostFails")).toMatchObject({ outcome: "ok", output: '"HostError:internal:the host failed to answer"' });
    answer = () => ({ ok: "maybe" }) as unknown as BridgeResult;
    expect(await run("hostFails")).toMatchObject({ outcome: "ok", output: '"HostError:internal:the host answer is malformed"' });
    answer = () => ({ ok: true, value: { n: 1n } });
    expect(await run("hostFails")).toMatchObject({ outcome: "ok", output: '"HostError:internal:the host answer is not JSON"' });
  });

  it("a bridge call left pending when the hook returns is harmless", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    answer = async () => {
      await gate;
      return { ok: true, value: null };
    };
    expect(await run("fireAndForget")).toMatchObject({ outcome: "ok", output: '"returned first"' });
    release();
    answer = () => ({ ok: true, value: { fine: true } });
    expect(await run("settings")).toMatchObject({ outcome: "ok", output: '{"fine":true}' });
  });
});

describe("bridge and time", () => {
  it("time spent waiting for the host is not CPU time, and is reported as hostWaitMs", async () => {
    answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return { ok: true, value: null };
    };
    const result = await run("slowHost", {}, { cpuMs: 50, wallMs: 2_000 });
    expect(result).toMatchObject({ outcome: "ok", output: '"after the host"' });
    expect(result.cpuMs).toBeLessThan(50);
    expect(result.hostWaitMs).toBeGreaterThanOrEqual(100);
  });

  it("code that runs after a bridge answer is still under the CPU limit (no runner kill)", async () => {
    answer = () => ({ ok: true, value: null });
    const before = sandbox.stats().runners[0];
    const result = await run("spinAfterAwait", {}, { cpuMs: 50, wallMs: 5_000 });
    expect(result).toMatchObject({ outcome: "timeout", error: "the extension exceeded its CPU time limit" });
    expect(sandbox.stats().runners[0]).toMatchObject({ pid: before.pid, restarts: before.restarts });
  });
});

describe("ctx.log", () => {
  it("keeps log lines, formatted in the isolate, without a bridge call", async () => {
    const result = await run("log", { cart: "c1" });
    expect(result).toMatchObject({ outcome: "ok", logs: ['checking {"cart":"c1"}', "warned"], bridgeCalls: 0 });
    expect(requests).toHaveLength(0);
  });
});

describe("runBatch", () => {
  it("runs several extensions' calls at once and returns the results in order", async () => {
    answer = () => ({ ok: true, value: "s" });
    const other = version(`{ "checkout.discounts": (input) => ({ lines: [{ id: input.line, amount: 100 }] }) }`);
    const third = version(`{ "checkout.discounts": () => { throw new Error("no discount today"); } }`);
    const results = await sandbox.runBatch([
      callOf<Meta>(plugin, "settings", {}, { limits: RELAXED }),
      callOf<Meta>(other, "checkout.discounts", { line: "l1" }, { limits: RELAXED }),
      callOf<Meta>(third, "checkout.discounts", {}, { limits: RELAXED }),
    ]);
    expect(results.map((r) => [r.outcome, r.output ?? r.error])).toEqual([
      ["ok", '"s"'],
      ["ok", '{"lines":[{"id":"l1","amount":100}]}'],
      ["error", "no discount today"],
    ]);
  });

  it("a hook the bundle does not define is an error", async () => {
    expect(await sandbox.run(callOf<Meta>(plugin, "order.paid", {}, { limits: RELAXED }))).toMatchObject({
      outcome: "error",
      error: 'the extension defines no "order.paid" hook',
    });
  });
});
