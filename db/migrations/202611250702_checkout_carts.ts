import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/** Carts: a buyer's (one per shop) or a guest's, found by the hash of a cookie token. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE carts (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      user_id text REFERENCES users(id),
      guest_token_hash text UNIQUE,
      attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((user_id IS NULL) <> (guest_token_hash IS NULL))
    );
    CREATE UNIQUE INDEX carts_user_shop_idx ON carts (shop_id, user_id) WHERE user_id IS NOT NULL;
    CREATE TABLE cart_lines (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      cart_id text NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
      sku_id text NOT NULL REFERENCES skus(id),
      quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cart_id, sku_id)
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE cart_lines, carts`);
}
