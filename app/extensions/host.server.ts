/**
 * The extension host: the platform's one sandbox (runner processes started
 * lazily, on the first hook call, and stopped with the platform), hook
 * dispatch, output validation, the invocation log and fault handling.
 *
 * - `checkout.discounts`: one `runBatch` per quote (every install's call in
 *   one IPC round trip per runner); each output is validated against the
 *   quote (known line ids, 0 ≤ amount ≤ line total, sum ≤ subtotal) and an
 *   invalid one is dropped whole and recorded `invalid_output`.
 * - Asynchronous hooks (`order.paid` …): one call per (install, event) from
 *   a job, with a stable idempotency key; counter effects apply once per key.
 * - `storefront.blocks`: declarative blocks, validated, never HTML.
 *
 * A fault never fails the caller: the install's contribution is dropped,
 * the invocation recorded, and the fault charged; 5 charged faults in 10
 * minutes suspend the install and notify the shop's owners.
 */
import os from "node:os";
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { Insertable } from "kysely";
import type { ExtensionInvocationsTable, InvocationOutcome } from "../../db/tables/extensions";
import { createSandbox, type Sandbox, type SandboxCall, type SandboxOptions } from "../../sandbox/supervisor";
import { FAULT_OUTCOMES, resolveLimits, type CallLimits, type CallResult } from "../../sandbox/protocol";
import { listShopTeam } from "../accounts/index.server";
import type { InstallDiscounts, QuoteInput } from "../checkout/index.server";
import { newId } from "../lib/ids";
import { activeInstalls, getInstallById, loadBundle, suspendInstall, type ActiveInstall, type HookName } from "../marketplace/index.server";
import { enqueueMailDelivery, notify } from "../notifications/index.server";
import type { Platform } from "../platform.server";
import { getShop, getShopCustomerId } from "../shops/index.server";
import { getOrder } from "../orders/index.server";
import { addCounterOnce, serveBridge, type InvocationMeta } from "./bridge.server";
import { countChargedFaults, finishDelivery, insertInvocations, recordDeliveryAttempt, selectRecentlyInvokedBundles } from "./extensions.repository.server";
import { ASYNC_HOOK_JOB, DEFAULT_RUNNERS, FAULT_POLICY, HOOK_CONFIG, WARM_ON_START } from "./hooks.config";
import { AsyncHookOutput, BlocksOutput, DiscountsOutput, type ExtensionBlocks } from "./hooks.schema";

export type HostPlatform = Pick<Platform, "db" | "config" | "jobs">;

export type ExtensionHostOptions = {
  /** runner processes (default: 2, or fewer cores) */
  runners?: number;
  /** per-hook overrides of HOOK_CONFIG's limits (tests) */
  limits?: Partial<Record<HookName, Partial<CallLimits>>>;
  /** load recently called versions when the sandbox starts (default true) */
  warmOnStart?: boolean;
  /** passed through to `createSandbox` (tests: quiet stderr, start timeouts) */
  sandbox?: Partial<Omit<SandboxOptions<InvocationMeta>, "onBridge" | "runners">>;
};

/** An event as the relay handed it, carried in the hook job's data. */
export type HookEvent = { id: string; name: string; shopId: string; subjectId: string | null; payload: Record<string, unknown>; createdAt: string };

/** Where storefront blocks are shown: the page, and the product on a product page. */
export type StorefrontView = { page?: "home" | "product" | "cart"; productId?: string };

export type AsyncHookJob = { installId: string; hook: HookName; event: HookEvent };

export type AsyncHookResult = {
  /** done: delivered (the extension ran, or it had run before); retry: try again later; failed: gave up; skipped: install not active */
  status: "done" | "retry" | "failed" | "skipped";
  outcome: InvocationOutcome | null;
  idempotencyKey: string;
};

export interface ExtensionHost {
  /** Every active install's `checkout.discounts` offer for this quote, valid ones only, in the merchant's order. */
  collectDiscounts(input: QuoteInput): Promise<InstallDiscounts[]>;
  /** Delivers one asynchronous hook (the `extensions.run_hook` job calls this). */
  runAsyncHook(job: AsyncHookJob, attempt?: { final: boolean }): Promise<AsyncHookResult>;
  /** The storefront's extension blocks for a buyer (or a visitor) on a page, valid ones only. */
  storefrontBlocks(shopId: string, buyer: { userId: string } | null, view?: StorefrontView): Promise<ExtensionBlocks[]>;
  /** Whether the runner processes were started. */
  readonly started: boolean;
  /** The sandbox's runner stats (empty before the first call). */
  stats(): ReturnType<Sandbox["stats"]>;
  /** Stops the runners; later calls resolve as `rejected` (nothing runs). */
  stop(): Promise<void>;
}

/** What one call asks of the sandbox, before it runs. */
type CallPlan = {
  install: ActiveInstall;
  hook: HookName;
  input: Record<string, unknown>;
  subject: InvocationMeta["subject"];
  subjectRef: { type: string; id: string | null };
  idempotencyKey: string | null;
};

type Ran = { plan: CallPlan; meta: InvocationMeta; result: CallResult; limits: CallLimits };

/** What the host concluded about a call, for the log. */
type Verdict = { outcome: InvocationOutcome; error: string | null; charged: boolean; summary: Record<string, unknown> };

function seedOf(input: string): string {
  return createHash("sha256").update(input).digest("hex").slice(0, 32);
}

/** Whether a sandbox outcome is the extension's fault (see sandbox/README.md "Outcomes"). */
function isCharged(result: CallResult, limits: CallLimits): boolean {
  if (!FAULT_OUTCOMES.has(result.outcome)) return false;
  if (result.outcome === "crash" && result.retried) return false;
  // a wall-clock timeout spent mostly waiting for the host is the platform's slowness, not the extension's
  if (result.outcome === "timeout" && result.hostWaitMs >= limits.wallMs / 2) return false;
  return true;
}

function sandboxVerdict(r: CallResult, limits: CallLimits): Verdict {
  return { outcome: r.outcome, error: r.error ?? null, charged: isCharged(r, limits), summary: {} };
}

function parseOutput(r: CallResult): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(r.output ?? "null") };
  } catch {
    return { ok: false, error: "output is not JSON" };
  }
}

function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const i = issues[0];
  return i ? `${i.path.map(String).join(".") || "output"}: ${i.message}` : "invalid output";
}

/**
 * Validates a `checkout.discounts` output against the quote it answers.
 * Returns the install's offer, or why the whole output is dropped.
 */
export function validateDiscounts(raw: unknown, input: QuoteInput, install: Pick<ActiveInstall, "installId" | "extensionName">): { ok: true; offer: InstallDiscounts } | { ok: false; error: string } {
  const parsed = DiscountsOutput.safeParse(raw);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error.issues) };
  const totals = new Map(input.lines.map((l) => [l.lineId, l.lineTotal]));
  let sum = 0;
  for (const [i, d] of parsed.data.discounts.entries()) {
    if (d.source && d.source.installId !== install.installId) return { ok: false, error: `discounts.${i}.source: names another install` };
    if (d.lineId !== null) {
      const total = totals.get(d.lineId);
      if (total === undefined) return { ok: false, error: `discounts.${i}.lineId: unknown line ${JSON.stringify(d.lineId.slice(0, 40))}` };
      if (d.amount > total) return { ok: false, error: `discounts.${i}.amount: ${d.amount} exceeds the line total ${total}` };
    } else if (d.amount > input.subtotal) {
      return { ok: false, error: `discounts.${i}.amount: ${d.amount} exceeds the subtotal ${input.subtotal}` };
    }
    sum += d.amount;
  }
  if (sum > input.subtotal) return { ok: false, error: `discounts: the sum ${sum} exceeds the subtotal ${input.subtotal}` };
  for (const [i, r] of parsed.data.reservations.entries()) {
    if (r.installId !== undefined && r.installId !== install.installId) return { ok: false, error: `reservations.${i}.installId: names another install` };
    if (r.bound.min !== undefined && r.bound.max !== undefined && r.bound.min > r.bound.max) return { ok: false, error: `reservations.${i}.bound: min > max` };
  }
  const source = { installId: install.installId, extensionName: install.extensionName };
  return {
    ok: true,
    offer: {
      installId: install.installId,
      lines: parsed.data.discounts.filter((d) => d.amount > 0).map((d) => ({ lineId: d.lineId, amount: d.amount, label: d.label, source })),
      reservations: parsed.data.reservations.map((r) => ({
        installId: install.installId,
        counterKey: r.counterKey,
        delta: r.delta,
        bound: { ...(r.bound.min !== undefined ? { min: r.bound.min } : {}), ...(r.bound.max !== undefined ? { max: r.bound.max } : {}) },
      })),
    },
  };
}

/**
 * Creates the platform's extension host. Nothing starts until the first hook
 * call: a process that never runs an extension never spawns a runner.
 */
export function createExtensionHost(platform: HostPlatform, options: ExtensionHostOptions = {}): ExtensionHost {
  const db: Kysely<Database> = platform.db;
  let sandbox: Sandbox<InvocationMeta> | null = null;
  let stopped = false;

  function getSandbox(): Sandbox<InvocationMeta> | null {
    if (stopped) return null;
    if (!sandbox) {
      sandbox = createSandbox<InvocationMeta>({
        runners: options.runners ?? Math.max(1, Math.min(DEFAULT_RUNNERS, os.cpus().length)),
        maxIsolatesPerRunner: 32,
        ...options.sandbox,
        onBridge: ({ call, method, args }) => serveBridge(db, call.meta!, method, args),
        onFault:
          options.sandbox?.onFault ??
          ((versionKey, call, outcome, detail) => {
            console.warn(`[extensions] runner-level ${outcome} (${versionKey.slice(0, 19)}…${call?.meta ? `, install ${call.meta.install.installId}` : ""}): ${detail}`);
          }),
      });
      if (options.warmOnStart !== false) void warmRecent(sandbox);
    }
    return sandbox;
  }

  /**
   * A sandbox that just started (a deploy, a restart) loads the versions
   * active installs called in the last hour, the busiest first, so their
   * next calls find a warm isolate (decision 0017). Best effort: a failure
   * only means those first calls are cold.
   */
  async function warmRecent(box: Sandbox<InvocationMeta>): Promise<void> {
    try {
      const hashes = await selectRecentlyInvokedBundles(db, new Date(Date.now() - WARM_ON_START.windowMs), WARM_ON_START.versions);
      for (const hash of hashes) {
        if (stopped || sandbox !== box) return;
        const bundle = await loadBundle(db, hash);
        if (bundle) box.load({ versionKey: hash, bundle, memoryMb: HOOK_CONFIG["checkout.discounts"].limits.memoryMb });
      }
    } catch (e) {
      if (!stopped) console.warn(`[extensions] warming the sandbox failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function limitsFor(hook: HookName): CallLimits {
    return resolveLimits(HOOK_CONFIG[hook].limits, options.limits?.[hook]);
  }

  /** Runs the plans together (one IPC message per runner) and never rejects. */
  async function invokeMany(plans: CallPlan[]): Promise<Ran[]> {
    const bundles = new Map<string, string | null>();
    for (const p of plans) if (!bundles.has(p.install.bundleHash)) bundles.set(p.install.bundleHash, await loadBundle(db, p.install.bundleHash));
    const now = Date.now();
    const prepared = plans.map((plan) => {
      const limits = limitsFor(plan.hook);
      const meta: InvocationMeta = {
        invocationId: newId("inv"),
        shopId: plan.install.shopId,
        install: plan.install,
        hook: plan.hook,
        mode: HOOK_CONFIG[plan.hook].mode,
        subject: plan.subject,
        idempotencyKey: plan.idempotencyKey,
        reads: [],
      };
      const input = JSON.stringify(plan.input);
      const call: SandboxCall<InvocationMeta> = {
        id: meta.invocationId,
        versionKey: plan.install.bundleHash,
        bundle: bundles.get(plan.install.bundleHash) ?? "",
        hook: plan.hook,
        input,
        timestamp: now,
        seed: seedOf(input),
        limits,
        meta,
      };
      return { plan, meta, call, limits };
    });
    // A version's first call in a runner gets its wall deadline only once the
    // runner has loaded it (sandbox/supervisor.ts COLD_LOAD_MS, decision 0017).
    const box = getSandbox();
    const runnable = prepared.filter((p) => p.call.bundle !== "" && box);
    const results = box && runnable.length ? await box.runBatch(runnable.map((p) => p.call)) : [];
    const byId = new Map(results.map((r) => [r.id, r]));
    return prepared.map((p) => ({
      plan: p.plan,
      meta: p.meta,
      limits: p.limits,
      result:
        byId.get(p.call.id) ??
        ({
          id: p.call.id,
          outcome: "rejected",
          error: !box ? "the extension host is stopped" : "the version's bundle is missing",
          cpuMs: 0,
          wallMs: 0,
          bytesIn: Buffer.byteLength(p.call.input, "utf8"),
          bytesOut: 0,
          logs: [],
          bridgeCalls: 0,
          hostWaitMs: 0,
          retried: false,
        } satisfies CallResult),
    }));
  }

  function logRow(ran: Ran, verdict: Verdict): Insertable<ExtensionInvocationsTable> {
    const { plan, meta, result } = ran;
    return {
      id: meta.invocationId,
      shop_id: plan.install.shopId,
      install_id: plan.install.installId,
      extension_id: plan.install.extensionId,
      version_id: plan.install.versionId,
      hook: plan.hook,
      subject_type: plan.subjectRef.type,
      subject_id: plan.subjectRef.id,
      outcome: verdict.outcome,
      error: verdict.error ? verdict.error.slice(0, 1000) : null,
      wall_ms: result.wallMs,
      cpu_ms: result.cpuMs,
      host_wait_ms: result.hostWaitMs,
      bytes_in: result.bytesIn,
      bytes_out: result.bytesOut,
      bridge_calls: result.bridgeCalls,
      logs: JSON.stringify(result.logs ?? []),
      reads: JSON.stringify(meta.reads),
      summary: JSON.stringify(verdict.summary),
      idempotency_key: plan.idempotencyKey,
      retried: result.retried,
      charged: verdict.charged,
    };
  }

  /** Writes the log rows, then suspends installs that reached the fault limit. */
  async function settle(entries: { ran: Ran; verdict: Verdict }[]): Promise<void> {
    await insertInvocations(db, entries.map((e) => logRow(e.ran, e.verdict)));
    const faulty = new Map<string, ActiveInstall>();
    for (const e of entries) if (e.verdict.charged) faulty.set(e.ran.plan.install.installId, e.ran.plan.install);
    for (const install of faulty.values()) await chargeFault(install);
  }

  async function chargeFault(install: ActiveInstall): Promise<void> {
    const faults = await countChargedFaults(db, install.installId, new Date(Date.now() - FAULT_POLICY.windowMs));
    if (faults < FAULT_POLICY.limit) return;
    const minutes = Math.round(FAULT_POLICY.windowMs / 60_000);
    const mailIds: string[] = [];
    await db.transaction().execute(async (trx) => {
      const suspended = await suspendInstall(trx, { type: "system" }, {
        shopId: install.shopId,
        installId: install.installId,
        reason: "faults",
        detail: `${faults} faults in ${minutes} minutes`,
      });
      if (!suspended) return;
      const { members } = await listShopTeam(trx, install.shopId);
      for (const owner of members.filter((m) => m.role === "owner")) {
        const { mailId } = await notify(trx, {
          userId: owner.userId,
          kind: "extension.suspended",
          title: `${install.extensionName} was suspended`,
          body: `${install.extensionName} failed ${faults} times in ${minutes} minutes, so Bazaar stopped running it in your shop. Checkout and your other extensions keep working. You can see what happened and resume it on the Extensions page.`,
          link: `/admin/shops/${install.shopId}/extensions/${install.installId}`,
          data: { installId: install.installId, extensionId: install.extensionId, faults },
          email: true,
          publicUrl: platform.config.publicUrl,
        });
        if (mailId) mailIds.push(mailId);
      }
    });
    // after commit: never enqueue inside a transaction (the mail sweep would pick them up anyway)
    for (const id of mailIds) await enqueueMailDelivery(platform.jobs, id).catch((e) => console.warn(`[extensions] mail ${id} not enqueued: ${String(e)}`));
  }

  async function collectDiscounts(input: QuoteInput): Promise<InstallDiscounts[]> {
    const hook = "checkout.discounts" as const;
    const installs = await activeInstalls(db, input.shop.id, hook);
    if (installs.length === 0) return [];
    const subject = { customerIds: input.buyer.customerId ? [input.buyer.customerId] : [], orderIds: [] };
    const subjectRef = input.buyer.customerId ? { type: "customer", id: input.buyer.customerId } : { type: "user", id: input.buyer.userId };
    const runs = await invokeMany(
      installs.map((install) => ({
        install,
        hook,
        input: { hook, install: { id: install.installId }, shop: input.shop, buyer: input.buyer, lines: input.lines, subtotal: input.subtotal, attributes: input.attributes },
        subject,
        subjectRef,
        idempotencyKey: null,
      })),
    );
    const offers: InstallDiscounts[] = [];
    const entries = runs.map((ran) => {
      if (ran.result.outcome !== "ok") return { ran, verdict: sandboxVerdict(ran.result, ran.limits) };
      const out = parseOutput(ran.result);
      const checked = out.ok ? validateDiscounts(out.value, input, ran.plan.install) : out;
      if (!checked.ok) return { ran, verdict: { outcome: "invalid_output" as const, error: checked.error, charged: true, summary: { dropped: true } } };
      offers.push(checked.offer);
      return {
        ran,
        verdict: {
          outcome: "ok" as const,
          error: null,
          charged: false,
          summary: {
            discounts: checked.offer.lines.map((l) => ({ lineId: l.lineId, amount: l.amount, label: l.label })),
            reservations: checked.offer.reservations.map((r) => ({ counterKey: r.counterKey, delta: r.delta, bound: r.bound })),
          },
        },
      };
    });
    await settle(entries);
    return offers;
  }

  async function asyncInput(job: AsyncHookJob, install: ActiveInstall, idempotencyKey: string): Promise<Pick<CallPlan, "input" | "subject" | "subjectRef">> {
    const p = job.event.payload;
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
    const base = {
      hook: job.hook,
      install: { id: install.installId },
      idempotencyKey,
      event: { id: job.event.id, name: job.event.name, occurredAt: job.event.createdAt },
      shop: { id: job.event.shopId },
    };
    if (job.hook === "customer.created") {
      const customerId = str(p.customerId) ?? job.event.subjectId;
      return {
        input: { ...base, customer: { id: customerId } },
        subject: { customerIds: customerId ? [customerId] : [], orderIds: [] },
        subjectRef: { type: "customer", id: customerId },
      };
    }
    const orderId = str(p.orderId) ?? job.event.subjectId;
    // Event payloads are small and differ per event (order.paid carries the
    // payment, not the buyer): the order itself is read from the platform's
    // current state, scoped to the event's shop.
    const current = orderId && job.event.shopId ? await getOrder(db, job.event.shopId, orderId) : null;
    const customerId = current?.customerId ?? str(p.customerId);
    const order = {
      id: orderId,
      customerId,
      status: current?.status ?? str(p.status),
      total: current?.total ?? num(p.total),
      refundedTotal: current?.refundedTotal ?? num(p.refundedTotal),
      currency: current?.currency ?? str(p.currency),
    };
    const refund = job.hook === "order.refunded" ? { refund: { id: str(p.refundId), amount: num(p.amount), refundedTotal: num(p.refundedTotal), full: p.full === true } } : {};
    return {
      input: { ...base, order, ...refund },
      subject: { customerIds: customerId ? [customerId] : [], orderIds: orderId ? [orderId] : [] },
      subjectRef: { type: "order", id: orderId },
    };
  }

  async function runAsyncHook(job: AsyncHookJob, attempt: { final: boolean } = { final: false }): Promise<AsyncHookResult> {
    const idempotencyKey = `hook-${job.installId}-${job.event.id}`;
    const install = await getInstallById(db, job.installId);
    if (!install || install.shopId !== job.event.shopId || install.status !== "active" || !install.hooks.includes(job.hook)) {
      return { status: "skipped", outcome: null, idempotencyKey };
    }
    const delivery = await recordDeliveryAttempt(db, { installId: install.installId, eventId: job.event.id, shopId: install.shopId, hook: job.hook, idempotencyKey });
    // delivered before (the queue ran the job again): at least once is satisfied
    if (delivery.status === "done") return { status: "done", outcome: null, idempotencyKey };
    const [ran] = await invokeMany([{ install, hook: job.hook, idempotencyKey, ...(await asyncInput(job, install, idempotencyKey)) }]);
    let verdict: Verdict;
    if (ran.result.outcome !== "ok") {
      verdict = sandboxVerdict(ran.result, ran.limits);
    } else {
      const out = parseOutput(ran.result);
      const parsed = out.ok ? AsyncHookOutput.safeParse(out.value) : null;
      if (!parsed || !parsed.success) {
        verdict = { outcome: "invalid_output", error: parsed ? firstIssue(parsed.error.issues) : "output is not JSON", charged: true, summary: {} };
      } else {
        const effects: Record<string, unknown>[] = [];
        for (const [i, fx] of parsed.data.counters.entries()) {
          const r = await addCounterOnce(db, { install }, `${idempotencyKey}|fx|${i}|${fx.key}`, fx.key, fx.delta, { min: fx.min, max: fx.max });
          effects.push({ key: fx.key, delta: fx.delta, applied: r.applied, duplicate: r.duplicate, value: r.value });
          ran.meta.reads.push({ method: "effect.counters", target: fx.key, result: "ok", read: r.applied ? `counter "${fx.key}" ${fx.delta > 0 ? "+" : ""}${fx.delta}` : `counter "${fx.key}" unchanged (${r.duplicate ? "already applied" : "bound"})` });
        }
        verdict = { outcome: "ok", error: null, charged: false, summary: effects.length ? { counters: effects } : {} };
      }
    }
    await settle([{ ran, verdict }]);
    const status: AsyncHookResult["status"] =
      verdict.outcome === "ok" ? "done" : attempt.final || delivery.attempts >= ASYNC_HOOK_JOB.attempts ? "failed" : "retry";
    await finishDelivery(db, install.installId, job.event.id, status === "retry" ? "pending" : status, verdict.outcome);
    return { status, outcome: verdict.outcome, idempotencyKey };
  }

  async function storefrontBlocks(shopId: string, buyer: { userId: string } | null, view: StorefrontView = {}): Promise<ExtensionBlocks[]> {
    const page = view.page ?? "home";
    const hook = "storefront.blocks" as const;
    const installs = await activeInstalls(db, shopId, hook);
    if (installs.length === 0) return [];
    const shop = await getShop(db, shopId);
    if (!shop) return [];
    const customerId = buyer ? await getShopCustomerId(db, shopId, buyer.userId) : null;
    const runs = await invokeMany(
      installs.map((install) => ({
        install,
        hook,
        input: {
          hook,
          install: { id: install.installId },
          shop: { id: shop.id, currency: shop.currency },
          buyer: customerId ? { customerId } : null,
          page,
          ...(page === "product" && view.productId ? { productId: view.productId } : {}),
        },
        subject: { customerIds: customerId ? [customerId] : [], orderIds: [] },
        subjectRef: customerId ? { type: "customer", id: customerId } : { type: "visitor", id: null },
        idempotencyKey: null,
      })),
    );
    const out: ExtensionBlocks[] = [];
    const entries = runs.map((ran) => {
      if (ran.result.outcome !== "ok") return { ran, verdict: sandboxVerdict(ran.result, ran.limits) };
      const parsedJson = parseOutput(ran.result);
      const parsed = parsedJson.ok ? BlocksOutput.safeParse(parsedJson.value) : null;
      if (!parsed || !parsed.success) {
        return { ran, verdict: { outcome: "invalid_output" as const, error: parsed ? firstIssue(parsed.error.issues) : "output is not JSON", charged: true, summary: { dropped: true } } };
      }
      if (parsed.data.blocks.length) out.push({ installId: ran.plan.install.installId, extensionName: ran.plan.install.extensionName, blocks: parsed.data.blocks });
      return { ran, verdict: { outcome: "ok" as const, error: null, charged: false, summary: { blocks: parsed.data.blocks.map((b) => b.type) } } };
    });
    await settle(entries);
    return out;
  }

  return {
    collectDiscounts,
    runAsyncHook,
    storefrontBlocks,
    get started() {
      return sandbox !== null;
    },
    stats: () => sandbox?.stats() ?? { runners: [], waiting: 0 },
    async stop() {
      stopped = true;
      const box = sandbox;
      sandbox = null;
      if (box) await box.stop();
    },
  };
}
