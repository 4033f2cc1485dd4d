/**
 * One warm isolate for one extension version (and memory limit), inside a
 * runner process. Only the runner imports this file.
 *
 * - The bundle is compiled once per isolate; recompiles (after eviction or a
 *   memory kill) use cachedData this process produced itself — never data
 *   received from outside.
 * - Every call runs in a FRESH context (bootstrap + bundle evaluated anew), so
 *   nothing a call leaves in globals, prototypes or module-scope closures is
 *   visible to the next call. A spare context is prepared in the background
 *   after each call so the next call does not pay for it.
 * - Calls on one isolate run one at a time (a FIFO lock). V8 runs one context
 *   of an isolate at a time anyway; serializing at this level makes cpuMs, the
 *   memory culprit and the catastrophic-error culprit exact.
 */
import { readFileSync } from "node:fs";
import ivm from "isolated-vm";
import type { CallLimits } from "./protocol";

const BOOTSTRAP_SOURCE = readFileSync(new URL("./isolate-bootstrap.js", import.meta.url), "utf8");
let bootstrapCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

/** Bootstrap and setup are our code; they get a fixed budget independent of the call's. */
const SETUP_TIMEOUT_MS = 1_000;

/**
 * Pays a runner's one-time costs before its first call: compiles the
 * bootstrap (keeping its cachedData for every isolate after) and runs it once
 * in a throwaway isolate, which initialises ICU (the bootstrap wraps
 * `Intl.DateTimeFormat`) and V8's lazily built code. No plugin code runs.
 */
export async function warmRuntime(): Promise<void> {
  const isolate = new ivm.Isolate({ memoryLimit: 16 });
  try {
    const script = (await isolate.compileScript(BOOTSTRAP_SOURCE, { filename: "bazaar:bootstrap.js", produceCachedData: true })) as CompiledScript;
    if (script.cachedData && !bootstrapCache) bootstrapCache = script.cachedData;
    const context = await isolate.createContext();
    const setup = (await script.run(context, { reference: true, timeout: SETUP_TIMEOUT_MS })) as ivm.Reference<(send: unknown) => unknown>;
    const entry = (await setup.apply(undefined, [new ivm.Callback(() => {}, { ignored: true })], { result: { reference: true }, timeout: SETUP_TIMEOUT_MS })) as ivm.Reference<unknown>;
    await context.eval(`new Intl.DateTimeFormat("en-US").format(0); new Intl.NumberFormat("en-US", { style: "currency", currency: "CNY" }).format(1); "x".localeCompare("y")`, { timeout: SETUP_TIMEOUT_MS });
    entry.release();
    setup.release();
    context.release();
  } finally {
    isolate.dispose();
  }
}

/**
 * One empty isolate kept ready for the next new version, so a version's first
 * call does not pay for creating one (0.8 ms at p50 but 14 ms at p90 measured
 * under load, decision 0017). Only for the default memory limit
 * (`configureSpareIsolate`); it never runs code before a version adopts it,
 * and its catastrophic-error handler reports for whichever version did.
 */
type SpareIsolate = { isolate: ivm.Isolate; memoryMb: number; owner: { report: (message: unknown) => void } };
let spareIsolate: SpareIsolate | null = null;
let spareConfig: { memoryMb: number; onOrphanCatastrophe: (message: string) => void } | null = null;
let refillScheduled = false;

/** Keeps one empty isolate of `memoryMb` ready (the runner calls this once at start). */
export function configureSpareIsolate(memoryMb: number, onOrphanCatastrophe: (message: string) => void): void {
  spareConfig = { memoryMb, onOrphanCatastrophe };
  refillSpareIsolateSoon();
}

function takeSpareIsolate(memoryMb: number): SpareIsolate | null {
  const spare = spareIsolate;
  if (!spare || spare.memoryMb !== memoryMb || spare.isolate.isDisposed) return null;
  spareIsolate = null;
  return spare;
}

function refillSpareIsolateSoon(): void {
  if (refillScheduled || !spareConfig) return;
  refillScheduled = true;
  setImmediate(() => {
    refillScheduled = false;
    const config = spareConfig;
    if (!config || (spareIsolate && !spareIsolate.isolate.isDisposed)) return;
    const owner: SpareIsolate["owner"] = { report: (message) => config.onOrphanCatastrophe(String(message)) };
    try {
      spareIsolate = { isolate: new ivm.Isolate({ memoryLimit: config.memoryMb, onCatastrophicError: (message) => owner.report(message) }), memoryMb: config.memoryMb, owner };
    } catch {
      spareIsolate = null;
    }
  });
}

type CompiledScript = ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer>; cachedDataRejected?: boolean };

/** A bundle's source and the cachedData this process produced for it. */
export interface BundleSource {
  code: string;
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  /** Set when the bundle failed to compile: the same content fails the same way. */
  compileError?: string;
}

/** What the isolate needs to know about the call it runs. */
export interface RunningCall {
  n: number;
  hook: string;
  input: string;
  timestamp: number;
  seedWords: readonly [number, number, number, number];
  limits: CallLimits;
  /** Receives every `send(seq, method, args)` the bootstrap makes while this call owns the context. */
  onSend(seq: unknown, method: unknown, args: unknown): void;
}

export type Settlement =
  | { kind: "envelope"; envelope: string }
  | { kind: "failure"; outcome: "timeout" | "memory" | "error"; message: string };

export interface Execution {
  settlement: Settlement;
  cpuMs: number;
  wallMs: number;
}

interface Prepared {
  context: ivm.Context;
  entry: ivm.Reference<(...args: unknown[]) => unknown>;
  slot: { call: RunningCall | null };
}

interface Current {
  call: RunningCall;
  prepared: Prepared;
  cpu0: bigint;
  settle(s: Settlement): void;
}

export interface VersionIsolateOptions {
  versionKey: string;
  memoryMb: number;
  source: BundleSource;
  /** Must write the culprit synchronously and abort the process; it never returns. */
  onCatastrophicError(n: number | null, versionKey: string, message: string): void;
  onDispose(vi: VersionIsolate): void;
}

export class VersionIsolate {
  readonly key: string;
  readonly versionKey: string;
  readonly memoryMb: number;
  disposed = false;
  /** Calls that were handed this isolate and have not taken its lock yet (an eviction must skip it). */
  reservations = 0;

  private readonly isolate: ivm.Isolate;
  private readonly onDispose: (vi: VersionIsolate) => void;
  private bootstrap!: ivm.Script;
  private bundle!: ivm.Script;
  private spare: Prepared | null = null;
  private current: Current | null = null;
  /** Wire id of the call whose work is in the isolate right now (null while preparing a spare). */
  private culpritN: number | null = null;
  private locked = false;
  private readonly waiters: (() => void)[] = [];
  private preparingSpare = false;
  private spareCpuMs = 50;

  static key(versionKey: string, memoryMb: number): string {
    return `${versionKey}\u0000${memoryMb}`;
  }

  /** Creates the isolate and compiles bootstrap and bundle; rejects (and disposes) on a compile error. */
  static async create(options: VersionIsolateOptions): Promise<VersionIsolate> {
    const vi = new VersionIsolate(options);
    try {
      vi.bootstrap = await vi.compile(BOOTSTRAP_SOURCE, "bazaar:bootstrap.js", "bootstrap", options.source);
      // `void 0` keeps the completion value from being copied out of the isolate.
      vi.bundle = await vi.compile(options.source.code + "\n;void 0;", "extension.js", "bundle", options.source);
    } catch (e) {
      vi.dispose();
      throw e;
    }
    return vi;
  }

  private constructor(options: VersionIsolateOptions) {
    this.versionKey = options.versionKey;
    this.memoryMb = options.memoryMb;
    this.key = VersionIsolate.key(options.versionKey, options.memoryMb);
    this.onDispose = options.onDispose;
    const report = (message: unknown) => options.onCatastrophicError(this.culpritN, this.versionKey, String(message));
    const spare = takeSpareIsolate(options.memoryMb);
    if (spare) {
      spare.owner.report = report;
      this.isolate = spare.isolate;
    } else {
      this.isolate = new ivm.Isolate({ memoryLimit: options.memoryMb, onCatastrophicError: report });
    }
    refillSpareIsolateSoon();
  }

  private async compile(code: string, filename: string, which: "bootstrap" | "bundle", source: BundleSource): Promise<ivm.Script> {
    const cached = which === "bootstrap" ? bootstrapCache : source.cachedData;
    const script = (await this.isolate.compileScript(code, {
      filename,
      ...(cached ? { cachedData: cached } : { produceCachedData: true }),
    })) as CompiledScript;
    if (!cached && script.cachedData) {
      if (which === "bootstrap") bootstrapCache = script.cachedData;
      else source.cachedData = script.cachedData;
    } else if (cached && script.cachedDataRejected) {
      if (which === "bootstrap") bootstrapCache = undefined;
      else source.cachedData = undefined;
    }
    return script;
  }

  /** Prepares the spare context now if no call holds the isolate (a version loaded ahead of its calls). */
  warm(): void {
    if (!this.locked) this.prepareSpareSoon();
  }

  /** True when no call holds or waits for the isolate (it may be evicted). */
  get idle(): boolean {
    return !this.locked && this.waiters.length === 0 && this.reservations === 0;
  }

  acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next();
      return;
    }
    this.locked = false;
    this.prepareSpareSoon();
  }

  /** Runs one hook call. The caller holds the lock. Never rejects. */
  async execute(call: RunningCall): Promise<Execution> {
    const t0 = performance.now();
    this.culpritN = call.n;
    this.spareCpuMs = call.limits.cpuMs;
    let cpuStart = this.cpuTime();
    let prepared = this.spare;
    this.spare = null;
    try {
      if (!prepared) {
        try {
          prepared = await this.prepare(call.limits.cpuMs);
        } catch (e) {
          const failure = this.classify(e, "the extension failed to load: ");
          const cpuMs = this.cpuSince(cpuStart);
          if (failure.outcome === "timeout" || failure.outcome === "memory") this.dispose();
          return { settlement: failure, cpuMs: cpuMs ?? call.limits.cpuMs, wallMs: performance.now() - t0 };
        }
      } else {
        cpuStart = this.cpuTime();
      }
      return await this.invoke(call, prepared, cpuStart, t0);
    } finally {
      this.culpritN = null;
    }
  }

  private async invoke(call: RunningCall, prepared: Prepared, cpu0: bigint, t0: number): Promise<Execution> {
    let cpuMs: number | undefined;
    const settlement = await new Promise<Settlement>((resolve) => {
      let settled = false;
      const current: Current = {
        call,
        prepared,
        cpu0,
        settle: (s) => {
          if (settled) return;
          settled = true;
          cpuMs = this.cpuSince(cpu0);
          resolve(s);
        },
      };
      this.current = current;
      prepared.slot.call = call;
      const [s0, s1, s2, s3] = call.seedWords;
      prepared.entry
        .apply(
          undefined,
          ["call", call.hook, call.input, call.timestamp, s0, s1, s2, s3, call.limits.outputBytes, call.limits.logBytes],
          { timeout: call.limits.cpuMs, result: { promise: true } },
        )
        .then(
          (value) =>
            current.settle(
              typeof value === "string"
                ? { kind: "envelope", envelope: value }
                : { kind: "failure", outcome: "error", message: "the bootstrap returned no result" },
            ),
          (e) => this.fail(current, e),
        );
    });
    this.current = null;
    prepared.slot.call = null;
    this.releasePrepared(prepared);
    const wallMs = performance.now() - t0;
    return { settlement, cpuMs: cpuMs ?? (settlement.kind === "failure" && settlement.outcome === "timeout" ? call.limits.cpuMs : wallMs), wallMs };
  }

  /**
   * Hands a bridge answer to the call running in this isolate. The plugin's
   * continuation runs inside this apply, under the call's remaining CPU budget.
   */
  deliver(n: number, seq: number, resultJson: string): void {
    const current = this.current;
    if (!current || current.call.n !== n) return;
    const used = this.cpuSince(current.cpu0) ?? 0;
    const remaining = current.call.limits.cpuMs - used;
    if (remaining < 1) {
      this.fail(current, new Error("Script execution timed out."));
      return;
    }
    current.prepared.entry
      .apply(undefined, ["deliver", seq, resultJson], { timeout: Math.ceil(remaining) })
      .then(undefined, (e) => this.fail(current, e));
  }

  private fail(current: Current, e: unknown): void {
    const failure = this.classify(e, "");
    current.settle(failure);
    // A timed-out continuation leaves the call's outer promise pending forever;
    // disposing the isolate settles it and recycles the version's heap.
    if (failure.outcome === "timeout" || failure.outcome === "memory") this.dispose();
  }

  private classify(e: unknown, prefix: string): Settlement & { kind: "failure" } {
    const message = e instanceof Error ? e.message : String(e);
    if (this.isolate.isDisposed || /memory limit/i.test(message)) {
      this.disposed = true;
      return { kind: "failure", outcome: "memory", message: "the extension exceeded its memory limit" };
    }
    if (/timed out/i.test(message)) {
      return { kind: "failure", outcome: "timeout", message: "the extension exceeded its CPU time limit" };
    }
    return { kind: "failure", outcome: "error", message: (prefix + message).slice(0, 1000) };
  }

  private async prepare(cpuMs: number): Promise<Prepared> {
    const context = await this.isolate.createContext();
    const slot: Prepared["slot"] = { call: null };
    // Every Reference into a context must be released, or the context is never collected.
    let setup: ivm.Reference<(send: unknown) => unknown> | undefined;
    let entry: Prepared["entry"] | undefined;
    try {
      setup = (await this.bootstrap.run(context, { reference: true, timeout: SETUP_TIMEOUT_MS })) as typeof setup;
      const send = new ivm.Callback(
        (seq: unknown, method: unknown, args: unknown) => {
          const call = slot.call;
          if (call) call.onSend(seq, method, args);
        },
        { ignored: true },
      );
      entry = (await setup!.apply(undefined, [send], {
        result: { reference: true },
        timeout: SETUP_TIMEOUT_MS,
      })) as Prepared["entry"];
      await this.bundle.run(context, { timeout: cpuMs });
      return { context, entry, slot };
    } catch (e) {
      try {
        entry?.release();
        context.release();
      } catch {
        // the isolate may be gone
      }
      throw e;
    } finally {
      try {
        setup?.release();
      } catch {
        // the isolate may be gone
      }
    }
  }

  private releasePrepared(prepared: Prepared): void {
    try {
      prepared.entry.release();
      prepared.context.release();
    } catch {
      // already released with the isolate
    }
  }

  private prepareSpareSoon(): void {
    if (this.spare || this.disposed || this.preparingSpare) return;
    this.preparingSpare = true;
    setImmediate(() => {
      if (this.disposed || this.locked || this.spare) {
        this.preparingSpare = false;
        return;
      }
      this.locked = true;
      this.prepare(this.spareCpuMs)
        .then(
          (prepared) => {
            if (this.disposed) this.releasePrepared(prepared);
            else this.spare = prepared;
          },
          (e) => {
            // The next call prepares inline and reports the failure itself.
            const failure = this.classify(e, "");
            if (failure.outcome === "timeout" || failure.outcome === "memory") this.dispose();
          },
        )
        .finally(() => {
          this.preparingSpare = false;
          const next = this.waiters.shift();
          if (next) next();
          else this.locked = false;
        });
    });
  }

  private cpuTime(): bigint {
    try {
      return this.isolate.cpuTime;
    } catch {
      return 0n;
    }
  }

  private cpuSince(start: bigint): number | undefined {
    if (this.isolate.isDisposed) return undefined;
    try {
      return Number(this.isolate.cpuTime - start) / 1e6;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    if (this.disposed && this.isolate.isDisposed) {
      this.onDispose(this);
      return;
    }
    this.disposed = true;
    if (this.spare) {
      this.releasePrepared(this.spare);
      this.spare = null;
    }
    try {
      this.isolate.dispose();
    } catch {
      // already disposed (memory limit)
    }
    this.onDispose(this);
  }
}
