/**
 * The sandbox's public types and the supervisor ⇄ runner wire protocol.
 *
 * Everything here is plain data: the runner process and the supervisor both
 * import this file, and nothing in it touches isolated-vm or the app.
 */
import { createHash } from "node:crypto";

/** Per-call limits. Every field can be overridden per call (the host passes per-hook config). */
export interface CallLimits {
  /** CPU time the isolate may spend on the call (isolated-vm `timeout`), in ms. */
  cpuMs: number;
  /** Wall-clock deadline enforced by the supervisor's watchdog (kills the runner), in ms. */
  wallMs: number;
  /** Heap limit of the isolate that runs the version, in MB (isolates are keyed by version and this value). */
  memoryMb: number;
  /** Maximum UTF-8 size of the input JSON, checked on the host before sending. */
  inputBytes: number;
  /** Maximum UTF-8 size of the output JSON, checked in the isolate and again in the runner and the supervisor. */
  outputBytes: number;
  /** Bridge calls (ctx.settings, ctx.storage, ctx.customers, …) allowed per call; `ctx.log` does not count. */
  bridgeCalls: number;
  /** Total size of the `ctx.log` / `console.*` lines kept per call. */
  logBytes: number;
}

export const DEFAULT_LIMITS: Readonly<CallLimits> = Object.freeze({
  cpuMs: 50,
  wallMs: 150,
  memoryMb: 32,
  inputBytes: 128 * 1024,
  outputBytes: 64 * 1024,
  bridgeCalls: 20,
  logBytes: 1024,
});

/** Hard ceilings: a per-call override above these is clamped, so a host bug cannot disable a limit. */
export const MAX_LIMITS: Readonly<CallLimits> = Object.freeze({
  cpuMs: 10_000,
  wallMs: 30_000,
  memoryMb: 512,
  inputBytes: 8 * 1024 * 1024,
  outputBytes: 8 * 1024 * 1024,
  bridgeCalls: 1_000,
  logBytes: 64 * 1024,
});

const MIN_LIMITS: Readonly<CallLimits> = Object.freeze({
  cpuMs: 1,
  wallMs: 1,
  memoryMb: 8, // isolated-vm's minimum
  inputBytes: 0,
  outputBytes: 4,
  bridgeCalls: 0,
  logBytes: 0,
});

/** Merges overrides into defaults, clamping every field into [MIN, MAX] and dropping non-numbers. */
export function resolveLimits(base: Readonly<CallLimits>, overrides?: Partial<CallLimits>): CallLimits {
  const out = { ...base };
  if (overrides) {
    for (const key of Object.keys(DEFAULT_LIMITS) as (keyof CallLimits)[]) {
      const v = overrides[key];
      if (typeof v === "number" && Number.isFinite(v)) out[key] = Math.floor(v);
    }
  }
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof CallLimits)[]) {
    out[key] = Math.min(MAX_LIMITS[key], Math.max(MIN_LIMITS[key], out[key]));
  }
  return out;
}

/**
 * Host functions reachable from plugin code through the frozen `ctx` shim, by
 * bridge method name. The sandbox only forwards them; the host side
 * (app/extensions) checks scopes and subjects on every call.
 */
export const BRIDGE_METHODS = [
  "settings.get",
  "storage.get",
  "storage.list",
  "storage.set",
  "storage.delete",
  "customers.get",
  "orders.get",
  "counters.get",
  "counters.add",
] as const;
export type BridgeMethod = (typeof BRIDGE_METHODS)[number];
export const BRIDGE_METHOD_SET: ReadonlySet<string> = new Set(BRIDGE_METHODS);

/** Largest JSON text a single bridge call may carry in either direction. */
export const MAX_BRIDGE_PAYLOAD_BYTES = 64 * 1024;

/**
 * The answer of a bridge call. The host never rejects: an error is data, and
 * the in-isolate shim turns it into a thrown typed error (`code: "scope"` →
 * `ScopeError`, see README).
 */
export type BridgeResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: string; message?: string } };

export type CallOutcome =
  | "ok"
  | "timeout"
  | "memory"
  | "error"
  | "invalid_output"
  | "crash"
  /**
   * The sandbox refused the call before the extension could run it: input over
   * the cap or not JSON, a malformed call, or a stopped sandbox. The host's
   * problem, never the extension's: not charged.
   */
  | "rejected";

/** Outcomes that are the extension's fault. */
export const FAULT_OUTCOMES: ReadonlySet<CallOutcome> = new Set(["timeout", "memory", "error", "invalid_output", "crash"]);

export interface CallResult {
  /** The host's call id. */
  id: string;
  outcome: CallOutcome;
  /** JSON text produced by the in-isolate `JSON.stringify` (outcome "ok" only). Parse and validate it. */
  output?: string;
  /** Message only, never a stack. */
  error?: string;
  cpuMs: number;
  wallMs: number;
  bytesIn: number;
  bytesOut: number;
  /** `ctx.log` / `console.*` lines, at most `limits.logBytes` in total. */
  logs: string[];
  bridgeCalls: number;
  /** Time the call spent waiting for the host's `onBridge` answers, in ms. Lets the host avoid charging a timeout it caused. */
  hostWaitMs: number;
  /** True when the call was re-run because its runner died under another call (never charged for that). */
  retried: boolean;
}

/** The content hash used as a version key: `sha256:<hex>` of the bundle text. */
export function versionKeyOf(bundle: string): string {
  return "sha256:" + createHash("sha256").update(bundle).digest("hex");
}

// ---------------------------------------------------------------------------
// Wire protocol. Each IPC message is an ARRAY of the messages below, so that
// several calls (or results) made in the same tick cross in one round trip.

/** A call as sent to a runner. `n` is the supervisor's wire id (unique per sandbox, new on retry). */
export interface WireCall {
  n: number;
  versionKey: string;
  /** Present when the supervisor believes the runner lacks the version. */
  bundle?: string;
  hook: string;
  input: string;
  timestamp: number;
  seed: string;
  limits: CallLimits;
  /** Another call of the same isolate may be running: report `started` when this one gets the isolate. */
  reportStart?: boolean;
}

export type ToRunner =
  | { type: "run"; call: WireCall }
  /** Load a version ahead of its calls (compile, create the isolate, prepare a context); nothing is reported back. */
  | { type: "load"; versionKey: string; bundle: string; memoryMb: number }
  | { type: "bridge_result"; n: number; seq: number; result: string };

export interface WireResult {
  n: number;
  outcome: CallOutcome;
  output?: string;
  error?: string;
  cpuMs: number;
  wallMs: number;
  logs: string[];
  bridgeCalls: number;
}

export type FromRunner =
  | { type: "ready"; pid: number }
  | { type: "result"; result: WireResult }
  | { type: "started"; n: number }
  | { type: "need_bundle"; n: number }
  | { type: "bridge"; n: number; seq: number; method: string; args: string };

/** Environment variables the supervisor passes to a runner (the runner gets no other environment). */
export const RUNNER_ENV = {
  culpritFile: "BAZAAR_SANDBOX_CULPRIT_FILE",
  maxIsolates: "BAZAAR_SANDBOX_MAX_ISOLATES",
} as const;

/** One line of the culprit file, written synchronously by `onCatastrophicError` before `process.abort()`. */
export interface CulpritRecord {
  /** Wire id of the call running in the isolate, or null when the isolate was loading a context. */
  n: number | null;
  versionKey: string;
  message: string;
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
