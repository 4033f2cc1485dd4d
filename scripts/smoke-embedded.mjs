// The embedded mode as a new user meets it: `npm start` with no database or
// Redis URL on a fresh data folder, wait for /healthz, see the demo shop,
// create an account, stop, start again, and log in with it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const port = 3900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-smoke-"));
const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir };
delete env.DATABASE_URL;
delete env.REDIS_URL;
delete env.REQUIRE_SERVICES;

function fail(msg) {
  console.error(`SMOKE FAILED: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

async function start() {
  const t0 = Date.now();
  const child = spawn("npm", ["start"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  for (;;) {
    if (Date.now() - t0 > 180_000) fail(`not healthy after 180 s:\n${out}`);
    if (child.exitCode !== null) fail(`npm start exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) {
        const body = await r.json();
        if (body.db !== "ok" || body.queue !== "ok") fail(`healthz says ${JSON.stringify(body)}`);
        break;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  const ms = Date.now() - t0;
  return { child, ms, output: () => out };
}

async function stop(proc) {
  process.kill(-proc.child.pid, "SIGTERM");
  const t0 = Date.now();
  while (proc.child.exitCode === null && proc.child.signalCode === null) {
    if (Date.now() - t0 > 20_000) fail("did not stop within 20 s of SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
  }
  const out = proc.output();
  if (/Unhandled|TypeError|ReferenceError/.test(out)) fail(`errors in the server output:\n${out}`);
}

function cookieJar() {
  const jar = new Map();
  return {
    store(res) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const eq = pair.indexOf("=");
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    },
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    get: (k) => jar.get(k),
  };
}

async function postForm(jar, url, fields) {
  const page = await fetch(base + url, { headers: { cookie: jar.header() } });
  jar.store(page);
  const body = new URLSearchParams({ ...fields, _csrf: decodeURIComponent(jar.get("bz_csrf") ?? "") });
  const res = await fetch(base + url, { method: "POST", body, redirect: "manual", headers: { cookie: jar.header(), origin: base } });
  jar.store(res);
  return res;
}

const email = `smoke-${Date.now()}@example.com`;
try {
  const first = await start();
  console.log(`cold start to healthy (fresh data folder, includes build if stale): ${first.ms} ms`);
  const shop = await fetch(`${base}/s/demo`);
  const html = await shop.text();
  if (shop.status !== 200 || !html.includes("Bazaar Demo Store")) fail(`/s/demo answered ${shop.status}`);
  const signup = await postForm(cookieJar(), "/signup", { name: "Smoke Test", email, password: "smoke-test-password", intent: "buyer" });
  if (signup.status !== 302 && signup.status !== 303) fail(`sign-up answered ${signup.status}`);
  await stop(first);

  const second = await start();
  console.log(`restart to healthy: ${second.ms} ms`);
  if (second.output().includes("Seeded the demo shop")) fail("the demo was seeded again on restart");
  const again = await fetch(`${base}/s/demo`);
  if (again.status !== 200 || !(await again.text()).includes("Bazaar Demo Store")) fail("demo shop gone after restart");
  const login = await postForm(cookieJar(), "/login", { email, password: "smoke-test-password" });
  if (login.status !== 302 && login.status !== 303) fail(`login after restart answered ${login.status}`);
  const demoLogin = await postForm(cookieJar(), "/login", { email: "merchant@demo.bazaar", password: "bazaar-demo-2026" });
  if (demoLogin.status !== 302 && demoLogin.status !== 303) fail(`demo merchant login answered ${demoLogin.status}`);
  await stop(second);
  console.log("embedded smoke: 1 passed, 0 failed");
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
