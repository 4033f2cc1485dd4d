/**
 * Runner crashes and watchdog kills, with two real runner processes: the
 * culprit is charged, the other in-flight calls of the dead runner are retried
 * once on a fresh runner, uncharged, and the other runner keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeRequest, CallOutcome, CallResult, Sandbox, SandboxCall } from "./supervisor";
import { RELAXED, callOf, eventually, failOnUnhandledRejection, quietSandbox, versionOnRunner, type Version } from "./test-fixtures";

failOnUnhandledRejection();

interface Fault {
  versionKey: string;
  callId: string | undefined;
  outcome: CallOutcome;
}

let sandbox: Sandbox;
let stderr: string[];
const faults: Fault[] = [];
/** The host's answer to the slow extension's bridge call; held open to keep that call in flight. */
let holdSlowAnswer: Promise<void> = Promise.resolve();
const slowRequests: BridgeRequest[] = [];

let bomb: Version;
let bigint: Version;
let slow: Version;
let elsewhere: Version;

beforeAll(() => {
  ({ sandbox, stderr } = quietSandbox({
    runners: 2,
    onBridge: async (request) => {
      if (request.call.versionKey === slow.versionKey) {
        slowRequests.push(request);
        await holdSlowAnswer;
        return { ok: true, value: "slow but legitimate" };
      }
      return { ok: true, value: null };
    },
    onFault: (versionKey, call, outcome) => faults.push({ versionKey, callId: call?.id, outcome }),
  }));
  bomb = versionOnRunner(sandbox, 0, `{
    ping: () => "pong",
    // A million properties at 32 MB: V8's fatal out-of-memory, not a catchable memory-limit kill.
    explode: () => { const o = {}; for (let i = 0; i < 1e6; i++) o["k" + i] = i; return Object.keys(o).length; },
  }`);
  bigint = versionOnRunner(sandbox, 0, `{
    ping: () => "pong",
    multiply: () => { const x = 2n ** 10000000n - 1n; let y = x * x; for (let i = 0; i < 10; i++) y = y * (y - 1n); return String(y % 10n); },
  }`);
  slow = versionOnRunner(sandbox, 0, `{
    ping: () => "pong",
    legit: async (input, ctx) => ({ answer: await ctx.settings.get(), input }),
  }`);
  elsewhere = versionOnRunner(sandbox, 1, `{ work: (input) => ({ doubled: input.n * 2 }) }`);
});

afterAll(async () => {
  await sandbox.stop();
});

const runnerStats = (index: number) => sandbox.stats().runners[index];

async function warmAll(): Promise<void> {
  // Until both runners are up, the router sends every version to the one that is.
  await eventually(() => runnerStats(0).ready && runnerStats(1).ready);
  const results = await sandbox.runBatch([
    callOf(bomb, "ping", {}, { limits: RELAXED }),
    callOf(bigint, "ping", {}, { limits: RELAXED }),
    callOf(slow, "ping", {}, { limits: RELAXED }),
    callOf(elsewhere, "work", { n: 1 }, { limits: RELAXED }),
  ]);
  expect(results.map((r) => r.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
}

/** Keeps calling the other runner until `done` settles; returns every result. */
async function keepServing(done: Promise<unknown>): Promise<CallResult[]> {
  const results: CallResult[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  let n = 0;
  while (!finished) {
    results.push(await sandbox.run(callOf(elsewhere, "work", { n: ++n }, { limits: RELAXED })));
  }
  return results;
}

/** Starts the slow call on runner 0 and resolves once its bridge request is waiting on the host. */
async function startSlowCall(): Promise<{ call: SandboxCall; result: Promise<CallResult>; release: () => void }> {
  let release!: () => void;
  holdSlowAnswer = new Promise<void>((resolve) => (release = resolve));
  slowRequests.length = 0;
  const call = callOf(slow, "legit", { order: "o_1" }, { limits: { cpuMs: 2_000, wallMs: 20_000 } });
  const result = sandbox.run(call);
  await eventually(() => slowRequests.length === 1);
  return { call, result, release };
}

describe("a catastrophic error in one isolate", () => {
  it("aborts its runner: the culprit gets 'crash' and is charged, the other version's in-flight call is retried and succeeds, the other runner serves throughout", async () => {
    await warmAll();
    const before = [runnerStats(0), runnerStats(1)];
    faults.length = 0;

    const slowCall = await startSlowCall();
    const crashCall = callOf(bomb, "explode", {}, { limits: { cpuMs: 10_000, wallMs: 20_000 } });
    const crashed = sandbox.run(crashCall);
    // The retried slow call must find its answer on the fresh runner.
    void crashed.then(() => slowCall.release());
    // The new runner process must be started within a second of the crash.
    const restarted = crashed.then(async () => {
      const at = Date.now();
      await eventually(() => runnerStats(0).pid !== null && runnerStats(0).pid !== before[0].pid, 1_000);
      return Date.now() - at;
    });
    const served = await keepServing(crashed);

    const result = await crashed;
    expect(result.outcome).toBe("crash");
    expect(result.error).toMatch(/^the extension crashed its runner \(.*out-of-memory.*\)$/i);
    expect(result.retried).toBe(false);
    expect(faults).toEqual([{ versionKey: bomb.versionKey, callId: crashCall.id, outcome: "crash" }]);

    const slowResult = await slowCall.result;
    expect(slowResult).toMatchObject({
      outcome: "ok",
      output: '{"answer":"slow but legitimate","input":{"order":"o_1"}}',
      retried: true,
    });
    expect(slowRequests).toHaveLength(2); // the first attempt died with its runner; the retry asked again

    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((r) => r.outcome !== "ok" || r.retried)).toEqual([]);
    expect(runnerStats(1)).toMatchObject({ pid: before[1].pid, restarts: 0 });

    // The crashed runner was started again (at once) and serves its versions.
    expect(await restarted).toBeLessThan(1_000);
    expect(runnerStats(0).restarts).toBe(before[0].restarts + 1);
    await eventually(() => runnerStats(0).ready);
    expect(runnerStats(0).pid).not.toBe(before[0].pid);
    // The new process was sent the dead one's other versions ahead of their calls; not the culprit's.
    expect(runnerStats(0).versions).toEqual(expect.arrayContaining([bigint.versionKey, slow.versionKey]));
    expect(runnerStats(0).versions).not.toContain(bomb.versionKey);
    expect(await sandbox.run(callOf(bigint, "ping", {}, { limits: RELAXED }))).toMatchObject({ outcome: "ok", output: '"pong"' });
    expect(await sandbox.run(callOf(bomb, "ping", {}, { limits: RELAXED }))).toMatchObject({ outcome: "ok", output: '"pong"' });
    expect(faults).toHaveLength(1);
    // V8's fatal report reaches the supervisor through the runner's stderr.
    expect(stderr.join("")).toContain("Last few GCs");
  });
});

describe("the wall watchdog", () => {
  it("kills a wedged runner: the culprit gets 'timeout' and is charged, the innocent in-flight call is retried", async () => {
    await eventually(() => runnerStats(0).ready);
    await warmAll();
    faults.length = 0;
    const before = runnerStats(0);

    const slowCall = await startSlowCall();
    const bombCall = callOf(bigint, "multiply");
    const timedOut = sandbox.run(bombCall);
    void timedOut.then(() => slowCall.release());

    const result = await timedOut;
    expect(result).toMatchObject({ outcome: "timeout", error: "the extension exceeded its wall-clock deadline of 150 ms", retried: false });
    expect(faults).toEqual([{ versionKey: bigint.versionKey, callId: bombCall.id, outcome: "timeout" }]);

    const slowResult = await slowCall.result;
    expect(slowResult).toMatchObject({ outcome: "ok", retried: true });
    await eventually(() => runnerStats(0).ready && runnerStats(0).restarts === before.restarts + 1);
    // the version that wedged the runner is not loaded into the new process ahead of a call
    expect(runnerStats(0).versions).not.toContain(bigint.versionKey);
    expect(runnerStats(0).versions).toEqual(expect.arrayContaining([bomb.versionKey]));
  });
});
