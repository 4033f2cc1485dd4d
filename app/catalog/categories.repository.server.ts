/**
 * SQL for `categories`. Every query names the shop.
 */
import type { Kysely, Transaction } from "kysely";
import type { Category, Database } from "../../db/database";

export async function selectCategories(db: Kysely<Database>, shopId: string): Promise<Category[]> {
  return db
    .selectFrom("categories")
    .selectAll()
    .where("shop_id", "=", shopId)
    .orderBy("position")
    .orderBy("id")
    .execute();
}

/**
 * Locks every category of the shop. Tree edits (move, reorder, delete,
 * create under a parent) check depth and cycles against the whole tree, so
 * they run one at a time per shop; a shop has tens of categories, not
 * thousands, so the lock is cheap.
 */
export async function lockCategories(trx: Kysely<Database>, shopId: string): Promise<Category[]> {
  return trx
    .selectFrom("categories")
    .selectAll()
    .where("shop_id", "=", shopId)
    .orderBy("position")
    .orderBy("id")
    .forUpdate()
    .execute();
}

export async function insertCategory(
  trx: Kysely<Database> | Transaction<Database>,
  row: { id: string; shop_id: string; parent_id: string | null; name: string; position: number },
): Promise<Category> {
  return trx
    .insertInto("categories")
    .values({ ...row, updated_at: new Date() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateCategory(
  trx: Kysely<Database>,
  shopId: string,
  id: string,
  patch: { name?: string; parent_id?: string | null; position?: number },
): Promise<void> {
  await trx
    .updateTable("categories")
    .set({ ...patch, updated_at: new Date() })
    .where("shop_id", "=", shopId)
    .where("id", "=", id)
    .execute();
}

export async function deleteCategory(trx: Kysely<Database>, shopId: string, id: string): Promise<void> {
  await trx.deleteFrom("categories").where("shop_id", "=", shopId).where("id", "=", id).execute();
}

/** Products (any status) filed under the category. */
export async function countProductsInCategory(db: Kysely<Database>, shopId: string, categoryId: string): Promise<number> {
  const row = await db
    .selectFrom("products")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("shop_id", "=", shopId)
    .where("category_id", "=", categoryId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
