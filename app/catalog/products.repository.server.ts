/**
 * SQL for `products` and `product_images`. Every query names the shop.
 */
import { sql, type Kysely } from "kysely";
import type { Database, Product, ProductStatus } from "../../db/database";

/** `%`, `_` and `\` match literally in an ILIKE pattern built from user text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function insertProduct(
  trx: Kysely<Database>,
  row: { id: string; shop_id: string; title: string; description: string; status: ProductStatus; category_id: string | null; spec_definitions: string },
): Promise<Product> {
  return trx
    .insertInto("products")
    .values({ ...row, updated_at: new Date() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function selectProduct(db: Kysely<Database>, shopId: string, id: string): Promise<Product | undefined> {
  return db.selectFrom("products").selectAll().where("shop_id", "=", shopId).where("id", "=", id).executeTakeFirst();
}

/**
 * The product row, locked. Product edits lock their SKUs first (see
 * skus.repository), then this row: every writer takes SKU locks before
 * product locks, so edits and reservations cannot deadlock.
 */
export async function lockProduct(trx: Kysely<Database>, shopId: string, id: string): Promise<Product | undefined> {
  return trx.selectFrom("products").selectAll().where("shop_id", "=", shopId).where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updateProductFields(
  trx: Kysely<Database>,
  shopId: string,
  id: string,
  patch: { title?: string; description?: string; status?: ProductStatus; category_id?: string | null; spec_definitions?: string },
): Promise<void> {
  await trx
    .updateTable("products")
    .set({ ...patch, updated_at: new Date() })
    .where("shop_id", "=", shopId)
    .where("id", "=", id)
    .execute();
}

/** Locks those of `ids` that belong to the shop, in the global (byte-wise id) order; resolves to their ids and titles. */
export async function lockProducts(trx: Kysely<Database>, shopId: string, ids: string[]): Promise<{ id: string; title: string; status: ProductStatus }[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom("products")
    .select(["id", "title", "status"])
    .where("shop_id", "=", shopId)
    .where("id", "in", ids)
    .orderBy(sql`id COLLATE "C"`)
    .forUpdate()
    .execute();
}

/** Sets the status of those of `ids` that belong to the shop; returns the ids whose status changed, with the old status. */
export async function updateProductStatuses(
  trx: Kysely<Database>,
  shopId: string,
  ids: string[],
  status: ProductStatus,
): Promise<{ id: string; title: string }[]> {
  if (ids.length === 0) return [];
  return trx
    .updateTable("products")
    .set({ status, updated_at: new Date() })
    .where("shop_id", "=", shopId)
    .where("id", "in", ids)
    .where("status", "!=", status)
    .returning(["id", "title"])
    .execute();
}

export async function selectProductIds(db: Kysely<Database>, shopId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("products").select("id").where("shop_id", "=", shopId).where("id", "in", ids).execute();
  return rows.map((r) => r.id);
}

/**
 * Recomputes min/max price and total stock from the product's active SKUs.
 * Callers hold the locks on all of the product's SKUs, so the sums cannot
 * miss a concurrent change.
 */
export async function syncProductAggregates(trx: Kysely<Database>, shopId: string, productId: string): Promise<void> {
  await sql`
    UPDATE products p SET
      min_price = COALESCE(a.min_price, 0),
      max_price = COALESCE(a.max_price, 0),
      total_stock = COALESCE(a.total_stock, 0),
      updated_at = now()
    FROM (
      SELECT min(price) AS min_price, max(price) AS max_price, sum(stock) AS total_stock
      FROM skus WHERE shop_id = ${shopId} AND product_id = ${productId} AND status = 'active'
    ) a
    WHERE p.shop_id = ${shopId} AND p.id = ${productId}
  `.execute(trx);
}

/**
 * Moves total_stock by `delta`. Reservations use this rather than a
 * recomputation: under READ COMMITTED a re-checked UPDATE sees the latest
 * row, but a subquery would still see its old snapshot of the other SKUs.
 */
export async function addToTotalStock(trx: Kysely<Database>, shopId: string, productId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx
    .updateTable("products")
    .set((eb) => ({ total_stock: eb("total_stock", "+", delta) }))
    .where("shop_id", "=", shopId)
    .where("id", "=", productId)
    .execute();
}

export type AdminProductListRow = Pick<Product, "id" | "title" | "status" | "min_price" | "max_price" | "total_stock" | "updated_at"> & {
  image_id: string | null;
  sku_count: string | number | null;
  category_name: string | null;
};

export async function selectAdminProductPage(
  db: Kysely<Database>,
  shopId: string,
  opts: { search?: string; status?: ProductStatus; after?: string; limit: number },
): Promise<AdminProductListRow[]> {
  let q = db
    .selectFrom("products as p")
    .leftJoin("categories as c", (j) => j.onRef("c.id", "=", "p.category_id").on("c.shop_id", "=", shopId))
    .select(["p.id", "p.title", "p.status", "p.min_price", "p.max_price", "p.total_stock", "p.updated_at", "c.name as category_name"])
    .select((eb) => [
      eb
        .selectFrom("product_images as pi")
        .select("pi.image_id")
        .whereRef("pi.product_id", "=", "p.id")
        .where("pi.shop_id", "=", shopId)
        .orderBy("pi.position")
        .limit(1)
        .as("image_id"),
      eb
        .selectFrom("skus as s")
        .select((e) => e.fn.countAll<string>().as("n"))
        .whereRef("s.product_id", "=", "p.id")
        .where("s.shop_id", "=", shopId)
        .where("s.status", "=", "active")
        .as("sku_count"),
    ])
    .where("p.shop_id", "=", shopId);
  if (opts.status) q = q.where("p.status", "=", opts.status);
  if (opts.search) q = q.where("p.title", "ilike", likePattern(opts.search));
  if (opts.after) q = q.where("p.id", "<", opts.after);
  return q.orderBy("p.id", "desc").limit(opts.limit).execute();
}

export type CardRow = Pick<Product, "id" | "title" | "min_price" | "max_price" | "total_stock" | "category_id"> & {
  image_id: string | null;
  compare_at_price: number | null;
};

/** On-sale products as cards, newest first. */
export async function selectStorefrontCards(
  db: Kysely<Database>,
  shopId: string,
  opts: { categoryIds?: string[]; search?: string; ids?: string[]; after?: string; limit: number },
): Promise<CardRow[]> {
  let q = db
    .selectFrom("products as p")
    .select(["p.id", "p.title", "p.min_price", "p.max_price", "p.total_stock", "p.category_id"])
    .select((eb) => [
      eb
        .selectFrom("product_images as pi")
        .select("pi.image_id")
        .whereRef("pi.product_id", "=", "p.id")
        .where("pi.shop_id", "=", shopId)
        .orderBy("pi.position")
        .limit(1)
        .as("image_id"),
      // The "was" price shown beside the lowest price is that SKU's own compare-at.
      eb
        .selectFrom("skus as s")
        .select("s.compare_at_price")
        .whereRef("s.product_id", "=", "p.id")
        .where("s.shop_id", "=", shopId)
        .where("s.status", "=", "active")
        .orderBy("s.price")
        .orderBy("s.position")
        .limit(1)
        .as("compare_at_price"),
    ])
    .where("p.shop_id", "=", shopId)
    .where("p.status", "=", "on_sale");
  if (opts.categoryIds) q = q.where("p.category_id", "in", opts.categoryIds.length ? opts.categoryIds : ["-"]);
  if (opts.ids) q = q.where("p.id", "in", opts.ids.length ? opts.ids : ["-"]);
  if (opts.search) q = q.where("p.title", "ilike", likePattern(opts.search));
  if (opts.after) q = q.where("p.id", "<", opts.after);
  return q.orderBy("p.id", "desc").limit(opts.limit).execute() as Promise<CardRow[]>;
}

// ---- gallery -------------------------------------------------------------------

export async function selectGallery(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
): Promise<{ image_id: string; position: number; width: number | null; height: number | null }[]> {
  return db
    .selectFrom("product_images as pi")
    .innerJoin("images as i", (j) => j.onRef("i.id", "=", "pi.image_id").on("i.shop_id", "=", shopId))
    .select(["pi.image_id", "pi.position", "i.width", "i.height"])
    .where("pi.shop_id", "=", shopId)
    .where("pi.product_id", "=", productId)
    .orderBy("pi.position")
    .execute();
}

/** Replaces the product's gallery with `imageIds`, in that order. */
export async function replaceGallery(trx: Kysely<Database>, shopId: string, productId: string, imageIds: string[]): Promise<void> {
  await trx.deleteFrom("product_images").where("shop_id", "=", shopId).where("product_id", "=", productId).execute();
  if (imageIds.length === 0) return;
  await trx
    .insertInto("product_images")
    .values(imageIds.map((image_id, position) => ({ shop_id: shopId, product_id: productId, image_id, position })))
    .execute();
}
