/**
 * Every limit the host puts on extensions, in one place: per-hook sandbox
 * limits, storage quotas, and the fault policy. Figures from
 * ../shared/notes/isolated-vm-measured.md and issue 5: a warm hook call costs
 * well under a millisecond, so 50 ms of CPU is ~500× what a reference
 * extension needs while still bounding a checkout.
 */
import type { CallLimits } from "../../sandbox/protocol";
import { ASYNC_HOOK_NAMES } from "../../plugins-sdk/src/hooks";
import { COUNTER_LIMITS as SDK_COUNTER_LIMITS, HOOK_LIMITS, STORAGE_LIMITS as SDK_STORAGE_LIMITS } from "../../plugins-sdk/src/policy";
import type { HookName } from "../marketplace/marketplace.schema";

/** How the platform calls a hook. */
export type HookMode =
  /** on a buyer's request path; the result prices or renders something now */
  | "sync"
  /** from the outbox relay, at least once, with an idempotency key */
  | "async";

export type HookConfig = { mode: HookMode; limits: CallLimits };

const modeOf = (hook: HookName): HookMode => ((ASYNC_HOOK_NAMES as readonly string[]).includes(hook) ? "async" : "sync");
const configOf = (hook: HookName): HookConfig => ({ mode: modeOf(hook), limits: { ...HOOK_LIMITS[hook] } });

/**
 * Per hook: how it is called and its sandbox limits. The values are the
 * SDK's (`HOOK_LIMITS`, `ASYNC_HOOK_NAMES` in plugins-sdk/), the one source
 * the harness also uses, so a developer's tests run under production's limits.
 */
export const HOOK_CONFIG: Readonly<Record<HookName, HookConfig>> = Object.freeze({
  "checkout.discounts": configOf("checkout.discounts"),
  "storefront.blocks": configOf("storefront.blocks"),
  "order.paid": configOf("order.paid"),
  "order.completed": configOf("order.completed"),
  "order.refunded": configOf("order.refunded"),
  "customer.created": configOf("customer.created"),
});

// A version's first call in a runner process is not charged for loading it: the
// sandbox starts its wall deadline when the runner reports the call started
// (sandbox/supervisor.ts COLD_LOAD_MS, decision 0017).

/** Per-install storage (`ctx.storage`): the SDK's policy values. */
export const STORAGE_LIMITS = SDK_STORAGE_LIMITS;

/** Counters (`ctx.counters`): values and deltas stay in PostgreSQL's `integer` (the SDK's policy values). */
export const COUNTER_LIMITS = SDK_COUNTER_LIMITS;

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

/** What a freshly started sandbox loads ahead of calls: versions called in the last `windowMs`, at most `versions`. */
export const WARM_ON_START = Object.freeze({ windowMs: 60 * 60_000, versions: 16 });

/** Runner processes: at most two (one per core on the reference machine). */
export const DEFAULT_RUNNERS = 2;
