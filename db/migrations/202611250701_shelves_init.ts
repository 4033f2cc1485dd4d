import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/** A shelf's draft is edited freely; publishing copies it into an immutable version the storefront serves. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE shelves (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
      slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$|^[a-z0-9]$'),
      is_home boolean NOT NULL DEFAULT false,
      draft_sections jsonb NOT NULL DEFAULT '[]'::jsonb,
      draft_updated_at timestamptz NOT NULL DEFAULT now(),
      published_version_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (shop_id, slug)
    );
    CREATE UNIQUE INDEX shelves_one_home_idx ON shelves (shop_id) WHERE is_home;
    CREATE TABLE shelf_versions (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      shelf_id text NOT NULL REFERENCES shelves(id),
      version integer NOT NULL,
      title text NOT NULL,
      sections jsonb NOT NULL,
      published_by text,
      published_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (shelf_id, version)
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE shelf_versions, shelves`);
}
