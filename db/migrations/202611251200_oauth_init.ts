import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The OAuth authorization server (app/oauth):
 *
 * - `oauth_clients`: the OAuth clients developers register per extension. The
 *   secret is stored encrypted (AES-256-GCM, key derived from SESSION_SECRET):
 *   oidc-provider compares the presented secret with the client's metadata,
 *   so it must be recoverable; it is shown to the developer once.
 * - `oauth_payloads`: what oidc-provider stores through the adapter (codes,
 *   tokens, grants, interactions), keyed by model and the SHA-256 of the id
 *   (the token value for opaque tokens), so a database dump holds no usable
 *   token. `consumed_at` is set atomically (`… AND consumed_at IS NULL`).
 *   `install_id` (the grant's account) lets uninstall delete every token of
 *   an install in one statement.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE oauth_clients (
      id text PRIMARY KEY,
      extension_id text NOT NULL REFERENCES extensions(id),
      name text NOT NULL,
      secret_ciphertext text NOT NULL,
      secret_last4 text NOT NULL,
      redirect_uris jsonb NOT NULL DEFAULT '[]'::jsonb,
      created_by text REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      secret_rotated_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX oauth_clients_extension_idx ON oauth_clients (extension_id);
    CREATE TABLE oauth_payloads (
      model text NOT NULL,
      id_hash text NOT NULL,
      grant_id text,
      install_id text,
      uid_hash text,
      payload jsonb NOT NULL,
      expires_at timestamptz,
      consumed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (model, id_hash)
    );
    CREATE INDEX oauth_payloads_grant_idx ON oauth_payloads (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX oauth_payloads_install_idx ON oauth_payloads (install_id) WHERE install_id IS NOT NULL;
    CREATE INDEX oauth_payloads_uid_idx ON oauth_payloads (model, uid_hash) WHERE uid_hash IS NOT NULL;
    CREATE INDEX oauth_payloads_expiry_idx ON oauth_payloads (expires_at) WHERE expires_at IS NOT NULL
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE oauth_payloads, oauth_clients`);
}
