/**
 * CPU, wall, memory and size limits, in real runner processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallResult, Sandbox } from "./supervisor";
import { RELAXED, callOf, eventually, failOnUnhandledRejection, quietSandbox, version } from "./test-fixtures";

failOnUnhandledRejection();

const plugin = version(`{
  ok: (input) => ({ echo: input }),
  spin: () => { for (;;) {} },
  microtasks: async () => { for (;;) await null; },
  redos: () => /^(a+)+$/.test("a".repeat(40) + "!"),
  // One multiplication of two 10-million-bit numbers: ~0.4 s in a single V8 operation that no interrupt stops.
  bigint: () => { const x = 2n ** 10000000n - 1n; let y = x * x; for (let i = 0; i < 10; i++) y = y * (y - 1n); return String(y % 10n); },
  growArrays: () => { const kept = []; for (;;) kept.push(new Array(1e6).fill(1.5)); },
  hugeOutput: () => "x".repeat(10 * 1024 * 1024),
  sized: (input) => "x".repeat(input.n),
  chatty: (input, ctx) => { for (let i = 0; i < 10; i++) ctx.log("line " + i + " " + "y".repeat(200)); console.log("after"); return 1; },
  neverRuns: async (input, ctx) => { await ctx.settings.get(); return "ran"; },
  neverSettles: () => new Promise(() => {}),
}`);

let sandbox: Sandbox;
let bridgeCalls = 0;

beforeAll(() => {
  ({ sandbox } = quietSandbox({
    runners: 1,
    onBridge: () => {
      bridgeCalls++;
      return { ok: true, value: null };
    },
  }));
});

afterAll(async () => {
  await sandbox.stop();
});

/** Default CPU limit (50 ms) but a wall deadline far away, so only the CPU limit can decide. */
const cpuOnly = { wallMs: 5_000 };

function runner() {
  return sandbox.stats().runners[0];
}

async function warm(): Promise<void> {
  expect(await sandbox.run(callOf(plugin, "ok", { a: 1 }, { limits: RELAXED }))).toMatchObject({ outcome: "ok", output: '{"echo":{"a":1}}' });
}

describe("CPU limit (isolated-vm timeout, 50 ms by default)", () => {
  beforeAll(warm);

  it.each(["spin", "microtasks", "redos"])("%s → timeout at about 50 ms of CPU; the runner keeps serving", async (hook) => {
    const before = runner();
    const result = await sandbox.run(callOf(plugin, hook, {}, { limits: cpuOnly }));
    expect(result.outcome).toBe("timeout");
    expect(result.error).toBe("the extension exceeded its CPU time limit");
    expect(result.cpuMs).toBeGreaterThanOrEqual(45);
    expect(result.cpuMs).toBeLessThan(1_000);
    expect(runner()).toMatchObject({ pid: before.pid, restarts: before.restarts });
    await warm();
  });
});

describe("wall deadline (supervisor watchdog, 150 ms by default)", () => {
  it("a BigInt bomb ignores the CPU limit; the watchdog kills the runner: timeout, restart, next call served", async () => {
    await warm();
    const before = runner();
    const started = Date.now();
    const result = await sandbox.run(callOf(plugin, "bigint"));
    expect(result.outcome).toBe("timeout");
    expect(result.error).toBe("the extension exceeded its wall-clock deadline of 150 ms");
    expect(Date.now() - started).toBeLessThan(1_000);
    await eventually(() => runner().restarts === before.restarts + 1 && runner().pid !== before.pid && runner().pid !== null, 1_000);
    await warm();
  });

  it("a hook whose promise never settles uses no CPU; the watchdog ends it: timeout, restart", async () => {
    await warm();
    const before = runner();
    const result = await sandbox.run(callOf(plugin, "neverSettles"));
    expect(result).toMatchObject({ outcome: "timeout", error: "the extension exceeded its wall-clock deadline of 150 ms" });
    await eventually(() => runner().restarts === before.restarts + 1 && runner().ready);
    await warm();
  });
});

describe("memory limit (32 MB per isolate)", () => {
  it("growing arrays → memory; the version's next call gets a fresh isolate in the same runner", async () => {
    await warm();
    const before = runner();
    const result = await sandbox.run(callOf(plugin, "growArrays", {}, { limits: RELAXED }));
    expect(result).toMatchObject({ outcome: "memory", error: "the extension exceeded its memory limit" });
    await warm();
    expect(runner()).toMatchObject({ pid: before.pid, restarts: before.restarts });
  });
});

describe("size caps", () => {
  it("10 MB of output → invalid_output, stopped in the isolate", async () => {
    const result = await sandbox.run(callOf(plugin, "hugeOutput", {}, { limits: RELAXED }));
    expect(result).toMatchObject({ outcome: "invalid_output", error: "output exceeds 65536 bytes", bytesOut: 0 });
    expect(result.output).toBeUndefined();
  });

  it("the output cap is exact", async () => {
    const limits = { ...RELAXED, outputBytes: 100 };
    // "x" × 98 serializes to 100 bytes with its quotes.
    expect(await sandbox.run(callOf(plugin, "sized", { n: 98 }, { limits }))).toMatchObject({ outcome: "ok", bytesOut: 100 });
    expect(await sandbox.run(callOf(plugin, "sized", { n: 99 }, { limits }))).toMatchObject({
      outcome: "invalid_output",
      error: "output exceeds 100 bytes",
    });
  });

  it("input over 128 KB is refused before it is sent", async () => {
    bridgeCalls = 0;
    const input = { blob: "z".repeat(128 * 1024) };
    const result: CallResult = await sandbox.run(callOf(plugin, "neverRuns", input));
    expect(result).toMatchObject({
      outcome: "rejected",
      error: `input is ${JSON.stringify(input).length} bytes; the limit is 131072`,
      cpuMs: 0,
      wallMs: 0,
      bytesIn: JSON.stringify(input).length,
    });
    expect(bridgeCalls).toBe(0);
    expect(runner().inflight).toBe(0);
  });

  it("input that is not JSON is refused, uncharged", async () => {
    const result = await sandbox.run({ ...callOf(plugin, "ok"), input: "{not json", limits: RELAXED });
    expect(result).toMatchObject({ outcome: "rejected", error: "input is not JSON" });
  });

  it("ctx.log and console.* keep at most 1 KB per call", async () => {
    const result = await sandbox.run(callOf(plugin, "chatty", {}, { limits: RELAXED }));
    expect(result.outcome).toBe("ok");
    const total = result.logs.reduce((n, line) => n + Buffer.byteLength(line), 0);
    expect(total).toBeLessThanOrEqual(1024);
    expect(result.logs[0]).toBe("line 0 " + "y".repeat(200));
    expect(result.logs.length).toBe(5);
  });
});
