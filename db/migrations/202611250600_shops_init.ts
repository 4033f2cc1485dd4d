import type { Kysely } from "kysely";
import { runStatements } from "./statements";

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE shops (
      id text PRIMARY KEY,
      handle text NOT NULL UNIQUE CHECK (handle ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      is_development boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE shop_customers (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      user_id text NOT NULL,
      email text NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (shop_id, user_id)
    );
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE shop_customers; DROP TABLE shops;`);
}
