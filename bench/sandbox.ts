/**
 * The extension sandbox, end to end: `npm run bench -- sandbox [scale]`.
 *
 * Measured in one run, one process (plus its runner children):
 *
 * 1. One checkout.discounts hook (a 40-line, ~5.8 KB cart in; ~4 KB of
 *    discounts out), three ways:
 *    - **P**: a plain in-process function with JSON in and out;
 *    - **V**: the same in a warm node:vm context (JSON parsed and stringified inside);
 *    - **R**: a warm call through Bazaar's sandbox — supervisor → IPC → runner →
 *      a fresh context of the version's warm isolate → back (sandbox/supervisor.ts),
 *      calls spaced 10 ms apart (the runner's spare context is ready, as for
 *      checkouts that do not arrive back to back) and back to back (the
 *      context is prepared on the latency path);
 *    with p50, p99, calls/s and the ratios R/P and R/V. Where the time goes:
 *    the IPC floor (a trivial hook) and, in-process with isolated-vm, a call in
 *    a reused context against a fresh context.
 * 2. The first call of a newly installed version (a bundle the runner has never seen).
 * 3. The three reference extensions' checkout.discounts in one `runBatch`
 *    (one IPC message per runner; their bridge reads answered in memory).
 * 4. A real checkout quote (`createQuote`, PGlite, the demo seed) with 0 and
 *    with the 3 reference extensions installed, when the host side is there.
 *
 * Prints a table and writes bench/results/sandbox.md with the machine's load.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import ivm from "isolated-vm";
import { createSandbox, versionKeyOf, type BridgeResult, type Sandbox, type SandboxCall } from "../sandbox/supervisor";
import { buildExample, type BuiltPlugin } from "../plugins-sdk/src/build";
import { HOOK_LIMITS, checkBridgeCall, subjectOf } from "../plugins-sdk/src/policy";
import { defaultSettings } from "../plugins-sdk/src/manifest";
import type { HookName } from "../plugins-sdk/src/hooks";

const here = path.dirname(fileURLToPath(import.meta.url));
const scale = Number(process.argv[2]) || 1;
const N = {
  plain: Math.round(20_000 * scale),
  vm: Math.round(5_000 * scale),
  runner: Math.round(2_000 * scale),
  firstCall: Math.round(40 * scale),
  batch: Math.round(400 * scale),
  quote: Math.round(150 * scale),
};
const TARGETS = { rOverP: 3.0, rOverV: 1.0, quoteP99: 15, firstCall: 20 };
/** Warm-up only: compiles and first calls with room, so a loaded machine's watchdog kill does not make every next call cold. */
const WARMUP_LIMITS = { cpuMs: 2_000, wallMs: 10_000 };
/** Gap between paced calls: long enough for the runner to prepare the next fresh context in the background. */
const PACE_MS = 10;

// ---- helpers ---------------------------------------------------------------------------

type Stats = { p50: number; p99: number; mean: number; perSecond: number; n: number };

function stats(samples: number[], elapsedMs?: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
  const total = samples.reduce((a, b) => a + b, 0);
  return { p50: at(0.5), p99: at(0.99), mean: total / samples.length, perSecond: (samples.length / (elapsedMs ?? total)) * 1000, n: samples.length };
}
const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const us = (v: number) => `${Math.round(v * 1000)} µs`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" / ");

async function time(n: number, fn: (i: number) => unknown, gapMs = 0): Promise<Stats> {
  const samples: number[] = [];
  const start = performance.now();
  let gaps = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
    if (gapMs) {
      const g = performance.now();
      await sleep(gapMs);
      gaps += performance.now() - g;
    }
  }
  return stats(samples, performance.now() - start - gaps);
}

// ---- the workload ------------------------------------------------------------------------

const HOOK = `(input) => {
  const discounts = [];
  for (const line of input.lines) {
    if (line.unitPrice >= 1000) {
      discounts.push({ lineId: line.lineId, amount: Math.floor((line.lineTotal * 5) / 100), label: "Member price, 5% off " + line.title });
    }
  }
  return { discounts, note: "member price for tier " + input.buyer.tier };
}`;
const cart = {
  hook: "checkout.discounts",
  install: { id: "ins_bench" },
  shop: { id: "shp_bench", currency: "CNY" },
  buyer: { userId: "usr_1", customerId: "cus_1", tier: "gold" },
  lines: Array.from({ length: 40 }, (_, i) => ({
    lineId: `oln_${String(i).padStart(24, "0")}`,
    skuId: `sku_${String(i).padStart(24, "0")}`,
    productId: `prd_${String(i).padStart(24, "0")}`,
    categoryId: null,
    title: `Product number ${i} in the cart`,
    quantity: 1 + (i % 3),
    unitPrice: 500 + i * 100,
    lineTotal: (500 + i * 100) * (1 + (i % 3)),
  })),
  subtotal: 0,
  attributes: {},
};
cart.subtotal = cart.lines.reduce((s, l) => s + l.lineTotal, 0);
const INPUT = JSON.stringify(cart);
const BUNDLE = `globalThis.__bazaar_plugin = { apiVersion: 1, hooks: { "checkout.discounts": ${HOOK} } };\n`;
const VERSION = versionKeyOf(BUNDLE);

// ---- 1. P, V, R -----------------------------------------------------------------------

async function plainAndVm() {
  const fn = new Function(`return ${HOOK}`)() as (x: unknown) => unknown;
  const plainOut = JSON.stringify(fn(JSON.parse(INPUT)));
  for (let i = 0; i < 2_000; i++) JSON.stringify(fn(JSON.parse(INPUT)));
  const plain = await time(N.plain, () => JSON.stringify(fn(JSON.parse(INPUT))));

  const context = vm.createContext({});
  const inVm = vm.runInContext(`(function (s) { return JSON.stringify((${HOOK})(JSON.parse(s))); })`, context) as (s: string) => string;
  if (inVm(INPUT) !== plainOut) throw new Error("node:vm gives another output");
  for (let i = 0; i < 500; i++) inVm(INPUT);
  const warmVm = await time(N.vm, () => inVm(INPUT));

  // node:vm with a fresh context per call, like the runner's isolation
  const script = new vm.Script(`JSON.stringify((${HOOK})(JSON.parse(input)))`);
  const freshVm = await time(Math.round(N.vm / 5), () => script.runInNewContext({ input: INPUT }));
  return { plain, warmVm, freshVm, outBytes: Buffer.byteLength(plainOut) };
}

function benchSandbox(runners = 1): Sandbox<unknown> {
  return createSandbox({ runners, onBridge: () => ({ ok: true, value: null }), onRunnerStderr: (_r, t) => process.stderr.write(`[runner] ${t}`) });
}

let seq = 0;
const call = (bundle: string, versionKey: string, input = INPUT): SandboxCall<unknown> => ({
  id: `bench_${++seq}`,
  versionKey,
  bundle,
  hook: "checkout.discounts",
  input,
  timestamp: Date.UTC(2026, 10, 2, 8),
  seed: "bench",
  limits: HOOK_LIMITS["checkout.discounts"],
});

async function runnerCalls(expected: string) {
  const sandbox = benchSandbox(1);
  try {
    const first = await sandbox.run({ ...call(BUNDLE, VERSION), limits: { ...HOOK_LIMITS["checkout.discounts"], ...WARMUP_LIMITS } });
    const check = first.outcome === "ok" ? JSON.stringify(JSON.parse(first.output!)) : first.error;
    if (check !== expected) throw new Error(`the runner gives another output: ${first.outcome} ${first.error ?? ""}`);
    for (let i = 0; i < 200; i++) await sandbox.run(call(BUNDLE, VERSION));
    const faults: string[] = [];
    const one = async () => {
      const r = await sandbox.run(call(BUNDLE, VERSION));
      if (r.outcome !== "ok") faults.push(`${r.outcome}: ${r.error}`);
    };
    const paced = await time(N.runner, one, PACE_MS);
    const backToBack = await time(N.runner, one);

    // the IPC floor: a trivial hook, tiny input
    const trivial = `globalThis.__bazaar_plugin = { apiVersion: 1, hooks: { "checkout.discounts": () => null } };`;
    const trivialKey = versionKeyOf(trivial);
    await sandbox.run({ ...call(trivial, trivialKey, "{}"), limits: { ...HOOK_LIMITS["checkout.discounts"], ...WARMUP_LIMITS } });
    for (let i = 0; i < 100; i++) await sandbox.run(call(trivial, trivialKey, "{}"));
    const floor = await time(Math.round(N.runner / 2), () => sandbox.run(call(trivial, trivialKey, "{}")), PACE_MS);
    return { paced, backToBack, floor, faults };
  } finally {
    await sandbox.stop();
  }
}

/**
 * The physical floor of any out-of-process design here: a bare Node child that
 * echoes an IPC message carrying the same input (the runner's serialization),
 * with no isolate, no bookkeeping, nothing.
 */
async function rawIpc() {
  const { fork } = await import("node:child_process");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bazaar-ipc-"));
  const file = path.join(dir, "echo.cjs");
  writeFileSync(file, "process.on('message', (m) => process.send(m));\n");
  const child = fork(file, [], { serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
  try {
    const message = [{ type: "run", call: { n: 1, versionKey: VERSION, hook: "checkout.discounts", input: INPUT, timestamp: 0, seed: "bench", limits: HOOK_LIMITS["checkout.discounts"] } }];
    const one = () => new Promise<void>((resolve) => {
      child.once("message", () => resolve());
      child.send(message);
    });
    for (let i = 0; i < 200; i++) await one();
    const paced = await time(Math.round(N.runner / 2), one, PACE_MS);
    const backToBack = await time(Math.round(N.runner / 2), one);
    return { paced, backToBack };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One checkout's three extension calls (three versions of the workload) in one runBatch, against 3 × P. */
async function runnerBatch() {
  const sandbox = benchSandbox(2);
  try {
    const versions = [1, 2, 3].map((i) => {
      const bundle = `${BUNDLE}// extension ${i}\n`;
      return { bundle, key: versionKeyOf(bundle) };
    });
    const batch = () => versions.map((v) => call(v.bundle, v.key));
    await sandbox.runBatch(batch().map((c) => ({ ...c, limits: { ...c.limits, ...WARMUP_LIMITS } })));
    for (let i = 0; i < 100; i++) await sandbox.runBatch(batch());
    return await time(Math.round(N.runner / 2), () => sandbox.runBatch(batch()), PACE_MS);
  } finally {
    await sandbox.stop();
  }
}

async function runnerThroughput() {
  const sandbox = benchSandbox(2);
  try {
    await Promise.all([0, 1, 2, 3, 4, 5].map(() => sandbox.run({ ...call(BUNDLE, VERSION), limits: { ...HOOK_LIMITS["checkout.discounts"], ...WARMUP_LIMITS } })));
    for (let i = 0; i < 100; i++) await sandbox.run(call(BUNDLE, VERSION));
    const concurrency = 8;
    const total = N.runner;
    let started = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started++ < total) await sandbox.run(call(BUNDLE, VERSION));
      }),
    );
    return { concurrency, perSecond: (total / (performance.now() - t)) * 1000 };
  } finally {
    await sandbox.stop();
  }
}

/** In-process isolated-vm: a call in a reused context, against a fresh context (create + bootstrap + bundle) per call. */
async function contextCost() {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const bootstrap = await isolate.compileScript(readFileSync(path.join(here, "..", "sandbox", "isolate-bootstrap.js"), "utf8"));
    const bundle = await isolate.compileScript(BUNDLE + "\n;void 0;");
    const args = ["call", "checkout.discounts", INPUT, 0, 1, 2, 3, 4, 65_536, 1_024];
    const prepare = async () => {
      const context = await isolate.createContext();
      const setup = (await bootstrap.run(context, { reference: true })) as ivm.Reference<(send: unknown) => unknown>;
      const entry = (await setup.apply(undefined, [new ivm.Callback(() => {}, { ignored: true })], { result: { reference: true } })) as ivm.Reference<
        (...a: unknown[]) => unknown
      >;
      setup.release();
      await bundle.run(context);
      return { context, entry };
    };
    const reused = await prepare();
    for (let i = 0; i < 200; i++) await reused.entry.apply(undefined, args, { result: { promise: true }, timeout: 50 });
    const reuse = await time(Math.round(N.runner / 2), () => reused.entry.apply(undefined, args, { result: { promise: true }, timeout: 50 }));
    const prep = await time(Math.round(N.runner / 4), async () => {
      const p = await prepare();
      p.entry.release();
      p.context.release();
    });
    return { reuse, prep };
  } finally {
    isolate.dispose();
  }
}

// ---- 2. first call of a new version --------------------------------------------------------

async function firstCalls() {
  const sandbox = benchSandbox(1);
  try {
    await sandbox.run({ ...call(BUNDLE, VERSION), limits: { ...HOOK_LIMITS["checkout.discounts"], ...WARMUP_LIMITS } }); // the runner is up and warm
    const firsts: number[] = [];
    const seconds: number[] = [];
    const bytes: number[] = [];
    const failed: string[] = [];
    // a realistic version: a reference extension's bundle, made new by a comment
    const points = await buildExample("points", { write: false });
    for (let i = 0; i < N.firstCall; i++) {
      const bundle = `${points.bundle}\n// installed version ${i} ${Date.now()}\n`;
      const key = versionKeyOf(bundle);
      const quote = JSON.stringify({ ...cart, attributes: {} });
      let t = performance.now();
      const r = await sandbox.run({ ...call(bundle, key, quote) });
      firsts.push(performance.now() - t);
      if (r.outcome !== "ok") failed.push(`${r.outcome}: ${r.error}`);
      await sleep(5);
      t = performance.now();
      await sandbox.run({ ...call(bundle, key, quote) });
      seconds.push(performance.now() - t);
      bytes.push(Buffer.byteLength(bundle));
      await sleep(5);
    }
    return { first: stats(firsts), second: stats(seconds), bundleBytes: Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length), failed };
  } finally {
    await sandbox.stop();
  }
}

// ---- 3. the three reference extensions in one batch -----------------------------------------------

async function referenceBatch() {
  const names = ["membership", "promotions", "points"] as const;
  const built = new Map<string, BuiltPlugin>();
  for (const n of names) built.set(n, await buildExample(n, { write: false }));
  const settings: Record<string, Record<string, unknown>> = {
    membership: defaultSettings(built.get("membership")!.manifest.settings),
    points: defaultSettings(built.get("points")!.manifest.settings),
    promotions: { ...defaultSettings(built.get("promotions")!.manifest.settings), couponCodes: "WELCOME10", categoryId: "cat_1", categoryPercent: 10 },
  };
  const counters: Record<string, number> = { "spend:cus_1": 600_000, "balance:cus_1": 2_000 };
  type Meta = { name: string; hook: HookName; input: Record<string, unknown>; scopes: string[] };
  let bridgeCalls = 0;
  const sandbox = createSandbox<Meta>({
    runners: 2,
    onBridge: ({ call: c, method, args }): BridgeResult => {
      bridgeCalls++;
      const m = c.meta!;
      const checked = checkBridgeCall({ hook: m.hook, method, args, grantedScopes: m.scopes, subject: subjectOf(m.hook, m.input) });
      if (!checked.ok) return { ok: false, error: checked.error };
      const r = checked.request;
      if (r.method === "settings.get") return { ok: true, value: settings[m.name] };
      if (r.method === "counters.get") return { ok: true, value: counters[r.counterKey] ?? 0 };
      if (r.method === "customers.get") return { ok: true, value: { id: r.customerId, name: "Li Lei", email: "li@example.com", createdAt: "2026-11-01T00:00:00.000Z" } };
      return { ok: true, value: null };
    },
  });
  const quoteInput = (name: string) => ({
    ...cart,
    install: { id: `ins_${name}` },
    lines: cart.lines.map((l, i) => ({ ...l, categoryId: i % 4 === 0 ? "cat_1" : null })),
    attributes: { coupon: "welcome10", usePoints: true },
  });
  const calls = () =>
    names.map((name) => {
      const b = built.get(name)!;
      const input = quoteInput(name);
      return {
        ...call(b.bundle, b.versionKey, JSON.stringify(input)),
        meta: { name, hook: "checkout.discounts" as HookName, input, scopes: b.manifest.scopes.map((s) => s.scope) },
      };
    });
  try {
    // Warm up with room on the wall deadline: on an overloaded machine a cold batch (three
    // compiles) overruns 150 ms, the watchdog kills the runner, and the retry is cold again.
    const roomy = () => calls().map((c) => ({ ...c, limits: { ...c.limits, ...WARMUP_LIMITS } }));
    const bad = (await sandbox.runBatch(roomy())).filter((r) => r.outcome !== "ok").map((r) => `${r.outcome} ${r.error}`);
    if (bad.length) throw new Error(`reference batch: ${bad.join("; ")}`);
    for (let i = 0; i < 50; i++) await sandbox.runBatch(roomy());
    bridgeCalls = 0;
    const faults: string[] = [];
    const batch = await time(
      N.batch,
      async () => {
        for (const r of await sandbox.runBatch(calls())) if (r.outcome !== "ok") faults.push(`${r.outcome}: ${r.error}`);
      },
      3,
    );
    return { batch, bridgePerBatch: bridgeCalls / N.batch, faults };
  } finally {
    await sandbox.stop();
  }
}

// ---- 4. a real quote ----------------------------------------------------------------------

async function realQuote(): Promise<{ none: Stats; three: Stats; detail: string; outcomes: string } | { notMeasured: string }> {
  try {
    const { openPglite } = await import("../db/connect");
    const { migrateToLatest } = await import("../db/migrate");
    const { loadConfig } = await import("../app/config.server");
    const { createPlatform } = await import("../app/platform.server");
    const { seedDemo } = await import("../db/seed");
    const { createQuote } = await import("../app/checkout/index.server");
    const { addToCart } = await import("../app/cart/index.server");
    const { ensureShopCustomer, getShopByHandle } = await import("../app/shops/index.server");
    const { listShopInstalls } = await import("../app/marketplace/index.server");
    const { createExtensionHost } = await import("../app/extensions/host.server");

    const handle = await openPglite();
    await migrateToLatest(handle.db);
    const dataDir = path.join(os.tmpdir(), `bazaar-bench-${process.pid}`);
    const config = loadConfig({ NODE_ENV: "production", DATA_DIR: dataDir, SESSION_SECRET: "b".repeat(43), SEED_DEMO: "0", RUN_WORKERS: "0" });
    const platform = await createPlatform(config, { database: handle, migrate: false });
    // Production's limits (CPU 50 ms, wall 150 ms). A version's first call in a runner is
    // no longer charged for loading it (decision 0017), so cold batches do not overrun.
    platform.extensions = createExtensionHost(platform);
    try {
      await seedDemo(platform.db);
      const shop = (await getShopByHandle(platform.db, "demo"))!;
      const installs = await listShopInstalls(platform.db, shop.id);
      if (installs.filter((i) => i.status === "active").length !== 3) return { notMeasured: `the demo shop has ${installs.length} installs, not the 3 reference extensions` };
      const buyer = await platform.db.selectFrom("users").select(["id", "email", "name"]).where("email", "=", "buyer@demo.bazaar").executeTakeFirstOrThrow();
      await ensureShopCustomer(platform.db, shop.id, buyer);
      const skus = await platform.db.selectFrom("skus").select("id").where("shop_id", "=", shop.id).where("stock", ">", 10).orderBy("price", "desc").limit(3).execute();
      for (const s of skus) await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: s.id, quantity: 1 });
      await platform.db.updateTable("carts").set({ attributes: JSON.stringify({ coupon: "WELCOME10", usePoints: true }) }).where("shop_id", "=", shop.id).where("user_id", "=", buyer.id).execute();

      const quote = () => createQuote(platform, { shopId: shop.id, user: buyer });
      const setStatus = (status: "active" | "suspended") => platform.db.updateTable("installs" as never).set({ status } as never).where("shop_id" as never, "=", shop.id as never).execute();

      type Counts = Record<string, number>;
      const outcomes = async (): Promise<Counts> => {
        const rows = await platform.db
          .selectFrom("extension_invocations")
          .select(["outcome", (eb) => eb.fn.countAll<number>().as("n")])
          .where("shop_id", "=", shop.id)
          .where("hook", "=", "checkout.discounts")
          .groupBy("outcome")
          .execute();
        return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
      };
      const diff = (a: Counts, b: Counts) => Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)] as const).filter(([, v]) => v > 0);
      // Warm up until one quote runs all three extensions without a fault (cold isolates can miss the 150 ms deadline).
      let labels: string[] = [];
      for (let attempt = 0; attempt < 40; attempt++) {
        const before = await outcomes();
        const q = await quote();
        const faults = diff(before, await outcomes()).filter(([k]) => k !== "ok");
        labels = q.adjustments.filter((a) => a.kind === "discount").map((a) => a.label);
        if (!faults.length && attempt >= 5) break;
      }
      const before = await outcomes();
      const three = await time(N.quote, quote, 3);
      const during = diff(before, await outcomes()).map(([k, v]) => `${k} ${v}`).join(", ");
      await setStatus("suspended");
      for (let i = 0; i < 30; i++) await quote();
      const none = await time(N.quote, quote, 3);
      await setStatus("active");
      if (!labels.length) return { notMeasured: `the extensions offered no discount in the warmed-up quote (faults while measuring: ${during || "none recorded"})` };
      return { none, three, detail: `${skus.length} lines; discounts: ${labels.join(" | ") || "none"}`, outcomes: during };
    } finally {
      await platform.close();
    }
  } catch (e) {
    return { notMeasured: `the host side could not be driven: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
}

// ---- main ------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date().toISOString();
  const loadBefore = load();
  console.log(`sandbox bench: ${os.cpus().length} cores, load ${loadBefore}, node ${process.version}, scale ${scale}`);

  const pv = await plainAndVm();
  const expected = JSON.stringify(JSON.parse(JSON.stringify(new Function(`return ${HOOK}`)()(JSON.parse(INPUT)))));
  const r = await runnerCalls(expected);
  const ipc = await rawIpc();
  const rBatch = await runnerBatch();
  const throughput = await runnerThroughput();
  const ctxCost = await contextCost();
  const first = await firstCalls();
  const batch = await referenceBatch();
  const quote = await realQuote();
  const loadAfter = load();

  const P = pv.plain;
  const V = pv.warmVm;
  const R = r.paced;
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const rp = R.p50 / P.p50;
  const rv = R.p50 / V.p50;
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");

  const rows: string[][] = [
    ["P: plain function, JSON in/out", us(P.p50), us(P.p99), Math.round(P.perSecond).toLocaleString("en")],
    ["V: node:vm, warm context", us(V.p50), us(V.p99), Math.round(V.perSecond).toLocaleString("en")],
    ["V′: node:vm, fresh context per call", us(pv.freshVm.p50), us(pv.freshVm.p99), Math.round(pv.freshVm.perSecond).toLocaleString("en")],
    [`R: runner, warm, calls ${PACE_MS} ms apart (spare context ready)`, us(R.p50), us(R.p99), Math.round(R.perSecond).toLocaleString("en")],
    ["R: runner, warm, back to back", us(r.backToBack.p50), us(r.backToBack.p99), Math.round(r.backToBack.perSecond).toLocaleString("en")],
    ["R×3: one checkout's 3 calls (3 versions) in one runBatch, 2 runners", us(rBatch.p50), us(rBatch.p99), `${Math.round(rBatch.perSecond * 3).toLocaleString("en")} calls`],
    [`R: runner throughput, ${throughput.concurrency} callers, 2 runners`, "", "", Math.round(throughput.perSecond).toLocaleString("en")],
    [`IPC floor: trivial hook through the runner, ${PACE_MS} ms apart`, us(r.floor.p50), us(r.floor.p99), Math.round(r.floor.perSecond).toLocaleString("en")],
    [`bare Node IPC echo of the same message (no isolate), ${PACE_MS} ms apart`, us(ipc.paced.p50), us(ipc.paced.p99), ""],
    ["bare Node IPC echo of the same message, back to back", us(ipc.backToBack.p50), us(ipc.backToBack.p99), ""],
    ["isolated-vm in-process: call in a reused context", us(ctxCost.reuse.p50), us(ctxCost.reuse.p99), ""],
    ["isolated-vm in-process: fresh context (create + bootstrap + bundle)", us(ctxCost.prep.p50), us(ctxCost.prep.p99), ""],
  ];
  const other: string[][] = [
    ["first call of a newly installed version", `${ms(first.first.p50)} ms`, `${ms(first.first.p99)} ms`, `≤ ${TARGETS.firstCall} ms at p99`, verdict(first.first.p99 <= TARGETS.firstCall)],
    ...(first.failed.length ? [[`first calls that failed (of ${first.first.n})`, String(first.failed.length), "", "", first.failed[0]]] : []),
    ["its second call", `${ms(first.second.p50)} ms`, `${ms(first.second.p99)} ms`, "", ""],
    [`3 reference extensions, one runBatch (${batch.bridgePerBatch.toFixed(1)} bridge calls per batch)`, `${ms(batch.batch.p50)} ms`, `${ms(batch.batch.p99)} ms`, "", ""],
  ];
  if ("notMeasured" in quote) {
    other.push(["checkout quote, 0 / 3 extensions", "not measured", "", `p99 ≤ ${TARGETS.quoteP99} ms`, quote.notMeasured]);
  } else {
    other.push(["checkout quote (createQuote, PGlite), 0 extensions", `${ms(quote.none.p50)} ms`, `${ms(quote.none.p99)} ms`, "", ""]);
    other.push(["the quote's extension share (3 − 0)", `${ms(quote.three.p50 - quote.none.p50)} ms`, "", "", ""]);
    other.push([
      "checkout quote (createQuote, PGlite), 3 reference extensions (production limits)",
      `${ms(quote.three.p50)} ms`,
      `${ms(quote.three.p99)} ms`,
      `p99 ≤ ${TARGETS.quoteP99} ms`,
      verdict(quote.three.p99 <= TARGETS.quoteP99),
    ]);
  }

  const table = (head: string[], body: string[][]) =>
    [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((row) => `| ${row.join(" | ")} |`)].join("\n");

  const fresh = ctxCost.prep.p50;
  const md = `# Sandbox benchmark

\`npm run bench -- sandbox${scale !== 1 ? ` ${scale}` : ""}\` (bench/sandbox.ts), ${startedAt}.
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}.
**Load average (1 / 5 / 15 min): ${loadBefore} before, ${loadAfter} after** — other work shares
these cores, and isolated-vm's CPU clock and every wall time here include waiting for one.

Workload: one \`checkout.discounts\` hook over a 40-line cart, ${(Buffer.byteLength(INPUT) / 1024).toFixed(1)} KB of JSON in,
${(pv.outBytes / 1024).toFixed(1)} KB out. P ${P.n.toLocaleString("en")} calls, V ${V.n.toLocaleString("en")}, R ${R.n.toLocaleString("en")} (sequential; calls/s = calls ÷ busy time).

## P, V, R

${table(["", "p50", "p99", "calls/s"], rows)}

| ratio (p50) | value | target | |
|---|---|---|---|
| R/P | ${ratio(R.p50, P.p50)} (back to back ${ratio(r.backToBack.p50, P.p50)}) | ≤ ${TARGETS.rOverP} | ${verdict(rp <= TARGETS.rOverP)} |
| R/V | ${ratio(R.p50, V.p50)} (back to back ${ratio(r.backToBack.p50, V.p50)}) | < ${TARGETS.rOverV} | ${verdict(rv < TARGETS.rOverV)} |
| R×3 / 3P (one checkout's calls batched) | ${ratio(rBatch.p50, 3 * P.p50)} | ≤ ${TARGETS.rOverP} | ${verdict(rBatch.p50 / (3 * P.p50) <= TARGETS.rOverP)} |
| R/V′ (both isolate every call) | ${ratio(R.p50, pv.freshVm.p50)} | | |
| bare IPC echo / P (the floor of any runner process) | ${ratio(ipc.paced.p50, P.p50)} (back to back ${ratio(ipc.backToBack.p50, P.p50)}) | | |

## New versions, the reference extensions, the quote

${table(["", "p50", "p99", "target", ""], other)}
${r.faults.length + batch.faults.length ? `\nFaults during the runs: ${[...r.faults, ...batch.faults].slice(0, 5).join("; ")} (${r.faults.length + batch.faults.length} in all).\n` : ""}${"detail" in quote ? `\nThe quote with extensions: ${quote.detail}. Extension calls while measuring it: ${quote.outcomes}.\n` : ""}
## Reading it

- **R/P misses, and the process boundary is why.** P is ${us(P.p50)}: parsing, computing and
  stringifying in the caller's own heap. The IPC floor alone — a trivial hook, supervisor →
  runner → supervisor — is ${us(r.floor.p50)} at p50, ${ratio(r.floor.p50, P.p50)} × P before any work, and R
  (${us(R.p50)}) is ${r.floor.p50 >= R.p50 * 0.8 ? "about the floor" : `the floor plus ${us(R.p50 - r.floor.p50)}`}: the cost is two process hops and the wake-ups of two event
  loops, not the hook. Batching a checkout's three calls into one \`runBatch\` shares one
  round trip: ${us(rBatch.p50)} for three, ${ratio(rBatch.p50, 3 * P.p50)} × three plain calls.
- **The fresh context per call** (docs/decisions/0007) costs ${us(fresh)} of CPU per call in-process
  (create + bootstrap + bundle), against ${us(ctxCost.reuse.p50)} for a whole call in a reused context.
  The runner prepares it in the background after each call, ${r.backToBack.p50 - R.p50 > 0.1 ? `but back to back it is on the latency path: ${us(r.backToBack.p50)} against ${us(R.p50)} paced (+${us(r.backToBack.p50 - R.p50)})` : `and here it did not show in latency: back to back ${us(r.backToBack.p50)} against ${us(R.p50)} paced ${PACE_MS} ms apart (the paced calls were the slower ones: after a 10 ms idle gap, waking the two processes cost more here than the context)`}.
  It shows in throughput: one version in one runner tops out near 1 / (context + call) ≈
  ${Math.round(1000 / (fresh + ctxCost.reuse.p50)).toLocaleString("en")} calls/s of CPU; ${throughput.concurrency} callers on 2 runners got ${Math.round(throughput.perSecond).toLocaleString("en")} calls/s.
  Reusing contexts would cut that CPU by ~${ratio(fresh + ctxCost.reuse.p50, ctxCost.reuse.p50)}× but not R/P (the floor stays), and would let one
  buyer's call see what the previous buyer's call left behind. The 3.0 target came from the
  in-process isolated-vm figure (≈1.2 × P, shared notes); with isolates in separate runner
  processes — required, because \`memoryLimit\` is soft and a catastrophic error only ends
  with abort — no per-call design reaches it on this machine.
- **R/V misses for the same reason**: a warm node:vm context is ${us(V.p50)} — the same JSON work plus
  a realm switch, in-process, with no per-call isolation, no memory limit and no safe
  timeout. Against node:vm with the same isolation per call (V′, a fresh context each call:
  ${us(pv.freshVm.p50)}), R is ${ratio(R.p50, pv.freshVm.p50)}×.
- **What a checkout pays**: one \`runBatch\` for all its extensions is one IPC message per
  runner each way; the three reference extensions together take ${ms(batch.batch.p50)} ms at p50
  (${ms(batch.batch.p99)} ms p99), including ${batch.bridgePerBatch.toFixed(1)} bridge calls per batch (each extension reads its
  settings and counters with one \`Promise.all\`, which crosses as one message).
- **First call of a new version** (${(first.bundleBytes / 1024).toFixed(1)} KB bundle sent over IPC, compiled, isolate created,
  context prepared, call): ${ms(first.first.p50)} ms at p50, ${ms(first.first.p99)} ms at p99${first.failed.length ? `; ${first.failed.length} of ${first.first.n} overran the 150 ms wall deadline, and the call after such a kill waits for a new runner (the second-call p99)` : ""}.
- **The floor is the process boundary, not Bazaar's code**: a bare Node child echoing the same
  message over IPC takes ${us(ipc.paced.p50)} at p50 paced (${us(ipc.backToBack.p50)} back to back), already
  ${ratio(ipc.paced.p50, P.p50)} × P (${ratio(ipc.backToBack.p50, P.p50)} × back to back). R adds the isolate call, the runner's and the supervisor's
  bookkeeping and (under load) the ivm thread hop. R/P ≤ ${TARGETS.rOverP} would need the whole round trip
  within ${us(TARGETS.rOverP * P.p50)}; see docs/decisions/0017 for what was tried.
- **Cold starts are not charged to the extension** (decision 0017): a version's first call in a
  runner gets its 150 ms wall deadline only when the runner reports it started — after the
  bundle was sent, compiled and its isolate created (bounded by \`COLD_LOAD_MS\`). The quote
  above ran with production limits. A restarted runner is sent the versions its predecessor
  had (except the one that killed it), so a crash does not make every install's next call cold.
`;
  mkdirSync(path.join(here, "results"), { recursive: true });
  writeFileSync(path.join(here, "results", "sandbox.md"), md);
  console.log("\n" + md);
  console.log(`wrote bench/results/sandbox.md`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
