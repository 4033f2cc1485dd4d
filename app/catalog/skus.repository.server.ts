/**
 * SQL for `skus` and `stock_ledger`. Every query names the shop.
 *
 * Lock order, everywhere: SKU rows first, in `id COLLATE "C"` order, then
 * product rows. Two transactions that take locks in one global order cannot
 * deadlock, whichever SKUs they touch and in whatever order their callers
 * listed them.
 */
import { sql, type Kysely } from "kysely";
import type { Database, ProductStatus, Sku, StockLedgerRow, StockReason } from "../../db/database";

export async function selectSkusOfProduct(db: Kysely<Database>, shopId: string, productId: string): Promise<Sku[]> {
  return db
    .selectFrom("skus")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("product_id", "=", productId)
    .orderBy("status")
    .orderBy("position")
    .execute();
}

/** Every SKU of the product (archived too), locked in the global order. */
export async function lockSkusOfProduct(trx: Kysely<Database>, shopId: string, productId: string): Promise<Sku[]> {
  return trx
    .selectFrom("skus")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("product_id", "=", productId)
    .orderBy(sql`id COLLATE "C"`)
    .forUpdate()
    .execute();
}

export type LockedSku = Sku & { product_status: ProductStatus; product_title: string };

/**
 * The SKUs of `ids` in the shop with their product's status, locked in the
 * global order (`ORDER BY … FOR UPDATE` locks rows as the sort emits them).
 * Only the SKU rows are locked (`FOR UPDATE OF skus`), not the products.
 */
export async function lockSkus(trx: Kysely<Database>, shopId: string, ids: string[]): Promise<LockedSku[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom("skus")
    .innerJoin("products", (j) => j.onRef("products.id", "=", "skus.product_id").on("products.shop_id", "=", shopId))
    .selectAll("skus")
    .select(["products.status as product_status", "products.title as product_title"])
    .where("skus.shop_id", "=", shopId)
    .where("skus.id", "in", ids)
    .orderBy(sql`skus.id COLLATE "C"`)
    .forUpdate("skus")
    .execute();
}

export async function insertSkus(
  trx: Kysely<Database>,
  rows: {
    id: string;
    shop_id: string;
    product_id: string;
    spec_values: string[];
    spec_key: string;
    price: number;
    compare_at_price: number | null;
    stock: number;
    code: string;
    position: number;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  const now = new Date();
  // Batches keep each INSERT well under the bind-parameter limit (600 SKUs × 11 columns).
  for (let i = 0; i < rows.length; i += 200) {
    await trx
      .insertInto("skus")
      .values(rows.slice(i, i + 200).map((r) => ({ ...r, spec_values: JSON.stringify(r.spec_values), status: "active" as const, updated_at: now })))
      .execute();
  }
}

export async function updateSku(
  trx: Kysely<Database>,
  shopId: string,
  id: string,
  patch: {
    price?: number;
    compare_at_price?: number | null;
    stock?: number;
    code?: string;
    status?: "active" | "archived";
    position?: number;
    spec_values?: string[];
  },
): Promise<void> {
  const { spec_values, ...rest } = patch;
  await trx
    .updateTable("skus")
    .set({ ...rest, ...(spec_values ? { spec_values: JSON.stringify(spec_values) } : {}), updated_at: new Date() })
    .where("shop_id", "=", shopId)
    .where("id", "=", id)
    .execute();
}

/**
 * Adds `delta` to a SKU's stock unless that would take it below zero (the
 * `stock >= -delta` guard holds even if a caller forgot to lock). Resolves
 * to the new stock, or null when the guard refused.
 */
export async function addToSkuStock(trx: Kysely<Database>, shopId: string, id: string, delta: number): Promise<number | null> {
  const row = await trx
    .updateTable("skus")
    .set((eb) => ({ stock: eb("stock", "+", delta), updated_at: new Date() }))
    .where("shop_id", "=", shopId)
    .where("id", "=", id)
    .where("stock", ">=", Math.max(0, -delta))
    .returning("stock")
    .executeTakeFirst();
  return row ? row.stock : null;
}

export type LedgerInsert = {
  shop_id: string;
  sku_id: string;
  delta: number;
  balance_after: number;
  reason: StockReason;
  ref_type?: string | null;
  ref_id?: string | null;
  actor_id?: string | null;
  note?: string | null;
};

export async function insertLedgerRows(trx: Kysely<Database>, rows: LedgerInsert[]): Promise<void> {
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto("stock_ledger").values(rows.slice(i, i + 500)).execute();
}

export async function selectLedgerPage(
  db: Kysely<Database>,
  shopId: string,
  skuId: string,
  opts: { before?: string; limit: number },
): Promise<StockLedgerRow[]> {
  let q = db.selectFrom("stock_ledger").selectAll().where("shop_id", "=", shopId).where("sku_id", "=", skuId);
  if (opts.before) q = q.where("id", "<", opts.before);
  return q.orderBy("id", "desc").limit(opts.limit).execute();
}

export async function selectSku(db: Kysely<Database>, shopId: string, id: string): Promise<Sku | undefined> {
  return db.selectFrom("skus").selectAll().where("shop_id", "=", shopId).where("id", "=", id).executeTakeFirst();
}

export type CartSkuRow = Pick<Sku, "id" | "product_id" | "spec_values" | "price" | "stock" | "status"> & {
  title: string;
  product_status: ProductStatus;
  category_id: string | null;
  image_id: string | null;
};

export async function selectSkusWithProducts(db: Kysely<Database>, shopId: string, ids: string[]): Promise<CartSkuRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("skus as s")
    .innerJoin("products as p", (j) => j.onRef("p.id", "=", "s.product_id").on("p.shop_id", "=", shopId))
    .select(["s.id", "s.product_id", "s.spec_values", "s.price", "s.stock", "s.status", "p.title", "p.status as product_status", "p.category_id"])
    .select((eb) =>
      eb
        .selectFrom("product_images as pi")
        .select("pi.image_id")
        .whereRef("pi.product_id", "=", "p.id")
        .where("pi.shop_id", "=", shopId)
        .orderBy("pi.position")
        .limit(1)
        .as("image_id"),
    )
    .where("s.shop_id", "=", shopId)
    .where("s.id", "in", ids)
    .execute();
}
