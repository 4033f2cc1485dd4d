/**
 * Order placement and payment notifications through HTTP: `npm run bench -- orders`.
 *
 * On PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 * it creates a fresh database and migrates it, makes a shop with 20 SKUs
 * (10 products × 2 sizes) and 50 buyers (session, CSRF pair, address, a cart
 * of 1–3 SKUs), then starts the real server in a child process (`createServer`
 * from server.ts on the production Remix build; workers on, as
 * `npm start` runs them, unless BENCH_WORKERS=0) and measures, with autocannon
 * in this process:
 *
 * 1. **Placing orders**: 50 connections, one buyer each, POSTing the checkout
 *    form (`intent=place`, a quote id, an address, a fresh idempotency key,
 *    the CSRF field and cookies) exactly as the browser does — the action
 *    re-prices the quote, runs the placement transaction (submit key, quote,
 *    stock locks, ledger, customer, order, lines, events, cart) and opens the
 *    payment at the provider, answering 303 to the cashier. The quotes are
 *    made beforehand with the checkout service (a buyer views checkout once
 *    per order; that page view is not what is measured). A warm-up, then
 *    BENCH_ROUNDS (default 3) rounds of BENCH_ORDERS (default 3000) orders.
 * 2. **The last units**: every buyer's quote is for the same scarce SKU
 *    (stock 100); 50 connections place 500 orders → exactly 100 succeed,
 *    the rest are 409 out of stock.
 * 3. **Payment notifications**: TRANSACTION.SUCCESS notifications for the
 *    placed orders, encrypted with the API v3 key and signed as WeChat Pay
 *    signs them (the simulator's key), POSTed to the real notify endpoint
 *    (`/payments/notify/wechatpay`, raw body, signature and timestamp checked,
 *    applied exactly once). Warm-up, then BENCH_ROUNDS rounds of
 *    BENCH_NOTIFICATIONS (default 2000).
 *
 * At the end it checks, in the database: every 303 is one order and every
 * order one 303; per SKU, initial stock − stock = the units ordered = −(sum of
 * the ledger's deltas), the ledger's last balance is the stock, no stock is
 * negative, each product's total is the sum of its SKUs; the scarce SKU sold
 * exactly its stock; every 204 notification paid one order (one succeeded
 * payment, one `order.paid`). Any failure fails the bench.
 *
 * Prints a table and writes bench/results/orders.md (machine, load average,
 * medians of the rounds). The database is dropped afterwards.
 * BENCH_CPU_PROF=dir writes the server's CPU profile there (node --cpu-prof).
 *
 * The server runs with NODE_ENV=development (the production Remix build,
 * mode production): the live WeChat Pay gateway is not built, and outside
 * production the payment simulator plays the provider — opening a payment is
 * its prepay, one insert, where production would make an HTTPS call.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import pg from "pg";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");
const BUYERS = 50;
const PRODUCTS = 10; // × 2 SKUs = 20 SKUs
const STOCK = 1_000_000;
const SCARCE_STOCK = 100;
const SCARCE_ATTEMPTS = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const ROUND_ORDERS = Number(process.env.BENCH_ORDERS) || 3000;
const WARMUP_ORDERS = Math.min(600, ROUND_ORDERS);
const ROUND_NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS) || 2000;
const WARMUP_NOTIFICATIONS = Math.min(300, ROUND_NOTIFICATIONS);
const WORKERS = process.env.BENCH_WORKERS !== "0";

const HISTORY_START = "<!-- history -->";
const HISTORY_END = "<!-- /history -->";

/** What the profile and the statement counts showed (2026-11-25); kept in every report. */
const ANALYSIS = `## Where an order's time goes (profile and statement counts, 2026-11-25)

Placing one order (a 2-line cart, both SKUs in different products) took **41 SQL statements in 4
transactions** before this round of work: the route (shop, session), the checkout's checks (submit key,
shop again, quote, address, SKUs, cart attributes, customer, installs), the placement transaction
(submit key, quote, SKU locks, per line an update, a ledger row and an outbox row, per product a total,
customer upsert and re-read, order, lines, adjustments, timeline, outbox, cart), then \`createPayment\`
(order, pending payment, a transaction for the payment row and its audit entry, the simulator's trade
and its re-read, the prepay id). The SKU and product rows were locked from the 4th statement of the
transaction to its commit, about 18 statements.

Now it takes **29 statements in 1 transaction plus 2 single statements**, with the stock locked for 11:
the submit key and the quote in one statement; the order row and its first timeline entry in one, the
lines and adjustments in one; the payment row opened inside the order's own transaction (the provider's
prepay still after commit); no customer upsert for a returning buyer; the shop passed from the route;
independent reads in parallel; and everything that locks no shared row (order, payment, cart) written
*before* the stock is reserved, so the SKU and product locks are taken as late as possible — the lines,
whose foreign keys point at the SKUs, go last so no transaction holds a key-share lock on a SKU it has not
locked yet (the 40-buyers-opposite-order test still sees no deadlock). Server CPU per order went from
8.1 ms to 5.8–7.0 ms (9.9 → 8.0 ms under the profiler); the checks (zero oversell, exactly-once payment)
are unchanged and pass. (PostgreSQL's CPU per order was not measured before the change.)

A CPU profile of the server under this load puts ~40 % of its busy samples in the socket writes that
submit each statement to PostgreSQL (one \`writev\` per statement on loopback TCP; on a loaded 2-core
machine the woken backend preempts the server there), ~5 % in Remix's route matching, ~4 % in Kysely's
query compilation, ~4 % in GC, and under 3 % in the checkout, orders and payments code itself. The
per-order cost is therefore mostly *how many statements* an order takes, on both sides of the socket.

What is left, outside the checkout/orders/payments modules:

- the catalog's \`reserve\` runs 1 + 3 × lines + products statements inside the lock (lock, then per
  SKU an update, a ledger row and a \`stock.changed\` outbox row, then per product its total); one
  \`UPDATE … FROM (VALUES …)\` for the SKUs, one multi-row ledger insert, one multi-row outbox insert and
  one product update would make it 5 whatever the cart, and shorten the lock hold by 4+ statements;
- node-postgres sends unnamed statements, so PostgreSQL parses and plans every one (a named, prepared
  statement per query shape would skip that), over TCP (a Unix socket costs less per statement);
- the cart read and clean-up (2+ statements), the extension installs lookup, the session lookup;
- Remix's per-request route matching (see storefront.md).

At the CPU per order measured here (≈ 6.5 ms server + ≈ 7 ms PostgreSQL), two cores with nothing else
on them would cap out near 150 orders/s; ≥ 300/s needs roughly half the statements per order, which
the items above would give. On this shared machine (load average 17–26 during these runs, i.e. about a
tenth of the two cores for this benchmark) the measured rates are 30–60 orders/s.
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A small deterministic PRNG (mulberry32): the same carts on every run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

// ---- the server (child process) ---------------------------------------------------

async function serve(): Promise<void> {
  const { loadConfig } = await import("../app/config.server");
  const { createPlatform } = await import("../app/platform.server");
  const { startWorkers } = await import("../app/jobs/workers.server");
  const { createServer } = await import("../server");
  const config = loadConfig(process.env);
  const platform = await createPlatform(config, { migrate: false });
  const build = await import(pathToFileURL(path.join(ROOT, "build", "index.js")).href);
  const stopWorkers = config.runWorkers ? await startWorkers(platform) : async () => {};
  const app = await createServer(platform, build);
  const server: http.Server = app.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`READY ${port}\n`);
  });
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopWorkers().catch(() => {});
    await platform.close().catch(() => {});
    process.exit(0); // writes the --cpu-prof profile
  };
  process.once("SIGTERM", () => void stop());
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (line.trim() === "cpu") {
        const u = process.cpuUsage();
        process.stdout.write(`CPU ${u.user + u.system}\n`);
      }
      if (line.trim() === "stop") void stop();
    }
  });
}

// ---- the orchestrator ---------------------------------------------------------------

type Server = { child: ChildProcess; url: string; cpuMicros(): Promise<number> };

function startChild(env: NodeJS.ProcessEnv): Promise<Server> {
  const prof = process.env.BENCH_CPU_PROF;
  const flags = ["--no-node-snapshot", ...(prof ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(prof)] : []), "--import", "tsx"];
  const child = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), "--serve"], { env, stdio: ["pipe", "pipe", "inherit"] });
  const waiting: ((micros: number) => void)[] = [];
  let buffer = "";
  let ready: ((url: string) => void) | null = null;
  child.stdout!.on("data", (chunk) => {
    buffer += String(chunk);
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const cpu = /^CPU (\d+)$/.exec(line);
      if (cpu) waiting.shift()?.(Number(cpu[1]));
      const up = /^READY (\d+)$/.exec(line);
      if (up) ready?.(`http://127.0.0.1:${up[1]}`);
    }
  });
  const cpuMicros = () =>
    new Promise<number>((resolve) => {
      waiting.push(resolve);
      child.stdin!.write("cpu\n");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 90 s")), 90_000);
    ready = (url) => {
      clearTimeout(timer);
      resolve({ child, url, cpuMicros });
    };
    child.on("exit", (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.stdin!.write("stop\n");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

type Req = { path: string; headers: Record<string, string>; body: string };
type Run = { result: autocannon.Result; statuses: Map<number, number>; seconds: number };

/**
 * Sends every request of `queues` once: `queues[i]` is connection i's (one buyer's) list. A connection
 * that runs out takes from the longest remaining list, so the run ends when all requests are sent.
 */
function fire(url: string, queues: Req[][]): Promise<Run> {
  const amount = queues.reduce((n, q) => n + q.length, 0);
  const statuses = new Map<number, number>();
  let nextConnection = 0;
  const take = (own: number): Req => {
    const q = queues[own].length ? queues[own] : queues.reduce((a, b) => (b.length > a.length ? b : a));
    const r = q.pop();
    if (!r) throw new Error("bench: ran out of prepared requests");
    return r;
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: queues.length,
        pipelining: 1,
        amount,
        timeout: 60,
        requests: [
          {
            method: "POST",
            setupRequest: (req: any, context: any) => {
              context.connection ??= nextConnection++ % queues.length;
              const r = take(context.connection);
              return { ...req, path: r.path, headers: r.headers, body: r.body };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve({ result, statuses, seconds: (Date.now() - started) / 1000 })),
    );
    instance.on("response", (_client: unknown, status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1));
  });
}

/**
 * CPU time (ms) used so far by the PostgreSQL backends serving database `name` (pg_stat_activity's pids,
 * read from /proc: PostgreSQL runs on this machine). Backends that exit between two readings are
 * missed; the server's pool keeps its connections, so that is rare. Null where /proc cannot be read.
 */
async function pgBackendCpuMs(admin: pg.Client, name: string): Promise<Map<number, number> | null> {
  const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [name]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
    } catch {
      return null;
    }
  }
  return out;
}
const CLOCK_TICKS = 100;

function cpuSince(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

const statusText = (m: Map<number, number>) =>
  [...m]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${n}×${s}`)
    .join(", ");

function formatRow(cells: string[], widths: number[]): string {
  return `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
}

async function main() {
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  const base = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `bazaar_bench_orders_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-bench-orders-"));
  let server: Server | null = null;
  let pgVersion = "";
  // Interrupted (Ctrl-C): stop the server and drop the database before leaving.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void (async () => {
        if (server) server.child.kill("SIGKILL");
        await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(130);
      })();
    });
  }
  try {
    pgVersion = (await admin.query("SHOW server_version")).rows[0].server_version;
    await admin.query(`CREATE DATABASE "${dbName}"`);
    const u = new URL(base);
    u.pathname = `/${dbName}`;
    const url = u.toString();
    const sessionSecret = randomBytes(32).toString("base64url");

    // ---- the shop, its SKUs, the buyers ---------------------------------------------
    process.env.DATA_DIR = dataDir;
    const { openPostgres } = await import("../db/connect");
    const { migrateToLatest } = await import("../db/migrate");
    const { createUserAccount } = await import("../app/accounts/index.server");
    const { createSession, SESSION_COOKIE } = await import("../app/accounts/session.server");
    const { createShop } = await import("../app/shops/index.server");
    const { createProduct, updateSkus } = await import("../app/catalog/index.server");
    const { addToCart, removeFromCart } = await import("../app/cart/index.server");
    const { addAddress, createQuote } = await import("../app/checkout/index.server");
    const { CSRF_COOKIE, CSRF_FIELD, newCsrfToken } = await import("../app/http/csrf.server");
    const { newId, newToken } = await import("../app/lib/ids");
    const { loadWechatPayKeys, merchantIdentity } = await import("../app/payments/index.server");
    const { buildNotificationBody, rfc3339China, signNotification } = await import("../app/payments/wechatpay/protocol.server");

    const handle = await openPostgres(url, { max: 8 });
    const db = handle.db;
    await migrateToLatest(db);
    const setupStarted = Date.now();
    const owner = await createUserAccount(db, { email: "bench-owner@example.test", name: "Bench Owner", password: "correct horse battery", intent: "merchant" });
    const shop = await createShop(db, { ownerId: owner.id, name: "Bench Tea House", handle: "bench-tea", currency: "CNY" });
    const actor = { type: "user" as const, id: owner.id };
    const skuIds: string[] = [];
    const productOfSku = new Map<string, string>();
    for (let p = 0; p < PRODUCTS; p++) {
      const product = await createProduct(db, shop.id, actor, {
        title: `Tea ${p + 1}`,
        description: "A tea.",
        specs: [{ name: "Size", values: ["50 g", "100 g"] }],
        price: 1000,
        stock: 0,
        categoryId: null,
        status: "on_sale",
      });
      await updateSkus(db, shop.id, product.id, actor, product.skus.map((s, i) => ({ skuId: s.id, price: 990 + p * 100 + i * 800, stock: STOCK })));
      for (const s of product.skus) {
        skuIds.push(s.id);
        productOfSku.set(s.id, product.id);
      }
    }
    const scarce = await createProduct(db, shop.id, actor, {
      title: "First flush, last tin",
      description: "Only a few.",
      specs: [],
      price: 8800,
      stock: SCARCE_STOCK,
      categoryId: null,
      status: "on_sale",
    });
    const scarceSku = scarce.skus[0].id;
    productOfSku.set(scarceSku, scarce.id);

    type Buyer = { id: string; email: string; name: string; addressId: string; cookie: string; csrf: string };
    const random = prng(20261125);
    const buyers: Buyer[] = [];
    const carts: { skuId: string; quantity: number }[][] = [];
    for (let b = 0; b < BUYERS; b++) {
      const id = newId("usr");
      const email = `bench-buyer-${b}@example.test`;
      await db.insertInto("users").values({ id, email, name: `Buyer ${b}`, password_hash: "x", intent: "buyer", updated_at: new Date() }).execute();
      const address = await addAddress(db, id, { recipient: `Buyer ${b}`, phone: "13800138000", region: "Zhejiang Hangzhou Xihu", street: `${b + 1} West Lake Road`, postalCode: "310000" });
      const { token } = await createSession(db, id);
      const csrf = newCsrfToken(sessionSecret);
      buyers.push({ id, email, name: `Buyer ${b}`, addressId: address.id, csrf, cookie: `${SESSION_COOKIE}=${token}; ${CSRF_COOKIE}=${csrf}` });
      const picks = new Set<string>();
      const n = 1 + Math.floor(random() * 3);
      while (picks.size < n) picks.add(skuIds[Math.floor(random() * skuIds.length)]);
      carts.push([...picks].map((skuId) => ({ skuId, quantity: 1 + Math.floor(random() * 2) })));
    }

    /** Fills each buyer's cart with `cartOf(b)` and makes `perBuyer[b]` quotes of it; returns each buyer's place-order requests. */
    const prepareOrders = async (perBuyer: number[], cartOf: (b: number) => { skuId: string; quantity: number }[]): Promise<Req[][]> => {
      const queues: Req[][] = buyers.map(() => []);
      await inBatches(buyers, 6, async (buyer, b) => {
        const ref = { userId: buyer.id };
        const cart = await db.selectFrom("cart_lines").innerJoin("carts", "carts.id", "cart_lines.cart_id").select("cart_lines.sku_id").where("carts.user_id", "=", buyer.id).execute();
        for (const line of cart) await removeFromCart(db, shop.id, ref, { skuId: line.sku_id });
        for (const line of cartOf(b)) await addToCart(db, shop.id, ref, line);
        for (let i = 0; i < perBuyer[b]; i++) {
          const quote = await createQuote({ db }, { shopId: shop.id, user: buyer });
          const body = new URLSearchParams({ [CSRF_FIELD]: buyer.csrf, intent: "place", quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: newToken(18) }).toString();
          queues[b].push({
            path: `/s/${shop.handle}/checkout`,
            headers: { cookie: buyer.cookie, "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
            body,
          });
        }
      });
      return queues;
    };
    const even = (total: number) => buyers.map((_, b) => Math.floor(total / BUYERS) + (b < total % BUYERS ? 1 : 0));
    const setupMs = Date.now() - setupStarted;

    // ---- the server -------------------------------------------------------------------
    loadWechatPayKeys({ dataDir, env: "development" }); // generated once, shared through DATA_DIR
    const { buildIsStale } = await import("../scripts/build-state.mjs");
    if (buildIsStale()) {
      console.log("Building the Remix app (production)…");
      const r = spawnSync("npx", ["remix", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
      if (r.status !== 0) throw new Error("remix build failed");
    }
    server = await startChild({
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SESSION_SECRET: sessionSecret,
      RUN_WORKERS: WORKERS ? "1" : "0",
      SEED_DEMO: "0",
      PUBLIC_URL: "http://127.0.0.1:3000",
      HOST: "127.0.0.1",
    });
    const srv = server;

    // ---- 1. placing orders --------------------------------------------------------------
    let placed = 0;
    const placeRuns: { run: Run; cpuMsPerOrder: number; pgMsPerOrder: number | null; load: number }[] = [];
    const allStatuses = new Map<number, number>();
    const tally = (m: Map<number, number>) => {
      for (const [s, n] of m) allStatuses.set(s, (allStatuses.get(s) ?? 0) + n);
      placed += m.get(303) ?? 0;
    };
    {
      const warm = await fire(srv.url, await prepareOrders(even(WARMUP_ORDERS), (b) => carts[b]));
      tally(warm.statuses);
      console.log(`warm-up: ${WARMUP_ORDERS} orders in ${warm.seconds.toFixed(1)} s (${statusText(warm.statuses)})`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const queues = await prepareOrders(even(ROUND_ORDERS), (b) => carts[b]);
      const load = os.loadavg()[0];
      const pgBefore = await pgBackendCpuMs(admin, dbName);
      const before = await srv.cpuMicros();
      const run = await fire(srv.url, queues);
      const cpuMs = ((await srv.cpuMicros()) - before) / 1000;
      const pgMs = cpuSince(pgBefore, await pgBackendCpuMs(admin, dbName));
      tally(run.statuses);
      const ok = run.statuses.get(303) ?? 0;
      const pgPer = pgMs === null ? null : pgMs / Math.max(1, ok);
      placeRuns.push({ run, cpuMsPerOrder: cpuMs / Math.max(1, ok), pgMsPerOrder: pgPer, load });
      console.log(
        `round ${round}: ${(ok / run.seconds).toFixed(0)} orders/s, p50 ${run.result.latency.p50} ms, p99 ${run.result.latency.p99} ms, ` +
          `${(cpuMs / Math.max(1, ok)).toFixed(2)} server + ${pgPer?.toFixed(2) ?? "?"} PostgreSQL CPU ms/order (${statusText(run.statuses)}; load ${load.toFixed(2)})`,
      );
    }

    // ---- 2. the last units -----------------------------------------------------------------
    const scarceRun = await fire(srv.url, await prepareOrders(even(SCARCE_ATTEMPTS), () => [{ skuId: scarceSku, quantity: 1 }]));
    tally(scarceRun.statuses);
    console.log(`last units: ${SCARCE_ATTEMPTS} buyers' orders for ${SCARCE_STOCK} units in ${scarceRun.seconds.toFixed(1)} s (${statusText(scarceRun.statuses)})`);

    // ---- 3. payment notifications ------------------------------------------------------
    const keys = loadWechatPayKeys({ dataDir, env: "development" });
    if (!keys.simulator) throw new Error("no simulator signing key");
    const signer = keys.simulator;
    const merchant = merchantIdentity();
    const open = await db.selectFrom("payments").select(["id", "amount", "currency"]).where("status", "=", "pending").orderBy("id").execute();
    let nextPayment = 0;
    const notifications = (count: number): Req[][] => {
      const queues: Req[][] = buyers.map(() => []);
      for (let i = 0; i < count; i++) {
        const p = open[nextPayment++];
        if (!p) throw new Error(`only ${open.length} open payments for the notification rounds`);
        const transactionId = `4200${Array.from(randomBytes(24), (x) => x % 10).join("")}`;
        const { body } = buildNotificationBody({
          eventType: "TRANSACTION.SUCCESS",
          summary: "支付成功",
          originalType: "transaction",
          apiV3Key: keys.apiV3Key,
          resource: {
            appid: merchant.appid,
            mchid: merchant.mchid,
            out_trade_no: p.id,
            transaction_id: transactionId,
            trade_type: "JSAPI",
            trade_state: "SUCCESS",
            trade_state_desc: "支付成功",
            bank_type: "OTHERS",
            attach: "",
            success_time: rfc3339China(new Date()),
            payer: { openid: "obenchpayer" },
            amount: { total: p.amount, payer_total: p.amount, currency: p.currency, payer_currency: p.currency },
          },
        });
        queues[i % queues.length].push({ path: "/payments/notify/wechatpay", headers: { "content-type": "application/json", ...signNotification(body, signer) }, body });
      }
      return queues;
    };
    let notified = 0;
    const notifyRuns: { run: Run; cpuMsPer: number; pgMsPer: number | null; load: number }[] = [];
    const notifyStatuses = new Map<number, number>();
    const tallyNotify = (m: Map<number, number>) => {
      for (const [s, n] of m) notifyStatuses.set(s, (notifyStatuses.get(s) ?? 0) + n);
      notified += m.get(204) ?? 0;
    };
    {
      const warm = await fire(srv.url, notifications(WARMUP_NOTIFICATIONS));
      tallyNotify(warm.statuses);
      console.log(`notify warm-up: ${WARMUP_NOTIFICATIONS} in ${warm.seconds.toFixed(1)} s (${statusText(warm.statuses)})`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const queues = notifications(ROUND_NOTIFICATIONS);
      const load = os.loadavg()[0];
      const pgBefore = await pgBackendCpuMs(admin, dbName);
      const before = await srv.cpuMicros();
      const run = await fire(srv.url, queues);
      const cpuMs = ((await srv.cpuMicros()) - before) / 1000;
      const pgMs = cpuSince(pgBefore, await pgBackendCpuMs(admin, dbName));
      tallyNotify(run.statuses);
      const ok = run.statuses.get(204) ?? 0;
      const pgPer = pgMs === null ? null : pgMs / Math.max(1, ok);
      notifyRuns.push({ run, cpuMsPer: cpuMs / Math.max(1, ok), pgMsPer: pgPer, load });
      console.log(
        `notify round ${round}: ${(ok / run.seconds).toFixed(0)} notifications/s, p50 ${run.result.latency.p50} ms, p99 ${run.result.latency.p99} ms, ` +
          `${(cpuMs / Math.max(1, ok)).toFixed(2)} server + ${pgPer?.toFixed(2) ?? "?"} PostgreSQL CPU ms each (${statusText(run.statuses)}; load ${load.toFixed(2)})`,
      );
    }
    await stopChild(srv.child);
    server = null;

    // ---- checks ----------------------------------------------------------------------------
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what);
    };
    const orderCount = Number((await db.selectFrom("orders").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
    check(orderCount === placed, `orders in the database (${orderCount}) ≠ 303 answers (${placed})`);
    check(allStatuses.size === 1 + (scarceRun.statuses.has(409) ? 1 : 0) && [...allStatuses.keys()].every((s) => s === 303 || s === 409), `unexpected answers placing orders: ${statusText(allStatuses)}`);
    const ordered = new Map(
      (
        await db
          .selectFrom("order_lines")
          .select(["sku_id", (eb) => eb.fn.sum<string>("quantity").as("units"), (eb) => eb.fn.countAll<string>().as("lines")])
          .groupBy("sku_id")
          .execute()
      ).map((r) => [r.sku_id, { units: Number(r.units), lines: Number(r.lines) }]),
    );
    const skuRows = await db.selectFrom("skus").select(["id", "stock", "product_id"]).where("shop_id", "=", shop.id).execute();
    const ledger = new Map(
      (
        await db
          .selectFrom("stock_ledger")
          .select(["sku_id", (eb) => eb.fn.sum<string>("delta").as("delta"), (eb) => eb.fn.countAll<string>().as("rows")])
          .where("shop_id", "=", shop.id)
          .where("reason", "=", "order_reserved")
          .groupBy("sku_id")
          .execute()
      ).map((r) => [r.sku_id, { delta: Number(r.delta), rows: Number(r.rows) }]),
    );
    let unitsOrdered = 0;
    for (const s of skuRows) {
      const initial = s.id === scarceSku ? SCARCE_STOCK : STOCK;
      const o = ordered.get(s.id) ?? { units: 0, lines: 0 };
      const l = ledger.get(s.id) ?? { delta: 0, rows: 0 };
      unitsOrdered += o.units;
      check(s.stock >= 0, `SKU ${s.id}: negative stock ${s.stock}`);
      check(initial - s.stock === o.units, `SKU ${s.id}: stock went down by ${initial - s.stock} but orders hold ${o.units} units`);
      check(-l.delta === o.units && l.rows === o.lines, `SKU ${s.id}: the ledger reserved ${-l.delta} units in ${l.rows} rows, the orders ${o.units} in ${o.lines} lines`);
      const last = await db.selectFrom("stock_ledger").select("balance_after").where("sku_id", "=", s.id).orderBy("id", "desc").limit(1).executeTakeFirst();
      check(!last || last.balance_after === s.stock, `SKU ${s.id}: the ledger's last balance ${last?.balance_after} ≠ stock ${s.stock}`);
    }
    const scarceRow = skuRows.find((s) => s.id === scarceSku)!;
    check(scarceRow.stock === 0 && (ordered.get(scarceSku)?.units ?? 0) === SCARCE_STOCK, `the scarce SKU: stock ${scarceRow.stock}, ${ordered.get(scarceSku)?.units ?? 0} units ordered of ${SCARCE_STOCK}`);
    check((scarceRun.statuses.get(303) ?? 0) === SCARCE_STOCK, `the last units: ${scarceRun.statuses.get(303) ?? 0} orders placed for ${SCARCE_STOCK} units`);
    const products = await db.selectFrom("products").select(["id", "total_stock"]).where("shop_id", "=", shop.id).execute();
    for (const p of products) {
      const sum = skuRows.filter((s) => s.product_id === p.id).reduce((n, s) => n + s.stock, 0);
      check(p.total_stock === sum, `product ${p.id}: total stock ${p.total_stock} ≠ its SKUs' ${sum}`);
    }
    const paidOrders = Number((await db.selectFrom("orders").select((eb) => eb.fn.countAll().as("n")).where("status", "=", "paid").executeTakeFirstOrThrow()).n);
    const paidPayments = Number((await db.selectFrom("payments").select((eb) => eb.fn.countAll().as("n")).where("status", "=", "succeeded").executeTakeFirstOrThrow()).n);
    const paidEvents = Number((await db.selectFrom("outbox").select((eb) => eb.fn.countAll().as("n")).where("name", "=", "order.paid").executeTakeFirstOrThrow()).n);
    check([...notifyStatuses.keys()].every((s) => s === 204), `unexpected answers to notifications: ${statusText(notifyStatuses)}`);
    check(paidOrders === notified && paidPayments === notified && paidEvents === notified, `${notified} notifications acknowledged, but ${paidOrders} orders paid, ${paidPayments} payments succeeded, ${paidEvents} order.paid events`);
    await handle.close();

    // ---- report -------------------------------------------------------------------------------
    const bestOf = <T,>(xs: T[], key: (x: T) => number) => xs.reduce((a, b) => (key(b) > key(a) ? b : a));
    const placeRate = (r: { run: Run }) => (r.run.statuses.get(303) ?? 0) / r.run.seconds;
    const notifyRate = (r: { run: Run }) => (r.run.statuses.get(204) ?? 0) / r.run.seconds;
    const placeMedian = median(placeRuns.map(placeRate));
    type Measured = { run: Run; cpu: number; pg: number | null; load: number };
    const places: Measured[] = placeRuns.map((r) => ({ run: r.run, cpu: r.cpuMsPerOrder, pg: r.pgMsPerOrder, load: r.load }));
    const notifies: Measured[] = notifyRuns.map((r) => ({ run: r.run, cpu: r.cpuMsPer, pg: r.pgMsPer, load: r.load }));
    const medianOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]));
    /** What 2 cores could do if the server's and PostgreSQL's CPU per item were all that limited it. */
    const ceiling = (cpu: number, pg: number | null) => (pg === null ? "?" : (2000 / (cpu + pg)).toFixed(0));
    const widths = [34, 6, 7, 7, 10, 10, 10, 6];
    const header = ["measure", "per s", "p50 ms", "p99 ms", "server CPU", "PG CPU", "2-core cap", "load"];
    const lines = [formatRow(header, widths), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
    const row = (label: string, rate: number, p50: number, p99: number, cpu: number, pg: number | null, load: number) =>
      lines.push(formatRow([label, rate.toFixed(0), String(p50), String(p99), `${cpu.toFixed(2)} ms`, pg === null ? "?" : `${pg.toFixed(2)} ms`, ceiling(cpu, pg), load.toFixed(2)], widths));
    const summarize = (label: string, ms: Measured[], rate: (m: Measured) => number) => {
      const best = bestOf(ms, rate);
      row(
        `${label} (median of ${ms.length})`,
        median(ms.map(rate)),
        median(ms.map((m) => m.run.result.latency.p50)),
        median(ms.map((m) => m.run.result.latency.p99)),
        median(ms.map((m) => m.cpu)),
        medianOrNull(ms.map((m) => m.pg)),
        median(ms.map((m) => m.load)),
      );
      row(`${label} (best round)`, rate(best), best.run.result.latency.p50, best.run.result.latency.p99, best.cpu, best.pg, best.load);
    };
    summarize("orders placed", places, placeRate);
    summarize("notifications applied", notifies, notifyRate);
    const bestPlace = bestOf(places, placeRate);
    const placeCap = ceiling(median(places.map((m) => m.cpu)), medianOrNull(places.map((m) => m.pg)));
    const rounds = [
      ...places.map((r, i) => `- placing, round ${i + 1}: ${placeRate(r).toFixed(0)} orders/s, p50 ${r.run.result.latency.p50} ms, p99 ${r.run.result.latency.p99} ms, ${r.cpu.toFixed(2)} server + ${r.pg?.toFixed(2) ?? "?"} PostgreSQL CPU ms/order, load ${r.load.toFixed(2)}`),
      ...notifies.map((r, i) => `- notifications, round ${i + 1}: ${notifyRate(r).toFixed(0)}/s, p50 ${r.run.result.latency.p50} ms, p99 ${r.run.result.latency.p99} ms, ${r.cpu.toFixed(2)} server + ${r.pg?.toFixed(2) ?? "?"} PostgreSQL CPU ms each, load ${r.load.toFixed(2)}`),
    ];
    const verdict = `Orders placed: ${placeMedian.toFixed(0)}/s median, ${placeRate(bestPlace).toFixed(0)}/s best round (target ≥ 300/s on 2 cores: ${placeMedian >= 300 ? "met" : "NOT met"}; the CPU per order measured here caps 2 dedicated cores at about ${placeCap}/s). Oversell: ${problems.length ? "CHECKS FAILED" : "none (all checks passed)"}.`;
    console.log(`\n${lines.join("\n")}\n\n${verdict}`);
    if (problems.length) console.log(`\nFAILED CHECKS:\n${problems.map((p) => `- ${p}`).join("\n")}`);

    const cpus = os.cpus();
    const md = `# Orders benchmark

\`npm run bench -- orders\` — ${new Date().toISOString()}

${lines.join("\n")}

${verdict}

Rounds:
${rounds.join("\n")}
- the last units: ${SCARCE_ATTEMPTS} orders by 50 buyers for one SKU with ${SCARCE_STOCK} in stock → ${statusText(scarceRun.statuses)} in ${scarceRun.seconds.toFixed(1)} s.

Checks (in the database, after the run): ${placed} orders = ${placed} answers 303; ${unitsOrdered} units ordered; per SKU, initial − stock = units in order lines = −(ledger's order_reserved deltas), ledger rows = order lines, last ledger balance = stock, stock ≥ 0; each product's total = its SKUs' sum; the scarce SKU sold exactly ${SCARCE_STOCK}; ${notified} notifications answered 204 = ${paidOrders} orders paid = ${paidPayments} payments succeeded = ${paidEvents} \`order.paid\` events. ${problems.length ? `**Failed:** ${problems.join("; ")}` : "All passed."}

- **Placing**: autocannon, ${BUYERS} connections, one buyer each (a cart of 1–3 of the ${PRODUCTS * 2} SKUs, 1–2 units a line), each request the checkout form's POST (\`intent=place\`, quote id, address id, a fresh idempotency key, CSRF field and cookie, session cookie) to the real server: CSRF check, session, re-pricing of the quote, the placement transaction (submit key, quote consumed, SKUs locked in id order, ledger, product totals, shop-customer record, order and lines, outbox events, cart), the payment opened at the provider, 303 to the cashier. Quotes are made beforehand by the checkout service, as the checkout page makes one per view. A warm-up of ${WARMUP_ORDERS} orders, then ${ROUNDS} rounds of ${ROUND_ORDERS}; "per s" = orders placed ÷ the round's wall time; p50/p99 from autocannon.
- **Notifications**: TRANSACTION.SUCCESS for ${ROUNDS} × ${ROUND_NOTIFICATIONS} (after ${WARMUP_NOTIFICATIONS} warm-up) of the placed orders, each resource AES-256-GCM encrypted with the API v3 key and the envelope RSA-SHA256 signed (timestamp, nonce) as WeChat Pay does, POSTed by 50 connections to \`/payments/notify/wechatpay\` (raw body; signature, serial and timestamp checked; decrypted; applied exactly once: notification and transaction ids recorded, the order moved from pending_payment, \`order.paid\` published; 204 after commit). Bodies are signed before each round (not measured).
- "server CPU" is the server process's own CPU time (user + system) per order placed or notification applied; "PG CPU" the same for the PostgreSQL backends serving the bench's database (from /proc; the WAL writer and other shared PostgreSQL processes are not counted). "2-core cap" = 2000 ÷ (server + PG CPU ms): the rate two cores could sustain if nothing else ran on them and CPU were the only limit (the load generator's own CPU, WAL fsyncs and lock waits are not in it). Unlike the rates, these per-item CPU figures move little with the machine's load.
- The server: \`createServer\` from server.ts, the production Remix build, one Node process, a pool of 10 PostgreSQL connections, ${WORKERS ? "workers on (outbox relay and job queue in the same process, as `npm start` runs them)" : "workers off (BENCH_WORKERS=0)"}, ${process.env.REDIS_URL ? "BullMQ on Redis" : "pg-boss on the same database"}. NODE_ENV=development: the live WeChat Pay gateway is not built, so the payment simulator plays the provider (opening a payment is one insert where production makes an HTTPS call to WeChat Pay).
- The bench's carts are filled once per buyer, so after a buyer's first order the placement finds the bought lines already gone from the cart; a real checkout also deletes them (one statement more per line).
- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, Node ${process.version}, PostgreSQL ${pgVersion} on the same machine. The load generator, the server and PostgreSQL share these cores with other work: 1-minute load average ${loadAtStart.split(" ")[0]} at the start (${loadAtStart}, 1/5/15 min), ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} at the end; each round's 1-minute load is in its line. Set-up (shop, ${BUYERS} buyers) took ${setupMs} ms.
`;
    mkdirSync(path.join(here, "results"), { recursive: true });
    const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(here, "results", "orders.md");
    // Every run adds a line to the history kept at the end of the file: on a shared machine one run says little.
    const previous = existsSync(out) ? readFileSync(out, "utf8") : "";
    const kept = previous.includes(HISTORY_START) ? previous.slice(previous.indexOf(HISTORY_START) + HISTORY_START.length, previous.indexOf(HISTORY_END)).trim().split("\n").filter((l) => l.startsWith("| 20")) : [];
    const med = (xs: number[]) => median(xs).toFixed(0);
    const historyLine = `| ${new Date().toISOString().slice(0, 16).replace("T", " ")} | ${loadAtStart.split(" ")[0]} | ${med(places.map(placeRate))} | ${placeRate(bestPlace).toFixed(0)} | ${med(places.map((m) => m.run.result.latency.p50))} | ${med(places.map((m) => m.run.result.latency.p99))} | ${median(places.map((m) => m.cpu)).toFixed(2)} + ${medianOrNull(places.map((m) => m.pg))?.toFixed(2) ?? "?"} | ${med(notifies.map(notifyRate))} | ${problems.length ? "FAILED" : "0"} |`;
    const history = [...kept, historyLine];
    const historyRates = history.map((l) => Number(l.split("|")[3]));
    writeFileSync(
      out,
      `${md}
${ANALYSIS}
## Run history

Every \`npm run bench -- orders\` adds a line (orders/s: the median round of that run, and its best round; CPU ms per order: server + PostgreSQL; "load": the 1-minute load average at its start). Of ${history.length} runs, by their median round: median run ${median(historyRates).toFixed(0)} orders/s, best run ${Math.max(...historyRates).toFixed(0)} orders/s.

${HISTORY_START}
| run (UTC)        | load | orders/s | best | p50 ms | p99 ms | CPU ms/order  | notif./s | oversell |
|------------------|------|----------|------|--------|--------|---------------|----------|----------|
${history.join("\n")}
${HISTORY_END}
`,
    );
    console.log(`Wrote ${path.relative(ROOT, out)}`);
    if (problems.length) process.exitCode = 1;
  } finally {
    if (server) await stopChild(server.child);
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
