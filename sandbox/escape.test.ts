/**
 * Escape attempts, each run in real runner processes. Each test asserts the
 * exact outcome and output.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_METHODS } from "./protocol";
import type { Sandbox } from "./supervisor";
import { RELAXED, callOf, failOnUnhandledRejection, quietSandbox, version } from "./test-fixtures";

failOnUnhandledRejection();

const ECMASCRIPT_GLOBALS = new Set(
  "AggregateError Array ArrayBuffer BigInt BigInt64Array BigUint64Array Boolean DataView Date Error EvalError Float32Array Float64Array Function Infinity Int16Array Int32Array Int8Array Intl JSON Map Math NaN Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol SyntaxError TypeError URIError Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakSet decodeURI decodeURIComponent encodeURI encodeURIComponent escape eval globalThis isFinite isNaN parseFloat parseInt undefined unescape".split(
    " ",
  ),
);

const plugin = version(`{
  globals: () => Object.getOwnPropertyNames(globalThis).sort(),
  hostNames: () => ["process", "require", "module", "exports", "global", "Buffer", "setTimeout", "setInterval",
    "setImmediate", "queueMicrotask", "performance", "fetch", "ivm", "_ivm", "WeakRef", "SharedArrayBuffer", "WebAssembly"]
    .map((name) => name + ":" + typeof globalThis[name]),
  constructorChain: function () { return this.constructor.constructor("return process")(); },
  objectConstructorChain: () => ({}).constructor.constructor("return typeof process + '/' + typeof require")(),
  functionGlobal: () => Function("return this")() === globalThis && typeof Function("return this")().process,
  evalGlobal: () => (0, eval)("typeof process + '/' + typeof require"),
  dynamicImport: async () => {
    try { await import("node:fs"); return "imported"; } catch (e) { return "blocked: " + e.message; }
  },
  protoOutput: () => JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "a": 1}'),
  pollutePrototypes: () => { Object.prototype.polluted = "yes"; Array.prototype.polluted = "yes"; return { a: 1 }; },
  getterOutput: () => { let reads = 0; return { get value() { reads++; return "computed in the isolate " + reads; } }; },
  getterLoop: () => ({ get value() { for (;;) {} } }),
  toJSONOutput: () => ({ toJSON() { return { replaced: true, isolateGlobal: typeof process }; } }),
  symbolOutput: () => Symbol("s"),
  symbolKeys: () => ({ [Symbol("hidden")]: 1, a: Symbol("dropped"), b: 2 }),
  functionOutput: () => () => 1,
  bigintOutput: () => 1n,
  cyclicOutput: () => { const o = {}; o.self = o; return o; },
  thenableOutput: () => ({ then(resolve) { resolve({ resolvedBy: "thenable" }); } }),
  stackFrames: function () {
    Error.prepareStackTrace = (e, frames) => frames.map((f) => [f.getFileName(), f.getFunctionName(), typeof f.getThis(), typeof f.getFunction()]);
    return new Error("x").stack;
  },
  stackMessage: () => {
    Error.prepareStackTrace = () => "at /work/main/app/secret.server.ts:1:1";
    const e = new Error("plugin failure");
    e.stack; // format it with the hostile hook
    throw e;
  },
  throwGetterError: () => { throw { get message() { return "from a getter"; } }; },
  throwNonError: () => { throw 42; },
  callers: function () {
    return {
      inner: (function f() { return f.caller === null ? null : typeof f.caller; })(),
      outer: arguments.callee.caller === null ? null : typeof arguments.callee.caller,
    };
  },
  ctxSurface: (input, ctx) => {
    const walk = (o, path, out) => {
      for (const key of Reflect.ownKeys(o)) {
        const v = o[key];
        const p = path + "." + String(key);
        if (typeof v === "function") out.push(p);
        else if (v && typeof v === "object") walk(v, p, out);
      }
      return out;
    };
    return {
      frozen: Object.isFrozen(ctx) && Object.isFrozen(ctx.storage) && Object.isFrozen(ctx.settings),
      functions: walk(ctx, "ctx", []).sort(),
      replaced: (() => { try { ctx.settings.get = () => "forged"; return "replaced"; } catch (e) { return e.name; } })(),
    };
  },
  forgedBridgeArgs: async (input, ctx) => {
    const results = [];
    for (const attempt of [
      () => ctx.storage.get(123),
      () => ctx.storage.get({ toString() { return "k"; } }),
      () => ctx.customers.get(""),
      () => ctx.orders.get("x".repeat(300)),
      () => ctx.settings.get.call({ method: "payments.refund" }, "payments.refund"),
      () => ctx.storage.set("k", { big: 1n }),
    ]) {
      try { await attempt(); results.push("resolved"); } catch (e) { results.push(e.name); }
    }
    return results;
  },
}`);

let sandbox: Sandbox;
const bridgeMethods: string[] = [];

beforeAll(() => {
  process.env.BAZAAR_SANDBOX_TEST_SECRET = "s3cret-value";
  ({ sandbox } = quietSandbox({
    runners: 1,
    limits: RELAXED,
    onBridge: ({ method }) => {
      bridgeMethods.push(method);
      return { ok: true, value: { method } };
    },
  }));
});

afterAll(async () => {
  delete process.env.BAZAAR_SANDBOX_TEST_SECRET;
  await sandbox.stop();
});

const run = (hook: string, input: unknown = {}) => sandbox.run(callOf(plugin, hook, input));

describe("host globals are unreachable", () => {
  it("the global object holds only ECMAScript built-ins, the plugin and the console shim", async () => {
    const result = await run("globals");
    expect(result.outcome).toBe("ok");
    const extras = (JSON.parse(result.output!) as string[]).filter((name) => !ECMASCRIPT_GLOBALS.has(name));
    expect(extras).toEqual(["__bazaar_plugin", "console"]);
  });

  it("process, require, timers, performance and the ivm module are absent", async () => {
    const result = await run("hostNames");
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.output!)).toEqual([
      "process:undefined",
      "require:undefined",
      "module:undefined",
      "exports:undefined",
      "global:undefined",
      "Buffer:undefined",
      "setTimeout:undefined",
      "setInterval:undefined",
      "setImmediate:undefined",
      "queueMicrotask:undefined",
      "performance:undefined",
      "fetch:undefined",
      "ivm:undefined",
      "_ivm:undefined",
      "WeakRef:undefined",
      "SharedArrayBuffer:undefined",
      "WebAssembly:undefined",
    ]);
  });

  it("this.constructor.constructor('return process')() finds no process", async () => {
    const result = await run("constructorChain");
    expect(result).toMatchObject({ outcome: "error", error: "ReferenceError: process is not defined" });
  });

  it("({}).constructor.constructor, Function and indirect eval reach only the isolate's own global", async () => {
    expect(await run("objectConstructorChain")).toMatchObject({ outcome: "ok", output: '"undefined/undefined"' });
    expect(await run("functionGlobal")).toMatchObject({ outcome: "ok", output: '"undefined"' });
    expect(await run("evalGlobal")).toMatchObject({ outcome: "ok", output: '"undefined/undefined"' });
  });

  it("dynamic import() in the bundle is refused", async () => {
    expect(await run("dynamicImport")).toMatchObject({ outcome: "ok", output: '"blocked: Not supported"' });
  });

  it("the runner process gets no environment from the host: only TZ, its two variables and Node's IPC channel", async () => {
    await run("globals");
    const pid = sandbox.stats().runners[0].pid!;
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
    expect(environ.map((entry) => entry.split("=")[0]).sort()).toEqual([
      "BAZAAR_SANDBOX_CULPRIT_FILE",
      "BAZAAR_SANDBOX_MAX_ISOLATES",
      "NODE_CHANNEL_FD",
      "NODE_CHANNEL_SERIALIZATION_MODE",
      "TZ",
    ]);
    expect(environ.join("\n")).not.toContain("s3cret-value");
  });
});

describe("output is a string built in the isolate", () => {
  it("__proto__ and constructor keys in the output stay plain data on the host", async () => {
    const result = await run("protoOutput");
    expect(result.outcome).toBe("ok");
    expect(typeof result.output).toBe("string");
    const parsed = JSON.parse(result.output!);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(["__proto__", "constructor", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("prototype pollution inside the isolate does not reach the host or the next call", async () => {
    expect(await run("pollutePrototypes")).toMatchObject({ outcome: "ok", output: '{"a":1}' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await run("objectConstructorChain")).toMatchObject({ outcome: "ok" });
    const next = await sandbox.run(callOf(version(`{ probe: () => ({}).polluted === undefined && [].polluted === undefined }`), "probe"));
    expect(next).toMatchObject({ outcome: "ok", output: "true" });
  });

  it("getters on the returned object run in the isolate, once; the host receives text", async () => {
    const result = await run("getterOutput");
    expect(result).toMatchObject({ outcome: "ok", output: '{"value":"computed in the isolate 1"}' });
  });

  it("a getter that never returns is stopped by the CPU limit inside the isolate, not on the host", async () => {
    const before = sandbox.stats().runners[0];
    const result = await sandbox.run(callOf(plugin, "getterLoop", {}, { limits: { cpuMs: 50, wallMs: 5_000 } }));
    expect(result.outcome).toBe("timeout");
    expect(result.error).toBe("the extension exceeded its CPU time limit");
    expect(sandbox.stats().runners[0]).toMatchObject({ pid: before.pid, restarts: before.restarts });
  });

  it("toJSON runs in the isolate", async () => {
    expect(await run("toJSONOutput")).toMatchObject({ outcome: "ok", output: '{"replaced":true,"isolateGlobal":"undefined"}' });
  });

  it("symbols, functions, BigInts and cycles are not JSON: invalid_output or dropped keys", async () => {
    expect(await run("symbolOutput")).toMatchObject({ outcome: "invalid_output", error: "output is not JSON-serializable" });
    expect(await run("symbolKeys")).toMatchObject({ outcome: "ok", output: '{"b":2}' });
    expect(await run("functionOutput")).toMatchObject({ outcome: "invalid_output", error: "output is not JSON-serializable" });
    expect(await run("bigintOutput")).toMatchObject({
      outcome: "invalid_output",
      error: "output is not JSON-serializable: TypeError: Do not know how to serialize a BigInt",
    });
    const cyclic = await run("cyclicOutput");
    expect(cyclic.outcome).toBe("invalid_output");
    expect(cyclic.error).toMatch(/^output is not JSON-serializable: TypeError: Converting circular structure to JSON/);
  });

  it("a thenable result is awaited in the isolate", async () => {
    expect(await run("thenableOutput")).toMatchObject({ outcome: "ok", output: '{"resolvedBy":"thenable"}' });
  });
});

describe("errors and stack tricks", () => {
  it("Error.prepareStackTrace sees only the extension's and the bootstrap's frames, with bootstrap functions hidden", async () => {
    const result = await run("stackFrames");
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.output!)).toEqual([
      ["extension.js", "stackFrames", "object", "function"],
      ["bazaar:bootstrap.js", "runHook", "undefined", "undefined"],
      ["bazaar:bootstrap.js", "entry", "undefined", "undefined"],
    ]);
  });

  it("function.caller stops at the strict bootstrap", async () => {
    expect(await run("callers")).toMatchObject({ outcome: "ok", output: '{"inner":"function","outer":null}' });
  });

  it("a thrown error crosses as its message only, whatever prepareStackTrace returns", async () => {
    const result = await run("stackMessage");
    expect(result).toMatchObject({ outcome: "error", error: "plugin failure" });
    expect(JSON.stringify(result)).not.toContain("/work/");
  });

  it("throwing a getter object or a non-Error gives a message, never host detail", async () => {
    expect(await run("throwGetterError")).toMatchObject({ outcome: "error", error: "from a getter" });
    expect(await run("throwNonError")).toMatchObject({ outcome: "error", error: "a non-Error value was thrown" });
  });
});

describe("the bridge is reachable only through the frozen ctx shim", () => {
  it("ctx is frozen and exposes exactly the documented functions", async () => {
    const result = await run("ctxSurface");
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.output!)).toEqual({
      frozen: true,
      replaced: "replaced", // sloppy-mode assignment to a frozen object is silently ignored…
      functions: [
        "ctx.counters.add",
        "ctx.counters.get",
        "ctx.customers.get",
        "ctx.errors.BazaarError",
        "ctx.errors.BridgeTimeoutError",
        "ctx.errors.HostError",
        "ctx.errors.InvalidArgumentError",
        "ctx.errors.LimitError",
        "ctx.errors.NotFoundError",
        "ctx.errors.ScopeError",
        "ctx.log",
        "ctx.orders.get",
        "ctx.settings.get",
        "ctx.storage.delete",
        "ctx.storage.get",
        "ctx.storage.list",
        "ctx.storage.set",
      ],
    });
  });

  it("forged arguments are refused in the shim; the host only ever sees the fixed methods", async () => {
    bridgeMethods.length = 0;
    const result = await run("forgedBridgeArgs");
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.output!)).toEqual([
      "InvalidArgumentError",
      "InvalidArgumentError",
      "InvalidArgumentError",
      "InvalidArgumentError",
      "resolved", // settings.get ignores its receiver and arguments: still "settings.get"
      "InvalidArgumentError",
    ]);
    expect(bridgeMethods).toEqual(["settings.get"]);
    expect(bridgeMethods.every((m) => (BRIDGE_METHODS as readonly string[]).includes(m))).toBe(true);
  });
});
