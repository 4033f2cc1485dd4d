/**
 * Developer API tokens and `bazaar-plugin publish`: a token is shown once
 * and stored only as its SHA-256; the CLI (spawned, as a developer runs it)
 * builds and publishes a reference example against a real server and waits
 * for the checks; a token cannot touch another vendor's extension or read
 * its versions; a revoked token gets 401 (and the CLI says so).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../app/jobs/workers.server";
import { createDeveloperToken, listDeveloperTokens, revokeDeveloperToken, versionCheckJobs, versionChecksConsumer } from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { ROOT } from "./support/paths";
import { startTestServer, type TestServer } from "./support/server";
import { bundleOf, createMarketplace, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let server: TestServer;
let stopWorkers: () => Promise<void>;
let a: Marketplace;
let b: Marketplace;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  stopWorkers = await startWorkers(platform, { jobs: versionCheckJobs as never, consumers: [versionChecksConsumer], relayIntervalMs: 100 });
  a = await createMarketplace(platform);
  b = await createMarketplace(platform);
}, 60_000);
afterAll(async () => {
  await stopWorkers?.();
  await server?.close();
  await platform?.close();
});

/** Runs the CLI as a developer would, with BAZAAR_URL and BAZAAR_TOKEN. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "plugins-sdk/bin/bazaar-plugin.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

const post = (token: string, body: unknown) =>
  fetch(`${server.url}/developer-api/v1/versions`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("developer API tokens", () => {
  it("are shown once, stored hashed with a recognizable prefix, and listed without the secret", async () => {
    const { token, view } = await createDeveloperToken(platform.db, { id: a.developerId }, a.vendorId, { name: "CI" });
    expect(token).toMatch(/^bzdev_[A-Za-z0-9_-]{43}$/);
    const rows = await platform.db.selectFrom("developer_tokens").selectAll().where("id", "=", view.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(rows[0])).not.toContain(token.slice(12));
    const listed = await listDeveloperTokens(platform.db, a.vendorId);
    expect(JSON.stringify(listed)).not.toContain(token.slice(12));
    expect(listed.find((t) => t.id === view.id)).toMatchObject({ name: "CI", prefix: token.slice(0, 12), lastUsedAt: null, revokedAt: null });
  });

  it("bazaar-plugin publish builds and uploads a version, and --wait prints the checks", async () => {
    const { token, view } = await createDeveloperToken(platform.db, { id: a.developerId }, a.vendorId, { name: "laptop" });
    const out = mkdtempSync(path.join(os.tmpdir(), "bazaar-publish-"));
    const r = await cli(["publish", "plugins-sdk/examples/points", "--out", out, "--wait"], { BAZAAR_URL: server.url, BAZAAR_TOKEN: token });
    expect(r.err.replace(/^warning:.*\n?/gm, "")).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/published com\.[a-z.-]+@\d+\.\d+\.\d+ as ver_[0-9a-z]{26}: Checks running/);
    expect(r.out).toMatch(/pass {2}hooks_run {2}checkout\.discounts · 200-line cart/);
    expect(r.out).toContain("In review");
    const versionId = /as (ver_[0-9a-z]{26})/.exec(r.out)![1];
    const row = await platform.db
      .selectFrom("extension_versions as v")
      .innerJoin("extensions as e", "e.id", "v.extension_id")
      .select(["v.status", "e.vendor_id", "v.submitted_by"])
      .where("v.id", "=", versionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "checks_passed", vendor_id: a.vendorId, submitted_by: a.developerId });
    const used = (await listDeveloperTokens(platform.db, a.vendorId)).find((t) => t.id === view.id)!;
    expect(used.lastUsedAt).not.toBeNull();
  }, 240_000);

  it("a token cannot touch another vendor's extension, nor read its versions", async () => {
    const ta = (await createDeveloperToken(platform.db, { id: a.developerId }, a.vendorId, { name: "a" })).token;
    const tb = (await createDeveloperToken(platform.db, { id: b.developerId }, b.vendorId, { name: "b" })).token;
    const manifest = { id: "vendor-a.only", name: "A only", version: "1.0.0", apiVersion: "2026-11", hooks: ["checkout.discounts"], scopes: [], settings: [], retentionDays: 0 };
    const bundle = bundleOf(`{ "checkout.discounts": () => null }`);
    const created = await post(ta, { manifest, bundle });
    expect(created.status).toBe(201);
    const { version } = (await created.json()) as { version: { id: string } };

    const hijack = await post(tb, { manifest: { ...manifest, version: "1.0.1" }, bundle });
    expect(hijack.status).toBe(403);
    expect(((await hijack.json()) as any).error.code).toBe("other_vendor");
    const peek = await fetch(`${server.url}/developer-api/v1/versions/${version.id}`, { headers: { authorization: `Bearer ${tb}` } });
    expect(peek.status).toBe(404);
    const own = await fetch(`${server.url}/developer-api/v1/versions/${version.id}`, { headers: { authorization: `Bearer ${ta}` } });
    expect(own.status).toBe(200);
    const versions = await platform.db.selectFrom("extension_versions").select("version").where("extension_id", "=", (await platform.db.selectFrom("extensions").select("id").where("handle", "=", "vendor-a.only").executeTakeFirstOrThrow()).id).execute();
    expect(versions).toEqual([{ version: "1.0.0" }]);
  });

  it("a revoked, unknown or missing token is 401, and the CLI says so", async () => {
    const { token, view } = await createDeveloperToken(platform.db, { id: a.developerId }, a.vendorId, { name: "old" });
    await revokeDeveloperToken(platform.db, { id: a.developerId }, a.vendorId, view.id);
    const body = { manifest: {}, bundle: "x" };
    for (const t of [token, `bzdev_${"A".repeat(43)}`, "not-a-token"]) {
      const res = await post(t, body);
      expect(res.status, t).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    const none = await fetch(`${server.url}/developer-api/v1/versions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(none.status).toBe(401);
    // a session cookie does not stand in for a token
    const withCookie = await fetch(`${server.url}/developer-api/v1/versions`, { method: "POST", headers: { "content-type": "application/json", cookie: "bz_session=whatever" }, body: "{}" });
    expect(withCookie.status).toBe(401);

    const out = mkdtempSync(path.join(os.tmpdir(), "bazaar-publish-"));
    const r = await cli(["publish", "plugins-sdk/examples/membership", "--out", out], { BAZAAR_URL: server.url, BAZAAR_TOKEN: token });
    expect(r.code).toBe(1);
    expect(r.err).toContain("publish failed (401)");
  }, 120_000);

  it("refuses a body that is not JSON or too large, naming the problem", async () => {
    const { token } = await createDeveloperToken(platform.db, { id: a.developerId }, a.vendorId, { name: "size" });
    const notJson = await fetch(`${server.url}/developer-api/v1/versions`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{nope" });
    expect(notJson.status).toBe(400);
    const huge = await post(token, { manifest: {}, bundle: "x".repeat(700 * 1024) });
    expect(huge.status).toBe(413);
    const invalid = await post(token, { manifest: { id: "x" }, bundle: "globalThis.x = 1" });
    expect(invalid.status).toBe(400);
    expect(Object.keys(((await invalid.json()) as any).error.fieldErrors ?? {}).some((k) => k.startsWith("manifest."))).toBe(true);
  });
});
