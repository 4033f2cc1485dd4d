import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * Orders (app/orders): the order with its state and money, lines as
 * snapshots (title, spec, price, quantity, the discount allocated to each so
 * partial refunds are exact), adjustments naming their source, the event
 * timeline, and shipments.
 *
 * The CHECKs are the last line of defence for the money rules the service
 * keeps: line and order totals add up, nothing is refunded or restocked
 * beyond what was bought. `order_events (order_id, type, ref_id)` is unique
 * so applying a payment or a refund twice finds the first event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE orders (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      user_id text NOT NULL REFERENCES users(id),
      customer_id text NOT NULL REFERENCES shop_customers(id),
      quote_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'completed', 'closed')),
      currency char(3) NOT NULL,
      subtotal integer NOT NULL CHECK (subtotal >= 0),
      discount_total integer NOT NULL CHECK (discount_total >= 0 AND discount_total <= subtotal),
      shipping_total integer NOT NULL CHECK (shipping_total >= 0),
      total integer NOT NULL CHECK (total >= 0),
      refunded_total integer NOT NULL DEFAULT 0 CHECK (refunded_total >= 0 AND refunded_total <= total),
      item_count integer NOT NULL CHECK (item_count >= 1),
      address jsonb NOT NULL,
      reservations jsonb NOT NULL DEFAULT '[]'::jsonb,
      reservations_reversed_at timestamptz,
      payment_id text,
      cancel_requested_at timestamptz,
      cancel_requested_by text CHECK (cancel_requested_by IN ('buyer', 'merchant')),
      close_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      paid_at timestamptz,
      shipped_at timestamptz,
      completed_at timestamptz,
      closed_at timestamptz,
      CHECK (total = subtotal - discount_total + shipping_total)
    );
    CREATE INDEX orders_shop_idx ON orders (shop_id, id DESC);
    CREATE INDEX orders_shop_status_idx ON orders (shop_id, status, id DESC);
    CREATE INDEX orders_user_idx ON orders (user_id, id DESC);
    CREATE INDEX orders_user_status_idx ON orders (user_id, status, id DESC);
    CREATE TABLE order_lines (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL REFERENCES orders(id),
      position integer NOT NULL,
      sku_id text NOT NULL REFERENCES skus(id),
      product_id text NOT NULL,
      title text NOT NULL,
      spec_label text NOT NULL DEFAULT '',
      image_id text,
      unit_price integer NOT NULL CHECK (unit_price >= 0),
      quantity integer NOT NULL CHECK (quantity >= 1),
      subtotal integer NOT NULL,
      discount integer NOT NULL CHECK (discount >= 0 AND discount <= subtotal),
      total integer NOT NULL,
      refunded_amount integer NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= total),
      refunded_quantity integer NOT NULL DEFAULT 0 CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity),
      restocked_quantity integer NOT NULL DEFAULT 0 CHECK (restocked_quantity >= 0 AND restocked_quantity <= quantity),
      CHECK (subtotal = unit_price * quantity),
      CHECK (total = subtotal - discount)
    );
    CREATE INDEX order_lines_order_idx ON order_lines (order_id, position);
    CREATE TABLE order_adjustments (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL REFERENCES orders(id),
      position integer NOT NULL,
      kind text NOT NULL CHECK (kind IN ('discount', 'shipping')),
      line_id text REFERENCES order_lines(id),
      amount integer NOT NULL CHECK (amount >= 0),
      requested integer NOT NULL CHECK (requested >= 0),
      label text NOT NULL,
      source jsonb NOT NULL
    );
    CREATE INDEX order_adjustments_order_idx ON order_adjustments (order_id, position);
    CREATE TABLE order_events (
      id bigserial PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL REFERENCES orders(id),
      type text NOT NULL,
      from_status text,
      to_status text,
      actor_type text NOT NULL CHECK (actor_type IN ('buyer', 'merchant', 'system', 'extension', 'reviewer')),
      actor_id text,
      reason text,
      ref_id text,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX order_events_order_idx ON order_events (order_id, id);
    CREATE UNIQUE INDEX order_events_ref_idx ON order_events (order_id, type, ref_id) WHERE ref_id IS NOT NULL;
    CREATE TABLE shipments (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      order_id text NOT NULL UNIQUE REFERENCES orders(id),
      carrier text NOT NULL CHECK (length(carrier) BETWEEN 1 AND 60),
      tracking_number text NOT NULL CHECK (length(tracking_number) BETWEEN 1 AND 60),
      shipped_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE shipments, order_events, order_adjustments, order_lines, orders`);
}
