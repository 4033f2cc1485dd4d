/**
 * Bundles that fail to load, isolate eviction, routing, malformed calls, and
 * the sandbox's own lifecycle, in real runner processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./supervisor";
import { RELAXED, callOf, failOnUnhandledRejection, quietSandbox, version } from "./test-fixtures";

failOnUnhandledRejection();

let sandbox: Sandbox;

beforeAll(() => {
  ({ sandbox } = quietSandbox({ runners: 2, maxIsolatesPerRunner: 2, limits: RELAXED, onBridge: () => ({ ok: true, value: null }) }));
});

afterAll(async () => {
  await sandbox.stop();
});

describe("bundles that do not load", () => {
  it("a syntax error is an error outcome, every time", async () => {
    const broken = { bundle: "globalThis.__bazaar_plugin = { hooks: { x: () => { ", versionKey: "sha256:broken" };
    for (let i = 0; i < 2; i++) {
      const result = await sandbox.run(callOf(broken, "x"));
      expect(result.outcome).toBe("error");
      expect(result.error).toMatch(/^the extension failed to compile: Unexpected end of input \[extension\.js:\d+:\d+\]$/);
    }
  });

  it("a throw in top-level code is an error outcome", async () => {
    const throwing = version(`{ x: () => 1 }`, `throw new Error("missing config");`);
    expect(await sandbox.run(callOf(throwing, "x"))).toMatchObject({ outcome: "error", error: "the extension failed to load: missing config" });
  });

  it("an endless loop in top-level code is a timeout", async () => {
    const looping = version(`{ x: () => 1 }`, `for (;;) {}`);
    expect(await sandbox.run(callOf(looping, "x", {}, { limits: { cpuMs: 50, wallMs: 5_000 } }))).toMatchObject({ outcome: "timeout" });
  });

  it("a bundle that does not set __bazaar_plugin defines no hooks", async () => {
    const empty = version(`{}`, ``);
    const bare = { bundle: "const hooks = {};", versionKey: "sha256:bare" };
    expect(await sandbox.run(callOf(empty, "x"))).toMatchObject({ outcome: "error", error: 'the extension defines no "x" hook' });
    expect(await sandbox.run(callOf(bare, "x"))).toMatchObject({ outcome: "error", error: 'the extension defines no "x" hook' });
  });

  it("inherited names are not hooks", async () => {
    const v = version(`{ x: () => 1 }`);
    expect(await sandbox.run(callOf(v, "constructor"))).toMatchObject({ outcome: "error", error: 'the extension defines no "constructor" hook' });
  });
});

describe("warm isolates and routing", () => {
  it("more versions than isolates per runner: the least recently used idle isolate is evicted and rebuilt on demand", async () => {
    const versions = Array.from({ length: 6 }, (_, i) => version(`{ id: () => ${i} }`));
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(versions.map((v) => sandbox.run(callOf(v, "id"))));
      expect(results.map((r) => r.output)).toEqual(["0", "1", "2", "3", "4", "5"]);
    }
  });

  it("a version is routed to its preferred runner while it is not overloaded", async () => {
    const v = version(`{ id: () => "routed" }`);
    const preferred = sandbox.preferredRunner(v.versionKey);
    for (let i = 0; i < 3; i++) expect(await sandbox.run(callOf(v, "id"))).toMatchObject({ outcome: "ok" });
    expect(sandbox.preferredRunner(v.versionKey)).toBe(preferred);
    const keys = Array.from({ length: 40 }, (_, i) => version(`{ id: () => ${i} }`, `// ${i}`).versionKey);
    const spread = new Set(keys.map((key) => sandbox.preferredRunner(key)));
    expect(spread).toEqual(new Set([0, 1]));
  });

  it("many concurrent calls of one version spill to the other runner and all succeed", async () => {
    const v = version(`{ square: (input) => input.n * input.n }`);
    const results = await Promise.all(Array.from({ length: 24 }, (_, n) => sandbox.run(callOf(v, "square", { n }))));
    expect(results.map((r) => r.output)).toEqual(Array.from({ length: 24 }, (_, n) => String(n * n)));
  });
});

describe("malformed calls are rejected, never thrown", () => {
  it("missing or mistyped fields resolve 'rejected'", async () => {
    const v = version(`{ x: () => 1 }`);
    const good = callOf(v, "x");
    expect(await sandbox.run({ ...good, input: undefined as unknown as string })).toMatchObject({ outcome: "rejected", error: "input must be JSON text" });
    expect(await sandbox.run({ ...good, timestamp: Number.NaN })).toMatchObject({ outcome: "rejected", error: "timestamp must be a finite number" });
    expect(await sandbox.run(null as never)).toMatchObject({ outcome: "rejected", error: "the call must be an object" });
  });
});

describe("lifecycle", () => {
  it("a runner that cannot start does not hang calls: they resolve 'rejected'", async () => {
    const { sandbox: broken } = quietSandbox({
      runners: 1,
      runnerEntry: "/nonexistent/runner.js",
      runnerExecArgv: [],
      startTimeoutMs: 300,
      onBridge: () => ({ ok: true, value: null }),
    });
    const result = await broken.run(callOf(version(`{ x: () => 1 }`), "x"));
    expect(result).toMatchObject({ outcome: "rejected", error: "no sandbox runner is available" });
    await broken.stop();
  });

  it("after stop(), calls resolve 'rejected' and the runners are gone", async () => {
    const { sandbox: short } = quietSandbox({ runners: 1, limits: RELAXED, onBridge: () => ({ ok: true, value: null }) });
    const v = version(`{ x: () => 1 }`);
    expect(await short.run(callOf(v, "x"))).toMatchObject({ outcome: "ok" });
    const pid = short.stats().runners[0].pid!;
    await short.stop();
    expect(await short.run(callOf(v, "x"))).toMatchObject({ outcome: "rejected", error: "the sandbox is stopped" });
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
