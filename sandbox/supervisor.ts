/**
 * The sandbox supervisor: starts runner processes (sandbox/runner.ts), routes
 * calls to them, serves their bridge calls through the host's `onBridge`,
 * enforces the wall deadline with a watchdog (SIGKILL), and restarts runners
 * that die, retrying the innocent in-flight calls once.
 *
 * It knows nothing of the app: the host (app/extensions) passes bundles,
 * inputs and limits in, and answers bridge calls.
 *
 * @example
 * const sandbox = createSandbox({
 *   onBridge: async ({ call, method, args }) => ({ ok: false, error: { code: "scope", message: "not granted" } }),
 * });
 * const result = await sandbox.run({
 *   id: "call_1", versionKey: versionKeyOf(bundle), bundle, hook: "checkout.discounts",
 *   input: JSON.stringify(quote), timestamp: Date.now(), seed: quoteHash,
 * });
 * if (result.outcome === "ok") use(JSON.parse(result.output!));
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  BRIDGE_METHOD_SET,
  DEFAULT_LIMITS,
  MAX_BRIDGE_PAYLOAD_BYTES,
  RUNNER_ENV,
  resolveLimits,
  utf8Length,
  type BridgeMethod,
  type BridgeResult,
  type CallLimits,
  type CallOutcome,
  type CallResult,
  type CulpritRecord,
  type FromRunner,
  type ToRunner,
  type WireCall,
  type WireResult,
} from "./protocol";

export type { BridgeMethod, BridgeResult, CallLimits, CallOutcome, CallResult } from "./protocol";
export { DEFAULT_LIMITS, versionKeyOf } from "./protocol";

/** One hook invocation. */
export interface SandboxCall<Meta = unknown> {
  /** The host's id for this invocation (logs, audit, culprit reports). */
  id: string;
  /** Content hash of the bundle (see `versionKeyOf`); a different bundle must have a different key. */
  versionKey: string;
  /** The bundle source; sent to a runner only when that runner lacks the version. */
  bundle: string;
  /** Hook name, e.g. "checkout.discounts". */
  hook: string;
  /** The hook's input as JSON text (at most `limits.inputBytes`). */
  input: string;
  /** What `Date.now()` / `new Date()` return inside the call (ms since the epoch). */
  timestamp: number;
  /** Seeds `Math.random` (e.g. a hash of the input): same input + seed → same output. */
  seed: string | number;
  /** Per-call overrides of the sandbox's limits. */
  limits?: Partial<CallLimits>;
  /** Host data handed back in `onBridge` / `onFault`; never sent to a runner. */
  meta?: Meta;
}

export interface BridgeRequest<Meta = unknown> {
  call: SandboxCall<Meta>;
  method: BridgeMethod;
  /** The shim's arguments, parsed from JSON (plain data, no prototypes but Object/Array). */
  args: unknown[];
}

export interface SandboxOptions<Meta = unknown> {
  /** Runner processes (default: one per CPU). */
  runners?: number;
  /** Warm isolates kept per runner before the least recently used idle one is disposed (default 32). */
  maxIsolatesPerRunner?: number;
  /** Defaults for every call's limits (per-call `limits` override these). */
  limits?: Partial<CallLimits>;
  /**
   * Serves a bridge call. Must check scopes and subject itself: the sandbox only
   * guarantees the method name, the call it belongs to, JSON arguments, and the
   * per-call count. A throw or rejection becomes `{ ok: false, code: "internal" }`.
   */
  onBridge(request: BridgeRequest<Meta>): Promise<BridgeResult> | BridgeResult;
  /**
   * A runner died because of a call: `crash` (catastrophic error, abort) or
   * `timeout` (the wall watchdog killed it). `call` is undefined when the runner
   * crashed while loading the version outside any call. Innocent calls retried
   * after the crash are never reported. The call's own result carries the same
   * outcome; use this for alerting and quarantine across shops.
   */
  onFault?(versionKey: string, call: SandboxCall<Meta> | undefined, outcome: CallOutcome, detail: string): void;
  /** Runner stderr (V8 fatal-error reports land here). Default: process.stderr with a prefix. */
  onRunnerStderr?(runner: number, text: string): void;
  /** Runner entry file and node flags (default: sandbox/runner.ts through tsx). */
  runnerEntry?: string;
  runnerExecArgv?: string[];
  /**
   * A runner that is not ready within this time is killed and started again, and
   * a call that finds no runner ready within it resolves "rejected" (default 10 s).
   */
  startTimeoutMs?: number;
}

export interface RunnerStats {
  index: number;
  pid: number | null;
  ready: boolean;
  inflight: number;
  /** How many times this runner slot was started again after its process died. */
  restarts: number;
  /** Version keys this runner process was sent (calls or reloads after a restart), least recently used first. */
  versions: string[];
}

export interface Sandbox<Meta = unknown> {
  /** Runs one call. Never rejects: every failure is an outcome. */
  run(call: SandboxCall<Meta>): Promise<CallResult>;
  /** Runs several calls at once; calls routed to the same runner share one IPC message each way. */
  runBatch(calls: SandboxCall<Meta>[]): Promise<CallResult[]>;
  /** Waits up to `graceMs` (default 2 s) for in-flight calls, then kills the runners. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** The runner a version is routed to while that runner is up and not overloaded. */
  preferredRunner(versionKey: string): number;
  /**
   * Loads a version into its preferred runner ahead of its calls (compile,
   * isolate, spare context), e.g. the versions a host expects to call soon.
   * Nothing is reported; a bundle that fails to load fails its first call as usual.
   */
  load(version: { versionKey: string; bundle: string; memoryMb?: number }): void;
  stats(): { runners: RunnerStats[]; waiting: number };
}

/**
 * Spill-over: a version's calls go to its preferred runner until that runner has
 * this many calls of the version in flight (they run one at a time per isolate),
 * or this many calls in all; then to the next runner in the version's order.
 */
const SPILL_SAME_VERSION = 4;
const SPILL_TOTAL = 64;
const RESTART_BACKOFF_MAX_MS = 1_000;
/**
 * A call whose version the runner must first load (bundle sent, compiled,
 * isolate created) gets this long to report `started`; its own wall deadline
 * then counts from that message. Loading is our work, not the extension's,
 * and on a loaded machine it can take far more than a call's 150 ms: counting
 * it made cold starts overrun, killed the runner, and cooled every version
 * again (docs/decisions/0017). A BigInt bomb in a bundle's top level is still
 * bounded: by this budget.
 */
export const COLD_LOAD_MS = 2_000;
/** Versions re-sent (`load`) to a runner that restarted, most recently used first. */
const RELOAD_ON_RESTART = 16;

interface Pending<Meta> {
  n: number;
  call: SandboxCall<Meta>;
  limits: CallLimits;
  isolateKey: string;
  bytesIn: number;
  resolve(result: CallResult): void;
  settled: boolean;
  runner: RunnerSlot<Meta> | null;
  retried: boolean;
  timer: NodeJS.Timeout | null;
  startedAt: number;
  awaitingStart: boolean;
  bridgeCalls: number;
  bridgeOutstanding: number;
  hostWaitSince: number;
  hostWaitMs: number;
}

interface RunnerSlot<Meta> {
  index: number;
  child: ChildProcess | null;
  pid: number | null;
  ready: boolean;
  inflight: Map<number, Pending<Meta>>;
  /** Versions this runner has been sent (LRU, bounded like the runner's own source cache), with what reloading one needs. */
  versions: Map<string, { bundle: string; memoryMb: number }>;
  /** Versions to load into the next process of this slot (the warm ones of the process that died, minus culprits). */
  reload: { versionKey: string; bundle: string; memoryMb: number }[];
  /** In-flight calls per isolate key (version + memory limit). */
  perIsolate: Map<string, number>;
  outbox: ToRunner[];
  flushQueued: boolean;
  culpritFile: string;
  restarts: number;
  startedAt: number;
  earlyExits: number;
  startTimer: NodeJS.Timeout | null;
  restartTimer: NodeJS.Timeout | null;
  /** Wire ids the watchdog killed this runner for (already settled as "timeout"). */
  watchdogCulprits: Set<number>;
  /** Versions whose calls the watchdog killed this process for (not reloaded after the restart). */
  watchdogVersions: Set<string>;
}

export function createSandbox<Meta = unknown>(options: SandboxOptions<Meta>): Sandbox<Meta> {
  const supervisor = new Supervisor<Meta>(options);
  return {
    run: (call) => supervisor.run(call),
    runBatch: (calls) => Promise.all(calls.map((call) => supervisor.run(call))),
    stop: (stopOptions) => supervisor.stop(stopOptions?.graceMs ?? 2_000),
    preferredRunner: (versionKey) => supervisor.preferredRunner(versionKey),
    load: (version) => supervisor.load(version),
    stats: () => supervisor.stats(),
  };
}

class Supervisor<Meta> {
  private readonly options: SandboxOptions<Meta>;
  private readonly defaults: CallLimits;
  private readonly runners: RunnerSlot<Meta>[] = [];
  private readonly waiting: Pending<Meta>[] = [];
  private readonly tmpDir: string;
  private readonly entry: string;
  private readonly execArgv: string[];
  private readonly maxIsolates: number;
  private readonly maxVersionsTracked: number;
  private readonly startTimeoutMs: number;
  private nextN = 1;
  private stopped = false;
  private drained: (() => void) | null = null;

  constructor(options: SandboxOptions<Meta>) {
    if (typeof options?.onBridge !== "function") throw new TypeError("createSandbox: onBridge is required");
    this.options = options;
    this.defaults = resolveLimits(DEFAULT_LIMITS, options.limits);
    this.maxIsolates = Math.max(1, Math.floor(options.maxIsolatesPerRunner ?? 32));
    this.startTimeoutMs = Math.max(100, options.startTimeoutMs ?? 10_000);
    this.maxVersionsTracked = Math.max(16, this.maxIsolates * 4);
    this.entry = options.runnerEntry ?? fileURLToPath(new URL("./runner.ts", import.meta.url));
    this.execArgv = options.runnerExecArgv ?? [
      "--no-node-snapshot",
      "--import",
      pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
    ];
    this.tmpDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-sandbox-"));
    const count = Math.max(1, Math.floor(options.runners ?? os.cpus().length));
    for (let index = 0; index < count; index++) {
      const slot: RunnerSlot<Meta> = {
        index,
        child: null,
        pid: null,
        ready: false,
        inflight: new Map(),
        versions: new Map(),
        reload: [],
        perIsolate: new Map(),
        outbox: [],
        flushQueued: false,
        culpritFile: path.join(this.tmpDir, `runner-${index}.culprit`),
        restarts: 0,
        startedAt: 0,
        earlyExits: 0,
        startTimer: null,
        restartTimer: null,
        watchdogCulprits: new Set(),
        watchdogVersions: new Set(),
      };
      this.runners.push(slot);
      this.spawn(slot);
    }
  }

  // ---- Calls ----------------------------------------------------------------

  run(call: SandboxCall<Meta>): Promise<CallResult> {
    return new Promise<CallResult>((resolve) => {
      const problem = invalidCall(call);
      if (problem) {
        resolve(rejected(typeof call?.id === "string" ? call.id : "", problem, 0));
        return;
      }
      const limits = resolveLimits(this.defaults, call.limits);
      const bytesIn = utf8Length(call.input);
      if (this.stopped) {
        resolve(rejected(call.id, "the sandbox is stopped", bytesIn));
        return;
      }
      if (bytesIn > limits.inputBytes) {
        resolve(rejected(call.id, `input is ${bytesIn} bytes; the limit is ${limits.inputBytes}`, bytesIn));
        return;
      }
      const pending: Pending<Meta> = {
        n: this.nextN++,
        call,
        limits,
        isolateKey: `${call.versionKey}\u0000${limits.memoryMb}`,
        bytesIn,
        resolve,
        settled: false,
        runner: null,
        retried: false,
        timer: null,
        startedAt: 0,
        awaitingStart: false,
        bridgeCalls: 0,
        bridgeOutstanding: 0,
        hostWaitSince: 0,
        hostWaitMs: 0,
      };
      this.dispatch(pending);
    });
  }

  private dispatch(p: Pending<Meta>): void {
    const runner = this.pick(p.call.versionKey, p.isolateKey);
    if (!runner) {
      // Every runner is (re)starting. Wait, but not forever: a runner that cannot
      // start (broken install) must not hang the host's calls.
      this.waiting.push(p);
      if (p.timer) clearTimeout(p.timer);
      p.timer = setTimeout(() => {
        p.timer = null;
        const at = this.waiting.indexOf(p);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        this.finish(p, { ...this.emptyResult(p), outcome: "rejected", error: "no sandbox runner is available" });
      }, this.startTimeoutMs);
      return;
    }
    const ahead = runner.perIsolate.get(p.isolateKey) ?? 0;
    let aheadWallMs = 0;
    if (ahead > 0) {
      for (const other of runner.inflight.values()) {
        if (!other.settled && other.isolateKey === p.isolateKey) aheadWallMs += other.limits.wallMs;
      }
    }
    runner.inflight.set(p.n, p);
    runner.perIsolate.set(p.isolateKey, ahead + 1);
    p.runner = runner;
    p.startedAt = performance.now();
    const cold = !runner.versions.has(p.call.versionKey);
    // Queued behind a call of the same isolate, or waiting for the runner to load
    // the version: the runner reports when this one starts; until then the deadline
    // is the sum of the deadlines ahead of it (plus the loading budget).
    p.awaitingStart = ahead > 0 || cold;
    this.arm(p, p.limits.wallMs + aheadWallMs + (cold ? COLD_LOAD_MS : 0));
    this.sendCall(runner, p, cold);
  }

  private sendCall(runner: RunnerSlot<Meta>, p: Pending<Meta>, includeBundle: boolean): void {
    this.remember(runner, p.call.versionKey, p.call.bundle, p.limits.memoryMb);
    const wire: WireCall = {
      n: p.n,
      versionKey: p.call.versionKey,
      hook: p.call.hook,
      input: p.call.input,
      timestamp: p.call.timestamp,
      seed: String(p.call.seed),
      limits: p.limits,
    };
    if (includeBundle) wire.bundle = p.call.bundle;
    if (p.awaitingStart) wire.reportStart = true;
    this.send(runner, { type: "run", call: wire });
  }

  /** Records that the runner was sent a version (LRU, bounded like the runner's own source cache). */
  private remember(runner: RunnerSlot<Meta>, versionKey: string, bundle: string, memoryMb: number): void {
    runner.versions.delete(versionKey);
    runner.versions.set(versionKey, { bundle, memoryMb });
    while (runner.versions.size > this.maxVersionsTracked) runner.versions.delete(runner.versions.keys().next().value as string);
  }

  private arm(p: Pending<Meta>, ms: number): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => this.onDeadline(p), ms);
  }

  /** The watchdog: a call overran its wall deadline. Its runner may be wedged (BigInt, a getter storm): kill it. */
  private onDeadline(p: Pending<Meta>): void {
    p.timer = null;
    const runner = p.runner;
    if (p.settled || !runner) return;
    runner.watchdogCulprits.add(p.n);
    runner.watchdogVersions.add(p.call.versionKey);
    const wallMs = performance.now() - p.startedAt;
    this.finish(p, {
      ...this.emptyResult(p),
      outcome: "timeout",
      error: `the extension exceeded its wall-clock deadline of ${p.limits.wallMs} ms`,
      cpuMs: round(wallMs),
      wallMs: round(wallMs),
    });
    this.fault(p.call.versionKey, p.call, "timeout", "wall deadline: runner killed");
    this.kill(runner);
  }

  private pick(versionKey: string, isolateKey: string): RunnerSlot<Meta> | null {
    let leastLoaded: RunnerSlot<Meta> | null = null;
    let leastLoad = Infinity;
    for (const runner of this.rank(versionKey)) {
      if (!runner.ready) continue;
      const sameVersion = runner.perIsolate.get(isolateKey) ?? 0;
      if (sameVersion < SPILL_SAME_VERSION && runner.inflight.size < SPILL_TOTAL) return runner;
      const load = sameVersion * SPILL_TOTAL + runner.inflight.size;
      if (load < leastLoad) {
        leastLoad = load;
        leastLoaded = runner;
      }
    }
    return leastLoaded;
  }

  /** Rendezvous hashing: every version has a stable preference order over the runners. */
  private rank(versionKey: string): RunnerSlot<Meta>[] {
    return this.runners
      .map((runner) => ({ runner, score: score(versionKey, runner.index) }))
      .sort((a, b) => b.score - a.score)
      .map((x) => x.runner);
  }

  preferredRunner(versionKey: string): number {
    return this.rank(versionKey)[0].index;
  }

  load(version: { versionKey: string; bundle: string; memoryMb?: number }): void {
    if (this.stopped || typeof version?.versionKey !== "string" || typeof version.bundle !== "string") return;
    const memoryMb = resolveLimits(this.defaults, { memoryMb: version.memoryMb }).memoryMb;
    const runner = this.rank(version.versionKey)[0];
    if (runner.versions.has(version.versionKey)) return;
    if (!runner.ready) {
      // sent with the reloads once the process is ready
      if (!runner.reload.some((v) => v.versionKey === version.versionKey)) runner.reload.push({ versionKey: version.versionKey, bundle: version.bundle, memoryMb });
      return;
    }
    this.remember(runner, version.versionKey, version.bundle, memoryMb);
    this.send(runner, { type: "load", versionKey: version.versionKey, bundle: version.bundle, memoryMb });
  }

  private finish(p: Pending<Meta>, result: CallResult): void {
    if (p.settled) return;
    p.settled = true;
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    if (p.runner) this.forget(p.runner, p);
    p.resolve(result);
    if (this.drained && this.inflightCount() === 0) this.drained();
  }

  private forget(runner: RunnerSlot<Meta>, p: Pending<Meta>): void {
    if (!runner.inflight.delete(p.n)) return;
    const count = (runner.perIsolate.get(p.isolateKey) ?? 1) - 1;
    if (count > 0) runner.perIsolate.set(p.isolateKey, count);
    else runner.perIsolate.delete(p.isolateKey);
  }

  private emptyResult(p: Pending<Meta>): CallResult {
    return {
      id: p.call.id,
      outcome: "crash",
      cpuMs: 0,
      wallMs: 0,
      bytesIn: p.bytesIn,
      bytesOut: 0,
      logs: [],
      bridgeCalls: p.bridgeCalls,
      hostWaitMs: round(p.hostWaitMs),
      retried: p.retried,
    };
  }

  private fault(versionKey: string, call: SandboxCall<Meta> | undefined, outcome: CallOutcome, detail: string): void {
    try {
      this.options.onFault?.(versionKey, call, outcome, detail);
    } catch {
      // a host callback error must not break the supervisor
    }
  }

  // ---- Runner messages ------------------------------------------------------

  private onMessage(runner: RunnerSlot<Meta>, child: ChildProcess, batch: unknown): void {
    if (runner.child !== child || !Array.isArray(batch)) return;
    for (const message of batch as FromRunner[]) {
      switch (message?.type) {
        case "ready":
          this.onReady(runner);
          break;
        case "result":
          this.onResult(runner, message.result);
          break;
        case "started": {
          const p = runner.inflight.get(message.n);
          if (p && !p.settled && p.awaitingStart) {
            p.awaitingStart = false;
            p.startedAt = performance.now();
            this.arm(p, p.limits.wallMs);
          }
          break;
        }
        case "need_bundle": {
          const p = runner.inflight.get(message.n);
          if (p && !p.settled) {
            // The runner had evicted the source: this call loads the version after all.
            if (!p.awaitingStart) {
              p.awaitingStart = true;
              this.arm(p, p.limits.wallMs + COLD_LOAD_MS);
            }
            this.sendCall(runner, p, true);
          }
          break;
        }
        case "bridge":
          this.onBridge(runner, message);
          break;
      }
    }
  }

  private onReady(runner: RunnerSlot<Meta>): void {
    if (runner.startTimer) clearTimeout(runner.startTimer);
    runner.startTimer = null;
    runner.ready = true;
    // Warm again what the previous process of this slot had loaded, so a crash
    // does not make every other install's next call a cold start.
    for (const v of runner.reload.splice(0)) {
      this.remember(runner, v.versionKey, v.bundle, v.memoryMb);
      this.send(runner, { type: "load", versionKey: v.versionKey, bundle: v.bundle, memoryMb: v.memoryMb });
    }
    const waiting = this.waiting.splice(0);
    for (const p of waiting) this.dispatch(p);
  }

  private onResult(runner: RunnerSlot<Meta>, wire: WireResult): void {
    const p = wire && runner.inflight.get(wire.n);
    if (!p || p.settled) return;
    runner.earlyExits = 0;
    // The runner is trusted less than this process: re-check what it reports.
    let outcome: CallOutcome = KNOWN_OUTCOMES.has(wire.outcome) ? wire.outcome : "error";
    let output = typeof wire.output === "string" ? wire.output : undefined;
    let error = typeof wire.error === "string" ? wire.error.slice(0, 1000) : undefined;
    if (outcome === "ok") {
      if (output === undefined) {
        outcome = "invalid_output";
        error = "no output";
      } else if (output.length > p.limits.outputBytes || utf8Length(output) > p.limits.outputBytes) {
        outcome = "invalid_output";
        error = `output exceeds ${p.limits.outputBytes} bytes`;
        output = undefined;
      }
    } else {
      output = undefined;
    }
    this.finish(p, {
      id: p.call.id,
      outcome,
      ...(output !== undefined ? { output } : {}),
      ...(error !== undefined && outcome !== "ok" ? { error } : {}),
      cpuMs: finiteOr(wire.cpuMs, 0),
      wallMs: round(performance.now() - p.startedAt),
      bytesIn: p.bytesIn,
      bytesOut: output === undefined ? 0 : utf8Length(output),
      logs: capLogs(wire.logs, p.limits.logBytes),
      bridgeCalls: Math.max(finiteOr(wire.bridgeCalls, 0), p.bridgeCalls),
      hostWaitMs: round(p.hostWaitMs),
      retried: p.retried,
    });
  }

  private onBridge(runner: RunnerSlot<Meta>, message: Extract<FromRunner, { type: "bridge" }>): void {
    const p = runner.inflight.get(message.n);
    if (!p || p.settled || !Number.isSafeInteger(message.seq)) return;
    const attempt = p.n;
    const child = runner.child;
    const current = () => !p.settled && p.runner === runner && p.n === attempt && runner.child === child;
    const reply = (result: string) => {
      if (current()) this.send(runner, { type: "bridge_result", n: attempt, seq: message.seq, result });
    };
    if (typeof message.method !== "string" || !BRIDGE_METHOD_SET.has(message.method)) {
      reply(bridgeError("invalid", "unknown capability"));
      return;
    }
    p.bridgeCalls++;
    if (p.bridgeCalls > p.limits.bridgeCalls) {
      reply(bridgeError("limit", `at most ${p.limits.bridgeCalls} host calls per invocation`));
      return;
    }
    let args: unknown;
    try {
      if (typeof message.args !== "string" || utf8Length(message.args) > MAX_BRIDGE_PAYLOAD_BYTES) throw new Error();
      args = JSON.parse(message.args);
    } catch {
      args = undefined;
    }
    if (!Array.isArray(args)) {
      reply(bridgeError("invalid", "malformed arguments"));
      return;
    }
    if (p.bridgeOutstanding++ === 0) p.hostWaitSince = performance.now();
    const request: BridgeRequest<Meta> = { call: p.call, method: message.method as BridgeMethod, args };
    Promise.resolve()
      .then(() => this.options.onBridge(request))
      .then(encodeBridgeResult, () => bridgeError("internal", "the host failed to answer"))
      .then((json) => {
        if (p.n === attempt && --p.bridgeOutstanding === 0) p.hostWaitMs += performance.now() - p.hostWaitSince;
        reply(json);
      })
      .catch(() => {
        // reply() cannot throw; this keeps the chain free of unhandled rejections regardless
      });
  }

  // ---- Runner processes -----------------------------------------------------

  private spawn(runner: RunnerSlot<Meta>): void {
    runner.restartTimer = null;
    if (this.stopped) return;
    writeFileSync(runner.culpritFile, "");
    let child: ChildProcess;
    try {
      child = fork(this.entry, [], {
        execArgv: this.execArgv,
        // No secrets: the runner sees no environment but these. (The cast: the
        // app's typings declare NODE_ENV as always present.)
        env: {
          TZ: "UTC",
          [RUNNER_ENV.culpritFile]: runner.culpritFile,
          [RUNNER_ENV.maxIsolates]: String(this.maxIsolates),
        } as Record<string, string> as NodeJS.ProcessEnv,
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        // V8's serializer copies the JSON strings inside messages as they are
        // (the json mode escapes them again): about half the IPC cost for a cart.
        serialization: "advanced",
      });
    } catch {
      this.scheduleRestart(runner, true);
      return;
    }
    runner.child = child;
    runner.pid = child.pid ?? null;
    runner.ready = false;
    runner.startedAt = performance.now();
    child.on("message", (batch) => this.onMessage(runner, child, batch));
    child.on("close", () => this.onExit(runner, child));
    child.on("error", () => {
      // Spawn or send failure. If the process never started there is no 'close'.
      if (child.pid === undefined) this.onExit(runner, child);
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      if (this.options.onRunnerStderr) this.options.onRunnerStderr(runner.index, text);
      else process.stderr.write(`[sandbox runner ${runner.index}] ${text}`);
    });
    runner.startTimer = setTimeout(() => {
      runner.startTimer = null;
      if (runner.child === child && !runner.ready) this.kill(runner);
    }, this.startTimeoutMs);
  }

  private kill(runner: RunnerSlot<Meta>): void {
    runner.ready = false;
    try {
      runner.child?.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  private onExit(runner: RunnerSlot<Meta>, child: ChildProcess): void {
    if (runner.child !== child) return;
    runner.child = null;
    runner.pid = null;
    runner.ready = false;
    runner.outbox = [];
    if (runner.startTimer) clearTimeout(runner.startTimer);
    runner.startTimer = null;
    const early = performance.now() - runner.startedAt < 1_000;
    const records = readCulprits(runner.culpritFile);
    const culprits = new Map<number, CulpritRecord>();
    for (const record of records) {
      if (typeof record.n === "number") culprits.set(record.n, record);
      else this.fault(record.versionKey, undefined, "crash", record.message);
    }
    const inflight = [...runner.inflight.values()];
    // What to load into the next process: the versions this one had, most recent
    // first, except any version that crashed it or overran its wall deadline.
    const suspects = new Set<string>([...records.map((r) => r.versionKey), ...runner.watchdogVersions]);
    runner.reload = this.stopped
      ? []
      : [...runner.versions]
          .reverse()
          .filter(([versionKey]) => !suspects.has(versionKey))
          .slice(0, RELOAD_ON_RESTART)
          .map(([versionKey, v]) => ({ versionKey, ...v }));
    runner.inflight.clear();
    runner.perIsolate.clear();
    runner.versions.clear();
    runner.watchdogCulprits.clear();
    runner.watchdogVersions.clear();
    for (const p of inflight) {
      if (p.settled) continue;
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
      p.runner = null;
      const record = culprits.get(p.n);
      if (record) {
        this.finish(p, {
          ...this.emptyResult(p),
          outcome: "crash",
          error: `the extension crashed its runner (${record.message})`.slice(0, 1000),
          wallMs: round(performance.now() - p.startedAt),
        });
        this.fault(p.call.versionKey, p.call, "crash", record.message);
      } else if (!p.retried && !this.stopped) {
        // Innocent: another call took the runner down. Run it again, uncharged,
        // under a new wire id so nothing from the dead attempt can reach it.
        p.retried = true;
        p.n = this.nextN++;
        p.bridgeCalls = 0;
        p.bridgeOutstanding = 0;
        p.hostWaitMs = 0;
        this.dispatch(p);
      } else {
        this.finish(p, {
          ...this.emptyResult(p),
          outcome: this.stopped ? "rejected" : "crash",
          error: this.stopped ? "the sandbox is stopped" : "the runner died twice while running this call",
          wallMs: round(performance.now() - p.startedAt),
        });
      }
    }
    if (!this.stopped) this.scheduleRestart(runner, early);
  }

  private scheduleRestart(runner: RunnerSlot<Meta>, early: boolean): void {
    if (this.stopped || runner.restartTimer) return;
    // A runner that dies right after starting (broken install) backs off; a
    // crash under a call restarts at once.
    runner.earlyExits = early ? runner.earlyExits + 1 : 0;
    const delay = runner.earlyExits > 1 ? Math.min(RESTART_BACKOFF_MAX_MS, 50 * 2 ** runner.earlyExits) : 0;
    runner.restarts++;
    runner.restartTimer = setTimeout(() => this.spawn(runner), delay);
  }

  private send(runner: RunnerSlot<Meta>, message: ToRunner): void {
    runner.outbox.push(message);
    if (runner.flushQueued) return;
    runner.flushQueued = true;
    queueMicrotask(() => {
      runner.flushQueued = false;
      const batch = runner.outbox;
      runner.outbox = [];
      const child = runner.child;
      if (!child || !child.connected || batch.length === 0) return;
      child.send(batch, (err) => {
        // A send to a dying runner fails; its 'close' handler retries the calls.
        if (err) child.kill("SIGKILL");
      });
    });
  }

  // ---- Lifecycle ------------------------------------------------------------

  private inflightCount(): number {
    let count = this.waiting.length;
    for (const runner of this.runners) count += runner.inflight.size;
    return count;
  }

  async stop(graceMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of this.waiting.splice(0)) this.finish(p, { ...this.emptyResult(p), outcome: "rejected", error: "the sandbox is stopped" });
    if (this.inflightCount() > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = null;
    }
    const closed: Promise<void>[] = [];
    for (const runner of this.runners) {
      if (runner.restartTimer) clearTimeout(runner.restartTimer);
      if (runner.startTimer) clearTimeout(runner.startTimer);
      const child = runner.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        closed.push(new Promise<void>((resolve) => child.once("close", () => resolve())));
      }
      this.kill(runner);
    }
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    rmSync(this.tmpDir, { recursive: true, force: true });
  }

  stats(): { runners: RunnerStats[]; waiting: number } {
    return {
      runners: this.runners.map((r) => ({
        index: r.index,
        pid: r.pid,
        ready: r.ready,
        inflight: r.inflight.size,
        restarts: r.restarts,
        versions: [...r.versions.keys()],
      })),
      waiting: this.waiting.length,
    };
  }
}

const KNOWN_OUTCOMES: ReadonlySet<string> = new Set<CallOutcome>([
  "ok",
  "timeout",
  "memory",
  "error",
  "invalid_output",
  "crash",
  "rejected",
]);

function invalidCall(call: SandboxCall<unknown>): string | null {
  if (call === null || typeof call !== "object") return "the call must be an object";
  if (typeof call.id !== "string" || call.id.length > 200) return "id must be a string";
  if (typeof call.versionKey !== "string" || call.versionKey.length === 0 || call.versionKey.length > 200) return "versionKey must be a string";
  if (typeof call.bundle !== "string") return "bundle must be a string";
  if (typeof call.hook !== "string" || call.hook.length === 0 || call.hook.length > 100) return "hook must be a string";
  if (typeof call.input !== "string") return "input must be JSON text";
  if (typeof call.timestamp !== "number" || !Number.isFinite(call.timestamp)) return "timestamp must be a finite number";
  if (typeof call.seed !== "string" && (typeof call.seed !== "number" || !Number.isFinite(call.seed))) return "seed must be a string or a number";
  return null;
}

function rejected(id: string, error: string, bytesIn: number): CallResult {
  return { id, outcome: "rejected", error, cpuMs: 0, wallMs: 0, bytesIn, bytesOut: 0, logs: [], bridgeCalls: 0, hostWaitMs: 0, retried: false };
}

function encodeBridgeResult(result: BridgeResult): string {
  if (result !== null && typeof result === "object") {
    if (result.ok === true) {
      let json: string | undefined;
      try {
        json = JSON.stringify({ ok: true, value: result.value === undefined ? null : result.value });
      } catch {
        return bridgeError("internal", "the host answer is not JSON");
      }
      if (utf8Length(json) > MAX_BRIDGE_PAYLOAD_BYTES) return bridgeError("internal", "the host answer is too large");
      return json;
    }
    if (result.ok === false) {
      const code = typeof result.error?.code === "string" ? result.error.code.slice(0, 64) : "internal";
      const message = typeof result.error?.message === "string" ? result.error.message.slice(0, 500) : code;
      return bridgeError(code, message);
    }
  }
  return bridgeError("internal", "the host answer is malformed");
}

function bridgeError(code: string, message: string): string {
  return JSON.stringify({ ok: false, error: { code, message } });
}

function readCulprits(file: string): CulpritRecord[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const records: CulpritRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as CulpritRecord;
      if (typeof r.versionKey === "string") records.push({ n: typeof r.n === "number" ? r.n : null, versionKey: r.versionKey, message: String(r.message) });
    } catch {
      // a torn line: the write did not complete before abort
    }
  }
  return records;
}

function capLogs(logs: unknown, maxBytes: number): string[] {
  if (!Array.isArray(logs)) return [];
  const kept: string[] = [];
  let used = 0;
  for (const line of logs) {
    if (typeof line !== "string") continue;
    const bytes = utf8Length(line);
    if (used + bytes > maxBytes) break;
    kept.push(line);
    used += Math.max(1, bytes);
  }
  return kept;
}

function finiteOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Rendezvous score: FNV-1a of "key#index" through a murmur3 finalizer. */
function score(versionKey: string, index: number): number {
  let h = 0x811c9dc5;
  const s = `${versionKey}#${index}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
