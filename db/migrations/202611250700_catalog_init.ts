import type { Kysely } from "kysely";
import { runStatements } from "./statements";

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE categories (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      parent_id text REFERENCES categories(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
      position integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX categories_shop_idx ON categories (shop_id, parent_id, position);
    CREATE TABLE products (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
      description text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'on_sale', 'off_sale')),
      category_id text REFERENCES categories(id),
      spec_definitions jsonb NOT NULL DEFAULT '[]'::jsonb,
      min_price integer NOT NULL DEFAULT 0 CHECK (min_price >= 0),
      max_price integer NOT NULL DEFAULT 0 CHECK (max_price >= 0),
      total_stock integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX products_shop_status_idx ON products (shop_id, status, id DESC);
    CREATE INDEX products_shop_category_idx ON products (shop_id, category_id);
    CREATE TABLE skus (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      product_id text NOT NULL REFERENCES products(id),
      spec_values jsonb NOT NULL DEFAULT '[]'::jsonb,
      spec_key text NOT NULL,
      price integer NOT NULL CHECK (price >= 0),
      compare_at_price integer CHECK (compare_at_price IS NULL OR compare_at_price >= 0),
      stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
      code text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
      position integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (product_id, spec_key)
    );
    CREATE INDEX skus_shop_product_idx ON skus (shop_id, product_id, position);
    CREATE TABLE stock_ledger (
      id bigserial PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      sku_id text NOT NULL REFERENCES skus(id),
      delta integer NOT NULL,
      balance_after integer NOT NULL CHECK (balance_after >= 0),
      reason text NOT NULL CHECK (reason IN ('initial', 'manual_adjust', 'order_reserved', 'order_released', 'refund_restock')),
      ref_type text,
      ref_id text,
      actor_id text,
      note text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX stock_ledger_sku_idx ON stock_ledger (shop_id, sku_id, id DESC);
    CREATE TABLE images (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      sha256 text NOT NULL,
      mime text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
      bytes integer NOT NULL CHECK (bytes > 0),
      width integer,
      height integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (shop_id, sha256)
    );
    CREATE TABLE product_images (
      shop_id text NOT NULL REFERENCES shops(id),
      product_id text NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      image_id text NOT NULL REFERENCES images(id),
      position integer NOT NULL,
      PRIMARY KEY (product_id, image_id)
    );
    CREATE INDEX product_images_order_idx ON product_images (product_id, position)
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE product_images, images, stock_ledger, skus, products, categories`);
}
