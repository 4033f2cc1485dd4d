import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The marketplace's developer side (app/marketplace: vendors.server.ts,
 * versions.server.ts, listings.server.ts, tokens.server.ts, checks.server.ts):
 *
 * - vendors carry a legal name and a description; teammates are invited by
 *   e-mail (`vendor_invites`: the link's token stored as its SHA-256, once,
 *   7 days);
 * - an extension's listing: tagline, Markdown description, icon (a storage
 *   key, content-addressed), category, pricing label, support contact;
 * - the automated checks of a version, one row per check line, in order;
 * - developer API tokens (vendor-scoped): only the SHA-256 of the token is
 *   kept, with a short display prefix, the last use and the revocation.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    ALTER TABLE vendors ADD COLUMN legal_name text;
    ALTER TABLE vendors ADD COLUMN description text NOT NULL DEFAULT '';
    CREATE TABLE vendor_invites (
      id text PRIMARY KEY,
      vendor_id text NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
      email text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      invited_by text NOT NULL REFERENCES users(id),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by text REFERENCES users(id),
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX vendor_invites_vendor_idx ON vendor_invites (vendor_id, created_at);
    ALTER TABLE extensions ADD COLUMN tagline text NOT NULL DEFAULT '';
    ALTER TABLE extensions ADD COLUMN description text NOT NULL DEFAULT '';
    ALTER TABLE extensions ADD COLUMN icon_key text;
    ALTER TABLE extensions ADD COLUMN category text NOT NULL DEFAULT 'other' CHECK (category IN ('membership', 'points', 'promotions', 'other'));
    ALTER TABLE extensions ADD COLUMN pricing_label text NOT NULL DEFAULT 'Free';
    ALTER TABLE extensions ADD COLUMN support_contact text NOT NULL DEFAULT '';
    CREATE INDEX extensions_category_idx ON extensions (category, name);
    ALTER TABLE extension_versions ADD COLUMN checks_started_at timestamptz;
    ALTER TABLE extension_versions ADD COLUMN checks_finished_at timestamptz;
    CREATE TABLE extension_version_checks (
      version_id text NOT NULL REFERENCES extension_versions(id),
      seq integer NOT NULL,
      name text NOT NULL,
      passed boolean NOT NULL,
      detail text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (version_id, seq)
    );
    CREATE TABLE developer_tokens (
      id text PRIMARY KEY,
      vendor_id text NOT NULL REFERENCES vendors(id),
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      display_prefix text NOT NULL,
      created_by text NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      revoked_by text REFERENCES users(id)
    );
    CREATE INDEX developer_tokens_vendor_idx ON developer_tokens (vendor_id, created_at)
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    DROP TABLE developer_tokens, extension_version_checks, vendor_invites;
    DROP INDEX extensions_category_idx;
    ALTER TABLE extension_versions DROP COLUMN checks_finished_at;
    ALTER TABLE extension_versions DROP COLUMN checks_started_at;
    ALTER TABLE extensions DROP COLUMN support_contact;
    ALTER TABLE extensions DROP COLUMN pricing_label;
    ALTER TABLE extensions DROP COLUMN category;
    ALTER TABLE extensions DROP COLUMN icon_key;
    ALTER TABLE extensions DROP COLUMN description;
    ALTER TABLE extensions DROP COLUMN tagline;
    ALTER TABLE vendors DROP COLUMN description;
    ALTER TABLE vendors DROP COLUMN legal_name
  `);
}
