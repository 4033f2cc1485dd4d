/**
 * The two questions the shelf editor asks the catalog before it saves a
 * reference: is this product / category one of this shop's? Answered through
 * the catalog's public API only.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { getAdminProduct, listCategories, listStorefrontProducts, type CategoryNode } from "../catalog/index.server";
import { isAppError } from "../lib/errors";

/**
 * The shop's product (any status: a merchant may place a product before it
 * goes on sale; the storefront shows it only once it is), or null.
 */
export async function findProductForShelf(db: Kysely<Database>, shopId: string, productId: string): Promise<{ id: string; title: string } | null> {
  try {
    const p = await getAdminProduct(db, shopId, productId);
    return { id: p.id, title: p.title };
  } catch (e) {
    if (isAppError(e) && e.kind === "not_found") return null;
    throw e;
  }
}

function findNode(nodes: CategoryNode[], id: string): CategoryNode | null {
  for (const n of nodes) {
    if (n.id === id) return n;
    const child = findNode(n.children, id);
    if (child) return child;
  }
  return null;
}

/** The shop's category, or null. */
export async function findCategory(db: Kysely<Database>, shopId: string, categoryId: string): Promise<{ id: string; name: string } | null> {
  const node = findNode(await listCategories(db, shopId), categoryId);
  return node ? { id: node.id, name: node.name } : null;
}

/** A product placed on a shelf, as the editor lists it. */
export type PlacedProduct = { id: string; title: string; imageId: string | null; minPrice: number; state: "on_sale" | "hidden" | "missing" };

/**
 * What the editor shows for the products a draft references: on-sale ones
 * in one query; the few that are not (draft, off sale, deleted) one by one,
 * so the merchant sees why a product will not show.
 */
export async function describePlacedProducts(db: Kysely<Database>, shopId: string, ids: string[]): Promise<Record<string, PlacedProduct>> {
  const unique = [...new Set(ids)];
  const out: Record<string, PlacedProduct> = {};
  if (unique.length === 0) return out;
  const { items } = await listStorefrontProducts(db, shopId, { ids: unique });
  for (const c of items) out[c.id] = { id: c.id, title: c.title, imageId: c.imageId, minPrice: c.minPrice, state: "on_sale" };
  const rest = unique.filter((id) => !out[id]);
  const admin = await Promise.all(rest.map((id) => getAdminProduct(db, shopId, id).catch((e) => (isAppError(e) && e.kind === "not_found" ? null : Promise.reject(e)))));
  rest.forEach((id, i) => {
    const p = admin[i];
    out[id] = p
      ? { id, title: p.title, imageId: p.images[0]?.id ?? null, minPrice: p.minPrice, state: "hidden" }
      : { id, title: "Deleted product", imageId: null, minPrice: 0, state: "missing" };
  });
  return out;
}

/** Categories as `<option>`s, children indented under their parents. */
export async function categoryOptions(db: Kysely<Database>, shopId: string): Promise<{ id: string; label: string }[]> {
  const out: { id: string; label: string }[] = [];
  const walk = (nodes: CategoryNode[], depth: number) => {
    for (const n of nodes) {
      out.push({ id: n.id, label: `${"— ".repeat(depth)}${n.name}` });
      walk(n.children, depth + 1);
    }
  };
  walk(await listCategories(db, shopId), 0);
  return out;
}
