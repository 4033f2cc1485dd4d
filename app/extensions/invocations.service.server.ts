/**
 * Reading the invocation log: what an install did in a shop (the merchant's
 * page: every call, its outcome, and the data it read) and how an extension
 * behaves everywhere over time (the developer's metrics).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { BridgeCallRecord, InvocationOutcome, InvocationRow } from "../../db/tables/extensions";
import { AppError } from "../lib/errors";
import type { MetricsBucketRow } from "./extensions.repository.server";
import { deleteInvocationsBefore, selectInvocationsPage, selectMetricsBuckets, selectMetricsTotals, selectShopActivity } from "./extensions.repository.server";
import { INVOCATION_RETENTION } from "./hooks.config";

export const INVOCATION_PAGE_SIZE = 25;

export type InvocationView = {
  id: string;
  hook: string;
  outcome: InvocationOutcome;
  error: string | null;
  charged: boolean;
  subject: { type: string; id: string | null } | null;
  wallMs: number;
  cpuMs: number;
  bytesIn: number;
  bytesOut: number;
  bridgeCalls: number;
  logs: string[];
  reads: BridgeCallRecord[];
  summary: Record<string, unknown>;
  idempotencyKey: string | null;
  versionId: string;
  createdAt: string;
};

function view(row: InvocationRow): InvocationView {
  return {
    id: row.id,
    hook: row.hook,
    outcome: row.outcome,
    error: row.error,
    charged: row.charged,
    subject: row.subject_type ? { type: row.subject_type, id: row.subject_id } : null,
    wallMs: Number(row.wall_ms),
    cpuMs: Number(row.cpu_ms),
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    bridgeCalls: row.bridge_calls,
    logs: Array.isArray(row.logs) ? row.logs : [],
    reads: Array.isArray(row.reads) ? row.reads : [],
    summary: row.summary ?? {},
    idempotencyKey: row.idempotency_key,
    versionId: row.version_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const InvocationCursor = /^inv_[0-9a-z]{26}$/;

/**
 * One page of an install's invocations in the shop, newest first.
 *
 * @example const { items, nextBefore } = await listInvocations(db, shopId, installId, { before: url.searchParams.get("before") });
 */
export async function listInvocations(
  db: Kysely<Database>,
  shopId: string,
  installId: string,
  page: { before?: string | null; limit?: number } = {},
): Promise<{ items: InvocationView[]; nextBefore: string | null }> {
  const before = page.before || undefined;
  if (before !== undefined && !InvocationCursor.test(before)) throw new AppError("bad_request", "Invalid page cursor", { fieldErrors: { before: ["Not a valid id"] } });
  const limit = Math.min(Math.max(page.limit ?? INVOCATION_PAGE_SIZE, 1), 100);
  const rows = await selectInvocationsPage(db, shopId, installId, { before, limit: limit + 1 });
  const items = rows.slice(0, limit).map(view);
  return { items, nextBefore: rows.length > limit ? items[items.length - 1].id : null };
}

export type MetricsBucket = { at: string; calls: number; faults: number; errorRate: number; p50Ms: number | null; p95Ms: number | null; cpuP50Ms: number | null };

export type ExtensionMetrics = {
  since: string;
  bucketSeconds: number;
  buckets: MetricsBucket[];
  totals: { calls: number; faults: number; errorRate: number; p50Ms: number | null; p95Ms: number | null; byOutcome: Record<string, number>; byHook: Record<string, number> };
};

/**
 * An extension's calls, charged-fault rate and wall-time p50/p95 across
 * every shop, per bucket, over the last `hours`.
 */
export async function extensionMetrics(db: Kysely<Database>, extensionId: string, opts: { hours?: number; now?: Date } = {}): Promise<ExtensionMetrics> {
  const hours = Math.min(Math.max(opts.hours ?? 24, 1), 24 * 30);
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - hours * 3_600_000);
  // about 24–48 buckets whatever the range, so the chart stays readable
  const bucketSeconds = hours <= 2 ? 300 : hours <= 48 ? 3600 : 86_400;
  const [rows, totals] = await Promise.all([selectMetricsBuckets(db, extensionId, { since, bucketSeconds }), selectMetricsTotals(db, extensionId, since)]);
  const rate = (faults: number, calls: number) => (calls === 0 ? 0 : faults / calls);
  return {
    since: since.toISOString(),
    bucketSeconds,
    buckets: dense(rows, since, now, bucketSeconds).map((r) => ({ at: r.bucket.toISOString(), calls: r.calls, faults: r.faults, errorRate: rate(r.faults, r.calls), p50Ms: r.p50, p95Ms: r.p95, cpuP50Ms: r.cpu_p50 })),
    totals: { calls: totals.calls, faults: totals.faults, errorRate: rate(totals.faults, totals.calls), p50Ms: totals.p50, p95Ms: totals.p95, byOutcome: totals.by_outcome, byHook: totals.by_hook },
  };
}

export type InstallActivity = { calls: number; faults: number; lastCallAt: string | null };

/** Each install's calls and charged faults in the shop over the last `hours` (default 24), by install id. */
export async function shopExtensionActivity(db: Kysely<Database>, shopId: string, hours = 24): Promise<Record<string, InstallActivity>> {
  const rows = await selectShopActivity(db, shopId, new Date(Date.now() - hours * 3_600_000));
  return Object.fromEntries(rows.map((r) => [r.install_id, { calls: r.calls, faults: r.faults, lastCallAt: r.last_at ? r.last_at.toISOString() : null }]));
}

/** Every bucket from `since` to `now`, empty ones included, so a chart's x axis is time. */
function dense(rows: MetricsBucketRow[], since: Date, now: Date, bucketSeconds: number): MetricsBucketRow[] {
  const step = bucketSeconds * 1000;
  const byStart = new Map(rows.map((r) => [r.bucket.getTime(), r]));
  const out: MetricsBucketRow[] = [];
  for (let t = Math.floor(since.getTime() / step) * step; t <= now.getTime(); t += step) {
    out.push(byStart.get(t) ?? { bucket: new Date(t), calls: 0, faults: 0, p50: null, p95: null, cpu_p50: null });
  }
  return out;
}

/**
 * Deletes invocation rows older than the retention (30 days by default), in
 * batches of `batchSize`, at most `maxBatches` per run; resolves to how many
 * rows went. The `extensions.prune_invocations` job runs it every hour.
 *
 * @example
 * await pruneInvocations(platform.db); // { deleted: 1234, more: false }
 */
export async function pruneInvocations(
  db: Kysely<Database>,
  opts: { now?: Date; days?: number; batchSize?: number; maxBatches?: number } = {},
): Promise<{ deleted: number; more: boolean }> {
  const days = opts.days ?? INVOCATION_RETENTION.days;
  const batchSize = opts.batchSize ?? INVOCATION_RETENTION.batchSize;
  const maxBatches = opts.maxBatches ?? INVOCATION_RETENTION.maxBatches;
  const before = new Date((opts.now ?? new Date()).getTime() - days * 86_400_000);
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await deleteInvocationsBefore(db, before, batchSize);
    deleted += n;
    if (n < batchSize) return { deleted, more: false };
  }
  return { deleted, more: true };
}
