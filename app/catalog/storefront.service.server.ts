/**
 * The catalog as buyers (and the cart) see it: only on-sale products, only
 * active SKUs, descriptions already sanitized. Read-only.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { AppError } from "../lib/errors";
import { PRODUCT_PAGE_SIZE, ProductId, SkuId, type CartSku, type ProductCard, type StorefrontProduct } from "./catalog.schema";
import { categoryWithDescendants } from "./categories.service.server";
import { renderDescription } from "./description.server";
import { selectGallery, selectProduct, selectStorefrontCards, type CardRow } from "./products.repository.server";
import { selectSkusOfProduct, selectSkusWithProducts } from "./skus.repository.server";
import { specLabel } from "./specs";

/** At most this many ids per `ids` lookup (a shelf section holds 20–30). */
const MAX_IDS = 100;
const MAX_LIMIT = 100;

function toCard(r: CardRow): ProductCard {
  return {
    id: r.id,
    title: r.title,
    minPrice: r.min_price,
    maxPrice: r.max_price,
    compareAtPrice: r.compare_at_price !== null && r.compare_at_price > r.min_price ? r.compare_at_price : null,
    imageId: r.image_id,
    soldOut: r.total_stock <= 0,
  };
}

export type StorefrontListOptions = {
  /** the category and its subcategories */
  categoryId?: string;
  /** title contains (case-insensitive) */
  search?: string;
  /** exactly these products, in this order (those not on sale are skipped); `limit` and `after` do not apply */
  ids?: string[];
  /** page size, 1–100 (default 25) */
  limit?: number;
  /** the previous page's `nextCursor` */
  after?: string;
};

/**
 * On-sale products as cards, newest first, a page at a time — or, with
 * `ids`, exactly those products in that order (for shelves), skipping any
 * that are not on sale or not in the shop. An invalid cursor is a 400.
 *
 * @example
 * const { items, nextCursor } = await listStorefrontProducts(db, shop.id, { categoryId, limit: 20 });
 * const picked = await listStorefrontProducts(db, shop.id, { ids: section.productIds });
 */
export async function listStorefrontProducts(
  db: Kysely<Database>,
  shopId: string,
  opts: StorefrontListOptions = {},
): Promise<{ items: ProductCard[]; nextCursor: string | null }> {
  if (opts.ids) {
    const ids = [...new Set(opts.ids)].filter((id) => ProductId.safeParse(id).success).slice(0, MAX_IDS);
    if (ids.length === 0) return { items: [], nextCursor: null };
    const rows = await selectStorefrontCards(db, shopId, { ids, limit: ids.length });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { items: ids.flatMap((id) => (byId.has(id) ? [toCard(byId.get(id)!)] : [])), nextCursor: null };
  }
  const limit = opts.limit ?? PRODUCT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new AppError("bad_request", `limit must be 1–${MAX_LIMIT}`);
  if (opts.after !== undefined && !ProductId.safeParse(opts.after).success) {
    throw new AppError("bad_request", "Invalid page cursor", { fieldErrors: { after: ["Not a valid cursor"] } });
  }
  let categoryIds: string[] | undefined;
  if (opts.categoryId !== undefined) {
    categoryIds = await categoryWithDescendants(db, shopId, opts.categoryId);
    if (categoryIds.length === 0) return { items: [], nextCursor: null };
  }
  const search = opts.search?.trim().slice(0, 100) || undefined;
  const rows = await selectStorefrontCards(db, shopId, { categoryIds, search, after: opts.after, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toCard);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
}

/**
 * An on-sale product's page data, or null (not found, other shop, draft or
 * off sale). `descriptionHtml` is sanitized (see `renderDescription`).
 *
 * @example
 * const product = await getStorefrontProduct(db, shop.id, params.productId);
 * if (!product) throw new AppError("not_found", "Product not found");
 */
export async function getStorefrontProduct(db: Kysely<Database>, shopId: string, productId: string): Promise<StorefrontProduct | null> {
  if (!ProductId.safeParse(productId).success) return null;
  const product = await selectProduct(db, shopId, productId);
  if (!product || product.status !== "on_sale") return null;
  const [skus, gallery] = await Promise.all([selectSkusOfProduct(db, shopId, productId), selectGallery(db, shopId, productId)]);
  return {
    id: product.id,
    title: product.title,
    descriptionHtml: renderDescription(product.description),
    categoryId: product.category_id,
    images: gallery.map((g) => g.image_id),
    specs: product.spec_definitions,
    skus: skus
      .filter((s) => s.status === "active")
      .map((s) => ({ id: s.id, specValues: s.spec_values, price: s.price, compareAtPrice: s.compare_at_price, stock: s.stock })),
  };
}

/**
 * The cart's view of SKUs, whatever their status, in the order asked (ids
 * that are not the shop's SKUs are left out). `available` is false when
 * the SKU was archived or its product is not on sale, so the cart can flag
 * the line; prices are the catalog's current ones.
 *
 * @example
 * const skus = await getSkusForCart(db, shop.id, cart.lines.map((l) => l.skuId));
 */
export async function getSkusForCart(db: Kysely<Database>, shopId: string, skuIds: string[]): Promise<CartSku[]> {
  const ids = [...new Set(skuIds)].filter((id) => SkuId.safeParse(id).success);
  if (ids.length === 0) return [];
  const rows = await selectSkusWithProducts(db, shopId, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        skuId: r.id,
        productId: r.product_id,
        title: r.title,
        specValues: r.spec_values,
        specLabel: specLabel(r.spec_values),
        price: r.price,
        stock: r.stock,
        imageId: r.image_id,
        available: r.status === "active" && r.product_status === "on_sale",
        categoryId: r.category_id,
      },
    ];
  });
}
