/**
 * Sandbox micro-benchmark.
 *
 *   node --no-node-snapshot --import tsx bench/sandbox-runner.ts [iterations]
 *
 * 1. The isolation decision, in-process with isolated-vm: a call in a reused
 *    context vs a fresh context per call (createContext + bootstrap + bundle +
 *    call), broken down by step.
 * 2. Warm call latency: a plain in-process function with JSON in/out vs the
 *    full supervisor → runner → isolate → runner → supervisor round trip.
 * 3. Runner start (spawn → ready).
 * Prints medians and p99s; the machine's load average is printed with them
 * because other work on the machine moves every number.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import ivm from "isolated-vm";
import { createSandbox, versionKeyOf } from "../sandbox/supervisor";

const iterations = Number(process.argv[2]) || 2_000;

const hookSource = `(input) => {
  const lines = [];
  for (const line of input.lines) {
    if (line.price >= 1000) lines.push({ lineId: line.id, amount: Math.floor(line.price * line.quantity * 0.1), reason: "10% off " + line.title });
  }
  return { discounts: lines, note: "member price for " + input.customer.tier };
}`;
const bundle = `globalThis.__bazaar_plugin = { hooks: { "checkout.discounts": ${hookSource} } };`;
const cart = {
  customer: { id: "cust_1", tier: "gold" },
  lines: Array.from({ length: 40 }, (_, i) => ({ id: `line_${i}`, title: `Product number ${i} in the cart`, price: 500 + i * 100, quantity: 1 + (i % 3), sku: `SKU-${i}` })),
};
const input = JSON.stringify(cart);

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  return `p50 ${(at(0.5) * 1000).toFixed(0)} µs, p99 ${(at(0.99) * 1000).toFixed(0)} µs`;
}

async function isolationCost(): Promise<void> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const bootstrapSource = readFileSync(new URL("../sandbox/isolate-bootstrap.js", import.meta.url), "utf8");
  const bootstrap = await isolate.compileScript(bootstrapSource);
  const script = await isolate.compileScript(bundle + "\n;void 0;");
  const args = ["call", "checkout.discounts", input, 1_700_000_000_000, 1, 2, 3, 4, 65_536, 1_024];

  async function prepare() {
    const context = await isolate.createContext();
    const t1 = performance.now();
    const setup = (await bootstrap.run(context, { reference: true })) as ivm.Reference<(send: unknown) => unknown>;
    const entry = (await setup.apply(undefined, [new ivm.Callback(() => {}, { ignored: true })], { result: { reference: true } })) as ivm.Reference<
      (...a: unknown[]) => unknown
    >;
    setup.release();
    const t2 = performance.now();
    await script.run(context);
    const t3 = performance.now();
    return { context, entry, t1, t2, t3 };
  }

  // Reused context: prepare once, call many times.
  const reused = await prepare();
  const reuseSamples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await reused.entry.apply(undefined, args, { result: { promise: true }, timeout: 50 });
    reuseSamples.push(performance.now() - t);
  }

  // Fresh context per call, prepared inline.
  const steps = { createContext: [] as number[], bootstrap: [] as number[], bundle: [] as number[], call: [] as number[], total: [] as number[] };
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const p = await prepare();
    await p.entry.apply(undefined, args, { result: { promise: true }, timeout: 50 });
    const t4 = performance.now();
    p.entry.release();
    p.context.release();
    steps.createContext.push(p.t1 - t0);
    steps.bootstrap.push(p.t2 - p.t1);
    steps.bundle.push(p.t3 - p.t2);
    steps.call.push(t4 - p.t3);
    steps.total.push(t4 - t0);
  }
  console.log(`isolation (in-process, ${iterations} calls, 5.8 KB cart):`);
  console.log(`  reused context, call only:   ${summary(reuseSamples)}`);
  for (const [name, samples] of Object.entries(steps)) console.log(`  fresh context, ${name.padEnd(13)} ${summary(samples)}`);
  isolate.dispose();
}

async function roundTrip(): Promise<void> {
  // Plain function with JSON in/out: the floor any boundary is compared with.
  const hook = new Function(`return ${hookSource}`)() as (i: unknown) => unknown;
  const plain: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    JSON.stringify(hook(JSON.parse(input)));
    plain.push(performance.now() - t);
  }

  const sandbox = createSandbox({ runners: 1, onBridge: () => ({ ok: true, value: null }), limits: { wallMs: 5_000 } });
  const versionKey = versionKeyOf(bundle);
  const call = (i: number) => sandbox.run({ id: `b${i}`, versionKey, bundle, hook: "checkout.discounts", input, timestamp: 1_700_000_000_000, seed: i });
  const first = await call(0);
  if (first.outcome !== "ok") throw new Error(`bench call failed: ${first.outcome} ${first.error}`);
  for (let i = 0; i < 200; i++) await call(i);
  const sequential: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await call(i);
    sequential.push(performance.now() - t);
  }
  // Calls spaced 3 ms apart: the spare context prepared after each call is ready when the next arrives.
  const spaced: number[] = [];
  for (let i = 0; i < iterations / 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 3));
    const t = performance.now();
    await call(i);
    spaced.push(performance.now() - t);
  }
  // The checkout's case: three installed extensions (three versions) at once.
  const extensions = [bundle, ...[1, 2].map((k) => `// extension ${k}\n${bundle}`)].map((b) => ({ bundle: b, versionKey: versionKeyOf(b) }));
  const batch = (i: number) =>
    sandbox.runBatch(extensions.map((e) => ({ id: `v${i}`, ...e, hook: "checkout.discounts", input, timestamp: 1_700_000_000_000, seed: i })));
  for (let i = 0; i < 20; i++) await batch(i);
  const batchSamples: number[] = [];
  for (let i = 0; i < iterations / 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 3));
    const t = performance.now();
    await batch(i);
    batchSamples.push(performance.now() - t);
  }
  const concurrency = 8;
  const tp0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (done < iterations) {
        done++;
        await call(done);
      }
    }),
  );
  const perSecond = (iterations / (performance.now() - tp0)) * 1000;
  console.log(`warm call (${iterations} calls, output ${Buffer.byteLength(first.output!)} bytes):`);
  console.log(`  plain function, JSON in/out:            ${summary(plain)}`);
  console.log(`  supervisor round trip, back to back:    ${summary(sequential)}`);
  console.log(`  supervisor round trip, 3 ms apart:      ${summary(spaced)}`);
  console.log(`  runBatch of 3 extensions, 3 ms apart : ${summary(batchSamples)}`);
  console.log(`  throughput, 1 runner, concurrency ${concurrency}:   ${perSecond.toFixed(0)} calls/s`);
  await sandbox.stop();
}

async function runnerStart(): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const sandbox = createSandbox({ runners: 1, onBridge: () => ({ ok: true, value: null }) });
    while (!sandbox.stats().runners[0].ready) await new Promise((resolve) => setTimeout(resolve, 5));
    samples.push(performance.now() - t);
    await sandbox.stop();
  }
  console.log(`runner start (spawn → ready, 5 runs): ${samples.map((ms) => ms.toFixed(0)).join(", ")} ms`);
}

console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
await isolationCost();
await roundTrip();
await runnerStart();
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
