/**
 * The open API module's public surface (`/api/v1`). It owns
 * `api_idempotency_keys` and `api_rate_limits` (and the rate-limit state in
 * Redis when configured).
 *
 * - server.ts: {@link createApiRouter}, mounted at `/api/v1` before Remix.
 * - The reference page and `/api/v1/openapi.json`: {@link buildOpenApiDocument}.
 * - The worker list: {@link openapiJobs}.
 * - Per-install limits: {@link setInstallRateLimit}.
 * - The route table itself: {@link apiRoutes} (tests generate their matrix from it).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { AppError } from "../lib/errors";
import { upsertRateLimit } from "./openapi.repository.server";

export { createApiRouter, runRoute, type ApiRouter, type ApiRouterOptions } from "./router.server";
export { apiRoutes } from "./routes.server";
export { buildOpenApiDocument, openApiPath } from "./document.server";
export { openapiJobs, PURGE_IDEMPOTENCY_JOB } from "./jobs.server";
export { purgeExpiredIdempotencyKeys, IDEMPOTENCY } from "./idempotency.server";
export { DEFAULT_RATE_LIMIT, createMemoryRateLimiter, createRedisRateLimiter, type RateLimit, type RateLimiter, type RateDecision } from "./rate-limit.server";
export type { ApiRoute, RouteScope, ApiContext } from "./route.types";

/**
 * Sets an install's bucket (burst and requests per second), replacing the
 * default 40 / 2 s⁻¹. Routers cache it for a few seconds.
 *
 * @example await setInstallRateLimit(db, { shopId, installId }, { burst: 200, perSecond: 20 });
 */
export async function setInstallRateLimit(
  db: Kysely<Database>,
  install: { shopId: string; installId: string },
  limit: { burst: number; perSecond: number },
): Promise<void> {
  if (!Number.isInteger(limit.burst) || limit.burst < 1 || limit.burst > 1_000_000) throw new AppError("bad_request", "burst must be 1–1,000,000", { fieldErrors: { burst: ["Use 1 to 1,000,000"] } });
  if (!(limit.perSecond > 0 && limit.perSecond <= 1_000_000)) throw new AppError("bad_request", "perSecond must be above 0", { fieldErrors: { perSecond: ["Use a rate above 0"] } });
  await upsertRateLimit(db, { installId: install.installId, shopId: install.shopId, burst: limit.burst, perSecond: limit.perSecond });
}
