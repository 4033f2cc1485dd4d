import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The open API (app/openapi): Idempotency-Key records and per-install rate
 * limits.
 *
 * - `api_idempotency_keys` is keyed by (install, key): a key is only ever
 *   looked up under the install whose token sent it, so another shop's
 *   install cannot read the stored response. `state` is `in_flight` while
 *   the first request runs (a second one gets 409) and `done` with the
 *   stored status and body afterwards (replayed). `locked_until` lets a key
 *   whose request died with its process be taken over; `expires_at` (24 h)
 *   is what the cleanup job deletes by.
 * - `api_rate_limits` overrides the default bucket (burst 40, 2 req/s) for
 *   one install; the bucket state itself is in Redis or in the process.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE api_idempotency_keys (
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      shop_id text NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
      fingerprint text NOT NULL,
      method text NOT NULL,
      path text NOT NULL,
      state text NOT NULL CHECK (state IN ('in_flight', 'done')),
      response_status integer,
      response_body jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (install_id, key)
    );
    CREATE INDEX api_idempotency_keys_expires_idx ON api_idempotency_keys (expires_at);
    CREATE TABLE api_rate_limits (
      install_id text PRIMARY KEY REFERENCES installs(id) ON DELETE CASCADE,
      shop_id text NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
      burst integer NOT NULL CHECK (burst BETWEEN 1 AND 1000000),
      per_second double precision NOT NULL CHECK (per_second > 0 AND per_second <= 1000000),
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE api_rate_limits, api_idempotency_keys`);
}
