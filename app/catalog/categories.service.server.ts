/**
 * The category tree of a shop: at most three levels, siblings in the
 * merchant's order, names unique among siblings (ignoring case). A category
 * can only be deleted once it has no subcategories and no products. Tree
 * edits lock the shop's categories, so two concurrent moves cannot build a
 * cycle or a fourth level between them.
 */
import type { Kysely } from "kysely";
import type { Category, Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { CategoryForm, CategoryId, CategoryName, MAX_CATEGORY_DEPTH, type CategoryNode } from "./catalog.schema";
import {
  countProductsInCategory,
  deleteCategory as deleteCategoryRow,
  insertCategory,
  lockCategories,
  selectCategories,
  updateCategory,
} from "./categories.repository.server";
import { inTransaction, invalid, parseInput, type CatalogActor } from "./internal.server";

/** Builds the tree from flat rows (already in position order). */
export function buildTree(rows: Pick<Category, "id" | "name" | "parent_id">[]): CategoryNode[] {
  const nodes = new Map<string, CategoryNode>();
  for (const r of rows) nodes.set(r.id, { id: r.id, name: r.name, parentId: r.parent_id, children: [] });
  const roots: CategoryNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/**
 * The shop's categories as a tree, siblings in the merchant's order.
 *
 * @example
 * const tree = await listCategories(db, shop.id);
 * // [{ id: "cat_…", name: "Tea", parentId: null, children: [{ id: "cat_…", name: "Green", parentId: "cat_…", children: [] }] }]
 */
export async function listCategories(db: Kysely<Database>, shopId: string): Promise<CategoryNode[]> {
  return buildTree(await selectCategories(db, shopId));
}

/** The category and all below it: what a category page lists products from. */
export async function categoryWithDescendants(db: Kysely<Database>, shopId: string, categoryId: string): Promise<string[]> {
  const rows = await selectCategories(db, shopId);
  if (!rows.some((r) => r.id === categoryId)) return [];
  const out = [categoryId];
  for (let i = 0; i < out.length; i++) for (const r of rows) if (r.parent_id === out[i]) out.push(r.id);
  return out;
}

/** Whether `categoryId` is one of the shop's categories (for product forms). */
export async function categoryExists(db: Kysely<Database>, shopId: string, categoryId: string): Promise<boolean> {
  return (await selectCategories(db, shopId)).some((r) => r.id === categoryId);
}

/** Depth of a category: 1 for a top-level one. */
function depthOf(rows: Category[], id: string): number {
  const byId = new Map(rows.map((r) => [r.id, r]));
  let depth = 0;
  for (let cur = byId.get(id); cur; cur = cur.parent_id ? byId.get(cur.parent_id) : undefined) depth++;
  return depth;
}

/** Levels in the subtree under and including `id`: 1 for a leaf. */
function heightOf(rows: Category[], id: string): number {
  const children = rows.filter((r) => r.parent_id === id);
  return 1 + Math.max(0, ...children.map((c) => heightOf(rows, c.id)));
}

function findOr404(rows: Category[], id: string): Category {
  const row = rows.find((r) => r.id === id);
  if (!row) throw new AppError("not_found", "Category not found");
  return row;
}

function assertNameFree(rows: Category[], parentId: string | null, name: string, exceptId?: string): void {
  const taken = rows.some((r) => r.parent_id === parentId && r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase());
  if (taken) throw invalid({ name: [`There is already a category "${name}" here`] });
}

function nextPosition(rows: Category[], parentId: string | null): number {
  return 1 + Math.max(-1, ...rows.filter((r) => r.parent_id === parentId).map((r) => r.position));
}

/**
 * Adds a category at the end of its parent's list (or of the top level).
 * 400 with `name` / `parentId` field errors; a parent from another shop is
 * a 404 like a missing one.
 *
 * @example
 * const tea = await createCategory(trx, shopId, { type: "user", id: userId }, { name: "Tea" });
 * await createCategory(trx, shopId, actor, { name: "Green tea", parentId: tea.id });
 */
export async function createCategory(
  db: Kysely<Database>,
  shopId: string,
  actor: CatalogActor,
  input: { name: string; parentId?: string | null },
): Promise<CategoryNode> {
  const data = parseInput(CategoryForm, input);
  return inTransaction(db, async (trx) => {
    const rows = await lockCategories(trx, shopId);
    if (data.parentId) {
      findOr404(rows, data.parentId);
      if (depthOf(rows, data.parentId) >= MAX_CATEGORY_DEPTH) {
        throw invalid({ parentId: [`Categories go at most ${MAX_CATEGORY_DEPTH} levels deep; choose a higher parent`] });
      }
    }
    assertNameFree(rows, data.parentId, data.name);
    const row = await insertCategory(trx, {
      id: newId("cat"),
      shop_id: shopId,
      parent_id: data.parentId,
      name: data.name,
      position: nextPosition(rows, data.parentId),
    });
    await record(trx, actor, "category.created", { shopId, type: "category", id: row.id }, { name: row.name, parentId: row.parent_id });
    return { id: row.id, name: row.name, parentId: row.parent_id, children: [] };
  });
}

/** Renames a category (unique among its siblings). */
export async function renameCategory(db: Kysely<Database>, shopId: string, actor: CatalogActor, id: string, name: string): Promise<void> {
  const categoryId = parseInput(CategoryId, id, "id");
  const newName = parseInput(CategoryName, name, "name");
  await inTransaction(db, async (trx) => {
    const rows = await lockCategories(trx, shopId);
    const row = findOr404(rows, categoryId);
    assertNameFree(rows, row.parent_id, newName, row.id);
    await updateCategory(trx, shopId, row.id, { name: newName });
    await record(trx, actor, "category.renamed", { shopId, type: "category", id: row.id }, { from: row.name, to: newName });
  });
}

/**
 * Moves a category (with everything under it) under another parent, or to
 * the top level with `parentId: null`; it goes to the end of the new
 * parent's list. Refuses moving a category into itself or its own subtree,
 * and moves that would make the tree deeper than three levels.
 */
export async function moveCategory(
  db: Kysely<Database>,
  shopId: string,
  actor: CatalogActor,
  id: string,
  parentId: string | null,
): Promise<void> {
  const categoryId = parseInput(CategoryId, id, "id");
  const newParent = parentId === null || parentId === "" ? null : parseInput(CategoryId, parentId, "parentId");
  await inTransaction(db, async (trx) => {
    const rows = await lockCategories(trx, shopId);
    const row = findOr404(rows, categoryId);
    if (newParent) {
      findOr404(rows, newParent);
      // Walking up from the new parent must never reach the category itself.
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (let cur = byId.get(newParent); cur; cur = cur.parent_id ? byId.get(cur.parent_id) : undefined) {
        if (cur.id === row.id) throw invalid({ parentId: ["A category cannot go inside itself or one of its subcategories"] });
      }
      if (depthOf(rows, newParent) + heightOf(rows, row.id) > MAX_CATEGORY_DEPTH) {
        throw invalid({ parentId: [`That would make the tree deeper than ${MAX_CATEGORY_DEPTH} levels`] });
      }
    }
    if (row.parent_id === newParent) return;
    assertNameFree(rows, newParent, row.name, row.id);
    await updateCategory(trx, shopId, row.id, { parent_id: newParent, position: nextPosition(rows, newParent) });
    await record(trx, actor, "category.moved", { shopId, type: "category", id: row.id }, { from: row.parent_id, to: newParent });
  });
}

/** Swaps a category with its previous ("up") or next ("down") sibling; at either end it is a no-op. */
export async function reorderCategory(
  db: Kysely<Database>,
  shopId: string,
  actor: CatalogActor,
  id: string,
  direction: "up" | "down",
): Promise<void> {
  const categoryId = parseInput(CategoryId, id, "id");
  await inTransaction(db, async (trx) => {
    const rows = await lockCategories(trx, shopId);
    const row = findOr404(rows, categoryId);
    const siblings = rows.filter((r) => r.parent_id === row.parent_id); // already in position order
    const at = siblings.findIndex((r) => r.id === row.id);
    const other = siblings[direction === "up" ? at - 1 : at + 1];
    if (!other) return;
    // Renumber the whole sibling list: positions may have gaps or ties after moves.
    const order = siblings.map((r) => r.id);
    [order[at], order[siblings.indexOf(other)]] = [other.id, row.id];
    for (const [position, sid] of order.entries()) {
      if (rows.find((r) => r.id === sid)!.position !== position) await updateCategory(trx, shopId, sid, { position });
    }
    await record(trx, actor, "category.reordered", { shopId, type: "category", id: row.id }, { direction });
  });
}

/** Deletes a category that has no subcategories and no products (409 otherwise, saying which). */
export async function deleteCategory(db: Kysely<Database>, shopId: string, actor: CatalogActor, id: string): Promise<void> {
  const categoryId = parseInput(CategoryId, id, "id");
  await inTransaction(db, async (trx) => {
    const rows = await lockCategories(trx, shopId);
    const row = findOr404(rows, categoryId);
    const children = rows.filter((r) => r.parent_id === row.id).length;
    if (children > 0) {
      throw new AppError("conflict", `"${row.name}" has ${children} subcategor${children === 1 ? "y" : "ies"}; move or delete them first.`, {
        code: "category_not_empty",
      });
    }
    const products = await countProductsInCategory(trx, shopId, row.id);
    if (products > 0) {
      throw new AppError("conflict", `"${row.name}" still has ${products} product${products === 1 ? "" : "s"}; move them to another category first.`, {
        code: "category_not_empty",
      });
    }
    try {
      await deleteCategoryRow(trx, shopId, row.id);
    } catch (e) {
      // A product was filed under it by a transaction that committed after the count.
      if ((e as { code?: unknown })?.code === "23503") {
        throw new AppError("conflict", `"${row.name}" just got a product; move it to another category first.`, { code: "category_not_empty" });
      }
      throw e;
    }
    await record(trx, actor, "category.deleted", { shopId, type: "category", id: row.id }, { name: row.name });
  });
}
