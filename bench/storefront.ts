/**
 * Storefront throughput: `npm run bench -- storefront [seconds]`.
 *
 * On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 * it creates a fresh database, migrates it and seeds the demo shop, then
 * measures three servers, one at a time, each in its own child process:
 *
 * - **remix**: the real server (`createServer` from server.ts with the built
 *   Remix app, NODE_ENV=production) serving the shop home and a product page;
 *   its render cache (app/shelves/render-cache.server.ts) reuses the HTML of
 *   a render whose loader data was identical, so after the first request it
 *   runs the loaders (the same queries) and skips React;
 * - **uncached**: the same server with the render cache off: every request
 *   goes through Remix's document pipeline and React's server render;
 * - **baseline**: a bare `node:http` handler that runs the same queries —
 *   the same catalog and shelf functions the pages' loaders call, the layout's
 *   and the page's in parallel as Remix runs them — and returns that data as JSON.
 *
 * autocannon (10 connections) runs in this process: a warm-up, then
 * BENCH_ROUNDS (default 5) rounds of `seconds` (default 10) per server and
 * page, alternating between the servers; figures are the medians. Prints a table and writes
 * bench/results/storefront.md. The target: the product page at ≥ 50 % of the
 * baseline's throughput. The database is dropped afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import pg from "pg";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");
const CONNECTIONS = 10;
const WARMUP_SECONDS = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type Mode = "remix" | "uncached" | "baseline";
const MODES: Mode[] = ["baseline", "remix", "uncached"];
type Target = { name: string; path: string; expect: string };
type Result = {
  target: string;
  mode: Mode;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  bytes: number;
  cpuMs: number;
  /** this server's req/s ÷ the baseline's in each round (the two runs next to each other in time) */
  roundRatios: number[];
};

// ---- the servers (child processes) ---------------------------------------------

/** The real server: server.ts's express app on the production Remix build (`uncached`: with its render cache off). */
async function serveRemix(renderCache: boolean): Promise<http.Server> {
  const { loadConfig } = await import("../app/config.server");
  const { createPlatform } = await import("../app/platform.server");
  const { createServer } = await import("../server");
  const config = loadConfig(process.env);
  const platform = await createPlatform(config);
  if (!renderCache) {
    const { renderCacheOf } = await import("../app/shelves/render-cache.server");
    renderCacheOf(platform).enabled = false;
  }
  const build = await import(pathToFileURL(path.join(ROOT, "build", "index.js")).href);
  const app = await createServer(platform, build);
  return app.listen(0, "127.0.0.1");
}

/**
 * The baseline: the loaders' queries without Remix or React. For a page it
 * runs what the storefront layout's loader and the page's loader run, in
 * parallel, and answers with their data as JSON.
 */
async function serveBaseline(): Promise<http.Server> {
  const { openPostgres } = await import("../db/connect");
  const { listCategories, getStorefrontProduct } = await import("../app/catalog/index.server");
  const { getPublishedPage, requireStorefrontShop, imageView } = await import("../app/shelves/index.server");
  const { db } = await openPostgres(process.env.DATABASE_URL!);

  // `scope` plays the load context's part: one per request, so the shop is looked up once, as in the pages.
  const layout = async (handle: string, scope: object) => ({ shop: await requireStorefrontShop(db, handle, scope), cartCount: 0 });
  const home = async (handle: string, scope: object) => {
    const shop = await requireStorefrontShop(db, handle, scope);
    const [page, tree] = await Promise.all([getPublishedPage(db, shop.id, { home: true }), listCategories(db, shop.id)]);
    return { shop, categories: tree.map((c) => ({ id: c.id, name: c.name })), page };
  };
  const product = async (handle: string, productId: string, scope: object) => {
    const shop = await requireStorefrontShop(db, handle, scope);
    const p = await getStorefrontProduct(db, shop.id, productId);
    if (!p) return null;
    return { shop, product: { ...p, images: p.images.map((id) => imageView(id, [640, 960, 1280])) } };
  };

  return http
    .createServer(async (req, res) => {
      try {
        const url = new URL(req.url ?? "/", "http://localhost");
        const m = /^\/s\/([a-z0-9-]+)(?:\/products\/([a-z0-9_]+))?\/?$/.exec(url.pathname);
        if (!m) {
          res.writeHead(404).end();
          return;
        }
        const scope = {};
        const [shell, data] = await Promise.all([layout(m[1], scope), m[2] ? product(m[1], m[2], scope) : home(m[1], scope)]);
        if (!data) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ layout: shell, page: data }));
      } catch (e) {
        console.error(e);
        res.writeHead(500).end();
      }
    })
    .listen(0, "127.0.0.1");
}

async function serve(mode: Mode) {
  const server = mode === "baseline" ? await serveBaseline() : await serveRemix(mode === "remix");
  server.on("listening", () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`READY ${port}\n`);
  });
  if (server.listening) server.emit("listening");
  process.on("SIGTERM", () => process.exit(0));
  // The orchestrator asks for this process's CPU time around each run ("cpu" on stdin): CPU per request
  // is steadier than throughput when other work shares the machine.
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    for (const _ of chunk.split("\n").filter((l) => l.trim() === "cpu")) {
      const u = process.cpuUsage();
      process.stdout.write(`CPU ${u.user + u.system}\n`);
    }
  });
}

// ---- the orchestrator -------------------------------------------------------------

type Server = { child: ChildProcess; url: string; cpuMicros(): Promise<number> };

function startChild(mode: Mode, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", fileURLToPath(import.meta.url), "--serve", mode], {
    env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting: ((micros: number) => void)[] = [];
  let lineBuffer = "";
  child.stdout!.on("data", (chunk) => {
    lineBuffer += String(chunk);
    let nl: number;
    while ((nl = lineBuffer.indexOf("\n")) >= 0) {
      const line = lineBuffer.slice(0, nl);
      lineBuffer = lineBuffer.slice(nl + 1);
      const m = /^CPU (\d+)$/.exec(line);
      if (m) waiting.shift()?.(Number(m[1]));
    }
  });
  const cpuMicros = () =>
    new Promise<number>((resolve) => {
      waiting.push(resolve);
      child.stdin!.write("cpu\n");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start in 60 s`)), 60_000);
    child.stdout!.on("data", (chunk) => {
      out += String(chunk);
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}`, cpuMicros });
      }
    });
    child.on("exit", (code) => reject(new Error(`${mode} server exited (${code}) before it was ready`)));
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

function cannon(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function check(url: string, expect: string): Promise<void> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200 || !body.includes(expect)) throw new Error(`GET ${url}: ${res.status}, expected the body to contain ${JSON.stringify(expect)}`);
}

function formatRow(cells: string[], widths: number[]): string {
  return `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
}

async function main() {
  const seconds = Number(process.argv[2]) || 10;
  const loadAtStart = os.loadavg()[0].toFixed(2);
  const base = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `bazaar_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-bench-"));
  const children: ChildProcess[] = [];
  const results: Result[] = [];
  let pgVersion = "";
  try {
    pgVersion = (await admin.query("SHOW server_version")).rows[0].server_version;
    await admin.query(`CREATE DATABASE "${dbName}"`);
    const u = new URL(base);
    u.pathname = `/${dbName}`;
    const url = u.toString();

    // A migrated database with the demo shop; its pictures go to this run's data folder.
    process.env.DATA_DIR = dataDir;
    const { openPostgres } = await import("../db/connect");
    const { migrateToLatest } = await import("../db/migrate");
    const { seedDemo } = await import("../db/seed");
    const handle = await openPostgres(url, { max: 4 });
    await migrateToLatest(handle.db);
    const seedStarted = Date.now();
    await seedDemo(handle.db);
    const seedMs = Date.now() - seedStarted;
    const product = await handle.db
      .selectFrom("products")
      .innerJoin("shops", "shops.id", "products.shop_id")
      .select(["products.id", "products.title"])
      .where("shops.handle", "=", "demo")
      .where("products.title", "like", "West Lake Longjing%")
      .executeTakeFirstOrThrow();
    await handle.close();

    // The real server serves the production build; make sure it is current.
    const { buildIsStale } = await import("../scripts/build-state.mjs");
    if (buildIsStale()) {
      console.log("Building the Remix app (production)…");
      const r = spawnSync("npx", ["remix", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
      if (r.status !== 0) throw new Error("remix build failed");
    }

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      RUN_WORKERS: "0",
      SEED_DEMO: "0",
      PUBLIC_URL: "http://127.0.0.1:3000",
      HOST: "127.0.0.1",
    };
    const targets: Target[] = [
      { name: "shop home", path: "/s/demo", expect: "Bestsellers" },
      { name: "product page", path: `/s/demo/products/${product.id}`, expect: "West Lake Longjing" },
    ];

    // Both servers up at once, measured in alternation (the order flips every round), so a change
    // in the machine's load during the run falls on both sides alike; each figure is the median of the rounds.
    const servers = new Map<Mode, Server>();
    for (const mode of MODES) {
      const server = await startChild(mode, env);
      children.push(server.child);
      servers.set(mode, server);
    }
    for (const t of targets) {
      const runs: Record<Mode, autocannon.Result[]> = { baseline: [], remix: [], uncached: [] };
      const cpu: Record<Mode, number[]> = { baseline: [], remix: [], uncached: [] };
      for (const mode of MODES) {
        await check(servers.get(mode)!.url + t.path, t.expect);
        await cannon(servers.get(mode)!.url + t.path, WARMUP_SECONDS);
      }
      for (let round = 0; round < ROUNDS; round++) {
        const order: Mode[] = round % 2 === 0 ? MODES : [...MODES].reverse();
        for (const mode of order) {
          const server = servers.get(mode)!;
          const before = await server.cpuMicros();
          const r = await cannon(server.url + t.path, seconds);
          const cpuMs = (await server.cpuMicros()) - before;
          const perRequest = cpuMs / 1000 / Math.max(1, r.requests.total);
          runs[mode].push(r);
          cpu[mode].push(perRequest);
          console.log(
            `round ${round + 1}: ${mode.padEnd(8)} ${t.name.padEnd(12)} ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${perRequest.toFixed(2)} CPU ms/req`,
          );
        }
      }
      for (const mode of MODES) {
        const rs = runs[mode];
        results.push({
          target: t.name,
          mode,
          rps: median(rs.map((r) => r.requests.average)),
          p50: median(rs.map((r) => r.latency.p50)),
          p99: median(rs.map((r) => r.latency.p99)),
          errors: rs.reduce((n, r) => n + r.errors + r.timeouts, 0),
          non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
          bytes: Math.round(median(rs.map((r) => r.throughput.average / Math.max(1, r.requests.average)))),
          cpuMs: median(cpu[mode]),
          roundRatios: rs.map((r, i) => r.requests.average / Math.max(1e-9, runs.baseline[i].requests.average)),
        });
      }
    }
    for (const c of children) await stopChild(c);

    // ---- report -------------------------------------------------------------------
    const widths = [12, 8, 7, 7, 7, 8, 11, 10, 7];
    const header = ["page", "server", "req/s", "p50 ms", "p99 ms", "vs base", "CPU ms/req", "CPU ratio", "body B"];
    const lines = [formatRow(header, widths), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
    for (const t of targets) {
      const b = results.find((r) => r.target === t.name && r.mode === "baseline")!;
      for (const r of results.filter((x) => x.target === t.name)) {
        const ratio = r.mode === "baseline" ? "100 %" : `${((r.rps / b.rps) * 100).toFixed(0)} %`;
        const cpuRatio = r.mode === "baseline" ? "100 %" : `${((b.cpuMs / r.cpuMs) * 100).toFixed(0)} %`;
        lines.push(formatRow([t.name, r.mode, r.rps.toFixed(0), String(r.p50), String(r.p99), ratio, r.cpuMs.toFixed(2), cpuRatio, String(r.bytes)], widths));
      }
    }
    const rpsOf = (target: string, mode: Mode) => results.find((r) => r.target === target && r.mode === mode)!.rps;
    const productRatio = rpsOf("product page", "remix") / rpsOf("product page", "baseline");
    const uncachedRatio = rpsOf("product page", "uncached") / rpsOf("product page", "baseline");
    const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
    const productResult = (mode: Mode) => results.find((r) => r.target === "product page" && r.mode === mode)!;
    const paired = `Per round (each server's req/s ÷ the baseline's in the same round), product page: remix ${productResult("remix").roundRatios.map(pct).join(", ")} (median ${pct(median(productResult("remix").roundRatios))}); uncached ${productResult("uncached").roundRatios.map(pct).join(", ")}. CPU per request, remix vs baseline: ${pct(productResult("baseline").cpuMs / productResult("remix").cpuMs)}.`;
    const failures = results.filter((r) => r.errors || r.non2xx);
    const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    const verdict = `Product page at ${(productRatio * 100).toFixed(0)} % of the baseline's throughput (target ≥ 50 %): ${productRatio >= 0.5 ? "met" : "NOT met"}. With the render cache off: ${(uncachedRatio * 100).toFixed(0)} %.`;
    console.log(`\n${lines.join("\n")}\n\n${verdict}\n${paired}`);
    if (failures.length) console.log(`Errors or non-2xx answers: ${failures.map((f) => `${f.mode} ${f.target}: ${f.errors} errors, ${f.non2xx} non-2xx`).join("; ")}`);

    const cpus = os.cpus();
    const md = `# Storefront benchmark

\`npm run bench -- storefront\` — ${new Date().toISOString()}

${lines.join("\n")}

${verdict}

${paired}

- **remix**: the real server (\`createServer\` from \`server.ts\`, production Remix build, NODE_ENV=production) answering with the full HTML page. Every request runs the root, storefront layout and page loaders (the same queries as the baseline, plus the root's CSRF token and session check); the storefront's render cache (\`app/shelves/render-cache.server.ts\`) then reuses the HTML of an earlier render whose loader data was byte-for-byte the same (the visitor's CSRF token swapped in), ahead of Remix's document pipeline. A price, stock, shelf or cart change is new data and renders anew. Here every request after the first is such a hit — the steady state of a page many buyers view between changes.
- **uncached**: the same server with the render cache off: Remix's document pipeline and React's server render on every request (the cost of a page's first view after a change).
- **baseline**: a bare \`node:http\` handler running the same queries (the layout's and the page's catalog and shelf functions, in parallel) and answering with their data as JSON.
- autocannon, ${CONNECTIONS} connections, anonymous visitor (no cookies, so no session or cart queries). All servers run at once and are measured in alternation: ${WARMUP_SECONDS} s warm-up each, then ${ROUNDS} rounds of ${seconds} s per server and page, the order flipping every round; each figure is the median of the rounds.
- On this shared machine one server's req/s moves by up to 2× from one ${seconds} s run to the next, so a single run's throughput ratio can land far from the truth either way; the per-round ratios above show the spread. The CPU ratio is the steadier figure.
- "CPU ms/req" is the server process's own CPU time (user + system) per answered request; "CPU ratio" is baseline ÷ this server's — the throughput ratio the two would show if each had a core to itself and the database were free. It moves less than req/s when other work shares the machine.
- Demo shop from the seed (seeded in ${seedMs} ms); product page: "${product.title}" (3 SKUs, 2 pictures). "body B" is the average response size.
- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, Node ${process.version}, PostgreSQL ${pgVersion} on the same machine; 1-minute load average ${loadAtStart} at the start, ${load} (1/5/15 min) at the end. The load generator, the servers and PostgreSQL share these cores with other work, so absolute numbers move with it; the ratios are the numbers to compare.
${failures.length ? `\n**Errors:** ${failures.map((f) => `${f.mode} ${f.target}: ${f.errors} errors, ${f.non2xx} non-2xx`).join("; ")}\n` : ""}
## Where the time goes (CPU profiles, 2026-11-25)

Profiles (\`node --cpu-prof\` / the inspector, product page under this load) of the server without the render cache:
React's server render was about 36 % of the process's CPU, a third of it in \`<Scripts>\` building
\`v3_lazyRouteDiscovery\`'s partial manifest (\`matchRoutes\` per ancestor path); route matching in all,
~23 % (\`matchRoutes\` flattens, ranks and compiles every route's pattern on each call, several calls per
document); \`express.static(public)\` stat-ing the disk for every page URL, ~2 %. The storefront's loaders
and their queries were under 15 %.

What was done: the render cache (React's render and the Scripts' manifest gone on a hit); static files
looked up only for paths with a file extension; documents sent with a Content-Length in one write; the
render's abort timer cleared; the storefront pages' loaders return plain data (Remix wraps it as before,
and the fast path reads it without a Response). In A/B runs of the product page under the same load, CPU
per request went from about 6 ms to about 2.5 ms with the cache inside Remix's pipeline, about 1.9 ms
with the hit served ahead of it (\`cachedStorefrontPages\` in \`server.ts\`), and 1.1–1.3 ms in the
bench runs after the loaders stopped building Responses.

What is left on a hit, beyond the baseline's own work (the same queries, Markdown rendering of the
description — both pay it — and one JSON write): express's middleware chain, a \`Request\` for the
loaders, the root loader's \`json()\` Response (it sets the CSRF cookie) read back, the root loader signing a
CSRF token for every cookieless visitor, and the cache key (a SHA-256 of the loaders' data). Remix v2's own document pipeline
(route matching, a \`Request\` rebuilt per loader, the hand-off script) costs about as much again on a miss.
\`v3_singleFetch\` would remove the JSON round trips but changes the \`?_data=\` protocol the tests and
forms use; turning \`v3_lazyRouteDiscovery\` off saved ~20 % of a full render but ships the whole route
manifest in every page, and does not matter on a cache hit.
`;
    mkdirSync(path.join(here, "results"), { recursive: true });
    writeFileSync(path.join(here, "results", "storefront.md"), md);
    console.log("Wrote bench/results/storefront.md");
  } finally {
    for (const c of children) await stopChild(c);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error(`could not drop ${dbName}: ${e.message}`));
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const serveAt = process.argv.indexOf("--serve");
if (serveAt >= 0) {
  const mode = process.argv[serveAt + 1];
  if (mode !== "remix" && mode !== "uncached" && mode !== "baseline") throw new Error(`--serve remix|uncached|baseline, not ${mode}`);
  serve(mode).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
