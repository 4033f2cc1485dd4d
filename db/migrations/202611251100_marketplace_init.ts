import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The marketplace core (app/marketplace): vendors and their members,
 * extensions (listings), versions and installs.
 *
 * - A bundle is stored once by content hash (`extension_bundles`); versions
 *   point at it. The hash is also the sandbox's version key.
 * - `(extension_id, version)` is unique: a version is immutable once submitted.
 * - At most one live (not uninstalled) install of an extension per shop: a
 *   partial unique index. `position` is the merchant's order of installs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE vendors (
      id text PRIMARY KEY,
      name text NOT NULL,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected', 'suspended')),
      contact_email text NOT NULL,
      website text,
      status_reason text,
      verified_at timestamptz,
      created_by text NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE vendor_members (
      vendor_id text NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
      user_id text NOT NULL REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('owner', 'developer')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (vendor_id, user_id)
    );
    CREATE INDEX vendor_members_user_idx ON vendor_members (user_id);
    CREATE TABLE extensions (
      id text PRIMARY KEY,
      vendor_id text NOT NULL REFERENCES vendors(id),
      handle text NOT NULL UNIQUE,
      name text NOT NULL,
      summary text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX extensions_vendor_idx ON extensions (vendor_id);
    CREATE TABLE extension_bundles (
      hash text PRIMARY KEY CHECK (hash ~ '^sha256:[0-9a-f]{64}$'),
      source text NOT NULL,
      bytes integer NOT NULL CHECK (bytes > 0),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE extension_versions (
      id text PRIMARY KEY,
      extension_id text NOT NULL REFERENCES extensions(id),
      version text NOT NULL,
      api_version text NOT NULL,
      manifest jsonb NOT NULL,
      bundle_hash text NOT NULL REFERENCES extension_bundles(hash),
      status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'checks_passed', 'checks_failed', 'approved', 'rejected', 'suspended')),
      status_reason text,
      submitted_by text REFERENCES users(id),
      reviewed_by text REFERENCES users(id),
      reviewed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (extension_id, version)
    );
    CREATE TABLE installs (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      extension_id text NOT NULL REFERENCES extensions(id),
      version_id text NOT NULL REFERENCES extension_versions(id),
      granted_scopes jsonb NOT NULL DEFAULT '[]'::jsonb,
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'uninstalled')),
      position integer NOT NULL,
      status_reason text,
      installed_by text REFERENCES users(id),
      installed_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      suspended_at timestamptz,
      uninstalled_at timestamptz,
      data_retained_until timestamptz
    );
    CREATE UNIQUE INDEX installs_one_live_per_shop_idx ON installs (shop_id, extension_id) WHERE status <> 'uninstalled';
    CREATE INDEX installs_shop_position_idx ON installs (shop_id, position) WHERE status <> 'uninstalled';
    CREATE INDEX installs_version_idx ON installs (version_id)
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE installs, extension_versions, extension_bundles, extensions, vendor_members, vendors`);
}
