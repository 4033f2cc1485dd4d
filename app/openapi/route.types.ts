/**
 * The shape of one entry of the route table (routes.server.ts). Everything
 * the router enforces before a handler runs — the scope, the parameter,
 * query and body schemas, idempotency for POSTs — is read from the entry,
 * and the OpenAPI document is generated from the same entries.
 */
import type { z } from "zod";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { ApiPrincipal } from "../oauth/principal";
import type { Platform } from "../platform.server";
import type { Scope } from "../marketplace/marketplace.schema";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * The scope a route needs. `"install"` is declared, not omitted: the route
 * reads or writes only the calling install's own records (its extension
 * storage and counters), so any valid token of that install may call it.
 */
export type RouteScope = Scope | "install";

/** What a handler gets: the tenant is always `principal.shopId`. */
export type ApiContext<P, Q, B> = {
  platform: Platform;
  db: Kysely<Database>;
  principal: ApiPrincipal;
  /** the install as the audit log and order timeline name it */
  actor: { type: "extension"; id: string };
  params: P;
  query: Q;
  body: B;
  /** the request's Idempotency-Key (POSTs), for services that take their own key */
  idempotencyKey: string | null;
};

export type ApiResult<R> = { status?: number; body: R };

export type ApiRoute<
  PS extends z.ZodType = z.ZodType,
  QS extends z.ZodType = z.ZodType,
  BS extends z.ZodType = z.ZodType,
  RS extends z.ZodType = z.ZodType,
> = {
  /** unique, camelCase: the OpenAPI operationId */
  operationId: string;
  method: HttpMethod;
  /** express style, relative to /api/v1: `/products/:productId` */
  path: string;
  scope: RouteScope;
  summary: string;
  description?: string;
  /** grouping on the reference page */
  tag: string;
  params?: PS;
  query?: QS;
  body?: BS;
  /** the success status (200 unless said) and its body */
  status?: number;
  response: RS;
  /** runs after the router's checks, with the token's shop as the tenant; throws AppError for 4xx answers */
  handler: (ctx: ApiContext<z.output<PS>, z.output<QS>, z.output<BS>>) => Promise<ApiResult<z.output<RS>>>;
};

/** Keeps each entry's handler typed by its own schemas inside one heterogeneous table. */
export function defineRoute<PS extends z.ZodType, QS extends z.ZodType, BS extends z.ZodType, RS extends z.ZodType>(
  route: ApiRoute<PS, QS, BS, RS>,
): ApiRoute {
  return route as unknown as ApiRoute;
}
