/**
 * The authorization server: oidc-provider 9 configured as a pure OAuth 2
 * server (no OpenID Connect, no ID tokens) for one API resource, following
 * RFC 9700 and ../shared/notes/oauth-webhooks-payments-security.md §1–2.
 * See docs/decisions/0018-oauth-on-oidc-provider.md for the choices.
 *
 * - authorization code only, PKCE S256 required for every client;
 * - exact redirect-URI matching (oidc-provider compares strings), the
 *   redirect_uri parameter always required;
 * - codes live 60 s; access tokens are opaque, 1 h, audience `<issuer>/api/v1`;
 * - refresh tokens without `offline_access`, rotated on every use; a rotated
 *   one presented again revokes the grant (and so does a lost race: the
 *   adapter's atomic consume);
 * - a grant lives as long as its install: its account is the install id, so
 *   tokens stop when the install is no longer active and uninstall deletes them;
 * - introspection and revocation only for the client's own tokens;
 * - the login is the platform's session; the consent page is a Remix route.
 */
import { generateKeyPairSync, hkdfSync } from "node:crypto";
import type { Kysely } from "kysely";
import type { Configuration, KoaContextWithOIDC } from "oidc-provider";
import type { Database } from "../../db/database";
import { getInstallById } from "../marketplace/index.server";
import { SCOPES } from "../marketplace/marketplace.schema";
import { kyselyAdapter, type ClientLookup } from "./adapter.server";
import { API_RESOURCE_PATH } from "./oauth.schema";

type OidcModule = typeof import("oidc-provider");
export type Provider = InstanceType<OidcModule["default"]>;

export const CODE_TTL_SECONDS = 60;
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 86_400;
/** An install has no end date: its grant lasts until uninstall deletes it (≈100 years). */
export const GRANT_TTL_SECONDS = 100 * 365 * 86_400;
export const INTERACTION_TTL_SECONDS = 15 * 60;

let oidcModule: Promise<OidcModule> | null = null;

/**
 * Imports oidc-provider once. v9 announces at import time that Node 20 is not
 * a supported runtime (decision 0018 records why we run it anyway); that one
 * known line is dropped, every other warning passes through.
 */
export function loadOidcProvider(): Promise<OidcModule> {
  oidcModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].includes("oidc-provider WARNING: Unsupported runtime")) return;
      warn.apply(console, args);
    };
    try {
      return await import("oidc-provider");
    } finally {
      console.warn = warn;
    }
  })();
  return oidcModule;
}

export function apiResourceOf(issuer: string): string {
  return `${issuer}${API_RESOURCE_PATH}`;
}

function cookieKey(sessionSecret: string): string {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "bazaar", "oauth cookies v1", 32)).toString("base64url");
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export async function createProvider(opts: { issuer: string; db: Kysely<Database>; sessionSecret: string; findClient: ClientLookup }): Promise<Provider> {
  const { default: Provider, errors } = await loadOidcProvider();
  const { issuer, db } = opts;
  const apiResource = apiResourceOf(issuer);
  const signingKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });

  const configuration: Configuration = {
    adapter: kyselyAdapter(db, opts.findClient, errors.InvalidGrant),
    // Nothing is signed with it (tokens are opaque, no ID tokens): a per-process key keeps oidc-provider's dev keys out.
    jwks: { keys: [{ ...signingKey, use: "sig", kid: "bazaar-ephemeral" } as any] },
    cookies: {
      keys: [cookieKey(opts.sessionSecret)],
      long: { signed: true, httpOnly: true, sameSite: "lax" },
      short: { signed: true, httpOnly: true, sameSite: "lax" },
    },
    scopes: [],
    claims: {},
    responseTypes: ["code"],
    clientAuthMethods: ["client_secret_basic", "client_secret_post"],
    clientDefaults: {
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "ES256", // never used (no ID tokens), but must match the one key
    },
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      introspection: {
        enabled: true,
        // A client learns about its own tokens only (the default lets any confidential client introspect any token).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId !== client.clientId) throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
          return true;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => apiResource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== apiResource) throw new errors.InvalidTarget();
          return { scope: SCOPES.join(" "), audience: apiResource, accessTokenFormat: "opaque", accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS };
        },
      },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: CODE_TTL_SECONDS,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      Grant: GRANT_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: INTERACTION_TTL_SECONDS,
    },
    findAccount: async (_ctx, id) => {
      const install = await getInstallById(db, id);
      if (!install || install.status !== "active") return undefined;
      return { accountId: id, claims: async () => ({ sub: id }) };
    },
    interactions: {
      url: async (_ctx, interaction) => `/oauth/interaction/${interaction.uid}`,
    },
    discovery: {
      service_documentation: `${issuer}/api/v1/openapi.json`,
    },
    routes: {
      authorization: "/oauth/authorize",
      token: "/oauth/token",
      revocation: "/oauth/revoke",
      introspection: "/oauth/introspect",
      jwks: "/oauth/jwks",
      end_session: "/oauth/session/end",
      pushed_authorization_request: "/oauth/par",
      registration: "/oauth/register",
      userinfo: "/oauth/me",
      code_verification: "/oauth/device",
      device_authorization: "/oauth/device/auth",
      backchannel_authentication: "/oauth/backchannel",
      challenge: "/oauth/challenge",
      credential: "/oauth/credential",
    },
    renderError: async (ctx: KoaContextWithOIDC, out) => {
      ctx.type = "html";
      ctx.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      const error = escapeHtml(String((out as { error?: string }).error ?? "error"));
      const description = escapeHtml(String((out as { error_description?: string }).error_description ?? ""));
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization error · Bazaar</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>This authorization request cannot continue</h1><p><code>${error}</code></p><p>${description}</p>
<p>The application that sent you here made a request Bazaar cannot accept. Nothing was shared with it. <a href="/">Back to Bazaar</a></p></body></html>`;
    },
  };

  const provider = new Provider(issuer, configuration);
  // RFC 8414 metadata of a pure OAuth 2 server: the API's scopes, none of OpenID Connect's fields.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/.well-known/oauth-authorization-server" && ctx.status === 200 && ctx.body && typeof ctx.body === "object") {
      const body = ctx.body as Record<string, unknown>;
      body.scopes_supported = [...SCOPES];
      for (const k of ["claims_supported", "claims_parameter_supported", "claim_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported", "jwks_uri"]) delete body[k];
    }
  });
  if (issuer.startsWith("https:")) provider.proxy = true; // TLS ends at the proxy in front of us
  return provider;
}
