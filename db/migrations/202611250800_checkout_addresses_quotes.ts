import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * Checkout (app/checkout): the buyer's address book (at most one default per
 * buyer, by a partial unique index), quotes (a priced snapshot with an expiry,
 * consumed once by the order placed from it), and the idempotency keys of
 * checkout submits (the primary key is what makes a double submit wait for,
 * then find, the first one's order).
 *
 * Money is integer minor units; a quote's total is capped well under 2^31
 * by the service (MAX_ORDER_TOTAL).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE addresses (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users(id),
      recipient text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 60),
      phone text NOT NULL CHECK (length(phone) BETWEEN 5 AND 20),
      region text NOT NULL CHECK (length(region) BETWEEN 1 AND 100),
      street text NOT NULL CHECK (length(street) BETWEEN 1 AND 200),
      postal_code text NOT NULL DEFAULT '' CHECK (length(postal_code) <= 12),
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX addresses_user_idx ON addresses (user_id, created_at, id);
    CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (user_id) WHERE is_default;
    CREATE TABLE checkout_quotes (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      user_id text NOT NULL REFERENCES users(id),
      currency char(3) NOT NULL,
      lines jsonb NOT NULL,
      adjustments jsonb NOT NULL DEFAULT '[]'::jsonb,
      reservations jsonb NOT NULL DEFAULT '[]'::jsonb,
      attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
      subtotal integer NOT NULL CHECK (subtotal >= 0),
      discount_total integer NOT NULL CHECK (discount_total >= 0),
      shipping_total integer NOT NULL CHECK (shipping_total >= 0),
      total integer NOT NULL CHECK (total >= 0),
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz,
      order_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (total = subtotal - discount_total + shipping_total),
      CHECK ((consumed_at IS NULL) = (order_id IS NULL))
    );
    CREATE INDEX checkout_quotes_buyer_idx ON checkout_quotes (shop_id, user_id, created_at);
    CREATE TABLE checkout_idempotency_keys (
      shop_id text NOT NULL REFERENCES shops(id),
      user_id text NOT NULL REFERENCES users(id),
      key text NOT NULL CHECK (length(key) BETWEEN 16 AND 100),
      quote_id text NOT NULL,
      order_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (shop_id, user_id, key)
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE checkout_idempotency_keys, checkout_quotes, addresses`);
}
