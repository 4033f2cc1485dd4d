/**
 * Every limit the host puts on extensions, in one place: per-hook sandbox
 * limits, storage quotas, and the fault policy. Figures from
 * ../shared/notes/isolated-vm-measured.md and issue 5: a warm hook call costs
 * well under a millisecond, so 50 ms of CPU is ~500× what a reference
 * extension needs while still bounding a checkout.
 */
import type { CallLimits } from "../../sandbox/protocol";
import type { HookName } from "../marketplace/marketplace.schema";

/** How the platform calls a hook. */
export type HookMode =
  /** on a buyer's request path; the result prices or renders something now */
  | "sync"
  /** from the outbox relay, at least once, with an idempotency key */
  | "async";

export type HookConfig = { mode: HookMode; limits: CallLimits };

const BASE: CallLimits = {
  cpuMs: 50,
  wallMs: 150,
  memoryMb: 32,
  inputBytes: 128 * 1024,
  outputBytes: 64 * 1024,
  bridgeCalls: 20,
  logBytes: 1024,
};

export const HOOK_CONFIG: Readonly<Record<HookName, HookConfig>> = Object.freeze({
  "checkout.discounts": { mode: "sync", limits: BASE },
  "storefront.blocks": { mode: "sync", limits: { ...BASE, outputBytes: 16 * 1024 } },
  "order.paid": { mode: "async", limits: BASE },
  "order.completed": { mode: "async", limits: BASE },
  "order.refunded": { mode: "async", limits: BASE },
  "customer.created": { mode: "async", limits: BASE },
});

// A version's first call in a runner process is not charged for loading it: the
// sandbox starts its wall deadline when the runner reports the call started
// (sandbox/supervisor.ts COLD_LOAD_MS, decision 0017).

/** Per-install storage (`ctx.storage`). */
export const STORAGE_LIMITS = Object.freeze({
  valueBytes: 16 * 1024,
  installBytes: 256 * 1024,
  installKeys: 1_000,
  listPage: 100,
});

/** Counters (`ctx.counters`): values and deltas stay in PostgreSQL's `integer`. */
export const COUNTER_LIMITS = Object.freeze({ maxAbs: 1_000_000_000, maxEffectsPerCall: 20 });

/** Faults charged to an install within `windowMs` that suspend it. */
export const FAULT_POLICY = Object.freeze({ limit: 5, windowMs: 10 * 60_000 });

/** Asynchronous hook jobs: tries per delivery (a fault or an unavailable sandbox is retried). */
export const ASYNC_HOOK_JOB = Object.freeze({ name: "extensions.run_hook", attempts: 3, backoffMs: 2_000, concurrency: 4 });

/**
 * The invocation log's retention: rows older than `days` are deleted by the
 * `extensions.prune_invocations` job, every `everyMs`, `batchSize` rows per
 * statement and at most `maxBatches` statements per run (a backlog drains over
 * several runs without holding locks for long). 30 days covers the
 * developer's metrics (at most 30 days) and the merchant's activity pages.
 */
export const INVOCATION_RETENTION = Object.freeze({ days: 30, everyMs: 60 * 60_000, batchSize: 1_000, maxBatches: 50, job: "extensions.prune_invocations" });

/** Runner processes: at most two (one per core on the reference machine). */
export const DEFAULT_RUNNERS = 2;
