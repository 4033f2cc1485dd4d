/**
 * The supervisor's side of cold starts (docs/decisions/0017), against a
 * scripted runner that speaks the wire protocol: loading a version is not
 * counted in the call's wall deadline (it starts at `started`), loading
 * itself is bounded by COLD_LOAD_MS, and a call of a version the runner has
 * loaded runs under its plain deadline. The real runner's side — that it
 * reports `started` after loading, and the reload after a restart — is in
 * crash-recovery.test.ts and the other files.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLD_LOAD_MS, type Sandbox } from "./supervisor";
import { callOf, eventually, failOnUnhandledRejection, quietSandbox, version } from "./test-fixtures";

failOnUnhandledRejection();

/**
 * A runner that loads a version (a `run` carrying `bundle`) in `LOAD_MS`, or
 * never for a bundle containing "never-loads"; reports `started` when asked;
 * answers with the flags it saw, so the test can check the protocol.
 */
const FAKE_RUNNER = `
const LOAD_MS = 300;
const loaded = new Set();
const send = (m) => process.send([m]);
process.on("message", (batch) => {
  for (const m of batch) {
    if (m.type !== "run") continue;
    const c = m.call;
    const answer = () => {
      if (c.reportStart) send({ type: "started", n: c.n });
      send({ type: "result", result: { n: c.n, outcome: "ok", output: JSON.stringify({ bundle: typeof c.bundle === "string", reportStart: !!c.reportStart }), cpuMs: 0, wallMs: 0, logs: [], bridgeCalls: 0 } });
    };
    if (loaded.has(c.versionKey)) answer();
    else if (typeof c.bundle !== "string") send({ type: "need_bundle", n: c.n });
    else if (c.bundle.includes("never-loads")) { /* wedged while loading */ }
    else setTimeout(() => { loaded.add(c.versionKey); answer(); }, LOAD_MS);
  }
});
send({ type: "ready", pid: process.pid });
`;

let dir: string;
let sandbox: Sandbox;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bazaar-fake-runner-"));
  const entry = path.join(dir, "fake-runner.cjs");
  writeFileSync(entry, FAKE_RUNNER);
  ({ sandbox } = quietSandbox({ runners: 1, runnerEntry: entry, runnerExecArgv: [], onBridge: () => ({ ok: true, value: null }) }));
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a version's first call in a runner", () => {
  it("is not charged for loading: a 300 ms load under a 150 ms wall deadline succeeds, and the next call is warm", async () => {
    await eventually(() => sandbox.stats().runners[0].ready);
    const v = version(`{ x: () => 1 }`);
    const limits = { cpuMs: 50, wallMs: 150 };
    const first = await sandbox.run(callOf(v, "x", {}, { limits }));
    expect(first).toMatchObject({ outcome: "ok", output: JSON.stringify({ bundle: true, reportStart: true }) });
    // the deadline restarted at `started`: the reported wall time is the call's, not the load's
    expect(first.wallMs).toBeLessThan(300);
    const second = await sandbox.run(callOf(v, "x", {}, { limits }));
    expect(second).toMatchObject({ outcome: "ok", output: JSON.stringify({ bundle: false, reportStart: false }) });
    expect(sandbox.stats().runners[0].versions).toContain(v.versionKey);
  });

  it("gets at most COLD_LOAD_MS to load: a runner that never reports started is killed", async () => {
    await eventually(() => sandbox.stats().runners[0].ready);
    const v = version(`{ x: () => 1 }`, "// never-loads");
    const at = Date.now();
    const result = await sandbox.run(callOf(v, "x", {}, { limits: { cpuMs: 50, wallMs: 150 } }));
    expect(result).toMatchObject({ outcome: "timeout", error: "the extension exceeded its wall-clock deadline of 150 ms" });
    expect(Date.now() - at).toBeGreaterThanOrEqual(COLD_LOAD_MS);
    await eventually(() => sandbox.stats().runners[0].ready && sandbox.stats().runners[0].restarts === 1);
    // the version that wedged the runner is not sent to its successor ahead of a call
    expect(sandbox.stats().runners[0].versions).not.toContain(v.versionKey);
  });
});
