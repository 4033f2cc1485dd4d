/**
 * OAuth conformance, driven with oauth4webapi as the only client against the
 * real server: RFC 8414 discovery (issuer checked), the authorization code
 * flow with PKCE S256 through the real login and consent pages, RFC 9207
 * `iss`, refresh-token rotation, RFC 7009 revocation, RFC 7662
 * introspection; and install-is-consent (scopes declared ∩ requested ∩
 * approved; the marketplace's install page without a redirect).
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import { addShopMember } from "../app/accounts/index.server";
import { getInstall } from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createMerchantShop } from "./support/storefront-fixtures";
import {
  authorize,
  authorizeToCallback,
  Browser,
  createOAuthApp,
  createOAuthWorld,
  discover,
  insecure,
  introspect,
  refresh,
  scopesOnPage,
  signedIn,
  type OAuthWorld,
} from "./oauth-fixtures";

let platform: TestPlatform;
let server: TestServer;
let w: OAuthWorld;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  w = await createOAuthWorld(platform, server.url);
});
afterAll(async () => {
  await server?.close();
  await platform?.close();
});

describe("discovery (RFC 8414)", () => {
  it("serves the metadata at the issuer's well-known path: issuer = site origin, code + S256 only, iss supported", async () => {
    const as = await discover(server.url);
    expect(as.issuer).toBe(server.url);
    expect(as.authorization_endpoint).toBe(`${server.url}/oauth/authorize`);
    expect(as.token_endpoint).toBe(`${server.url}/oauth/token`);
    expect(as.revocation_endpoint).toBe(`${server.url}/oauth/revoke`);
    expect(as.introspection_endpoint).toBe(`${server.url}/oauth/introspect`);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.response_types_supported).toEqual(["code"]);
    expect(as.grant_types_supported).toEqual(["authorization_code", "refresh_token"]);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.scopes_supported).toContain("read_products");
  });

  it("oauth4webapi refuses the metadata when the issuer is not the one expected", async () => {
    const res = await oauth.discoveryRequest(new URL(server.url), { algorithm: "oauth2", ...insecure });
    await expect(oauth.processDiscoveryResponse(new URL("https://bazaar.example"), res)).rejects.toThrow(/issuer/);
  });

  it("does not serve OpenID Connect discovery (this is a pure OAuth 2 server)", async () => {
    const res = await fetch(`${server.url}/.well-known/openid-configuration`);
    expect(res.status).not.toBe(200);
  });
});

describe("authorization code + PKCE S256 through login and consent", () => {
  it("issues opaque tokens bound to the shop, with iss and state checked on the callback", async () => {
    const r = await authorize(w);
    expect(r.callback.searchParams.get("iss")).toBe(server.url);
    expect(r.callback.origin + r.callback.pathname).toBe(w.app.redirectUri);
    expect(r.tokens.token_type.toLowerCase()).toBe("bearer");
    expect(r.tokens.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/); // opaque, not a JWT
    expect(r.tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(r.tokens.expires_in).toBe(3600);
    expect(r.tokens.scope?.split(" ").sort()).toEqual(["read_orders", "read_products", "write_products"]);

    const principal = await platform.oauth.verifyAccessToken(r.tokens.access_token);
    expect(principal).toMatchObject({ shopId: w.shop.id, extensionId: w.app.extensionId, clientId: w.app.client.client_id });
    expect(principal!.scopes.sort()).toEqual(["read_orders", "read_products", "write_products"]);
    const install = await getInstall(platform.db, w.shop.id, principal!.installId);
    expect(install?.status).toBe("active");

    // The open API accepts it in the Authorization header, for the token's shop and scopes.
    const api = await fetch(`${server.url}/api/v1/products`, { headers: { authorization: `Bearer ${r.tokens.access_token}` } });
    expect(api.status).toBe(200);
    const customers = await fetch(`${server.url}/api/v1/customers`, { headers: { authorization: `Bearer ${r.tokens.access_token}` } });
    expect(customers.status).toBe(403); // read_customers was not granted
    expect(install?.grantedScopes.sort()).toEqual(["read_orders", "read_products", "write_products"]);
    const audit = await platform.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "details"])
      .where("shop_id", "=", w.shop.id)
      .where("target_id", "=", principal!.installId)
      .where("action", "in", ["extension.installed", "oauth.authorized"])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["extension.installed", "oauth.authorized"]);
    expect(audit.every((a) => a.actor_id === w.shop.ownerId)).toBe(true);
  });

  it("the token endpoint answers no-store", async () => {
    const r = await authorizeToCallback(w);
    const params = oauth.validateAuthResponse(w.as, w.app.client, r.callback, r.state);
    const res = await oauth.authorizationCodeGrantRequest(w.as, w.app.client, w.app.auth, params, r.redirectUri, r.verifier, insecure);
    expect(res.headers.get("cache-control")).toContain("no-store");
    await oauth.processAuthorizationCodeResponse(w.as, w.app.client, res);
  });

  it("the consent page shows the extension, its vendor and each requested scope in plain language", async () => {
    const r = await authorizeToCallback(w, { scope: "read_products" });
    const html = r.consentPage.body;
    expect(html).toContain("Install ");
    expect(html).toMatch(/By <strong>Vendor /);
    expect(html).toContain("See products, SKUs and stock");
    expect(html).not.toContain("Change products, SKUs and stock"); // not requested, not shown
    expect(scopesOnPage(html)).toEqual(["read_products"]);
  });

  it("grants declared ∩ requested ∩ approved: unticked, undeclared and unrequested scopes never reach the token", async () => {
    const { shop } = await createMerchantShop(platform);
    const browser = await signedIn(platform, server.url, shop.ownerId);
    const r = await authorize(w, {
      browser,
      shopId: shop.id,
      scope: "read_products write_products read_customers",
      approve: ["read_products", "read_customers", "read_orders"], // read_customers undeclared, read_orders unrequested
    });
    expect(r.tokens.scope).toBe("read_products");
    const principal = await platform.oauth.verifyAccessToken(r.tokens.access_token);
    expect(principal?.scopes).toEqual(["read_products"]);
    expect((await getInstall(platform.db, shop.id, principal!.installId))?.grantedScopes).toEqual(["read_products"]);
  });

  it("a merchant who is signed out goes to /login and comes back to the consent page", async () => {
    const user = await createUserAccount(platform.db, { email: `owner-${Date.now()}@example.test`, name: "Owner", password: "correct horse battery", intent: "merchant" });
    const { createShop } = await import("../app/shops/index.server");
    const shop = await createShop(platform.db, { ownerId: user.id, name: "Login Shop", handle: `login-${Date.now().toString(36)}`, currency: "CNY" });
    const browser = new Browser(server.url);
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(w.as.authorization_endpoint!);
    for (const [k, v] of Object.entries({
      client_id: w.app.client.client_id,
      redirect_uri: w.app.redirectUri,
      response_type: "code",
      scope: "read_products",
      state: "s1",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }))
      url.searchParams.set(k, v);
    const start = await browser.get(url.toString());
    expect(start.status).toBe(303);
    const consentUrl = start.location!;
    const page = await browser.get(consentUrl);
    expect(page.status).toBe(302);
    const login = new URL(page.location!);
    expect(login.pathname).toBe("/login");
    expect(login.searchParams.get("redirectTo")).toBe(new URL(consentUrl).pathname);
    await browser.get(login.pathname + login.search); // sets the CSRF cookie
    const loggedIn = await browser.post("/login", [
      ["email", user.email],
      ["password", "correct horse battery"],
      ["redirectTo", login.searchParams.get("redirectTo")!],
    ]);
    expect(loggedIn.status).toBe(303);
    expect(new URL(loggedIn.location!).pathname).toBe(new URL(consentUrl).pathname);
    const consent = await browser.get(loggedIn.location!);
    expect(consent.status).toBe(200);
    expect(consent.body).toContain("Login Shop");
    const answered = await browser.post(consentUrl, [["decision", "approve"], ["shopId", shop.id], ["scopes", "read_products"]]);
    expect(answered.status).toBe(303);
    const back = await browser.get(answered.location!);
    const callback = new URL(back.location!);
    const params = oauth.validateAuthResponse(w.as, w.app.client, callback, "s1");
    const tokens = await oauth.processAuthorizationCodeResponse(
      w.as,
      w.app.client,
      await oauth.authorizationCodeGrantRequest(w.as, w.app.client, w.app.auth, params, w.app.redirectUri, verifier, insecure),
    );
    expect((await platform.oauth.verifyAccessToken(tokens.access_token))?.shopId).toBe(shop.id);
  });

  it("declining sends access_denied (with iss) to the client and installs nothing", async () => {
    const { shop } = await createMerchantShop(platform);
    const browser = await signedIn(platform, server.url, shop.ownerId);
    const r = await authorizeToCallback(w, { browser, shopId: shop.id, decision: "decline" });
    expect(r.answered.status).toBe(303);
    expect(r.callback.searchParams.get("error")).toBe("access_denied");
    expect(r.callback.searchParams.get("iss")).toBe(server.url);
    expect(r.callback.searchParams.get("code")).toBeNull();
    expect(() => oauth.validateAuthResponse(w.as, w.app.client, r.callback, r.state)).toThrow(oauth.AuthorizationResponseError);
    const installs = await platform.db.selectFrom("installs").select("id").where("shop_id", "=", shop.id).execute();
    expect(installs).toHaveLength(0);
  });

  it("only an owner can approve: staff see no shop to pick and their POST is refused", async () => {
    const staff = await createUserAccount(platform.db, { email: `staff-${Date.now()}@example.test`, name: "Staff", password: "correct horse battery", intent: "merchant" });
    await addShopMember(platform.db, { shopId: w.shop.id, userId: staff.id, role: "staff" });
    const browser = await signedIn(platform, server.url, staff.id);
    const err = await authorizeToCallback(w, { browser }).catch((e: Error) => e);
    expect(String(err)).toMatch(/consent POST: 403/);
    expect((err as Error).message).not.toMatch(/consent page:/);
  });
});

describe("refresh, introspection and revocation", () => {
  it("rotates the refresh token on every use; the new access token works", async () => {
    const { tokens } = await authorize(w);
    const second = await refresh(w, tokens.refresh_token!);
    expect(second.refresh_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    expect(second.access_token).not.toBe(tokens.access_token);
    const third = await refresh(w, second.refresh_token!);
    expect(third.refresh_token).not.toBe(second.refresh_token);
    expect((await platform.oauth.verifyAccessToken(third.access_token))?.shopId).toBe(w.shop.id);
  });

  it("introspection (RFC 7662) describes the client's own token; revocation (RFC 7009) ends it", async () => {
    const { tokens } = await authorize(w);
    const info = await introspect(w, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.client_id).toBe(w.app.client.client_id);
    expect(info.aud).toBe(`${server.url}/api/v1`);
    expect(String(info.scope).split(" ").sort()).toEqual(["read_orders", "read_products", "write_products"]);
    expect(info.iss).toBe(server.url);

    await oauth.processRevocationResponse(await oauth.revocationRequest(w.as, w.app.client, w.app.auth, tokens.access_token, insecure));
    expect((await introspect(w, tokens.access_token)).active).toBe(false);
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
  });

  it("revoking the refresh token ends the whole grant: its access token and any refresh", async () => {
    const { tokens } = await authorize(w);
    await oauth.processRevocationResponse(await oauth.revocationRequest(w.as, w.app.client, w.app.auth, tokens.refresh_token!, insecure));
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
    await expect(refresh(w, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("revoking an unknown token answers 200", async () => {
    await oauth.processRevocationResponse(await oauth.revocationRequest(w.as, w.app.client, w.app.auth, "no-such-token-0123456789abcdef", insecure));
  });
});

describe("install without a redirect (/marketplace/:handle/install)", () => {
  it("shows the same consent card and installs with the approved scopes, then 303 to the shop's extension page", async () => {
    const app = await createOAuthApp(platform, w.m, { scopes: ["read_products", "read_orders"] });
    const handle = (await platform.db.selectFrom("extensions").select("handle").where("id", "=", app.extensionId).executeTakeFirstOrThrow()).handle;
    const { shop } = await createMerchantShop(platform);
    const browser = await signedIn(platform, server.url, shop.ownerId);
    const page = await browser.get(`/marketplace/${handle}/install`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(scopesOnPage(page.body).sort()).toEqual(["read_orders", "read_products"]);
    expect(page.body).toContain("See orders (lines and amounts, not addresses)");
    const done = await browser.post(`/marketplace/${handle}/install`, [["decision", "approve"], ["shopId", shop.id], ["scopes", "read_orders"], ["scopes", "write_orders"]]);
    expect(done.status).toBe(303);
    const m = new URL(done.location!).pathname.match(/^\/admin\/shops\/([^/]+)\/extensions\/(ins_[0-9a-z]+)$/);
    expect(m?.[1]).toBe(shop.id);
    const install = await getInstall(platform.db, shop.id, m![2]!);
    expect(install?.grantedScopes).toEqual(["read_orders"]);
    expect(install?.status).toBe("active");
  });

  it("declining goes back to the listing and installs nothing", async () => {
    const app = await createOAuthApp(platform, w.m, { scopes: ["read_products"] });
    const handle = (await platform.db.selectFrom("extensions").select("handle").where("id", "=", app.extensionId).executeTakeFirstOrThrow()).handle;
    const { shop } = await createMerchantShop(platform);
    const browser = await signedIn(platform, server.url, shop.ownerId);
    await browser.get(`/marketplace/${handle}/install`);
    const done = await browser.post(`/marketplace/${handle}/install`, [["decision", "decline"], ["shopId", shop.id]]);
    expect(done.status).toBe(303);
    expect(new URL(done.location!).pathname).toBe(`/marketplace/${handle}`);
    expect(await platform.db.selectFrom("installs").select("id").where("shop_id", "=", shop.id).execute()).toHaveLength(0);
  });
});
