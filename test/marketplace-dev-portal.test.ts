/**
 * The developer portal's routes, through the production wrapping (CSRF,
 * error mapping): register a vendor (field errors first), create a token
 * (shown once, listed without its secret), invite a teammate who accepts
 * by the e-mailed link, upload a version as files, see its checks, open a
 * development shop and install the version there, edit the listing, read
 * the public rules; other users get 404.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount, grantReviewer } from "../app/accounts/index.server";
import { CSRF_FIELD } from "../app/http/csrf.server";
import { CHECK_RULES, decideVendor, runVersionChecks } from "../app/marketplace/index.server";
import * as developerRoute from "../app/routes/developer";
import * as vendorRoute from "../app/routes/developer_.vendors.$vendorId";
import * as inviteRoute from "../app/routes/developer_.invites.$token";
import * as versionRoute from "../app/routes/developer_.extensions.$extensionId_.versions.$versionId";
import * as listingRoute from "../app/routes/developer_.extensions.$extensionId_.listing";
import * as rulesRoute from "../app/routes/developers.rules";
import * as loginRoute from "../app/routes/login";
import { bodyOf, lastMailTo, ORIGIN, TestClient } from "./accounts-helpers";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createClient, startTestServer } from "./support/server";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { bundleOf, TEST_LIMITS } from "./extensions-fixtures";

let platform: TestPlatform;
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  platform = await createTestPlatform();
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

async function signedIn(email: string, name: string): Promise<{ client: TestClient; id: string }> {
  const user = await createUserAccount(platform.db, { email, name, password: PASSWORD, intent: "developer" });
  const client = new TestClient(platform);
  const res = await client.post(loginRoute, "/login", { email, password: PASSWORD });
  expect(res.status).toBe(303);
  return { client, id: user.id };
}

/** A multipart POST (file inputs) through the route's action, with the client's cookies and CSRF token. */
async function postFiles(client: TestClient, mod: any, path: string, params: Record<string, string>, files: Record<string, { name: string; text: string }>) {
  const form = new FormData();
  form.set(CSRF_FIELD, client.csrf);
  for (const [field, f] of Object.entries(files)) form.set(field, new File([f.text], f.name));
  const request = new Request(ORIGIN + path, { method: "POST", body: form, headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
  const { wrapBuild } = await import("../app/http/errors.server");
  const wrapped = wrapBuild({ routes: { r: { id: "r", path: "", module: mod } } } as any).routes.r.module as any;
  try {
    return (await wrapped.action({ request, params, context: client.context() })) as Response;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

describe("the developer portal", () => {
  it("walks a developer from registration to a version tried in a development shop", async () => {
    const dev = await signedIn("portal-dev@example.test", "Portal Dev");
    const home = await bodyOf(await dev.client.get(developerRoute, "/developer"));
    expect(home.vendors).toEqual([]);

    // registration: field errors first, then a vendor
    const bad = await dev.client.post(developerRoute, "/developer", { intent: "register-vendor", name: "Acme", slug: "acme-labs", contactEmail: "dev@acme.test" });
    expect(bad.status).toBe(400);
    expect((await bodyOf(bad)).fieldErrors.legalName).toEqual([expect.any(String)]);
    const reg = await dev.client.post(developerRoute, "/developer", {
      intent: "register-vendor",
      name: "Acme",
      slug: "acme-labs",
      legalName: "Acme Labs Ltd",
      contactEmail: "dev@acme.test",
      website: "https://acme.test",
      description: "We make loyalty tools.",
    });
    expect(reg.status).toBe(303);
    const vendorPath = reg.headers.get("location")!;
    const vendorId = vendorPath.split("/").pop()!;
    let page = await bodyOf(await dev.client.get(vendorRoute, vendorPath, { vendorId }));
    expect(page.vendor).toMatchObject({ status: "pending", statusLabel: "Awaiting verification", legalName: "Acme Labs Ltd", role: "owner" });

    const reviewer = await createUserAccount(platform.db, { email: "portal-rev@example.test", name: "Rev", password: PASSWORD, intent: "buyer" });
    await grantReviewer(platform.db, reviewer.id);
    await decideVendor(platform.db, reviewer, { vendorId, decision: "verify", reason: "Registration checked" });

    // a token, shown once
    const tok = await bodyOf(await dev.client.post(vendorRoute, vendorPath, { intent: "create-token", name: "CI" }, { params: { vendorId } }));
    expect(tok.token).toMatch(/^bzdev_/);
    page = await bodyOf(await dev.client.get(vendorRoute, vendorPath, { vendorId }));
    expect(page.tokens).toHaveLength(1);
    expect(JSON.stringify(page)).not.toContain(tok.token);

    // a teammate, invited by e-mail
    const invited = await dev.client.post(vendorRoute, vendorPath, { intent: "invite", email: "portal-mate@example.test" }, { params: { vendorId } });
    expect(invited.status).toBe(200);
    const mail = await lastMailTo(platform, "portal-mate@example.test");
    const token = /\/developer\/invites\/([A-Za-z0-9_-]+)/.exec(mail!.text)![1];
    const mate = await signedIn("portal-mate@example.test", "Mate");
    const view = await bodyOf(await mate.client.get(inviteRoute, `/developer/invites/${token}`, { token }));
    expect(view.invitation).toMatchObject({ state: "pending", vendorName: "Acme", viewer: "match" });
    const accepted = await mate.client.post(inviteRoute, `/developer/invites/${token}`, {}, { params: { token } });
    expect([accepted.status, accepted.headers.get("location")]).toEqual([303, vendorPath]);
    expect((await bodyOf(await mate.client.get(vendorRoute, vendorPath, { vendorId }))).vendor.role).toBe("developer");
    // the teammate is not the owner: no inviting
    expect((await mate.client.post(vendorRoute, vendorPath, { intent: "invite", email: "x@example.test" }, { params: { vendorId } })).status).toBe(403);

    // upload a version as files
    const manifest = { id: "acme.welcome", name: "Welcome", version: "1.0.0", apiVersion: "2026-11", hooks: ["checkout.discounts"], scopes: [], settings: [{ key: "amount", label: "Amount off", type: "money", default: 500 }], retentionDays: 7 };
    const upload = await postFiles(dev.client, vendorRoute, vendorPath, { vendorId }, {
      manifest: { name: "manifest.json", text: JSON.stringify(manifest) },
      bundle: { name: "bundle.js", text: bundleOf(`{ "checkout.discounts": () => null }`) },
    });
    expect(upload.status).toBe(303);
    const versionPath = upload.headers.get("location")!;
    const [, , , extensionId, , versionId] = versionPath.split("/");
    let version = await bodyOf(await dev.client.get(versionRoute, versionPath, { extensionId, versionId }));
    expect(version.version).toMatchObject({ status: "submitted", statusLabel: "Checks running", checks: [] });
    expect(version.settingsForm).toEqual([expect.objectContaining({ key: "amount", input: "number", value: "5.00" })]);
    await runVersionChecks(platform, versionId, { limits: TEST_LIMITS });
    version = await bodyOf(await dev.client.get(versionRoute, versionPath, { extensionId, versionId }));
    expect(version.version.status).toBe("checks_passed");
    expect(version.version.checks.length).toBeGreaterThan(5);

    // a development shop, and the version tried there
    const opened = await bodyOf(await dev.client.post(developerRoute, "/developer", { intent: "create-dev-shop", name: "Acme playground", handle: "acme-playground" }));
    expect(opened.ok).toBe(true);
    const shops = (await bodyOf(await dev.client.get(developerRoute, "/developer"))).devShops;
    const tried = await bodyOf(await dev.client.post(versionRoute, versionPath, { intent: "try", shopId: shops[0].id }, { params: { extensionId, versionId } }));
    expect(tried).toMatchObject({ ok: true, storefront: "/s/acme-playground" });
    const install = await platform.db.selectFrom("installs").select(["status", "version_id"]).where("shop_id", "=", shops[0].id).executeTakeFirstOrThrow();
    expect(install).toEqual({ status: "active", version_id: versionId });

    // the listing
    const listingPath = `/developer/extensions/${extensionId}/listing`;
    const lform = new FormData();
    for (const [k, v] of Object.entries({ [CSRF_FIELD]: dev.client.csrf, intent: "save", name: "Welcome offer", tagline: "Money off the first order", description: "# Hi\n**bold**", category: "promotions", pricingLabel: "Free", supportContact: "help@acme.test" })) lform.set(k, v);
    const saveReq = new Request(ORIGIN + listingPath, { method: "POST", body: lform, headers: { cookie: [...dev.client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    const { wrapBuild } = await import("../app/http/errors.server");
    const saved = (await (wrapBuild({ routes: { r: { id: "r", path: "", module: listingRoute } } } as any).routes.r.module as any).action({ request: saveReq, params: { extensionId }, context: dev.client.context() })) as Response;
    expect(saved.status).toBe(200);
    const listing = await bodyOf(await dev.client.get(listingRoute, listingPath, { extensionId }));
    expect(listing.listing).toMatchObject({ name: "Welcome offer", category: "promotions", descriptionHtml: expect.stringContaining("<strong>bold</strong>") });
    expect(listing.versions.map((v: { id: string }) => v.id)).toEqual([versionId]);

    // strangers see nothing
    const stranger = await signedIn("portal-stranger@example.test", "Stranger");
    expect((await stranger.client.get(vendorRoute, vendorPath, { vendorId })).status).toBe(404);
    expect((await stranger.client.get(versionRoute, versionPath, { extensionId, versionId })).status).toBe(404);
    expect((await stranger.client.get(listingRoute, listingPath, { extensionId })).status).toBe(404);
    expect((await stranger.client.post(vendorRoute, vendorPath, { intent: "create-token", name: "x" }, { params: { vendorId } })).status).toBe(404);
    // and a form without the CSRF token is refused
    expect((await dev.client.post(vendorRoute, vendorPath, { intent: "create-token", name: "x" }, { params: { vendorId }, csrf: false })).status).toBe(403);
  }, 180_000);

  it("every portal page renders as HTML over real HTTP", async () => {
    const server = await startTestServer(platform);
    try {
      const client = createClient(server.url);
      await client.get("/login");
      const login = await client.post("/login", { email: "portal-dev@example.test", password: PASSWORD }, { headers: { Origin: server.url } });
      expect(login.status).toBe(303);
      const vendor = await platform.db.selectFrom("vendors").select("id").where("slug", "=", "acme-labs").executeTakeFirstOrThrow();
      const ext = await platform.db.selectFrom("extensions").select("id").where("handle", "=", "acme.welcome").executeTakeFirstOrThrow();
      const ver = await platform.db.selectFrom("extension_versions").select("id").where("extension_id", "=", ext.id).executeTakeFirstOrThrow();
      const pages: [string, string[]][] = [
        ["/developer", ["Your vendors", "Acme", "Acme playground", "Register a vendor"]],
        [`/developer/vendors/${vendor.id}`, ["Acme Labs Ltd", "Developer API tokens", "Welcome offer", "Upload a version", "Invite a developer"]],
        [`/developer/extensions/${ext.id}/versions/${ver.id}`, ["In review", "Automated checks", "Settings form", "Amount off", "Install this version"]],
        [`/developer/extensions/${ext.id}/listing`, ["Welcome offer", "<strong>bold</strong>", "Checks and details"]],
        ["/developers/rules", ["Rules for extensions", "200-line cart", "Deterministic"]],
      ];
      for (const [path, texts] of pages) {
        const res = await client.get(path);
        expect(res.status, path).toBe(200);
        for (const t of texts) expect(res.body, `${path}: ${t}`).toContain(t);
      }
      // and in Chromium, with screenshots of the pages a developer works in
      const browser = await launchBrowser();
      try {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await ctx.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: server.url })));
        const page = await ctx.newPage();
        for (const [path, texts, shot] of [
          [`/developer/vendors/${vendor.id}`, "Developer API tokens", "marketplace-dev-vendor"],
          [`/developer/extensions/${ext.id}/versions/${ver.id}`, "Automated checks", "marketplace-dev-version"],
          ["/developers/rules", "Rules for extensions", "marketplace-dev-rules"],
        ] as const) {
          await page.goto(server.url + path);
          await seeText(page, texts);
          await screenshot(page, shot);
        }
      } finally {
        await browser.close();
      }
    } finally {
      await server.close();
    }
  }, 120_000);

  it("publishes the rules from the same list the checks apply", async () => {
    const res = await new TestClient(platform).get(rulesRoute, "/developers/rules");
    expect(res.status).toBe(200);
    const body = await bodyOf(res);
    expect(body.rules.map((r: { name: string }) => r.name)).toEqual(CHECK_RULES.map((r) => r.name));
    expect(body.fixtures.find((f: { hook: string }) => f.hook === "checkout.discounts").labels).toContain("200-line cart");
    expect(body.limits["checkout.discounts"]).toMatchObject({ cpuMs: 50, memoryMb: 32 });
  });
});
