import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The extension host (app/extensions): per-install storage and counters,
 * applied reservations, asynchronous hook deliveries and the invocation log.
 *
 * - Counters change only through conditional updates (`value + delta`
 *   within the reservation's bound), so concurrent orders cannot overdraw
 *   one; `extension_reservations` remembers what each order applied so the
 *   reversal happens once (`reversed_at`).
 * - `extension_counter_ops` makes `counters.add` from a replayed
 *   asynchronous hook a no-op (its key names the delivery).
 * - The invocation log is read per install (merchant page), per extension
 *   over time (developer metrics) and per install over the last minutes
 *   (charged faults): one index each.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE extension_storage (
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 256),
      value jsonb NOT NULL,
      bytes integer NOT NULL CHECK (bytes >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (install_id, key)
    );
    CREATE TABLE extension_counters (
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 256),
      value integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (install_id, key)
    );
    CREATE TABLE extension_counter_ops (
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      op_key text NOT NULL,
      delta integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (install_id, op_key)
    );
    CREATE TABLE extension_reservations (
      id bigserial PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL,
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      counter_key text NOT NULL,
      delta integer NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      reversed_at timestamptz,
      reverse_reason text
    );
    CREATE INDEX extension_reservations_order_idx ON extension_reservations (shop_id, order_id);
    CREATE TABLE extension_hook_deliveries (
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      event_id text NOT NULL,
      shop_id text NOT NULL REFERENCES shops(id),
      hook text NOT NULL,
      idempotency_key text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
      attempts integer NOT NULL DEFAULT 0,
      last_outcome text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (install_id, event_id)
    );
    CREATE TABLE extension_invocations (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      install_id text NOT NULL REFERENCES installs(id) ON DELETE CASCADE,
      extension_id text NOT NULL REFERENCES extensions(id),
      version_id text NOT NULL REFERENCES extension_versions(id),
      hook text NOT NULL,
      subject_type text,
      subject_id text,
      outcome text NOT NULL CHECK (outcome IN ('ok', 'timeout', 'memory', 'error', 'invalid_output', 'crash', 'rejected', 'skipped')),
      error text,
      wall_ms double precision NOT NULL DEFAULT 0,
      cpu_ms double precision NOT NULL DEFAULT 0,
      host_wait_ms double precision NOT NULL DEFAULT 0,
      bytes_in integer NOT NULL DEFAULT 0,
      bytes_out integer NOT NULL DEFAULT 0,
      bridge_calls integer NOT NULL DEFAULT 0,
      logs jsonb NOT NULL DEFAULT '[]'::jsonb,
      reads jsonb NOT NULL DEFAULT '[]'::jsonb,
      summary jsonb NOT NULL DEFAULT '{}'::jsonb,
      idempotency_key text,
      retried boolean NOT NULL DEFAULT false,
      charged boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX extension_invocations_install_idx ON extension_invocations (install_id, id DESC);
    CREATE INDEX extension_invocations_extension_time_idx ON extension_invocations (extension_id, created_at);
    CREATE INDEX extension_invocations_faults_idx ON extension_invocations (install_id, created_at) WHERE charged
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE extension_invocations, extension_hook_deliveries, extension_reservations, extension_counter_ops, extension_counters, extension_storage`);
}
