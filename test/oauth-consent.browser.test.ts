/**
 * The consent page in a real browser (Debian chromium): an application's
 * authorization request lands on the page, the merchant sees the extension,
 * its vendor and the scopes, approves, and the browser arrives at the
 * application's redirect URI with a code and `iss` — which the application
 * (oauth4webapi) redeems. The page refuses to be framed.
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser as Chromium } from "playwright-core";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createOAuthWorld, insecure, type OAuthWorld } from "./oauth-fixtures";

let platform: TestPlatform;
let server: TestServer;
let chromium: Chromium;
let w: OAuthWorld;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  chromium = await launchBrowser();
  w = await createOAuthWorld(platform, server.url);
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await platform?.close();
});

describe("the OAuth consent page in a browser", () => {
  it("approving sends the browser to the application with a code it can redeem", async () => {
    const context = await chromium.newContext();
    const { token } = await createSession(platform.db, w.shop.ownerId);
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
    const page = await context.newPage();
    await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
    let callback: URL | null = null;
    await page.route(`${new URL(w.app.redirectUri).origin}/**`, (route) => {
      callback = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/html", body: "<p>Back at the application</p>" });
    });

    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(w.as.authorization_endpoint!);
    for (const [k, v] of Object.entries({
      client_id: w.app.client.client_id,
      redirect_uri: w.app.redirectUri,
      response_type: "code",
      scope: "read_products read_orders",
      state: "browser-state",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }))
      url.searchParams.set(k, v);
    const landed = await page.goto(url.toString());
    expect(new URL(page.url()).pathname).toMatch(/^\/oauth\/interaction\//);
    expect(landed?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await seeText(page, "Approve and install");
    await seeText(page, "See products, SKUs and stock");
    await seeText(page, "See orders (lines and amounts, not addresses)");
    await screenshot(page, "oauth-consent");

    await page.getByRole("button", { name: "Approve and install" }).click();
    await seeText(page, "Back at the application");
    expect(callback).not.toBeNull();
    const params = oauth.validateAuthResponse(w.as, w.app.client, callback!, "browser-state");
    const tokens = await oauth.processAuthorizationCodeResponse(
      w.as,
      w.app.client,
      await oauth.authorizationCodeGrantRequest(w.as, w.app.client, w.app.auth, params, w.app.redirectUri, verifier, insecure),
    );
    expect(tokens.scope?.split(" ").sort()).toEqual(["read_orders", "read_products"]);
    await context.close();
  });
});
