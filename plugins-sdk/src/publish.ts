/**
 * `bazaar-plugin publish`: uploads a built plugin (dist/bundle.js and
 * dist/manifest.json) to the marketplace's developer API as a new version,
 * with a vendor's developer API token. The platform then runs its automated
 * checks; `--wait` follows them and prints each line.
 *
 *     BAZAAR_URL=https://bazaar.example BAZAAR_TOKEN=bzdev_… bazaar-plugin publish [dir] [--wait]
 *
 * @example
 * const code = await publish("plugins-sdk/examples/points", { url, token, wait: true });
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** What the developer API answers about a version. */
export interface PublishedVersion {
  id: string;
  extension: string;
  version: string;
  status: string;
  statusLabel: string;
  statusReason: string | null;
  checks: { name: string; passed: boolean; detail: string }[];
  url: string;
}

/**
 * Options of {@link publish}.
 *
 * @example
 * { url: process.env.BAZAAR_URL!, token: process.env.BAZAAR_TOKEN!, wait: true }
 */
export interface PublishOptions {
  /** The platform's origin (BAZAAR_URL). */
  url: string;
  /** A developer API token of the vendor (BAZAAR_TOKEN), `bzdev_…`. */
  token: string;
  /** Wait for the automated checks and print them; the exit code is 1 when they fail. */
  wait?: boolean;
  /** How long `wait` waits (default 180 s). */
  waitMs?: number;
  /** The build output folder inside `dir` (default dist). */
  outDir?: string;
  io?: { out(line: string): void; err(line: string): void };
}

const defaultIo = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

async function call(url: string, token: string, init: { method: string; body?: string }): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
    body: init.body,
  });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: { message: text.slice(0, 200) } };
  }
  return { status: res.status, body };
}

function describeError(status: number, body: any): string {
  const e = body?.error ?? {};
  const fields = e.fieldErrors ? Object.entries(e.fieldErrors as Record<string, string[]>).map(([k, v]) => `\n  ${k}: ${v.join("; ")}`).join("") : "";
  const hint = status === 401 ? "\n(check BAZAAR_TOKEN: a developer API token from your vendor's page in the developer portal)" : "";
  return `publish failed (${status}): ${e.message ?? "unexpected answer"}${fields}${hint}`;
}

/** Publishes the plugin built in `dir` (see the file comment). Resolves to the exit code. */
export async function publish(dir: string, options: PublishOptions): Promise<number> {
  const io = options.io ?? defaultIo;
  if (!options.url) {
    io.err("BAZAAR_URL is not set: the marketplace's address, e.g. BAZAAR_URL=http://127.0.0.1:3000");
    return 2;
  }
  if (!options.token) {
    io.err("BAZAAR_TOKEN is not set: create a developer API token on your vendor's page in the developer portal");
    return 2;
  }
  const out = path.resolve(dir, options.outDir ?? "dist");
  let bundle: string;
  let manifest: unknown;
  try {
    bundle = readFileSync(path.join(out, "bundle.js"), "utf8");
    manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
  } catch (e) {
    io.err(`nothing to publish in ${out}: ${e instanceof Error ? e.message : String(e)} (run bazaar-plugin build first)`);
    return 1;
  }
  const base = options.url.replace(/\/$/, "");
  let res: { status: number; body: any };
  try {
    res = await call(`${base}/developer-api/v1/versions`, options.token, { method: "POST", body: JSON.stringify({ manifest, bundle }) });
  } catch (e) {
    io.err(`could not reach ${base}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (res.status !== 201) {
    io.err(describeError(res.status, res.body));
    return 1;
  }
  let version: PublishedVersion = res.body.version;
  io.out(`published ${version.extension}@${version.version} as ${version.id}: ${version.statusLabel}`);
  io.out(version.url);
  if (!options.wait) return 0;

  const deadline = Date.now() + (options.waitMs ?? 180_000);
  while (version.status === "submitted" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    const polled = await call(`${base}/developer-api/v1/versions/${version.id}`, options.token, { method: "GET" });
    if (polled.status !== 200) {
      io.err(describeError(polled.status, polled.body));
      return 1;
    }
    version = polled.body.version;
  }
  if (version.status === "submitted") {
    io.err("the checks are still running; see the version's page for the result");
    return 1;
  }
  for (const c of version.checks) io.out(`${c.passed ? "pass" : "FAIL"}  ${c.name}  ${c.detail}`);
  io.out(`${version.statusLabel}${version.statusReason ? `: ${version.statusReason}` : ""}`);
  return version.status === "checks_failed" ? 1 : 0;
}
