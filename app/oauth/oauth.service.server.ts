/**
 * `platform.oauth`: the authorization server of one platform — the provider
 * (one per issuer origin), the express handler that serves it, the bearer
 * check the open API uses, and uninstall's revocation.
 *
 * The issuer is the site origin (`config.publicUrl`). When that is only the
 * default derived from HOST and PORT and the server listens elsewhere (tests
 * listen on port 0), the issuer follows the port the server actually listens
 * on — taken from the socket, never from a request header.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CompiledQuery, type Kysely } from "kysely";
import type { Config } from "../config.server";
import type { Database } from "../../db/database";
import { deleteExpiredPayloads, deleteGrant, deleteInstallPayloads } from "./adapter.server";
import { clientMetadata } from "./clients.service.server";
import { API_RESOURCE_PATH } from "./oauth.schema";
import { selectBearer, type BearerRunner } from "./oauth.repository.server";
import type { ApiPrincipal } from "./principal";
import { apiResourceOf, createProvider, type Provider } from "./provider.server";
import { hashId } from "./secrets.server";

export type OAuthService = {
  /** The provider for the current issuer (the origin the server was last reached on, else config.publicUrl). */
  readonly provider: Promise<Provider>;
  providerFor(issuer: string): Promise<Provider>;
  /** The issuer for a request reaching this process (from config and the listening socket). */
  issuerFor(req: IncomingMessage): string;
  /** The API resource (`aud` of access tokens) for an issuer. */
  apiResource(issuer?: string): string;
  /**
   * Serves `/.well-known/oauth-authorization-server` and `/oauth/*` (except
   * `/oauth/interaction/*`, the Remix consent route); everything else goes on.
   */
  handle(req: IncomingMessage & { path?: string }, res: ServerResponse, next: () => void): void;
  /** The principal of a bearer token, or null when unknown, expired, revoked, for another audience, or its install is not active. */
  verifyAccessToken(token: string): Promise<ApiPrincipal | null>;
  /** Deletes every grant, code and token of the install at once; resolves to the number of rows removed. */
  revokeGrantsOfInstall(installId: string): Promise<number>;
  /** Deletes one grant and everything issued from it. */
  revokeGrant(grantId: string): Promise<number>;
  /** Removes expired codes, tokens and interactions. */
  cleanupExpired(): Promise<number>;
};

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

export function createOAuthService(deps: { config: Config; db: Kysely<Database>; database?: BearerRunner }): OAuthService {
  const { config, db } = deps;
  const runner: BearerRunner = deps.database ?? { executeSql: async (text, values = []) => ({ rows: (await db.executeQuery(CompiledQuery.raw(text, values))).rows as any[] }) };
  const providers = new Map<string, Promise<Provider>>();
  const issuers = new Set<string>([config.publicUrl]);
  let current = config.publicUrl;
  const configured = new URL(config.publicUrl);
  const derived = config.publicUrl === `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;

  function providerFor(issuer: string): Promise<Provider> {
    let p = providers.get(issuer);
    if (!p) {
      issuers.add(issuer);
      p = createProvider({ issuer, db, sessionSecret: config.sessionSecret, findClient: (id) => clientMetadata(db, config.sessionSecret, id) });
      p.catch(() => providers.delete(issuer));
      providers.set(issuer, p);
    }
    return p;
  }

  function issuerFor(req: IncomingMessage): string {
    if (!derived) return config.publicUrl;
    const port = req.socket?.localPort;
    if (!port || String(port) === configured.port) return config.publicUrl;
    const u = new URL(config.publicUrl);
    u.port = String(port);
    return u.origin;
  }

  const service: OAuthService = {
    get provider() {
      return providerFor(current);
    },
    providerFor,
    issuerFor,
    apiResource: (issuer) => apiResourceOf(issuer ?? current),
    handle(req, res, next) {
      const path = (req.url ?? "/").split("?")[0]!;
      const isProviderPath = path === "/.well-known/oauth-authorization-server" || (path.startsWith("/oauth/") && !path.startsWith("/oauth/interaction/"));
      if (!isProviderPath) return next();
      const issuer = issuerFor(req);
      current = issuer;
      providerFor(issuer).then(
        (provider) => provider.callback()(req, res),
        (e) => {
          console.error("[oauth] provider failed to start:", e);
          res.statusCode = 500;
          res.end("Internal error");
        },
      );
    },
    async verifyAccessToken(token) {
      if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) return null;
      const row = await selectBearer(runner, hashId(token));
      if (!row) return null;
      const p = row.payload as { exp?: number; aud?: string | string[]; scope?: string; clientId?: string; accountId?: string; grantId?: string; kind?: string };
      if (p.kind !== "AccessToken" || typeof p.exp !== "number" || p.exp * 1000 <= Date.now()) return null;
      const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
      const forUs = aud.length === 1 && typeof aud[0] === "string" && [...issuers].some((iss) => aud[0] === `${iss}${API_RESOURCE_PATH}`);
      if (!forUs) return null;
      if (row.install_status !== "active" || row.version_status === "suspended" || row.extension_suspended_at !== null || !row.grant_found) return null;
      if (row.client_extension_id !== row.install_extension_id || p.accountId !== row.install_id || !p.clientId || p.grantId !== row.grant_id) return null;
      const granted = new Set(Array.isArray(row.granted_scopes) ? (row.granted_scopes as string[]) : []);
      const scopes = (p.scope ?? "").split(" ").filter((s) => s && granted.has(s));
      return { shopId: row.shop_id, installId: row.install_id, extensionId: row.install_extension_id, clientId: p.clientId, grantId: p.grantId, scopes };
    },
    revokeGrantsOfInstall: (installId) => deleteInstallPayloads(db, installId),
    revokeGrant: (grantId) => deleteGrant(db, grantId),
    cleanupExpired: () => deleteExpiredPayloads(db),
  };
  return service;
}
