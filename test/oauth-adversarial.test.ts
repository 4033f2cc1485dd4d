/**
 * The authorization server and the consent page under attack, each case
 * asserting the exact outcome (../shared/notes/oauth-webhooks-payments-security.md
 * §2 and its adversarial list): code replay and races, refresh races and
 * reuse, codes presented by the wrong client / redirect / verifier, PKCE
 * missing or plain, redirect-URI variants, errors that must not redirect,
 * implicit and password grants, scope widening, cross-client introspection
 * and revocation, tokens after uninstall, the consent page framed or posted
 * cross-origin, and what is stored at rest. oauth4webapi is the client.
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uninstall } from "../app/marketplace/index.server";
import { oauthUninstallConsumer, redirectUriProblem, registerClient, rotateClientSecret } from "../app/oauth/index.server";
import { hashId } from "../app/oauth/secrets.server";
import { isAppError } from "../app/lib/errors";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createMerchantShop } from "./support/storefront-fixtures";
import {
  authorize,
  authorizeToCallback,
  Browser,
  createOAuthApp,
  createOAuthWorld,
  insecure,
  introspect,
  refresh,
  signedIn,
  type OAuthApp,
  type OAuthWorld,
} from "./oauth-fixtures";

let platform: TestPlatform;
let server: TestServer;
let w: OAuthWorld;
let appB: OAuthApp;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  w = await createOAuthWorld(platform, server.url);
  appB = await createOAuthApp(platform, w.m);
});
afterAll(async () => {
  await server?.close();
  await platform?.close();
});

/** A code ready to redeem (state and iss already checked). */
async function freshCode(o: Parameters<typeof authorizeToCallback>[1] = {}) {
  const r = await authorizeToCallback(w, o);
  return { ...r, params: oauth.validateAuthResponse(w.as, (o.app ?? w.app).client, r.callback, r.state) };
}

function redeem(app: OAuthApp, params: URLSearchParams, redirectUri: string, verifier: string | typeof oauth.nopkce) {
  return oauth.authorizationCodeGrantRequest(w.as, app.client, app.auth, params, redirectUri, verifier, insecure);
}

async function tokenError(res: Response) {
  expect(res.status).toBe(400);
  return ((await res.json()) as { error: string }).error;
}

/** An authorization request URL with the given parameters over sensible defaults (null removes one). */
async function authUrl(over: Record<string, string | null> = {}, app: OAuthApp = w.app) {
  const verifier = oauth.generateRandomCodeVerifier();
  const base: Record<string, string | null> = {
    client_id: app.client.client_id,
    redirect_uri: app.redirectUri,
    response_type: "code",
    scope: "read_products",
    state: "st",
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...over,
  };
  const url = new URL(w.as.authorization_endpoint!);
  for (const [k, v] of Object.entries(base)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}

describe("authorization codes", () => {
  it("are stored hashed, live 60 s, and a replay is invalid_grant and revokes the tokens of the first redemption", async () => {
    const c = await freshCode();
    const code = c.params.get("code")!;
    const row = await platform.db.selectFrom("oauth_payloads").select(["payload", "id_hash"]).where("model", "=", "AuthorizationCode").where("id_hash", "=", hashId(code)).executeTakeFirstOrThrow();
    const p = row.payload as { exp: number; iat: number };
    expect(p.exp - p.iat).toBe(60);

    const first = await oauth.processAuthorizationCodeResponse(w.as, w.app.client, await redeem(w.app, c.params, c.redirectUri, c.verifier));
    expect(await platform.oauth.verifyAccessToken(first.access_token)).not.toBeNull();

    expect(await tokenError(await redeem(w.app, c.params, c.redirectUri, c.verifier))).toBe("invalid_grant");
    expect(await platform.oauth.verifyAccessToken(first.access_token)).toBeNull();
    expect((await introspect(w, first.access_token)).active).toBe(false);
    await expect(refresh(w, first.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });

    // Nothing at rest can be presented: no code, access or refresh token in any stored row.
    const dump = JSON.stringify(await platform.db.selectFrom("oauth_payloads").selectAll().execute());
    for (const secret of [code, first.access_token, first.refresh_token!]) expect(dump).not.toContain(secret);
  });

  it("40 concurrent redemptions of one code: at most one succeeds", async () => {
    const c = await freshCode();
    const results = await Promise.all(Array.from({ length: 40 }, () => redeem(w.app, c.params, c.redirectUri, c.verifier)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeLessThanOrEqual(1);
    for (const r of results.filter((r) => r.status !== 200)) expect(r.status).toBe(400);
    const errors = await Promise.all(results.filter((r) => r.status !== 200).map(async (r) => ((await r.json()) as { error: string }).error));
    expect(new Set(errors)).toEqual(new Set(["invalid_grant"]));
  });

  it("only work for their own client, redirect URI and verifier", async () => {
    const a = await freshCode();
    expect(await tokenError(await redeem(appB, a.params, a.redirectUri, a.verifier))).toBe("invalid_grant"); // another client
    const b = await freshCode();
    expect(await tokenError(await redeem(w.app, b.params, "http://127.0.0.1:8765/cb", b.verifier))).toBe("invalid_grant"); // another registered redirect
    const c = await freshCode();
    expect(await tokenError(await redeem(w.app, c.params, c.redirectUri, oauth.generateRandomCodeVerifier()))).toBe("invalid_grant"); // wrong verifier
    const d = await freshCode();
    expect(await tokenError(await redeem(w.app, d.params, d.redirectUri, oauth.nopkce))).toBe("invalid_grant"); // no verifier
    // none of those consumed the code: the right client still can redeem it
    await oauth.processAuthorizationCodeResponse(w.as, w.app.client, await redeem(w.app, d.params, d.redirectUri, d.verifier));
  });

  it("a wrong client secret is invalid_client; credentials in both header and body are refused", async () => {
    const c = await freshCode();
    const res = await oauth.authorizationCodeGrantRequest(w.as, w.app.client, oauth.ClientSecretBasic("bzs_wrong"), c.params, c.redirectUri, c.verifier, insecure);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client");
    const both = await fetch(w.as.token_endpoint!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${w.app.client.client_id}:${w.app.secret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "authorization_code", code: c.params.get("code")!, redirect_uri: c.redirectUri, code_verifier: c.verifier, client_id: w.app.client.client_id, client_secret: w.app.secret }),
    });
    expect(both.status).toBe(400);
  });
});

describe("refresh tokens", () => {
  it("2 concurrent refreshes of one token: at most one new token", async () => {
    const { tokens } = await authorize(w);
    const results = await Promise.all([0, 1].map(() => oauth.refreshTokenGrantRequest(w.as, w.app.client, w.app.auth, tokens.refresh_token!, insecure)));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    for (const r of results.filter((r) => r.status !== 200)) expect(((await r.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("presenting a rotated refresh token revokes the grant: the live refresh and access tokens stop", async () => {
    const { tokens } = await authorize(w);
    const second = await refresh(w, tokens.refresh_token!);
    expect(await platform.oauth.verifyAccessToken(second.access_token)).not.toBeNull();
    await expect(refresh(w, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    expect(await platform.oauth.verifyAccessToken(second.access_token)).toBeNull();
    await expect(refresh(w, second.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("cannot widen scope; narrowing works", async () => {
    const { tokens } = await authorize(w, { scope: "read_products read_orders" });
    await expect(refresh(w, tokens.refresh_token!, w.app, { scope: "read_products write_products" })).rejects.toMatchObject({ error: "invalid_scope" });
    const narrowed = await refresh(w, tokens.refresh_token!, w.app, { scope: "read_orders" });
    expect(narrowed.scope).toBe("read_orders");
    expect((await platform.oauth.verifyAccessToken(narrowed.access_token))?.scopes).toEqual(["read_orders"]);
  });

  it("belong to their client: client B cannot use client A's refresh token", async () => {
    const { tokens } = await authorize(w);
    await expect(refresh(w, tokens.refresh_token!, appB)).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("authorization requests", () => {
  it("without PKCE, or with plain, are refused back to the client with iss and no code", async () => {
    const cases: Record<string, string | null>[] = [{ code_challenge: null, code_challenge_method: null }, { code_challenge_method: "plain", code_challenge: "a".repeat(43) }, { code_challenge_method: null }];
    for (const over of cases) {
      const res = await w.merchant.get(await authUrl(over));
      expect(res.status).toBe(303);
      const cb = new URL(res.location!);
      expect(cb.origin + cb.pathname).toBe(w.app.redirectUri);
      expect(cb.searchParams.get("error")).toBe("invalid_request");
      expect(cb.searchParams.get("iss")).toBe(server.url);
      expect(cb.searchParams.get("code")).toBeNull();
    }
  });

  it("with a redirect URI that is not exactly a registered one show an error page and never redirect", async () => {
    const reg = new URL(w.app.redirectUri);
    const variants = [
      `${w.app.redirectUri}/`, // trailing slash
      `${w.app.redirectUri}?x=1`, // extra query
      `https://${reg.host.toUpperCase()}${reg.pathname}`, // case
      `https://${reg.host}.evil.example${reg.pathname}`, // suffix domain
      `https://${reg.host}@evil.example${reg.pathname}`, // userinfo
      `https://${reg.host}${reg.pathname.replace(/\/([^/]*)$/, "%2F$1")}`, // encoded slash
      `http://${reg.host}${reg.pathname}`, // http
      `${w.app.redirectUri}#frag`,
      "http://127.0.0.1:8766/cb", // loopback, other port
    ];
    for (const redirect_uri of variants) {
      const res = await w.merchant.get(await authUrl({ redirect_uri }));
      expect(res.status, redirect_uri).toBe(400);
      expect(res.location, redirect_uri).toBeNull();
      expect(res.body).toContain("redirect_uri");
    }
  });

  it("with an invalid redirect and an invalid scope never redirect", async () => {
    const res = await w.merchant.get(await authUrl({ redirect_uri: "https://evil.example/cb", scope: "read_products \u0001bad" }));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });

  it("response_type=token is refused (no token in any URL); grant_type=password is refused", async () => {
    const res = await w.merchant.get(await authUrl({ response_type: "token" }));
    expect(res.location ?? "").not.toContain("access_token");
    if (res.location) {
      const cb = new URL(res.location);
      expect(cb.searchParams.get("error") ?? new URLSearchParams(cb.hash.slice(1)).get("error")).toBe("unsupported_response_type");
    } else {
      expect(res.status).toBe(400);
    }
    const pw = await fetch(w.as.token_endpoint!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${w.app.client.client_id}:${w.app.secret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "password", username: "owner@example.test", password: "correct horse battery" }),
    });
    expect(pw.status).toBe(400);
    expect(((await pw.json()) as { error: string }).error).toBe("unsupported_grant_type");
  });

  it("a resource that is not this platform's API is invalid_target", async () => {
    const res = await w.merchant.get(await authUrl({ resource: "https://evil.example/api" }));
    expect(res.status).toBe(303);
    expect(new URL(res.location!).searchParams.get("error")).toBe("invalid_target");
  });

  it("prompt=none never approves silently: login_required, no code", async () => {
    const res = await w.merchant.get(await authUrl({ prompt: "none" }));
    const cb = new URL(res.location!);
    expect(cb.searchParams.get("error")).toBe("login_required");
    expect(cb.searchParams.get("code")).toBeNull();
    expect(cb.searchParams.get("iss")).toBe(server.url);
  });
});

describe("introspection and revocation across clients", () => {
  it("client B introspecting client A's token learns nothing; B revoking it fails and the token stays active", async () => {
    const { tokens } = await authorize(w);
    expect((await introspect(w, tokens.access_token, appB)).active).toBe(false);
    expect((await introspect(w, tokens.refresh_token!, appB)).active).toBe(false);
    const res = await oauth.revocationRequest(w.as, appB.client, appB.auth, tokens.access_token, insecure);
    expect(res.status).toBe(400);
    expect((await introspect(w, tokens.access_token)).active).toBe(true);
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).not.toBeNull();
  });
});

describe("uninstall", () => {
  it("a token stops working the moment the extension is uninstalled; the consumer deletes the grant's rows", async () => {
    const { shop } = await createMerchantShop(platform);
    const browser = await signedIn(platform, server.url, shop.ownerId);
    const { tokens } = await authorize(w, { browser, shopId: shop.id });
    const principal = (await platform.oauth.verifyAccessToken(tokens.access_token))!;
    expect(principal.shopId).toBe(shop.id);

    const api = () => fetch(`${server.url}/api/v1/products`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await api()).status).toBe(200);

    await uninstall(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, installId: principal.installId });
    expect((await api()).status).toBe(401);
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
    expect((await introspect(w, tokens.access_token)).active).toBe(false);
    await expect(refresh(w, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });

    const event = await platform.db.selectFrom("outbox").select(["id", "name", "shop_id", "subject_id", "payload", "created_at"]).where("name", "=", "app.uninstalled").where("subject_id", "=", principal.installId).executeTakeFirstOrThrow();
    await oauthUninstallConsumer.handle(platform, [
      { id: String(event.id), txid: "0", name: event.name, shopId: event.shop_id, subjectId: event.subject_id, payload: event.payload as Record<string, unknown>, createdAt: new Date(event.created_at) },
    ]);
    const left = await platform.db.selectFrom("oauth_payloads").select("model").where("install_id", "=", principal.installId).execute();
    expect(left).toEqual([]);
  });
});

describe("the consent page", () => {
  async function atConsent(browser: Browser = w.merchant) {
    const start = await browser.get(await authUrl({ scope: "read_products" }));
    expect(start.status).toBe(303);
    const page = await browser.get(start.location!);
    expect(page.status).toBe(200);
    return { url: start.location!, page };
  }

  it("cannot be framed", async () => {
    const { page } = await atConsent();
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toContain("no-store");
  });

  it("refuses cross-origin and token-less POSTs (403) and then still accepts the merchant's own, answering 303", async () => {
    const { url } = await atConsent();
    const approve: [string, string][] = [["decision", "approve"], ["shopId", w.shop.id], ["scopes", "read_products"]];
    expect((await w.merchant.post(url, approve, { headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await w.merchant.post(url, approve, { headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await w.merchant.post(url, approve, { csrf: false })).status).toBe(403);
    const ok = await w.merchant.post(url, approve, { headers: { origin: server.url, "sec-fetch-site": "same-origin" } });
    expect(ok.status).toBe(303);
    expect(new URL(ok.location!).pathname).toMatch(/^\/oauth\/authorize\//);
  });

  it("a POST to another browser's interaction fails (404) without touching it", async () => {
    const { url } = await atConsent();
    const { shop, owner } = await createMerchantShop(platform);
    const intruder = await signedIn(platform, server.url, owner.id);
    await intruder.get("/"); // a CSRF cookie of its own
    expect(intruder.cookies.has("bz_csrf")).toBe(true);
    const res = await intruder.post(url, [["decision", "approve"], ["shopId", shop.id], ["scopes", "read_products"]]);
    expect(res.status).toBe(404);
    expect(await platform.db.selectFrom("installs").select("id").where("shop_id", "=", shop.id).execute()).toHaveLength(0);
  });
});

describe("clients", () => {
  it("registration refuses non-loopback http, fragments, wildcards and userinfo", async () => {
    for (const bad of ["http://app.example/cb", "https://app.example/cb#x", "https://*.example/cb", "https://app.example/*", "https://user:pw@app.example/cb", "https://u@app.example/cb", "ftp://app.example/cb", "/cb", "https://APP.example/cb"]) {
      expect(redirectUriProblem(bad), bad).not.toBeNull();
    }
    for (const good of ["https://app.example/cb", "http://127.0.0.1:8080/cb", "http://[::1]/cb", "http://localhost:3000/oauth/callback", "https://app.example/cb?tenant=1"]) {
      expect(redirectUriProblem(good), good).toBeNull();
    }
    const err = await registerClient(platform.db, platform.config.sessionSecret, { id: w.m.developerId }, w.app.extensionId, { name: "x", redirectUris: "http://app.example/cb" }).catch((e) => e);
    expect(isAppError(err) && err.kind).toBe("bad_request");
    expect(err.fieldErrors?.redirectUris?.[0]).toMatch(/https/);
  });

  it("secrets are encrypted at rest, and rotation makes the old one fail at once", async () => {
    const app = await createOAuthApp(platform, w.m);
    const row = await platform.db.selectFrom("oauth_clients").selectAll().where("id", "=", app.client.client_id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(app.secret);
    expect(row.secret_ciphertext).toMatch(/^v1\./);
    const { secret } = await rotateClientSecret(platform.db, platform.config.sessionSecret, { id: w.m.developerId }, app.extensionId, app.client.client_id);
    expect(secret).not.toBe(app.secret);
    const old = await oauth.introspectionRequest(w.as, app.client, app.auth, "whatever-token-0123456789", insecure);
    expect(old.status).toBe(401);
    const fresh = await oauth.introspectionRequest(w.as, app.client, oauth.ClientSecretBasic(secret), "whatever-token-0123456789", insecure);
    expect(fresh.status).toBe(200);
  });
});
