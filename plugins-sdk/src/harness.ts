/**
 * The local harness: runs a plugin's bundle in **the same sandbox as
 * production** — the same runner processes (`sandbox/supervisor.ts` →
 * `sandbox/runner.ts` → a fresh context of a warm isolate), the same limits
 * (`HOOK_LIMITS`: 50 ms CPU, 150 ms wall, 32 MB, 20 bridge calls…), the
 * same bridge policy (`policy.ts`: scopes, subject, writes only from
 * asynchronous hooks, storage quotas, counter ops once per delivery) and the
 * same output validation — with fake settings, storage, counters, customers
 * and orders behind the bridge. For vitest (or any Node script).
 *
 * @example
 * import { buildPlugin, runHook } from "@bazaar/plugins-sdk";
 *
 * const plugin = await buildPlugin(".", { write: false });
 * const run = await runHook(plugin, "order.paid", { order: { id: "ord_1", customerId: "cus_1", status: "paid", total: 12000, currency: "CNY" } });
 * expect(run.outcome).toBe("ok");
 * expect(run.counters["balance:cus_1"]).toBe(120);
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createSandbox, versionKeyOf, type BridgeResult, type CallLimits, type CallOutcome, type CallResult, type Sandbox } from "../../sandbox/supervisor";
import { buildPlugin, build, readManifest, type BuiltPlugin } from "./build";
import type { JsonValue, Settings } from "./context";
import { ASYNC_HOOK_NAMES, type AsyncHookName, type Customer, type HookInputs, type HookName, type HookOutputs, type Order, type Reservation } from "./hooks";
import { parseManifest, parseSettings, type Manifest, type Scope } from "./manifest";
import { validateHookOutput } from "./outputs";
import { HOOK_LIMITS, STORAGE_LIMITS, addCounterOnce, applyCounterChanges, checkBridgeCall, subjectOf, type CallSubject } from "./policy";

/**
 * A plugin as the harness takes it: a built plugin (from `build`/`buildPlugin`),
 * or `{ bundle }` with an optional manifest.
 *
 * @example
 * const plugin: PluginSource = { bundle: "globalThis.__bazaar_plugin = { apiVersion: 1, hooks: { … } };" };
 */
export interface PluginSource {
  bundle: string;
  manifest?: Manifest;
  versionKey?: string;
}

/**
 * The fake platform a hook call sees, and what `runHook` hands back after the call.
 *
 * @example
 * const state: FakeState = { storage: {}, counters: { "balance:cus_1": 500 } };
 */
export interface FakeState {
  /** The install's storage before the call (copied; never mutated). */
  storage?: Record<string, JsonValue>;
  /** The install's counters before the call (missing keys are 0). */
  counters?: Record<string, number>;
  /** Counter operations already applied (`<idempotencyKey>|add|<key>`, `<idempotencyKey>|fx|<i>|<key>`): how replays are recognised. */
  ops?: string[];
}

type EnvelopeKeys<H extends HookName> = H extends AsyncHookName ? "hook" | "install" | "idempotencyKey" | "event" | "shop" : "hook" | "install";

/**
 * A hook input as a test writes it: the envelope (`hook`, `install`, and for
 * asynchronous hooks `idempotencyKey`, `event`, `shop`) may be left out and
 * is filled in. The default `idempotencyKey` is derived from the rest of the
 * input, so running the same input twice is a replay of one delivery.
 *
 * @example
 * const paid: HarnessInput<"order.paid"> = { order: { id: "ord_1", customerId: "cus_1", status: "paid", total: 9900, currency: "CNY" } };
 */
export type HarnessInput<H extends HookName> = Omit<HookInputs[H], EnvelopeKeys<H>> & Partial<Pick<HookInputs[H], EnvelopeKeys<H> & keyof HookInputs[H]>>;

/**
 * Options of {@link runHook}.
 *
 * @example
 * { settings: { percent: 10 }, counters: { "spend:cus_1": 120000 }, scopes: ["read_customers"] }
 */
export interface RunHookOptions extends FakeState {
  /** The manifest (parsed, or as written); default: the plugin's own (from the build, or manifest.json beside a bundle file). */
  manifest?: unknown;
  /** The merchant's settings; validated against the manifest's fields, defaults filled in (like production). */
  settings?: Record<string, unknown>;
  /** Customer records `ctx.customers.get` can find (by id). */
  customers?: Customer[] | Record<string, Customer>;
  /** Orders `ctx.orders.get` can find (by id). */
  orders?: Order[] | Record<string, Order>;
  /** Granted scopes; default: every scope the manifest asks for (a merchant grants all or installs nothing). */
  scopes?: Scope[];
  /** Per-call limit overrides (default: production's limits for the hook, `HOOK_LIMITS`). */
  limits?: Partial<CallLimits>;
  /** The install id in the input (default "ins_harness"). */
  installId?: string;
  /** What `Date.now()` returns in the call (default 2026-11-02T08:00:00Z). */
  timestamp?: number;
  /** Seeds `Math.random` (default: a hash of the input, like the host). */
  seed?: string;
}

/**
 * One bridge call the plugin made, with the answer it got.
 *
 * @example
 * { method: "counters.get", args: ["balance:cus_1"], answer: { ok: true, value: 500 } }
 */
export interface BridgeLogEntry {
  method: string;
  args: unknown[];
  answer: BridgeResult;
}

/**
 * What {@link runHook} returns: the sandbox's `CallResult`, the output parsed
 * and validated the way the platform does, and the fake stores after the call.
 *
 * @example
 * const run = await runHook(plugin, "checkout.discounts", quote);
 * run.outcome;                 // "ok"
 * run.output?.discounts;       // validated; undefined when production would drop it
 * run.outputErrors;            // why it would be dropped
 */
export interface HookRun<H extends HookName> {
  /** The input as sent, envelope filled in. */
  input: HookInputs[H];
  /** Exactly what production's host gets from the sandbox. */
  result: CallResult;
  outcome: CallOutcome;
  /** `result.error` (outcomes other than ok). */
  error?: string;
  /** The output, parsed, valid and normalized (undefined when the call failed or the platform would drop it). */
  output: NonNullable<HookOutputs[H]> | undefined;
  /** The output parsed from JSON, before validation (null for `undefined`). */
  rawOutput: unknown;
  /** Validation problems; non-empty means production drops the output and records a fault. */
  outputErrors: string[];
  /** The install's storage after the call. */
  storage: Record<string, JsonValue>;
  /** The install's counters after the call, counter effects applied. */
  counters: Record<string, number>;
  /** The counter effects an asynchronous hook returned, as the platform applied them. */
  effects: { key: string; delta: number; applied: boolean; duplicate: boolean; value: number }[];
  /** The fake platform after the call: pass it to the next `runHook` to continue from here. */
  state: Required<FakeState>;
  /** Every bridge call, in order. */
  bridge: BridgeLogEntry[];
  /** `ctx.log` / `console.*` lines. */
  logs: string[];
}

/**
 * A harness: a sandbox of its own plus `runHook`. Most tests use the shared
 * one behind the top-level {@link runHook}.
 *
 * @example
 * const harness = createHarness({ runners: 2 });
 * try { await harness.runHook(plugin, "order.paid", input); } finally { await harness.stop(); }
 */
export interface Harness {
  runHook<H extends HookName>(plugin: PluginSource | string, hook: H, input: HarnessInput<H>, options?: RunHookOptions): Promise<HookRun<H>>;
  /** The underlying sandbox (for comparisons with a bare production sandbox). */
  readonly sandbox: Sandbox<CallState>;
  stop(): Promise<void>;
}

/**
 * The default time of a harness call: a fixed instant, so tests are deterministic.
 *
 * @example
 * new Date(HARNESS_TIMESTAMP).toISOString(); // "2026-11-02T08:00:00.000Z"
 */
export const HARNESS_TIMESTAMP = Date.UTC(2026, 10, 2, 8, 0, 0);

/** Host-side state of one call: lives in the supervisor's process as the call's `meta`. */
export interface CallState {
  hook: HookName;
  subject: CallSubject;
  idempotencyKey: string | null;
  scopes: readonly string[];
  settings: Settings;
  storage: Map<string, JsonValue>;
  counters: Record<string, number>;
  ops: Set<string>;
  customers: Map<string, Customer>;
  orders: Map<string, Order>;
  log: BridgeLogEntry[];
}

let callCounter = 0;

/**
 * Creates a harness with its own runner processes.
 *
 * @example
 * const harness = createHarness();
 */
export function createHarness(options: { runners?: number; limits?: Partial<CallLimits> } = {}): Harness {
  const sandbox = createSandbox<CallState>({
    runners: options.runners ?? 1,
    limits: options.limits,
    onBridge: ({ call, method, args }) => serveBridge(call.meta!, method, args),
  });
  return {
    sandbox,
    runHook: (plugin, hook, input, runOptions) => runIn(sandbox, plugin, hook, input, runOptions),
    stop: () => sandbox.stop(),
  };
}

let shared: Harness | null = null;
let sharedLimits: Partial<CallLimits> = {};

/**
 * Sets limit overrides for every call of the shared harness (applied over
 * the hook's production limits, under a call's own `limits`). For a test
 * suite on a machine much busier than production: isolated-vm's CPU clock
 * and the wall deadline both count time spent waiting for a core.
 *
 * @example
 * configureHarness({ limits: { wallMs: 2_000 } }); // CPU stays production's 50 ms
 */
export function configureHarness(options: { limits?: Partial<CallLimits> }): void {
  sharedLimits = { ...options.limits };
}

/**
 * Runs one hook call of a plugin in the production sandbox with a fake
 * platform behind the bridge. `plugin` is a built plugin, `{ bundle }`, a path
 * to a bundle file (its `manifest.json` beside it is used), or a plugin folder
 * / entry file (built in memory, once per process).
 *
 * Never throws for anything the plugin does — that is in `outcome`; throws for
 * test mistakes (settings that do not fit the manifest, a hook the manifest
 * does not list).
 *
 * @example
 * const first = await runHook(plugin, "order.paid", paid);
 * const replay = await runHook(plugin, "order.paid", paid, first.state); // the same delivery again
 * expect(replay.counters).toEqual(first.counters); // no double effect
 */
export function runHook<H extends HookName>(plugin: PluginSource | string, hook: H, input: HarnessInput<H>, options?: RunHookOptions): Promise<HookRun<H>> {
  shared ??= createHarness();
  return shared.runHook(plugin, hook, input, { ...options, limits: { ...sharedLimits, ...options?.limits } });
}

/**
 * Stops the shared harness's runners (they also exit on their own when the test process ends).
 *
 * @example
 * afterAll(() => stopHarness());
 */
export async function stopHarness(): Promise<void> {
  const h = shared;
  shared = null;
  await h?.stop();
}

/**
 * Applies a quote's reservations to counters the way order placement does:
 * all or nothing (then placement fails with a conflict).
 *
 * @example
 * const placed = applyReservations(run.counters, run.output!.reservations);
 * expect(placed.applied).toBe(true);
 * expect(placed.counters["balance:cus_1"]).toBe(200);
 */
export function applyReservations(
  counters: Record<string, number>,
  reservations: readonly Reservation[] | undefined,
): { applied: boolean; counters: Record<string, number> } {
  const r = applyCounterChanges(counters, reservations ?? []);
  return { applied: r.applied, counters: r.applied ? { ...counters, ...r.values } : { ...counters } };
}

// ---- internals ----------------------------------------------------------------------

const builtFromPath = new Map<string, Promise<PluginSource>>();

async function resolvePlugin(plugin: PluginSource | BuiltPlugin | string): Promise<PluginSource> {
  if (typeof plugin !== "string") return plugin;
  const abs = path.resolve(plugin);
  let pending = builtFromPath.get(abs);
  if (!pending) {
    pending = (async (): Promise<PluginSource> => {
      if (!existsSync(abs)) throw new Error(`runHook: nothing at ${abs}`);
      if (statSync(abs).isDirectory()) {
        if (existsSync(path.join(abs, "manifest.json")) && existsSync(path.join(abs, "src", "index.ts"))) return buildPlugin(abs, { write: false });
        if (existsSync(path.join(abs, "bundle.js"))) return readBundleFile(path.join(abs, "bundle.js"));
        throw new Error(`runHook: ${abs} is neither a plugin folder (manifest.json + src/index.ts) nor a dist folder (bundle.js)`);
      }
      if (/\.[cm]?js$/.test(abs)) return readBundleFile(abs);
      return build(abs, undefined, { write: false });
    })();
    builtFromPath.set(abs, pending);
  }
  return pending;
}

function readBundleFile(file: string): PluginSource {
  const bundle = readFileSync(file, "utf8");
  const manifestFile = path.join(path.dirname(file), "manifest.json");
  return { bundle, manifest: existsSync(manifestFile) ? readManifest(manifestFile) : undefined };
}

function indexBy<T>(items: T[] | Record<string, T> | undefined, key: (item: T) => string): Map<string, T> {
  if (!items) return new Map();
  const list = Array.isArray(items) ? items : Object.values(items);
  return new Map(list.map((item) => [key(item), structuredClone(item)]));
}

const ASYNC: readonly string[] = ASYNC_HOOK_NAMES;

/** Fills in the envelope a test may leave out. */
function withEnvelope<H extends HookName>(hook: H, input: HarnessInput<H>, installId: string, timestamp: number): HookInputs[H] {
  const given = input as Record<string, unknown>;
  const full: Record<string, unknown> = { hook, install: { id: installId }, ...given };
  if (ASYNC.includes(hook)) {
    const { hook: _h, install: _i, idempotencyKey: _k, event: _e, shop: _s, ...content } = given;
    const eventId = (given.event as { id?: string } | undefined)?.id ?? "evt_" + createHash("sha256").update(hook + JSON.stringify(content)).digest("hex").slice(0, 16);
    full.event ??= { id: eventId, name: hook, occurredAt: new Date(timestamp).toISOString() };
    full.shop ??= { id: "shp_harness" };
    full.idempotencyKey ??= `hook-${installId}-${eventId}`;
  }
  return full as unknown as HookInputs[H];
}

async function runIn<H extends HookName>(
  sandbox: Sandbox<CallState>,
  pluginOrPath: PluginSource | string,
  hook: H,
  harnessInput: HarnessInput<H>,
  options: RunHookOptions = {},
): Promise<HookRun<H>> {
  const plugin = await resolvePlugin(pluginOrPath);
  let manifest: Manifest | undefined = plugin.manifest;
  if (options.manifest !== undefined) {
    const parsed = parseManifest(options.manifest);
    if (!parsed.success) throw new Error(`runHook: the manifest is invalid:\n  ${parsed.errors.join("\n  ")}`);
    manifest = parsed.manifest;
  }
  if (manifest && !(manifest.hooks as string[]).includes(hook)) {
    throw new Error(`runHook: the manifest does not list "${hook}", so the platform never calls it`);
  }
  let settings: Settings = (options.settings ?? {}) as Settings;
  if (manifest) {
    const parsed = parseSettings(manifest.settings, options.settings ?? {});
    if (!parsed.success) throw new Error(`runHook: the settings do not fit the manifest:\n  ${parsed.errors.join("\n  ")}`);
    settings = parsed.settings;
  }

  const timestamp = options.timestamp ?? HARNESS_TIMESTAMP;
  const input = withEnvelope(hook, harnessInput, options.installId ?? "ins_harness", timestamp);
  const inputJson = JSON.stringify(input);
  const idempotencyKey = typeof (input as { idempotencyKey?: unknown }).idempotencyKey === "string" ? (input as { idempotencyKey: string }).idempotencyKey : null;
  const state: CallState = {
    hook,
    subject: subjectOf(hook, input),
    idempotencyKey,
    scopes: options.scopes ?? manifest?.scopes.map((s) => s.scope) ?? [],
    settings,
    storage: new Map(Object.entries(structuredClone(options.storage ?? {}))),
    counters: { ...(options.counters ?? {}) },
    ops: new Set(options.ops ?? []),
    customers: indexBy(options.customers, (c) => c.id),
    orders: indexBy(options.orders, (o) => o.id),
    log: [],
  };

  const result = await sandbox.run({
    id: `harness_${process.pid}_${++callCounter}`,
    versionKey: plugin.versionKey ?? versionKeyOf(plugin.bundle),
    bundle: plugin.bundle,
    hook,
    input: inputJson,
    timestamp,
    seed: options.seed ?? createHash("sha256").update(inputJson).digest("hex"),
    limits: { ...HOOK_LIMITS[hook], ...options.limits },
    meta: state,
  });

  let rawOutput: unknown;
  let output: NonNullable<HookOutputs[H]> | undefined;
  let outputErrors: string[] = [];
  const effects: HookRun<H>["effects"] = [];
  if (result.outcome === "ok") {
    rawOutput = JSON.parse(result.output ?? "null");
    const checked = validateHookOutput(hook, rawOutput, input);
    if (checked.success) output = checked.value;
    else outputErrors = checked.errors;
    // The host applies an asynchronous hook's counter effects after the call, each at most once per delivery.
    if (output && ASYNC.includes(hook) && idempotencyKey) {
      const counters = (output as { counters?: { key: string; delta: number; min?: number; max?: number }[] }).counters ?? [];
      counters.forEach((fx, i) => {
        const r = addCounterOnce(state.counters, state.ops, `${idempotencyKey}|fx|${i}|${fx.key}`, fx.key, fx.delta, { min: fx.min, max: fx.max });
        effects.push({ key: fx.key, delta: fx.delta, ...r });
      });
    }
  }
  const storage = Object.fromEntries([...state.storage.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const ops = [...state.ops];
  return {
    input,
    result,
    outcome: result.outcome,
    error: result.error,
    output,
    rawOutput,
    outputErrors,
    storage,
    counters: state.counters,
    effects,
    state: { storage: structuredClone(storage), counters: { ...state.counters }, ops },
    bridge: state.log,
    logs: result.logs,
  };
}

/** The fake host behind the bridge, applying the production policy first. */
function serveBridge(state: CallState, method: string, args: unknown[]): BridgeResult {
  const answer = answerBridge(state, method, args);
  state.log.push({ method, args: structuredClone(args), answer: structuredClone(answer) });
  return answer;
}

function answerBridge(state: CallState, method: string, args: unknown[]): BridgeResult {
  const checked = checkBridgeCall({ hook: state.hook, method, args, grantedScopes: state.scopes, subject: state.subject, idempotencyKey: state.idempotencyKey });
  if (!checked.ok) return { ok: false, error: { code: checked.error.code, message: checked.error.message } };
  const request = checked.request;
  switch (request.method) {
    case "settings.get":
      return { ok: true, value: state.settings };
    case "storage.get":
      return { ok: true, value: state.storage.has(request.key) ? state.storage.get(request.key)! : null };
    case "storage.list": {
      const keys = [...state.storage.keys()]
        .filter((k) => k.startsWith(request.prefix) && (request.after === null || k > request.after))
        .sort()
        .slice(0, request.limit + 1);
      const page = keys.slice(0, request.limit);
      return { ok: true, value: { keys: page, next: keys.length > request.limit ? page[page.length - 1] : null } };
    }
    case "storage.set": {
      const others = [...state.storage.entries()].filter(([k]) => k !== request.key);
      const used = others.reduce((n, [, v]) => n + new TextEncoder().encode(JSON.stringify(v)).length, 0);
      if (used + request.bytes > STORAGE_LIMITS.installBytes || others.length + 1 > STORAGE_LIMITS.installKeys) {
        return { ok: false, error: { code: "limit", message: `storage quota exceeded (${STORAGE_LIMITS.installBytes} bytes, ${STORAGE_LIMITS.installKeys} keys per install)` } };
      }
      state.storage.set(request.key, structuredClone(request.value));
      return { ok: true, value: null };
    }
    case "storage.delete":
      state.storage.delete(request.key);
      return { ok: true, value: null };
    case "counters.get":
      return { ok: true, value: Object.hasOwn(state.counters, request.counterKey) ? state.counters[request.counterKey] : 0 };
    case "counters.add":
      return {
        ok: true,
        value: addCounterOnce(state.counters, state.ops, `${state.idempotencyKey}|add|${request.counterKey}`, request.counterKey, request.delta, request.bound),
      };
    case "customers.get": {
      const customer = state.customers.get(request.customerId);
      return customer ? { ok: true, value: customer } : { ok: false, error: { code: "not_found", message: "no such customer" } };
    }
    case "orders.get": {
      const order = state.orders.get(request.orderId);
      return order ? { ok: true, value: order } : { ok: false, error: { code: "not_found", message: "no such order" } };
    }
  }
}
