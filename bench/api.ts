/**
 * Open API throughput: `npm run bench -- api [seconds]`.
 *
 * On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 * it creates a fresh database and migrates it, then runs one child process
 * (NODE_ENV=production) serving two ports:
 *
 * - **auth on**: the real server (`createServer` from server.ts, production
 *   Remix build) whose `/api/v1` router authenticates the bearer token with
 *   the OAuth module's verifier (`platform.oauth.verifyAccessToken`), charges
 *   the install's leaky bucket (in Redis when REDIS_URL is set), checks the
 *   scope, validates the query and runs `GET /api/v1/products`;
 * - **auth off**: a bare express app answering `GET /api/v1/products` with the
 *   same route entry's validation and handler (`runRoute`) for a fixed
 *   principal: no token, no bucket, no scope check.
 *
 * The orchestrator makes a shop with 30 products, installs an extension in
 * it through the real consent page and gets a real access token with the
 * authorization-code flow (oauth4webapi, PKCE), then raises the install's
 * bucket so nothing is limited. autocannon (10 connections) measures both in
 * alternation: a warm-up, then BENCH_ROUNDS (default 3) rounds of `seconds`
 * (default 10) each; figures are medians and count only 200 answers.
 * Prints a table and writes bench/results/api.md. Target: auth on ≥ 70 % of
 * auth off. The database is dropped afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { sql } from "kysely";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");
const CONNECTIONS = 10;
const WARMUP_SECONDS = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const PRODUCTS = 30;
const PATH = "/api/v1/products?limit=25";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type Mode = "auth on" | "auth off";
const MODES: Mode[] = ["auth off", "auth on"];

// ---- the child: both servers in one process ------------------------------------------------

async function serve() {
  const express = (await import("express")).default;
  const { loadConfig } = await import("../app/config.server");
  const { createPlatform } = await import("../app/platform.server");
  const { createServer } = await import("../server");
  const { apiRoutes, runRoute } = await import("../app/openapi/index.server");
  const config = loadConfig(process.env);
  const platform = await createPlatform(config, { migrate: false });
  const build = await import(pathToFileURL(path.join(ROOT, "build", "index.js")).href);
  const real = await createServer(platform, build);
  const on = real.listen(config.port, "127.0.0.1");

  // the same route entry, without authentication, rate limit or scope check
  const route = apiRoutes.find((r) => r.operationId === "listProducts")!;
  let principal: import("../app/oauth/principal").ApiPrincipal | null = null;
  const bare = express();
  bare.get("/api/v1/products", async (req, res) => {
    const answer = await runRoute(platform, route, principal!, { params: {}, query: req.query, body: {} });
    res.status(answer.status).json(answer.body);
  });
  const off = bare.listen(0, "127.0.0.1");
  await Promise.all([on, off].map((s) => new Promise((r) => (s.listening ? r(null) : s.once("listening", r)))));
  process.stdout.write(`READY ${(on.address() as net.AddressInfo).port} ${(off.address() as net.AddressInfo).port}\n`);
  process.on("SIGTERM", () => process.exit(0));
  process.stdin.setEncoding("utf8");
  let buffer = "";
  process.stdin.on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line.startsWith("PRINCIPAL ")) {
        principal = JSON.parse(line.slice("PRINCIPAL ".length));
        process.stdout.write("OK\n");
      } else if (line === "cpu") {
        const u = process.cpuUsage();
        process.stdout.write(`CPU ${u.user + u.system}\n`);
      }
    }
  });
}

// ---- the orchestrator ---------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

type Child = { child: ChildProcess; on: string; off: string; send(line: string, expect: RegExp): Promise<string> };

function startChild(env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", fileURLToPath(import.meta.url), "--serve"], { env, stdio: ["pipe", "pipe", "inherit"] });
  const waiting: { expect: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = "";
  let ready: ((ports: [string, string]) => void) | null = null;
  child.stdout!.on("data", (chunk) => {
    buffer += String(chunk);
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const m = /^READY (\d+) (\d+)$/.exec(line);
      if (m && ready) ready([m[1], m[2]]);
      const w = waiting.findIndex((x) => x.expect.test(line));
      if (w >= 0) waiting.splice(w, 1)[0].resolve(line);
    }
  });
  const send = (line: string, expect: RegExp) =>
    new Promise<string>((resolve) => {
      waiting.push({ expect, resolve });
      child.stdin!.write(`${line}\n`);
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the API server did not start in 90 s")), 90_000);
    ready = ([on, off]) => {
      clearTimeout(timer);
      resolve({ child, on: `http://127.0.0.1:${on}`, off: `http://127.0.0.1:${off}`, send });
    };
    child.on("exit", (code) => reject(new Error(`the API server exited (${code}) before it was ready`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

function cannon(url: string, seconds: number, token: string | null): Promise<autocannon.Result & { statusCodeStats?: Record<string, { count: number }> }> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections: CONNECTIONS, duration: seconds, pipelining: 1, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (err, result) => (err ? reject(err) : resolve(result as any)),
    );
  });
}

/** Successful (200) answers per second of a run. */
function okPerSecond(r: autocannon.Result & { statusCodeStats?: Record<string, { count: number }> }, seconds: number): number {
  const ok = r.statusCodeStats?.["200"]?.count ?? r["2xx"];
  return ok / seconds;
}

function formatRow(cells: string[], widths: number[]): string {
  return `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
}

async function main() {
  const seconds = Number(process.argv[2]) || 10;
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  const base = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `bazaar_bench_api_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-bench-api-"));
  let child: Child | null = null;
  let platform: import("../app/platform.server").Platform | null = null;
  try {
    const pgVersion = (await admin.query("SHOW server_version")).rows[0].server_version as string;
    await admin.query(`CREATE DATABASE "${dbName}"`);
    const u = new URL(base);
    u.pathname = `/${dbName}`;
    const url = u.toString();

    const { buildIsStale } = await import("../scripts/build-state.mjs");
    if (buildIsStale()) {
      console.log("Building the Remix app (production)…");
      const r = spawnSync("npx", ["remix", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
      if (r.status !== 0) throw new Error("remix build failed");
    }

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      RUN_WORKERS: "0",
      SEED_DEMO: "0",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };

    // The orchestrator's own platform on the bench database: it migrates it and makes the shop.
    Object.assign(process.env, { DATA_DIR: dataDir, SESSION_SECRET: env.SESSION_SECRET, PUBLIC_URL: env.PUBLIC_URL, PORT: env.PORT, HOST: env.HOST, DATABASE_URL: url, SEED_DEMO: "0" });
    const { loadConfig } = await import("../app/config.server");
    const { createPlatform } = await import("../app/platform.server");
    platform = await createPlatform(loadConfig(process.env));

    child = await startChild(env);

    // A real token: an extension with a backend, installed by the merchant on the consent page, code + PKCE.
    let token: string;
    let verifier: string;
    let shopId: string;
    let installId: string;
    let ownerId: string;
    try {
      const { createOAuthWorld, authorize } = await import("../test/oauth-fixtures");
      const world = await createOAuthWorld(platform, child.on, { scopes: ["read_products"] });
      const { tokens } = await authorize(world, { scope: "read_products" });
      token = tokens.access_token;
      const principal = await platform.oauth.verifyAccessToken(token);
      if (!principal) throw new Error("the issued access token does not verify");
      shopId = principal.shopId;
      ownerId = world.shop.ownerId;
      installId = principal.installId;
      verifier = "the OAuth module's `platform.oauth.verifyAccessToken` with a real access token (authorization code + PKCE through the consent page)";
      await child.send(`PRINCIPAL ${JSON.stringify(principal)}`, /^OK$/);
    } catch (e) {
      throw new Error(`could not get a real access token: ${e instanceof Error ? e.message : String(e)}`);
    }

    const { createProduct } = await import("../app/catalog/index.server");
    const { setInstallRateLimit } = await import("../app/openapi/index.server");
    for (let i = 0; i < PRODUCTS; i++) {
      await createProduct(platform.db, shopId, { type: "user", id: ownerId }, { title: `Bench tea ${i}`, price: 1000 + i, stock: 50, status: "on_sale", specs: [{ name: "Size", values: ["50g", "100g"] }] });
    }
    await setInstallRateLimit(platform.db, { shopId, installId }, { burst: 1_000_000, perSecond: 1_000_000 });
    const limiterKind = process.env.REDIS_URL ? "Redis (one Lua script per request)" : "in-process";

    // Where a request's time goes: each step alone, sequentially, in this process (medians of 200 calls).
    const { apiRoutes, runRoute, createRedisRateLimiter, createMemoryRateLimiter } = await import("../app/openapi/index.server");
    const principal = (await platform.oauth.verifyAccessToken(token))!;
    const listRoute = apiRoutes.find((r) => r.operationId === "listProducts")!;
    const limiter = process.env.REDIS_URL ? createRedisRateLimiter(process.env.REDIS_URL, { prefix: `bench:${dbName}:` }) : createMemoryRateLimiter();
    const timeIt = async (fn: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = process.hrtime.bigint();
        await fn();
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return median(ms);
    };
    const steps = {
      verify: await timeIt(() => platform!.oauth.verifyAccessToken(token)),
      bucket: await timeIt(() => limiter.take(installId, { burst: 1_000_000, perSecond: 1_000_000 })),
      roundTrip: await timeIt(() => sql`SELECT 1`.execute(platform!.db)),
      handler: await timeIt(() => runRoute(platform!, listRoute, principal, { params: {}, query: { limit: "25" }, body: {} })),
    };
    await limiter.close();
    console.log(`steps (median ms, sequential): verify ${steps.verify.toFixed(2)}, bucket ${steps.bucket.toFixed(2)}, SELECT 1 ${steps.roundTrip.toFixed(2)}, handler ${steps.handler.toFixed(2)}`);

    const urls: Record<Mode, string> = { "auth on": child.on + PATH, "auth off": child.off + PATH };
    const tokenOf: Record<Mode, string | null> = { "auth on": token, "auth off": null };
    for (const mode of MODES) {
      const res = await fetch(urls[mode], { headers: tokenOf[mode] ? { authorization: `Bearer ${tokenOf[mode]}` } : {} });
      const body = (await res.json()) as { data?: unknown[] };
      if (res.status !== 200 || body.data?.length !== 25) throw new Error(`${mode}: GET ${PATH} answered ${res.status} with ${body.data?.length ?? "no"} products`);
      if (mode === "auth on" && !res.headers.get("ratelimit-limit")) throw new Error("auth on: no RateLimit headers — not the API router?");
      await cannon(urls[mode], WARMUP_SECONDS, tokenOf[mode]);
    }
    const noAuth = await fetch(urls["auth on"]);
    if (noAuth.status !== 401) throw new Error(`auth on without a token answered ${noAuth.status}, not 401`);

    const runs: Record<Mode, { ok: number; p50: number; p99: number; non200: number; errors: number; cpuMs: number }[]> = { "auth on": [], "auth off": [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
        const before = Number((await child.send("cpu", /^CPU \d+$/)).slice(4));
        const r = await cannon(urls[mode], seconds, tokenOf[mode]);
        const cpu = Number((await child.send("cpu", /^CPU \d+$/)).slice(4)) - before;
        const ok = okPerSecond(r, seconds);
        const total = r.requests.total;
        const non200 = total - (r.statusCodeStats?.["200"]?.count ?? r["2xx"]);
        const cpuMs = cpu / 1000 / Math.max(1, total);
        runs[mode].push({ ok, p50: r.latency.p50, p99: r.latency.p99, non200, errors: r.errors + r.timeouts, cpuMs });
        console.log(`round ${round + 1}: ${mode.padEnd(8)} ${ok.toFixed(0)} ok/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${non200} non-200, ${cpuMs.toFixed(2)} CPU ms/req`);
      }
    }

    const results = MODES.map((mode) => ({
      mode,
      ok: median(runs[mode].map((r) => r.ok)),
      p50: median(runs[mode].map((r) => r.p50)),
      p99: median(runs[mode].map((r) => r.p99)),
      non200: runs[mode].reduce((n, r) => n + r.non200, 0),
      errors: runs[mode].reduce((n, r) => n + r.errors, 0),
      cpuMs: median(runs[mode].map((r) => r.cpuMs)),
    }));
    const offR = results.find((r) => r.mode === "auth off")!;
    const onR = results.find((r) => r.mode === "auth on")!;
    const ratio = onR.ok / offR.ok;
    const widths = [8, 8, 7, 7, 8, 11, 10, 8];
    const header = ["server", "200/s", "p50 ms", "p99 ms", "vs off", "CPU ms/req", "CPU ratio", "non-200"];
    const lines = [formatRow(header, widths), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
    for (const r of results) {
      lines.push(
        formatRow(
          [r.mode, r.ok.toFixed(0), String(r.p50), String(r.p99), `${((r.ok / offR.ok) * 100).toFixed(0)} %`, r.cpuMs.toFixed(2), `${((offR.cpuMs / r.cpuMs) * 100).toFixed(0)} %`, String(r.non200 + r.errors)],
          widths,
        ),
      );
    }
    const verdict = `Auth on at ${(ratio * 100).toFixed(0)} % of auth off's successful throughput (target ≥ 70 %): ${ratio >= 0.7 ? "met" : "NOT met"}.`;
    const loadAtEnd = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    console.log(`\n${lines.join("\n")}\n\n${verdict}`);
    const cpus = os.cpus();
    const md = `# Open API benchmark

\`npm run bench -- api\` — ${new Date().toISOString()}

\`GET ${PATH}\` (25 products of ${PRODUCTS + 0}, two SKUs each).

${lines.join("\n")}

${verdict}

- **auth on**: the real server (\`createServer\` from \`server.ts\`, NODE_ENV=production) with \`/api/v1\` mounted as in production: bearer token verified by ${verifier}; the install's leaky bucket charged (${limiterKind}; raised to 1,000,000 so no request is limited); scope checked; query validated; the \`listProducts\` handler; RateLimit headers on the answer.
- **auth off**: the same route entry (\`runRoute\`: the same zod validation and handler, \`listAdminProducts\` underneath) on a bare express app with a fixed principal: no token, no bucket, no scope check.
- Both listen in one child process and are measured in alternation: ${WARMUP_SECONDS} s warm-up each, then ${ROUNDS} rounds of ${seconds} s, the order flipping every round; each figure is the median of the rounds. "200/s" counts only 200 answers; "non-200" sums non-200 answers, errors and timeouts over all rounds.
- Each step alone, sequentially, from the orchestrating process (median of 200 calls): token verification ${steps.verify.toFixed(2)} ms, the bucket (${limiterKind}) ${steps.bucket.toFixed(2)} ms, the handler ${steps.handler.toFixed(2)} ms. A database round trip alone (\`SELECT 1\` through the same pool) takes ${steps.roundTrip.toFixed(2)} ms. Auth on pays verification, then the bucket, then the handler, in sequence: with these figures the expected ratio for a latency-bound client is handler ÷ (verify + bucket + handler) = ${((steps.handler / (steps.verify + steps.bucket + steps.handler)) * 100).toFixed(0)} %.
- What auth adds per request: the verifier's one query (the token's row joined to its grant, install, version, extension and client, so a revoked grant, an uninstalled or suspended install, a suspended version or extension and a revoked client all fail at once) and one EVALSHA for the bucket, in sequence before the handler. On this shared machine the latency of that query swings by an order of magnitude from run to run, and with it the throughput ratio; the CPU ratio moves less. Closing the gap means a cheaper verifier query (the OAuth module's) or caching principals in the router for a few seconds, which would let a token keep working that long after uninstall (revocation is immediate today); neither is done here.
- "CPU ms/req" is the server process's CPU time (user + system) per request; "CPU ratio" is auth off ÷ auth on of it.
- autocannon, ${CONNECTIONS} connections, in the orchestrating process.
- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, Node ${process.version}, PostgreSQL ${pgVersion}${process.env.REDIS_URL ? " and Redis" : ""} on the same machine; load average (1/5/15 min) ${loadAtStart} at the start, ${loadAtEnd} at the end. Other work shares these cores, so absolute numbers move with it; the ratio is the number to compare.
`;
    mkdirSync(path.join(here, "results"), { recursive: true });
    writeFileSync(path.join(here, "results", "api.md"), md);
    console.log("Wrote bench/results/api.md");
  } finally {
    if (child) await stopChild(child.child);
    await platform?.close().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error(`could not drop ${dbName}: ${e.message}`));
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--serve")) {
  serve().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
