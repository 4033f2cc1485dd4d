/**
 * Determinism (clock and PRNG per call) and per-call isolation (fresh context),
 * in a real runner process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./supervisor";
import { RELAXED, callOf, failOnUnhandledRejection, quietSandbox, version } from "./test-fixtures";

failOnUnhandledRejection();

const plugin = version(
  `{
  clock: () => ({
    now: Date.now(),
    iso: new Date().toISOString(),
    called: Date(),
    explicit: new Date(2020, 0, 1).getTime(),
    parsed: Date.parse("2024-02-29T00:00:00Z"),
    intl: new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "short", timeZone: "UTC" }).format(),
    parts: new Intl.DateTimeFormat("en-GB", { year: "numeric", timeZone: "UTC" }).formatToParts().map((p) => p.value).join(""),
    instance: new Date() instanceof Date,
    subclass: new (class extends Date {})().getTime(),
    timezone: new Date(0).getTimezoneOffset(),
  }),
  random: () => [Math.random(), Math.random(), Math.random()],
  loadTime: () => ({ loadedAt, loadRandom }),
  leave: (input) => {
    globalThis.leak = input.secret;
    Object.prototype.leakedViaPrototype = input.secret;
    Array.prototype.push = () => "hijacked";
    JSON.stringify = () => "hijacked";
    moduleScoped.push(input.secret);
    return "left";
  },
  look: () => ({
    leak: typeof globalThis.leak,
    viaPrototype: ({}).leakedViaPrototype === undefined,
    push: [].push(1),
    stringify: JSON.stringify({ a: 1 }),
    moduleScoped: moduleScoped.length,
  }),
}`,
  `const moduleScoped = []; const loadedAt = Date.now(); const loadRandom = Math.random();`,
);

let sandbox: Sandbox;

beforeAll(() => {
  ({ sandbox } = quietSandbox({ runners: 1, limits: RELAXED, onBridge: () => ({ ok: true, value: null }) }));
});

afterAll(async () => {
  await sandbox.stop();
});

const timestamp = Date.UTC(2026, 0, 15, 12, 34, 56, 789);

describe("determinism", () => {
  it("Date.now(), new Date(), Date() and Intl formatting read the call's timestamp", async () => {
    const result = await sandbox.run(callOf(plugin, "clock", {}, { timestamp }));
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.output!)).toEqual({
      now: timestamp,
      iso: "2026-01-15T12:34:56.789Z",
      called: "Thu Jan 15 2026 12:34:56 GMT+0000 (Coordinated Universal Time)",
      explicit: Date.UTC(2020, 0, 1),
      parsed: Date.UTC(2024, 1, 29),
      intl: "15/01/2026, 12:34",
      parts: "2026",
      instance: true,
      subclass: timestamp,
      timezone: 0,
    });
  });

  it("Math.random is the same sequence for the same seed and a different one for another seed", async () => {
    const first = await sandbox.run(callOf(plugin, "random", { cart: 1 }, { seed: "hash-of-input-A" }));
    const again = await sandbox.run(callOf(plugin, "random", { cart: 1 }, { seed: "hash-of-input-A" }));
    const other = await sandbox.run(callOf(plugin, "random", { cart: 1 }, { seed: "hash-of-input-B" }));
    expect(first.outcome).toBe("ok");
    expect(again.output).toBe(first.output);
    expect(other.outcome).toBe("ok");
    expect(other.output).not.toBe(first.output);
    const values = JSON.parse(first.output!) as number[];
    expect(new Set(values).size).toBe(3);
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
  });

  it("the same input, timestamp and seed give byte-identical output", async () => {
    const a = await sandbox.run(callOf(plugin, "clock", { x: 1 }, { timestamp, seed: 7 }));
    const b = await sandbox.run(callOf(plugin, "clock", { x: 1 }, { timestamp, seed: 7 }));
    expect(a.outcome).toBe("ok");
    expect(b.output).toBe(a.output);
    const later = await sandbox.run(callOf(plugin, "clock", { x: 1 }, { timestamp: timestamp + 1000, seed: 7 }));
    expect(later.output).not.toBe(a.output);
  });

  it("top-level bundle code runs at timestamp 0 with the zero seed, whatever the call", async () => {
    const a = await sandbox.run(callOf(plugin, "loadTime", {}, { timestamp, seed: "one" }));
    const b = await sandbox.run(callOf(plugin, "loadTime", {}, { timestamp: timestamp + 5, seed: "two" }));
    expect(a.outcome).toBe("ok");
    expect(JSON.parse(a.output!).loadedAt).toBe(0);
    expect(b.output).toBe(a.output);
  });
});

describe("isolation between calls", () => {
  it("globals, prototypes, built-ins and module-scope state left by call 1 are not visible to call 2 (same version, same runner)", async () => {
    const pid = sandbox.stats().runners[0].pid;
    const left = await sandbox.run(callOf(plugin, "leave", { secret: "customer-42-card-ending-4242" }));
    expect(left).toMatchObject({ outcome: "ok", output: '"left"' });
    const seen = await sandbox.run(callOf(plugin, "look"));
    expect(seen.outcome).toBe("ok");
    expect(JSON.parse(seen.output!)).toEqual({
      leak: "undefined",
      viaPrototype: true,
      push: 1,
      stringify: '{"a":1}',
      moduleScoped: 0,
    });
    expect(sandbox.stats().runners[0]).toMatchObject({ pid, restarts: 0 });
  });

  it("isolation holds when the calls run concurrently", async () => {
    const results = await Promise.all([
      sandbox.run(callOf(plugin, "leave", { secret: "a" })),
      sandbox.run(callOf(plugin, "look")),
      sandbox.run(callOf(plugin, "leave", { secret: "b" })),
      sandbox.run(callOf(plugin, "look")),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(JSON.parse(results[1].output!).leak).toBe("undefined");
    expect(JSON.parse(results[3].output!).moduleScoped).toBe(0);
  });
});
