/**
 * The runner process: holds isolates and nothing else.
 *
 * Started by the supervisor (sandbox/supervisor.ts) as
 *   node --no-node-snapshot --import tsx sandbox/runner.ts
 * with an empty environment apart from TZ=UTC and the two variables in
 * RUNNER_ENV. It imports no app code, opens no database and holds no secret.
 * It talks to the supervisor over the IPC channel only, in arrays of JSON
 * messages (see protocol.ts).
 */
import { createHash } from "node:crypto";
import { openSync, writeSync } from "node:fs";
import {
  BRIDGE_METHOD_SET,
  DEFAULT_LIMITS,
  MAX_BRIDGE_PAYLOAD_BYTES,
  RUNNER_ENV,
  utf8Length,
  type BridgeResult,
  type CallOutcome,
  type CulpritRecord,
  type FromRunner,
  type ToRunner,
  type WireCall,
  type WireResult,
} from "./protocol";
import { VersionIsolate, configureSpareIsolate, warmRuntime, type BundleSource, type Execution, type RunningCall } from "./version-isolate";

const culpritPath = process.env[RUNNER_ENV.culpritFile];
const maxIsolates = Math.max(1, Number(process.env[RUNNER_ENV.maxIsolates]) || 32);
const maxSources = Math.max(16, maxIsolates * 4);

if (typeof process.send !== "function" || !culpritPath) {
  process.stderr.write("sandbox/runner.ts is started by the sandbox supervisor, not by hand\n");
  process.exit(2);
}

// Opened now so the catastrophic path needs no allocation-heavy work but a write.
const culpritFd = openSync(culpritPath, "a");

function onCatastrophicError(n: number | null, versionKey: string, message: string): never {
  try {
    const record: CulpritRecord = { n, versionKey, message: message.slice(0, 500) };
    writeSync(culpritFd, JSON.stringify(record) + "\n");
  } finally {
    // V8 has lost control of the isolate: the call never settles and
    // process.exit hangs. Only abort (or SIGKILL) ends the process.
    process.abort();
  }
}

// ---- Outbox: messages produced in the same turn cross in one IPC message. ----
let outbox: FromRunner[] = [];
let flushScheduled = false;
function post(message: FromRunner): void {
  outbox.push(message);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}
function flush(): void {
  flushScheduled = false;
  const batch = outbox;
  outbox = [];
  if (batch.length && process.connected) process.send!(batch);
}

// ---- Bundles and isolates (LRU by insertion order: the first key is the oldest). ----
const sources = new Map<string, BundleSource>();
const isolates = new Map<string, VersionIsolate>();
const creating = new Map<string, Promise<VersionIsolate>>();

function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function rememberSource(versionKey: string, code: string): void {
  const existing = sources.get(versionKey);
  touch(sources, versionKey, existing && existing.code === code ? existing : { code });
  while (sources.size > maxSources) {
    const oldest = sources.keys().next().value as string;
    sources.delete(oldest);
  }
}

class MissingBundle extends Error {}

/** Resolves to the version's isolate with a reservation taken: the caller must acquire it, then drop the reservation. */
function isolateFor(versionKey: string, memoryMb: number): Promise<VersionIsolate> {
  const reserve = (vi: VersionIsolate) => {
    vi.reservations++;
    return vi;
  };
  const key = VersionIsolate.key(versionKey, memoryMb);
  const existing = isolates.get(key);
  if (existing && !existing.disposed) {
    touch(isolates, key, existing);
    const source = sources.get(versionKey);
    if (source) touch(sources, versionKey, source);
    return Promise.resolve(reserve(existing));
  }
  const pending = creating.get(key);
  if (pending) return pending.then(reserve);
  const source = sources.get(versionKey);
  if (!source) return Promise.reject(new MissingBundle());
  if (source.compileError) return Promise.reject(new Error(source.compileError));
  const created = VersionIsolate.create({
    versionKey,
    memoryMb,
    source,
    onCatastrophicError,
    onDispose: (vi) => {
      if (isolates.get(vi.key) === vi) isolates.delete(vi.key);
    },
  })
    .then(
      (vi) => {
        isolates.set(key, vi);
        evictSoon();
        return vi;
      },
      (e: unknown) => {
        // A syntax error is permanent for this content; a memory kill while compiling is not.
        const message = e instanceof Error ? e.message : String(e);
        if (!/memory limit|disposed/i.test(message)) source.compileError = message;
        throw e;
      },
    )
    .finally(() => creating.delete(key));
  creating.set(key, created);
  return created.then(reserve);
}

let evictionScheduled = false;
/** Deferred so that every caller waiting on a new isolate has reserved it first. */
function evictSoon(): void {
  if (evictionScheduled || isolates.size <= maxIsolates) return;
  evictionScheduled = true;
  setImmediate(() => {
    evictionScheduled = false;
    for (const vi of [...isolates.values()]) {
      if (isolates.size <= maxIsolates) break;
      if (vi.idle) vi.dispose();
    }
  });
}

// ---- Calls. ----
interface ActiveCall extends RunningCall {
  wire: WireCall;
  logs: string[];
  logBytes: number;
  bridgeCalls: number;
  vi: VersionIsolate | null;
}

const active = new Map<number, ActiveCall>();

function seedWords(seed: string): [number, number, number, number] {
  const digest = createHash("sha256").update(seed).digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)];
}

function answerLocally(call: ActiveCall, seq: number, result: BridgeResult): void {
  call.vi?.deliver(call.n, seq, JSON.stringify(result));
}

function appendLog(call: ActiveCall, line: string): void {
  const room = call.limits.logBytes - call.logBytes;
  if (room <= 0) return;
  let kept = line;
  let bytes = utf8Length(kept);
  if (bytes > room) {
    kept = kept.slice(0, room);
    while ((bytes = utf8Length(kept)) > room) kept = kept.slice(0, -1);
  }
  call.logs.push(kept);
  call.logBytes += Math.max(1, bytes);
}

function onSend(call: ActiveCall, seq: unknown, method: unknown, args: unknown): void {
  if (typeof method !== "string" || typeof args !== "string" || typeof seq !== "number" || !Number.isSafeInteger(seq)) return;
  if (method === "log") {
    appendLog(call, args);
    return;
  }
  if (!BRIDGE_METHOD_SET.has(method)) {
    answerLocally(call, seq, { ok: false, error: { code: "invalid", message: "unknown capability" } });
    return;
  }
  call.bridgeCalls++;
  if (call.bridgeCalls > call.limits.bridgeCalls) {
    answerLocally(call, seq, {
      ok: false,
      error: { code: "limit", message: `at most ${call.limits.bridgeCalls} host calls per invocation` },
    });
    return;
  }
  if (utf8Length(args) > MAX_BRIDGE_PAYLOAD_BYTES) {
    answerLocally(call, seq, { ok: false, error: { code: "invalid", message: "arguments too large" } });
    return;
  }
  post({ type: "bridge", n: call.n, seq, method, args });
}

function toWireResult(call: ActiveCall, execution: Execution): WireResult {
  const base = {
    n: call.n,
    cpuMs: round(execution.cpuMs),
    wallMs: round(execution.wallMs),
    logs: call.logs,
    bridgeCalls: call.bridgeCalls,
  };
  const s = execution.settlement;
  if (s.kind === "failure") return { ...base, outcome: s.outcome, error: s.message };
  const cut = s.envelope.indexOf("\n");
  const status = cut < 0 ? "" : s.envelope.slice(0, cut);
  const payload = cut < 0 ? "" : s.envelope.slice(cut + 1);
  switch (status) {
    case "ok":
      if (payload.length > call.limits.outputBytes || utf8Length(payload) > call.limits.outputBytes) {
        return { ...base, outcome: "invalid_output", error: `output exceeds ${call.limits.outputBytes} bytes` };
      }
      return { ...base, outcome: "ok", output: payload };
    case "error":
    case "invalid_output":
      return { ...base, outcome: status as CallOutcome, error: payload.slice(0, 1000) };
    case "invalid_input":
      return { ...base, outcome: "rejected", error: payload.slice(0, 1000) };
    default:
      return { ...base, outcome: "invalid_output", error: "malformed result" };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

async function runCall(call: ActiveCall): Promise<WireResult | null> {
  let reported = false;
  // A waiting call can find its isolate disposed (another call's memory kill or
  // timeout recycled it): take a fresh one.
  for (let attempt = 0; attempt < 5; attempt++) {
    let vi: VersionIsolate;
    try {
      vi = await isolateFor(call.wire.versionKey, call.limits.memoryMb);
    } catch (e) {
      if (e instanceof MissingBundle) {
        post({ type: "need_bundle", n: call.n });
        return null;
      }
      const message = e instanceof Error ? e.message : String(e);
      const outcome: CallOutcome = /memory limit/i.test(message) ? "memory" : "error";
      return { n: call.n, outcome, error: `the extension failed to compile: ${message}`.slice(0, 1000), cpuMs: 0, wallMs: 0, logs: [], bridgeCalls: 0 };
    }
    await vi.acquire();
    vi.reservations--;
    if (vi.disposed) {
      vi.release();
      continue;
    }
    if (call.wire.reportStart && !reported) {
      reported = true;
      post({ type: "started", n: call.n });
    }
    call.vi = vi;
    try {
      return toWireResult(call, await vi.execute(call));
    } finally {
      call.vi = null;
      vi.release();
      evictSoon();
    }
  }
  return { n: call.n, outcome: "error", error: "the extension's isolate was recycled repeatedly", cpuMs: 0, wallMs: 0, logs: [], bridgeCalls: 0 };
}

async function handleRun(wire: WireCall): Promise<void> {
  if (typeof wire?.n !== "number" || active.has(wire.n)) return;
  if (typeof wire.bundle === "string") rememberSource(wire.versionKey, wire.bundle);
  const call: ActiveCall = {
    n: wire.n,
    wire,
    hook: wire.hook,
    input: wire.input,
    timestamp: wire.timestamp,
    seedWords: seedWords(wire.seed),
    limits: wire.limits,
    logs: [],
    logBytes: 0,
    bridgeCalls: 0,
    vi: null,
    onSend: (seq, method, args) => onSend(call, seq, method, args),
  };
  active.set(wire.n, call);
  try {
    const result = await runCall(call);
    if (result) post({ type: "result", result });
  } catch (e) {
    post({
      type: "result",
      result: { n: wire.n, outcome: "crash", error: "runner error", cpuMs: 0, wallMs: 0, logs: [], bridgeCalls: call.bridgeCalls },
    });
    process.stderr.write(`sandbox runner: ${e instanceof Error ? e.stack : String(e)}\n`);
  } finally {
    active.delete(wire.n);
  }
}

/** Loads a version ahead of its calls; a failure is reported by the first call that needs it. */
function handleLoad(message: Extract<ToRunner, { type: "load" }>): void {
  if (typeof message.versionKey !== "string" || typeof message.bundle !== "string" || typeof message.memoryMb !== "number") return;
  rememberSource(message.versionKey, message.bundle);
  isolateFor(message.versionKey, message.memoryMb).then(
    (vi) => {
      vi.reservations--;
      vi.warm();
      evictSoon();
    },
    () => {
      // the first call of this version reports the compile error itself
    },
  );
}

process.on("message", (batch: unknown) => {
  if (!Array.isArray(batch)) return;
  for (const message of batch as ToRunner[]) {
    if (message?.type === "run") {
      void handleRun(message.call);
    } else if (message?.type === "load") {
      handleLoad(message);
    } else if (message?.type === "bridge_result") {
      const call = active.get(message.n);
      if (call && typeof message.result === "string" && typeof message.seq === "number") {
        call.vi?.deliver(call.n, message.seq, message.result);
      }
    }
  }
});

// The supervisor is gone: nothing to finish, and process.exit can hang on a
// wedged isolate.
process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
process.on("uncaughtException", (e) => {
  process.stderr.write(`sandbox runner: uncaught ${e instanceof Error ? e.stack : String(e)}\n`);
  process.kill(process.pid, "SIGKILL");
});

// Pay the process-wide first-use costs (ICU/Intl, the bootstrap's compile and
// cachedData) before reporting ready, not in the first extension call.
warmRuntime().then(
  () => {
    // An empty isolate for the next new version (the common memory limit).
    configureSpareIsolate(DEFAULT_LIMITS.memoryMb, (message) => onCatastrophicError(null, "", message));
    process.send!([{ type: "ready", pid: process.pid } satisfies FromRunner]);
  },
  (e: unknown) => {
    process.stderr.write(`sandbox runner: warm-up failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.send!([{ type: "ready", pid: process.pid } satisfies FromRunner]);
  },
);
