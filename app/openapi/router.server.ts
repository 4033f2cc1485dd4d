/**
 * `/api/v1`: an express Router built from the route table. For every request:
 *
 * 1. a token in the query string (`access_token`) is refused (400) — tokens
 *    travel only in `Authorization: Bearer`; the session cookie is never read;
 * 2. the bearer token is resolved to its principal by the OAuth module's
 *    verifier (401 with `WWW-Authenticate` when missing or invalid);
 * 3. the install's leaky bucket is charged (429 with `Retry-After`); the
 *    `RateLimit-*` headers go on every answer from here on;
 * 4. the route's scope is checked (403 `insufficient_scope`, audited);
 * 5. params (a malformed id is a 404, like another shop's), query and body
 *    are validated with the entry's zod schemas (422 naming the field);
 * 6. a valid POST with `Idempotency-Key` is run once and replayed after;
 * 7. the handler runs with the token's shop as the tenant.
 *
 * Every error has the one shape `{ error: { code, message, field? } }`.
 */
import express, { type Request, type Response, type Router } from "express";
import type { z } from "zod";
import { record } from "../audit/index.server";
import type { ApiPrincipal, VerifyAccessToken } from "../oauth/principal";
import type { Platform } from "../platform.server";
import { buildOpenApiDocument } from "./document.server";
import { apiError, toApiError, validationError, type ApiErrorResponse } from "./errors.server";
import { beginIdempotentRequest, finishIdempotentRequest, isValidIdempotencyKey } from "./idempotency.server";
import { selectRateLimit } from "./openapi.repository.server";
import { createMemoryRateLimiter, createRedisRateLimiter, DEFAULT_RATE_LIMIT, type RateDecision, type RateLimit, type RateLimiter } from "./rate-limit.server";
import type { ApiRoute } from "./route.types";
import { apiRoutes } from "./routes.server";

export type ApiRouterOptions = {
  /** the OAuth module's verifier (`platform.oauth.verifyAccessToken`) */
  verifyAccessToken: VerifyAccessToken;
  /** defaults to the table in routes.server.ts (tests add routes of their own) */
  routes?: readonly ApiRoute[];
  /** defaults to Redis when REDIS_URL is set, else in-process */
  rateLimiter?: RateLimiter;
  /** how long an install's limit from `api_rate_limits` is cached; default 5 s */
  rateLimitCacheMs?: number;
  /** check every answer against the route's response schema (on in tests) */
  validateResponses?: boolean;
};

export type ApiRouter = Router & { rateLimiter: RateLimiter; close(): Promise<void> };

type ApiAnswer = { status: number; body: unknown; headers?: Record<string, string> };

const REALM = 'Bearer realm="api"';

function send(res: Response, a: ApiAnswer | ApiErrorResponse): void {
  if (a.headers) for (const [k, v] of Object.entries(a.headers)) res.setHeader(k, v);
  res.status(a.status).json(a.body);
}

function rateHeaders(d: RateDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(d.limit),
    "RateLimit-Remaining": String(d.remaining),
    "RateLimit-Reset": String(d.resetSeconds),
    ...(d.allowed ? {} : { "Retry-After": String(d.retryAfterSeconds) }),
  };
}

type ParsedInput = { params: unknown; query: unknown; body: unknown };

/**
 * Validates a request's params, query and body with the route's schemas.
 * A malformed id names nothing in this shop: the same 404 as another shop's id.
 */
export function parseRouteInput(route: ApiRoute, input: { params: unknown; query: unknown; body: unknown }): { ok: true; input: ParsedInput } | { ok: false; error: ApiErrorResponse } {
  let params: unknown = input.params ?? {};
  if (route.params) {
    const r = route.params.safeParse(input.params ?? {});
    if (!r.success) return { ok: false, error: apiError(404, "not_found", "Not found") };
    params = r.data;
  }
  let query: unknown = {};
  if (route.query) {
    const r = route.query.safeParse(input.query ?? {});
    if (!r.success) return { ok: false, error: validationError(r.error.issues) };
    query = r.data;
  }
  let body: unknown = {};
  if (route.body) {
    const r = route.body.safeParse(input.body ?? {});
    if (!r.success) return { ok: false, error: validationError(r.error.issues) };
    body = r.data;
  }
  return { ok: true, input: { params, query, body } };
}

/** Runs a route's handler on validated input; never throws (failures are error answers). */
export async function executeRoute(
  platform: Platform,
  route: ApiRoute,
  principal: ApiPrincipal,
  input: ParsedInput & { idempotencyKey?: string | null },
  opts: { validateResponses?: boolean } = {},
): Promise<ApiAnswer | ApiErrorResponse> {
  try {
    const result = await route.handler({
      platform,
      db: platform.db,
      principal,
      actor: { type: "extension", id: principal.installId },
      params: input.params,
      query: input.query,
      body: input.body,
      idempotencyKey: input.idempotencyKey ?? null,
    });
    if (opts.validateResponses) {
      const check = (route.response as z.ZodType).safeParse(result.body);
      if (!check.success) {
        return toApiError(new Error(`${route.operationId}: response does not match its schema: ${JSON.stringify(check.error.issues.slice(0, 3))}`), route.operationId);
      }
    }
    return { status: result.status ?? route.status ?? 200, body: result.body };
  } catch (e) {
    return toApiError(e, route.operationId);
  }
}

/**
 * Validation and handler of one route for a principal, without
 * authentication, rate limit, scope or idempotency: what the API benchmark
 * runs as "the same handler with auth off".
 */
export async function runRoute(
  platform: Platform,
  route: ApiRoute,
  principal: ApiPrincipal,
  input: { params: unknown; query: unknown; body: unknown },
  opts: { validateResponses?: boolean } = {},
): Promise<ApiAnswer | ApiErrorResponse> {
  const parsed = parseRouteInput(route, input);
  return parsed.ok ? executeRoute(platform, route, principal, parsed.input, opts) : parsed.error;
}

/**
 * The `/api/v1` router. Mount it before the Remix handler:
 *
 * @example
 * app.use("/api/v1", createApiRouter(platform, { verifyAccessToken: platform.oauth.verifyAccessToken }));
 */
export function createApiRouter(platform: Platform, options: ApiRouterOptions): ApiRouter {
  const routes = options.routes ?? apiRoutes;
  const limiter =
    options.rateLimiter ?? (platform.config.redisUrl ? createRedisRateLimiter(platform.config.redisUrl) : createMemoryRateLimiter());
  const validateResponses = options.validateResponses ?? platform.config.env === "test";
  const cacheMs = options.rateLimitCacheMs ?? 5_000;
  const limits = new Map<string, { limit: RateLimit; until: number }>();

  async function limitOf(installId: string): Promise<RateLimit> {
    const now = Date.now();
    const cached = limits.get(installId);
    if (cached && cached.until > now) return cached.limit;
    const row = await selectRateLimit(platform.db, installId);
    const limit = row ? { burst: row.burst, perSecond: Number(row.per_second) } : DEFAULT_RATE_LIMIT;
    if (limits.size > 10_000) limits.clear();
    limits.set(installId, { limit, until: now + cacheMs });
    return limit;
  }

  const router = express.Router() as ApiRouter;
  router.rateLimiter = limiter;
  router.close = () => limiter.close();

  router.use((req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    // RFC 6750 §2.3 is not offered: a token in a URL ends up in logs and Referer headers.
    if (Object.prototype.hasOwnProperty.call(req.query, "access_token")) {
      return send(res, apiError(400, "invalid_request", "Send the access token in the Authorization header (Bearer), never in the query string.", "access_token"));
    }
    next();
  });

  let documentJson: string | null = null;
  router.get("/openapi.json", (_req, res) => {
    documentJson ??= JSON.stringify(buildOpenApiDocument(routes, { serverUrl: `${platform.config.publicUrl}/api/v1` }));
    res.setHeader("Cache-Control", "public, max-age=300");
    res.type("application/json").send(documentJson);
  });

  router.use(express.json({ limit: "256kb", type: ["application/json", "application/*+json"] }));

  // authentication and the rate limit, for every route below
  router.use(async (req, res, next) => {
    try {
      const header = req.headers.authorization ?? "";
      const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
      if (!m) {
        return send(res, apiError(401, "invalid_token", "Send an access token: Authorization: Bearer <token>.", undefined, { "WWW-Authenticate": REALM }));
      }
      const principal = await options.verifyAccessToken(m[1]);
      if (!principal) {
        return send(
          res,
          apiError(401, "invalid_token", "The access token is invalid, expired or revoked.", undefined, {
            "WWW-Authenticate": `${REALM}, error="invalid_token", error_description="The access token is invalid, expired or revoked"`,
          }),
        );
      }
      const decision = await limiter.take(principal.installId, await limitOf(principal.installId));
      for (const [k, v] of Object.entries(rateHeaders(decision))) res.setHeader(k, v);
      if (!decision.allowed) {
        return send(res, apiError(429, "rate_limited", `Too many requests: ${decision.limit} at once, then the bucket drains; retry after ${decision.retryAfterSeconds} s.`));
      }
      res.locals.principal = principal;
      next();
    } catch (e) {
      send(res, toApiError(e, "authentication"));
    }
  });

  for (const route of routes) {
    const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    router[method](route.path, async (req: Request, res: Response) => {
      const principal = res.locals.principal as ApiPrincipal;
      try {
        if (route.scope !== "install" && !principal.scopes.includes(route.scope)) {
          await record(
            platform.db,
            { type: "extension", id: principal.installId },
            "api.scope_denied",
            { shopId: principal.shopId, type: "install", id: principal.installId },
            { operationId: route.operationId, scope: route.scope, clientId: principal.clientId },
          );
          return send(
            res,
            apiError(403, "insufficient_scope", `This call needs the ${route.scope} scope, which this token was not granted.`, undefined, {
              "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${route.scope}"`,
            }),
          );
        }
        // Validation comes first: a request refused as invalid never started, so nothing is stored under its key.
        const parsed = parseRouteInput(route, { params: req.params, query: req.query, body: req.body });
        if (!parsed.ok) return send(res, parsed.error);
        const input = parsed.input;
        const key = req.header("Idempotency-Key");
        if (route.method !== "POST" || key === undefined) {
          return send(res, await executeRoute(platform, route, principal, input, { validateResponses }));
        }
        if (!isValidIdempotencyKey(key)) {
          return send(res, apiError(400, "invalid_request", "Idempotency-Key must be 1–255 printable ASCII characters.", "Idempotency-Key"));
        }
        const start = await beginIdempotentRequest(platform.db, principal, key, { method: route.method, path: req.baseUrl + req.path, body: req.body ?? {} });
        if (start.kind === "refuse") return send(res, start.error);
        if (start.kind === "replay") {
          res.setHeader("Idempotent-Replayed", "true");
          return send(res, { status: start.status, body: start.body });
        }
        let answer: ApiAnswer | ApiErrorResponse;
        try {
          answer = await executeRoute(platform, route, principal, { ...input, idempotencyKey: key }, { validateResponses });
        } catch (e) {
          answer = toApiError(e, route.operationId);
        }
        await finishIdempotentRequest(platform.db, principal, key, answer.status, answer.body);
        return send(res, answer);
      } catch (e) {
        send(res, toApiError(e, route.operationId));
      }
    });
  }

  router.use((_req, res) => send(res, apiError(404, "not_found", "No such API route.")));
  router.use(((err, _req, res, _next) => {
    // body-parser: malformed JSON, too large, bad charset
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) return send(res, toApiError(err, "router"));
    send(res, apiError(status === 413 ? 413 : 400, err?.type === "entity.too.large" ? "payload_too_large" : "invalid_json", status === 413 ? "The body is too large." : "The body is not valid JSON."));
  }) as express.ErrorRequestHandler);
  return router;
}
