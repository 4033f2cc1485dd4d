/**
 * The open API's tables (app/openapi): Idempotency-Key records and
 * per-install rate-limit overrides. `Database` extends {@link OpenapiTables}.
 */
import type { Selectable } from "kysely";
import type { CreatedAt, Json, Timestamp } from "../database";

export type IdempotencyState = "in_flight" | "done";

export interface ApiIdempotencyKeysTable {
  install_id: string;
  key: string;
  shop_id: string;
  /** sha-256 of method, path and the canonical JSON body */
  fingerprint: string;
  method: string;
  path: string;
  state: IdempotencyState;
  response_status: number | null;
  response_body: Json | null;
  created_at: CreatedAt;
  /** an in-flight key whose request died may be taken over after this */
  locked_until: Timestamp;
  /** kept 24 h; the cleanup job deletes past this */
  expires_at: Timestamp;
}

export interface ApiRateLimitsTable {
  install_id: string;
  shop_id: string;
  burst: number;
  per_second: number;
  updated_at: Timestamp;
}

export interface OpenapiTables {
  api_idempotency_keys: ApiIdempotencyKeysTable;
  api_rate_limits: ApiRateLimitsTable;
}

export type IdempotencyRow = Selectable<ApiIdempotencyKeysTable>;
