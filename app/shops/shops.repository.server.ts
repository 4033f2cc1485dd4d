/**
 * SQL on `shops` and `shop_customers`. Every query on shop data names the
 * shop, by id or by its public handle.
 */
import { sql, type Insertable, type Kysely } from "kysely";
import type { Database, Shop, ShopsTable } from "../../db/database";

export async function insertShop(db: Kysely<Database>, row: Insertable<ShopsTable>): Promise<Shop> {
  return db.insertInto("shops").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectShopById(db: Kysely<Database>, shopId: string): Promise<Shop | undefined> {
  return db.selectFrom("shops").selectAll().where("id", "=", shopId).executeTakeFirst();
}

export async function selectShopByHandle(db: Kysely<Database>, handle: string): Promise<Shop | undefined> {
  return db.selectFrom("shops").selectAll().where("handle", "=", handle).executeTakeFirst();
}

export async function handleIsTaken(db: Kysely<Database>, handle: string): Promise<boolean> {
  return !!(await db.selectFrom("shops").select("id").where("handle", "=", handle).executeTakeFirst());
}

export async function selectShopsByIds(db: Kysely<Database>, shopIds: string[]): Promise<Shop[]> {
  if (shopIds.length === 0) return [];
  return db.selectFrom("shops").selectAll().where("id", "in", shopIds).execute();
}

/** Replaces one top-level key of `shops.settings` (a jsonb object), leaving the others as they are. */
export async function updateShopSettingsKey(db: Kysely<Database>, shopId: string, key: string, value: unknown, at: Date): Promise<void> {
  await db
    .updateTable("shops")
    .set({ settings: sql<string>`jsonb_set(settings, ARRAY[${key}]::text[], ${JSON.stringify(value)}::jsonb, true)`, updated_at: at })
    .where("id", "=", shopId)
    .execute();
}

export async function updateShopName(db: Kysely<Database>, shopId: string, name: string, at: Date): Promise<void> {
  await db.updateTable("shops").set({ name, updated_at: at }).where("id", "=", shopId).execute();
}

/** Inserts the customer record unless one exists; returns the new id, or undefined if it existed. */
export async function insertShopCustomerOnce(
  db: Kysely<Database>,
  row: { id: string; shop_id: string; user_id: string; email: string; name: string },
): Promise<string | undefined> {
  const inserted = await db
    .insertInto("shop_customers")
    .values(row)
    .onConflict((oc) => oc.columns(["shop_id", "user_id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted?.id;
}

/** One customer record of the shop, by its id. */
export async function selectShopCustomer(
  db: Kysely<Database>,
  shopId: string,
  customerId: string,
): Promise<{ id: string; user_id: string; name: string; email: string; created_at: Date } | undefined> {
  return db
    .selectFrom("shop_customers")
    .select(["id", "user_id", "name", "email", "created_at"])
    .where("shop_id", "=", shopId)
    .where("id", "=", customerId)
    .executeTakeFirst();
}

/** A page of the shop's customer records, newest first (`before`: the last id of the previous page). */
export async function selectShopCustomerPage(
  db: Kysely<Database>,
  shopId: string,
  opts: { before?: string; limit: number },
): Promise<{ id: string; user_id: string; name: string; email: string; created_at: Date }[]> {
  let q = db.selectFrom("shop_customers").select(["id", "user_id", "name", "email", "created_at"]).where("shop_id", "=", shopId);
  if (opts.before) q = q.where("id", "<", opts.before);
  return q.orderBy("id", "desc").limit(opts.limit).execute();
}

export async function selectShopCustomerId(db: Kysely<Database>, shopId: string, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("shop_customers")
    .select("id")
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.id;
}
