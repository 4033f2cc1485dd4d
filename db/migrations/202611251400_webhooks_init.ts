import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * Webhooks (app/webhooks): endpoints, deliveries and their attempts.
 *
 * - An endpoint belongs to an extension (every install of it gets deliveries
 *   for its own shop) or, when `install_id` is set, to one install. Its
 *   signing secret is stored encrypted (AES-256-GCM), never in clear.
 * - A delivery is one event for one endpoint: `(endpoint_id, event_id)` is
 *   unique, so a redelivered outbox batch never doubles it; its id is the
 *   `webhook-id` header, stable across every attempt.
 * - Every attempt is a row of its own (status, duration, excerpt, error).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE webhook_endpoints (
      id text PRIMARY KEY,
      extension_id text NOT NULL REFERENCES extensions(id),
      install_id text REFERENCES installs(id),
      shop_id text REFERENCES shops(id),
      url text NOT NULL CHECK (length(url) <= 2048),
      topics jsonb NOT NULL DEFAULT '[]'::jsonb,
      secret_ciphertext text NOT NULL,
      previous_secret_ciphertext text,
      previous_secret_expires_at timestamptz,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
      status_reason text,
      disabled_at timestamptz,
      created_by text REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((install_id IS NULL) = (shop_id IS NULL))
    );
    CREATE INDEX webhook_endpoints_extension_idx ON webhook_endpoints (extension_id) WHERE status <> 'deleted';
    CREATE INDEX webhook_endpoints_install_idx ON webhook_endpoints (install_id) WHERE install_id IS NOT NULL;
    CREATE TABLE webhook_deliveries (
      id text PRIMARY KEY,
      endpoint_id text NOT NULL REFERENCES webhook_endpoints(id),
      extension_id text NOT NULL REFERENCES extensions(id),
      install_id text NOT NULL REFERENCES installs(id),
      shop_id text NOT NULL REFERENCES shops(id),
      event_id text NOT NULL,
      topic text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempt_count integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL CHECK (max_attempts >= 1),
      next_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      UNIQUE (endpoint_id, event_id)
    );
    CREATE INDEX webhook_deliveries_extension_idx ON webhook_deliveries (extension_id, id);
    CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE TABLE webhook_attempts (
      id text PRIMARY KEY,
      delivery_id text NOT NULL REFERENCES webhook_deliveries(id),
      attempt integer NOT NULL,
      started_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      status_code integer,
      outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'timeout', 'blocked', 'gone', 'throttled')),
      response_excerpt text CHECK (length(response_excerpt) <= 1024),
      error text,
      UNIQUE (delivery_id, attempt)
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE webhook_attempts, webhook_deliveries, webhook_endpoints`);
}
