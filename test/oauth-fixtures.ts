/**
 * What the OAuth tests (and the open API's and webhooks' tests) share: a
 * marketplace with an approved extension and a registered OAuth client, a
 * merchant signed in to a cookie-keeping "browser", and the authorization
 * code flow driven through the real pages with oauth4webapi as the client.
 *
 * @example
 * const w = await createOAuthWorld(platform, server.url);
 * const { tokens } = await authorize(w);  // tokens.access_token works on /api/v1
 */
import * as oauth from "oauth4webapi";
import { createSession } from "../app/accounts/session.server";
import { registerClient } from "../app/oauth/index.server";
import type { Platform } from "../app/platform.server";
import type { Scope } from "../app/marketplace/index.server";
import { createMarketplace, publishVersion, type Marketplace } from "./extensions-fixtures";
import { createMerchantShop, type TestShop } from "./support/storefront-fixtures";

export const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** A cookie jar that sends every cookie it holds (paths ignored) and never follows redirects. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(url: string, init: { method?: string; body?: URLSearchParams; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (init.body) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(new URL(url, this.baseUrl), { method: init.method ?? (init.body ? "POST" : "GET"), headers, body: init.body?.toString(), redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = value === "" || attrs.some((a) => /max-age=0\b/i.test(a.trim()) || (/^expires=/i.test(a.trim()) && Date.parse(a.split("=")[1]!) <= Date.now()));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await res.text();
    const location = res.headers.get("location");
    return { status: res.status, headers: res.headers, body, location: location ? new URL(location, this.baseUrl).toString() : null };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request(url, { headers });
  }

  /** Posts a form, adding `_csrf` from the bz_csrf cookie (set by an earlier page). */
  post(url: string, fields: [string, string][], opts: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const body = new URLSearchParams(fields);
    const token = this.cookies.get("bz_csrf");
    if (opts.csrf !== false && token && !body.has("_csrf")) body.set("_csrf", decodeURIComponent(token));
    return this.request(url, { body, headers: opts.headers });
  }
}

export type OAuthApp = {
  extensionId: string;
  versionId: string;
  client: oauth.Client;
  secret: string;
  auth: oauth.ClientAuth;
  redirectUri: string;
};

export type OAuthWorld = {
  platform: Platform;
  baseUrl: string;
  m: Marketplace;
  shop: TestShop;
  /** signed in as the shop's owner */
  merchant: Browser;
  as: oauth.AuthorizationServer;
  app: OAuthApp;
};

let counter = 0;

/** Publishes an approved extension declaring `scopes` and registers an OAuth client for it. */
export async function createOAuthApp(
  platform: Platform,
  m: Marketplace,
  opts: { scopes?: Scope[]; redirectUris?: string[] } = {},
): Promise<OAuthApp> {
  const { versionId, extensionId } = await publishVersion(platform, m, {
    hooks: ["order.paid"],
    scopes: opts.scopes ?? ["read_products", "write_products", "read_orders"],
    source: `{ "order.paid": async () => null }`,
  });
  const redirectUris = opts.redirectUris ?? [`https://app${++counter}.example.test/oauth/callback`, "http://127.0.0.1:8765/cb"];
  const { client, secret } = await registerClient(platform.db, platform.config.sessionSecret, { id: m.developerId }, extensionId, { name: "Backend", redirectUris: redirectUris.join("\n") });
  return { extensionId, versionId, client: { client_id: client.clientId }, secret, auth: oauth.ClientSecretBasic(secret), redirectUri: redirectUris[0]! };
}

export async function discover(baseUrl: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(baseUrl);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
}

/** A signed-in browser for an existing user. */
export async function signedIn(platform: Platform, baseUrl: string, userId: string): Promise<Browser> {
  const b = new Browser(baseUrl);
  const { token } = await createSession(platform.db, userId);
  b.cookies.set("bz_session", token);
  return b;
}

export async function createOAuthWorld(platform: Platform, baseUrl: string, opts: { scopes?: Scope[] } = {}): Promise<OAuthWorld> {
  const m = await createMarketplace(platform);
  const { shop } = await createMerchantShop(platform);
  const app = await createOAuthApp(platform, m, opts);
  return { platform, baseUrl, m, shop, merchant: await signedIn(platform, baseUrl, shop.ownerId), as: await discover(baseUrl), app };
}

/** The scope checkboxes a consent page shows. */
export function scopesOnPage(html: string): string[] {
  return [...html.matchAll(/<input type="checkbox" name="scopes"[^>]*value="([a-z_]+)"/g)].map((x) => x[1]!);
}

export type AuthorizeOptions = {
  app?: OAuthApp;
  browser?: Browser;
  shopId?: string;
  scope?: string;
  /** the scopes ticked on the consent page (default: all shown) */
  approve?: string[];
  decision?: "approve" | "decline";
  redirectUri?: string;
};

/** Runs the authorization request through login-by-session and consent. Resolves to the callback URL the client receives. */
export async function authorizeToCallback(w: OAuthWorld, o: AuthorizeOptions = {}) {
  const app = o.app ?? w.app;
  const browser = o.browser ?? w.merchant;
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const redirectUri = o.redirectUri ?? app.redirectUri;
  const url = new URL(w.as.authorization_endpoint!);
  url.searchParams.set("client_id", app.client.client_id);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", o.scope ?? "read_products write_products read_orders");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");

  const start = await browser.get(url.toString());
  if (start.status !== 303 || !start.location?.includes("/oauth/interaction/")) throw new Error(`authorize: expected a redirect to the consent page, got ${start.status} ${start.location ?? start.body.replace(/<style>.*<\/style>/s, "").slice(0, 800)}`);
  const page = await browser.get(start.location);
  if (page.status !== 200) throw new Error(`consent page: ${page.status} ${page.body.slice(0, 300)}`);
  const approve = o.approve ?? scopesOnPage(page.body);
  const fields: [string, string][] = [["decision", o.decision ?? "approve"], ["shopId", o.shopId ?? w.shop.id], ...approve.map((s) => ["scopes", s] as [string, string])];
  const answered = await browser.post(start.location, fields);
  if (answered.status !== 303 || !answered.location) throw new Error(`consent POST: ${answered.status} ${answered.body.slice(0, 300)}`);
  const resumed = await browser.get(answered.location);
  if (resumed.status !== 303 || !resumed.location) throw new Error(`resume: ${resumed.status} ${resumed.body.slice(0, 300)}`);
  return { callback: new URL(resumed.location), state, verifier, redirectUri, consentPath: start.location, consentPage: page, answered };
}

/** The full flow: consent, callback checked (state, iss), code redeemed with PKCE. */
export async function authorize(w: OAuthWorld, o: AuthorizeOptions = {}) {
  const app = o.app ?? w.app;
  const r = await authorizeToCallback(w, o);
  const params = oauth.validateAuthResponse(w.as, app.client, r.callback, r.state);
  const res = await oauth.authorizationCodeGrantRequest(w.as, app.client, app.auth, params, r.redirectUri, r.verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(w.as, app.client, res);
  return { ...r, params, code: params.get("code")!, tokens };
}

export async function introspect(w: OAuthWorld, token: string, app: OAuthApp = w.app) {
  const res = await oauth.introspectionRequest(w.as, app.client, app.auth, token, insecure);
  return oauth.processIntrospectionResponse(w.as, app.client, res);
}

export async function refresh(w: OAuthWorld, refreshToken: string, app: OAuthApp = w.app, opts: { scope?: string } = {}) {
  const res = await oauth.refreshTokenGrantRequest(w.as, app.client, app.auth, refreshToken, { ...insecure, ...(opts.scope ? { additionalParameters: { scope: opts.scope } } : {}) });
  return oauth.processRefreshTokenResponse(w.as, app.client, res);
}
