/**
 * The automated checks of a submitted version, line by line, in the order
 * of CHECK_RULES (workflows.schema.ts — the same list /developers/rules
 * publishes):
 *
 * - `manifest`, `bundle_size`, `scopes`, `settings_form`: static, on the
 *   manifest as written and the bundle's bytes;
 * - `hooks_run`, `hooks_output`, `hooks_deterministic`: every declared hook
 *   runs in the production sandbox (sandbox/supervisor.ts runners, through
 *   the SDK harness's fake platform: settings at their defaults, empty
 *   storage, the fixture's customers and orders behind the bridge, the
 *   production bridge policy) with the production limits, on the platform's
 *   fixtures below; each output is validated with the host's own schemas
 *   (app/extensions/hooks.schema.ts, `validateDiscounts`), and each call is
 *   made twice, a second apart, and must give the same output.
 *
 * `runVersionChecks` is the job: it claims a `submitted` version, stores the
 * lines, and moves the version to `checks_passed` ("In review") or
 * `checks_failed` with one transaction; the vendor's members are told. It is
 * enqueued from the outbox (`versionChecksConsumer` on
 * `extension_version.submitted`), never inside a transaction.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { createHarness, type Harness } from "../../plugins-sdk/src/harness";
import { ManifestSchema, ScopeRequestSchema, type Manifest, type SettingField } from "../../plugins-sdk/src/manifest";
import type { CallLimits } from "../../sandbox/protocol";
import type { EventConsumer } from "../events/index.server";
import { AsyncHookOutput, BlocksOutput } from "../extensions/hooks.schema";
import { HOOK_CONFIG } from "../extensions/hooks.config";
import { validateDiscounts } from "../extensions/host.server";
import type { JobDefinition } from "../jobs/index.server";
import { notify } from "../notifications/index.server";
import type { Platform } from "../platform.server";
import { loadBundle, MAX_BUNDLE_BYTES, setVersionStatus } from "./marketplace.service.server";
import { selectExtension, selectVersion } from "./marketplace.repository.server";
import { SCOPES, isAsyncHook, type HookName } from "./marketplace.schema";
import { formValuesOf, settingsFormFields, settingsFromForm } from "./settings-form";
import { markChecksStarted, replaceCheckLines, selectUncheckedVersionIds, selectVendorMembers } from "./workflows.repository.server";
import { CHECK_RULES, VERSION_STATUS_LABELS, type CheckName } from "./workflows.schema";

/** One line of the checks' result. */
export type CheckLine = { name: CheckName; passed: boolean; detail: string };

export const VERSION_CHECKS_JOB = Object.freeze({ name: "marketplace.version_checks", attempts: 3, backoffMs: 5_000, concurrency: 1 });
export const VERSION_CHECKS_SWEEP_JOB = "marketplace.version_checks_sweep";

/** The call time of the fixtures, and of the determinism re-run a second later. */
const FIXTURE_TIME = Date.UTC(2026, 10, 20, 10, 0, 0);
const RERUN_DELAY_MS = 1_000;

// ---- the platform's fixtures ----------------------------------------------------------------

const CUSTOMER = { id: "cus_fixture_1", name: "Li Lei", email: "li.lei@example.com", createdAt: "2026-11-01T00:00:00.000Z" };

function cart(lines: number) {
  const out = [];
  let subtotal = 0;
  for (let i = 1; i <= lines; i++) {
    const unitPrice = 500 + ((i * 379) % 9_500);
    const quantity = 1 + (i % 3);
    const lineTotal = unitPrice * quantity;
    subtotal += lineTotal;
    out.push({
      lineId: `cln_fixture_${i}`,
      skuId: `sku_fixture_${i}`,
      productId: `prd_fixture_${1 + (i % 40)}`,
      categoryId: i % 4 === 0 ? null : `cat_fixture_${i % 4}`,
      quantity,
      unitPrice,
      lineTotal,
    });
  }
  return { lines: out, subtotal };
}

function order(id: string, status: "paid" | "completed", total: number, refundedTotal = 0) {
  return {
    id,
    customerId: CUSTOMER.id,
    status,
    currency: "CNY",
    subtotal: total,
    discountTotal: 0,
    shippingTotal: 0,
    total,
    refundedTotal,
    itemCount: 3,
    createdAt: "2026-11-20T09:00:00.000Z",
    paidAt: "2026-11-20T09:01:00.000Z",
    lines: [
      { lineId: "oln_fixture_1", productId: "prd_fixture_1", skuId: "sku_fixture_1", title: "Green tea 250 g", quantity: 2, unitPrice: 6_000, total: 12_000 },
      { lineId: "oln_fixture_2", productId: "prd_fixture_2", skuId: "sku_fixture_2", title: "Teapot", quantity: 1, unitPrice: total - 12_000, total: total - 12_000 },
    ],
  };
}

const ORDER_SMALL = order("ord_fixture_1", "paid", 25_800);
const ORDER_LARGE = order("ord_fixture_2", "completed", 1_288_000);
const ORDER_REFUNDED = order("ord_fixture_3", "paid", 25_800, 10_000);

type Fixture = { label: string; input: Record<string, unknown> };

function quote(label: string, lines: number, attributes: Record<string, unknown>): Fixture {
  const c = cart(lines);
  return {
    label,
    input: { shop: { id: "shp_fixture", currency: "CNY" }, buyer: { userId: "usr_fixture_1", customerId: CUSTOMER.id }, lines: c.lines, subtotal: c.subtotal, attributes },
  };
}

const ref = (o: typeof ORDER_SMALL) => ({ id: o.id, customerId: o.customerId, status: o.status, total: o.total, currency: o.currency });

/** The platform's fixture data per hook: what every vendor's version is run on. */
export const HOOK_FIXTURES: Readonly<Record<HookName, readonly Fixture[]>> = {
  "checkout.discounts": [
    quote("small cart", 2, {}),
    quote("200-line cart", 200, { coupon: "WELCOME10", usePoints: true }),
  ],
  "order.paid": [
    { label: "paid order", input: { order: ref(ORDER_SMALL) } },
    { label: "large paid order", input: { order: ref(ORDER_LARGE) } },
  ],
  "order.completed": [{ label: "completed order", input: { order: ref(ORDER_LARGE) } }],
  "order.refunded": [
    { label: "partial refund", input: { order: ref(ORDER_REFUNDED), refund: { id: "ref_fixture_1", amount: 10_000, refundedTotal: 10_000, full: false } } },
    { label: "full refund", input: { order: { ...ref(ORDER_SMALL), status: "closed" }, refund: { id: "ref_fixture_2", amount: 25_800, refundedTotal: 25_800, full: true } } },
  ],
  "customer.created": [{ label: "new customer", input: { customer: { id: CUSTOMER.id } } }],
  "storefront.blocks": [
    { label: "home, signed-in buyer", input: { shop: { id: "shp_fixture", currency: "CNY" }, buyer: { customerId: CUSTOMER.id }, page: "home" } },
    { label: "product page, visitor", input: { shop: { id: "shp_fixture", currency: "CNY" }, buyer: null, page: "product", productId: "prd_fixture_1" } },
  ],
};

// ---- the checks ----------------------------------------------------------------------------

export type RunChecksOptions = {
  /** a harness to reuse (tests); by default one is created for the run and stopped after */
  harness?: Harness;
  /** limit overrides over the production limits (tests on a loaded machine) */
  limits?: Partial<CallLimits>;
};

function firstIssues(issues: readonly { path: PropertyKey[]; message: string }[], max = 3): string {
  return issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join(".") || "manifest"}: ${i.message}`)
    .join("; ");
}

function checkScopes(raw: unknown): CheckLine {
  const scopes = raw && typeof raw === "object" && Array.isArray((raw as { scopes?: unknown }).scopes) ? ((raw as { scopes: unknown[] }).scopes as unknown[]) : null;
  if (!scopes) return { name: "scopes", passed: false, detail: "manifest.scopes must be a list (use [] for none)" };
  const problems: string[] = [];
  const seen = new Set<string>();
  scopes.forEach((s, i) => {
    const scope = s && typeof s === "object" ? (s as { scope?: unknown }).scope : undefined;
    const justification = s && typeof s === "object" ? (s as { justification?: unknown }).justification : undefined;
    const name = typeof scope === "string" ? scope : `#${i + 1}`;
    if (typeof scope !== "string" || !(SCOPES as readonly string[]).includes(scope)) problems.push(`${name}: not a scope of the platform (known: ${SCOPES.join(", ")})`);
    if (typeof justification !== "string" || justification.trim().length < 20) problems.push(`${name}: needs a justification of at least 20 characters`);
    else if (justification.trim().length > 300) problems.push(`${name}: the justification is longer than 300 characters`);
    if (typeof scope === "string") {
      if (seen.has(scope)) problems.push(`${name}: asked twice`);
      seen.add(scope);
    }
  });
  if (problems.length) return { name: "scopes", passed: false, detail: problems.join("; ") };
  return { name: "scopes", passed: true, detail: scopes.length ? `${scopes.map((s) => (s as { scope: string }).scope).join(", ")}, each justified` : "no scopes asked" };
}

function checkSettingsForm(settings: readonly SettingField[]): CheckLine {
  try {
    const inputs = settingsFormFields(settings);
    const back = settingsFromForm(settings, formValuesOf(inputs));
    if (!back.success) return { name: "settings_form", passed: false, detail: `the defaults do not survive the form: ${Object.entries(back.fieldErrors).map(([k, v]) => `${k}: ${v[0]}`).join("; ")}` };
    for (const f of settings) {
      if (JSON.stringify(back.settings[f.key]) !== JSON.stringify(f.default)) {
        return { name: "settings_form", passed: false, detail: `${f.key}: the default ${JSON.stringify(f.default)} reads back from the form as ${JSON.stringify(back.settings[f.key])}` };
      }
    }
    return { name: "settings_form", passed: true, detail: settings.length ? `${settings.length} field${settings.length === 1 ? "" : "s"}: ${settings.map((f) => f.key).join(", ")}` : "no settings" };
  } catch (e) {
    return { name: "settings_form", passed: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

type HookCall = { outcome: string; error?: string; output: string | null; cpuMs: number };

function validateOutput(hook: HookName, fixture: Fixture, text: string | null): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "null");
  } catch {
    return "the output is not JSON";
  }
  const issue = (issues: readonly { path: PropertyKey[]; message: string }[]) => firstIssues(issues, 1).replace(/^manifest: /, "output: ");
  if (hook === "checkout.discounts") {
    const r = validateDiscounts(value, fixture.input as unknown as Parameters<typeof validateDiscounts>[1], { installId: "ins_checks", extensionName: "checks" });
    return r.ok ? null : r.error;
  }
  if (hook === "storefront.blocks") {
    const r = BlocksOutput.safeParse(value);
    return r.success ? null : issue(r.error.issues);
  }
  const r = AsyncHookOutput.safeParse(value);
  return r.success ? null : issue(r.error.issues);
}

/**
 * Runs every check on a candidate version (the manifest as submitted, the
 * bundle's text) and returns the lines in CHECK_RULES order. Never throws
 * for anything the candidate does.
 *
 * @example
 * const lines = await runChecks({ manifest, bundle });
 * lines.every((l) => l.passed); // → in review
 */
export async function runChecks(candidate: { manifest: unknown; bundle: string }, options: RunChecksOptions = {}): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const parsed = ManifestSchema.safeParse(candidate.manifest);
  const otherIssues = parsed.success ? [] : parsed.error.issues.filter((i) => i.path[0] !== "scopes");
  const manifestOk = parsed.success || otherIssues.length === 0;
  lines.push(
    parsed.success
      ? { name: "manifest", passed: true, detail: `${parsed.data.id}@${parsed.data.version}, hooks: ${parsed.data.hooks.join(", ")}` }
      : { name: "manifest", passed: manifestOk, detail: manifestOk ? "valid apart from its scopes (see below)" : firstIssues(otherIssues) },
  );
  const bytes = Buffer.byteLength(candidate.bundle ?? "", "utf8");
  const sizeOk = bytes > 0 && bytes <= MAX_BUNDLE_BYTES;
  lines.push({
    name: "bundle_size",
    passed: sizeOk,
    detail: bytes === 0 ? "the bundle is empty" : `${(bytes / 1024).toFixed(1)} KB of ${MAX_BUNDLE_BYTES / 1024} KB${sizeOk ? "" : ": too big"}`,
  });
  lines.push(checkScopes(candidate.manifest));

  // Only the scopes wrong: the scopes line says so, and the hooks still run, with the valid scopes granted.
  const manifest: Manifest | null = parsed.success ? parsed.data : manifestOk ? withValidScopes(candidate.manifest) : null;
  if (!manifest || !sizeOk) {
    const why = !manifest ? "not run: the manifest is not valid" : "not run: the bundle is too big";
    for (const name of ["hooks_run", "hooks_output", "hooks_deterministic"] as const) lines.push({ name, passed: false, detail: why });
    lines.push(manifest ? checkSettingsForm(manifest.settings) : { name: "settings_form", passed: false, detail: why });
    return sortLines(lines);
  }

  const harness = options.harness ?? createHarness({ runners: 1 });
  try {
    for (const hook of manifest.hooks) {
      for (const fixture of HOOK_FIXTURES[hook]) {
        const label = `${hook} · ${fixture.label}`;
        const first = await callHook(harness, candidate.bundle, manifest, hook, fixture, FIXTURE_TIME, options.limits);
        if (first.outcome !== "ok") {
          lines.push({ name: "hooks_run", passed: false, detail: `${label}: ${first.outcome}${first.error ? ` — ${first.error}` : ""}` });
          continue;
        }
        lines.push({ name: "hooks_run", passed: true, detail: `${label}: ok (${first.cpuMs.toFixed(1)} ms CPU)` });
        const invalid = validateOutput(hook, fixture, first.output);
        lines.push({ name: "hooks_output", passed: invalid === null, detail: invalid === null ? `${label}: valid` : `${label}: ${invalid}` });
        const second = await callHook(harness, candidate.bundle, manifest, hook, fixture, FIXTURE_TIME + RERUN_DELAY_MS, options.limits);
        const same = second.outcome === "ok" && second.output === first.output;
        lines.push({
          name: "hooks_deterministic",
          passed: same,
          detail: same
            ? `${label}: same output twice`
            : second.outcome !== "ok"
              ? `${label}: the second run ended ${second.outcome}${second.error ? ` — ${second.error}` : ""}`
              : `${label}: the second run gave a different output (${clip(first.output)} then ${clip(second.output)})`,
        });
      }
    }
  } finally {
    if (!options.harness) await harness.stop();
  }
  lines.push(checkSettingsForm(manifest.settings));
  return sortLines(lines);
}

function withValidScopes(raw: unknown): Manifest | null {
  const scopes = ((raw as { scopes?: unknown[] }).scopes ?? []).filter((s) => ScopeRequestSchema.safeParse(s).success);
  const seen = new Set<string>();
  const unique = scopes.filter((s) => !seen.has((s as { scope: string }).scope) && seen.add((s as { scope: string }).scope));
  const reparsed = ManifestSchema.safeParse({ ...(raw as object), scopes: unique });
  return reparsed.success ? reparsed.data : null;
}

function clip(text: string | null): string {
  const t = text ?? "null";
  return t.length > 120 ? `${t.slice(0, 117)}…` : t;
}

const ORDER = new Map(CHECK_RULES.map((r, i) => [r.name, i]));
function sortLines(lines: CheckLine[]): CheckLine[] {
  return lines.map((l, i) => ({ l, i })).sort((a, b) => ORDER.get(a.l.name)! - ORDER.get(b.l.name)! || a.i - b.i).map((x) => x.l);
}

async function callHook(harness: Harness, bundle: string, manifest: Manifest, hook: HookName, fixture: Fixture, timestamp: number, limits: Partial<CallLimits> | undefined): Promise<HookCall> {
  // production's limits (a version's first call is not charged for loading it: sandbox COLD_LOAD_MS)
  const callLimits = { ...HOOK_CONFIG[hook].limits, ...(limits ?? {}) };
  const input = isAsyncHook(hook) ? { ...fixture.input, event: { id: `evt_fixture_${hook}`, name: hook, occurredAt: new Date(FIXTURE_TIME).toISOString() }, shop: { id: "shp_fixture" } } : fixture.input;
  let last: HookCall = { outcome: "rejected", output: null, cpuMs: 0 };
  // A timeout or crash can be the machine's (a busy core): one retry before it counts against the version.
  for (let attempt = 0; attempt < 2; attempt++) {
    const run = await harness.runHook({ bundle, manifest }, hook, input as never, {
      customers: [CUSTOMER],
      orders: [ORDER_SMALL, ORDER_LARGE, ORDER_REFUNDED],
      timestamp,
      installId: "ins_checks",
      limits: callLimits,
    });
    last = { outcome: run.outcome, error: run.error, output: run.result.output ?? null, cpuMs: run.result.cpuMs };
    if (run.outcome !== "timeout" && run.outcome !== "crash") break;
  }
  return last;
}

// ---- the job -------------------------------------------------------------------------------

/**
 * Runs the checks of a submitted version and moves it on. A version that is
 * no longer `submitted` (already checked) is left alone, so a redelivered
 * job changes nothing.
 */
export async function runVersionChecks(platform: Pick<Platform, "db">, versionId: string, options: RunChecksOptions = {}): Promise<{ status: "checks_passed" | "checks_failed"; lines: CheckLine[] } | null> {
  const db: Kysely<Database> = platform.db;
  if (!(await markChecksStarted(db, versionId, new Date()))) return null;
  const version = await selectVersion(db, versionId);
  if (!version) return null;
  const bundle = (await loadBundle(db, version.bundle_hash)) ?? "";
  const lines = await runChecks({ manifest: version.manifest, bundle }, options);
  const failed = lines.filter((l) => !l.passed);
  const to = failed.length === 0 ? "checks_passed" : "checks_failed";
  const reason = failed.length === 0 ? `All ${lines.length} checks passed.` : `${failed.length} of ${lines.length} checks failed: ${failed.slice(0, 3).map((l) => `${l.name} (${l.detail})`).join("; ")}`.slice(0, 1000);
  try {
    await db.transaction().execute(async (trx) => {
      await replaceCheckLines(trx, versionId, lines, new Date());
      await setVersionStatus(trx, { type: "system" }, versionId, to, reason);
      const extension = (await selectExtension(trx, version.extension_id))!;
      for (const m of await selectVendorMembers(trx, extension.vendor_id)) {
        await notify(trx, {
          userId: m.userId,
          kind: `extension_version.${to}`,
          title: `${extension.name} ${version.version}: ${VERSION_STATUS_LABELS[to].toLowerCase()}`,
          body: to === "checks_passed" ? "Every automated check passed; the version waits for a reviewer." : reason,
          link: `/developer/extensions/${extension.id}/versions/${versionId}`,
          data: { versionId, extensionId: extension.id },
        });
      }
    });
  } catch (e) {
    // another run finished first: its result stands
    if ((e as { code?: string }).code === "version_status") return null;
    throw e;
  }
  return { status: to, lines };
}

/** Starts the checks of each submitted version (one job per version, deduplicated by its id). */
export const versionChecksConsumer: EventConsumer = {
  name: "marketplace.version_checks",
  topics: ["extension_version.submitted"],
  async handle(platform, events) {
    for (const event of events) {
      const versionId = typeof event.payload.versionId === "string" ? event.payload.versionId : event.subjectId;
      if (!versionId) continue;
      await platform.jobs.enqueue(VERSION_CHECKS_JOB.name, { versionId }, {
        jobId: `checks-${versionId}`,
        attempts: VERSION_CHECKS_JOB.attempts,
        backoff: { type: "exponential", delayMs: VERSION_CHECKS_JOB.backoffMs },
      });
    }
  },
};

/** The marketplace's jobs, for the worker list: the checks, and a sweep that restarts checks a crash left unfinished. */
export const versionCheckJobs: JobDefinition<{ versionId?: string }>[] = [
  {
    name: VERSION_CHECKS_JOB.name,
    concurrency: VERSION_CHECKS_JOB.concurrency,
    handler: (platform) => async (data) => {
      if (typeof data?.versionId !== "string") return;
      await runVersionChecks(platform, data.versionId);
    },
  },
  {
    name: VERSION_CHECKS_SWEEP_JOB,
    schedule: { everyMs: 10 * 60_000 },
    handler: (platform) => async () => {
      for (const id of await selectUncheckedVersionIds(platform.db, new Date(Date.now() - 10 * 60_000))) {
        // a run that crashed mid-way left the version `submitted`: start over (the job id dedupes a live one)
        await platform.db.updateTable("extension_versions").set({ checks_started_at: null }).where("id", "=", id).where("status", "=", "submitted").execute();
        await platform.jobs.enqueue(VERSION_CHECKS_JOB.name, { versionId: id }, { jobId: `checks-${id}-${Math.floor(Date.now() / 600_000)}`, attempts: VERSION_CHECKS_JOB.attempts });
      }
    },
  },
];
