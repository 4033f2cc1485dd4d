/**
 * SQL for the cart's tables (carts, cart_lines). Every query names the shop.
 * A cart is found by its owner (a user id, one cart per shop) or by the
 * SHA-256 of a guest's cookie token — never by the token itself.
 */
import type { Kysely } from "kysely";
import type { Cart, CartLine, Database } from "../../db/database";

export type CartRow = Cart;
export type CartLineRow = CartLine;

export type CartOwner = { userId: string } | { guestTokenHash: string };

export async function selectCart(db: Kysely<Database>, shopId: string, owner: CartOwner, opts: { lock?: boolean } = {}): Promise<CartRow | undefined> {
  let q = db.selectFrom("carts").selectAll().where("shop_id", "=", shopId);
  q = "userId" in owner ? q.where("user_id", "=", owner.userId) : q.where("guest_token_hash", "=", owner.guestTokenHash);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Locks carts by id, in id order, so two transactions locking the same pair can never deadlock. */
export async function lockCarts(trx: Kysely<Database>, shopId: string, cartIds: string[]): Promise<void> {
  if (cartIds.length === 0) return;
  await trx
    .selectFrom("carts")
    .select("id")
    .where("shop_id", "=", shopId)
    .where("id", "in", cartIds)
    .orderBy("id")
    .forUpdate()
    .execute();
}

/**
 * Creates the owner's cart unless it exists (the unique indexes on the user
 * per shop and on the token hash make a concurrent second insert a no-op).
 */
export async function insertCartIfMissing(db: Kysely<Database>, row: { id: string; shop_id: string; owner: CartOwner; now: Date }): Promise<void> {
  const values = {
    id: row.id,
    shop_id: row.shop_id,
    user_id: "userId" in row.owner ? row.owner.userId : null,
    guest_token_hash: "guestTokenHash" in row.owner ? row.owner.guestTokenHash : null,
    attributes: "{}",
    updated_at: row.now,
  };
  if ("userId" in row.owner) {
    await db
      .insertInto("carts")
      .values(values)
      .onConflict((oc) => oc.columns(["shop_id", "user_id"]).where("user_id", "is not", null).doNothing())
      .execute();
  } else {
    await db
      .insertInto("carts")
      .values(values)
      .onConflict((oc) => oc.column("guest_token_hash").doNothing())
      .execute();
  }
}

export async function touchCart(db: Kysely<Database>, shopId: string, cartId: string, now: Date): Promise<void> {
  await db.updateTable("carts").set({ updated_at: now }).where("shop_id", "=", shopId).where("id", "=", cartId).execute();
}

export async function deleteCart(db: Kysely<Database>, shopId: string, cartId: string): Promise<void> {
  // Lines go with it (ON DELETE CASCADE), but deleting them by shop first keeps every statement tenant-scoped.
  await db.deleteFrom("cart_lines").where("shop_id", "=", shopId).where("cart_id", "=", cartId).execute();
  await db.deleteFrom("carts").where("shop_id", "=", shopId).where("id", "=", cartId).execute();
}

/** A cart's lines, oldest first (the order the buyer added them). */
export async function selectCartLines(db: Kysely<Database>, shopId: string, cartId: string): Promise<CartLineRow[]> {
  return db
    .selectFrom("cart_lines")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("cart_id", "=", cartId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export async function selectCartLine(db: Kysely<Database>, shopId: string, cartId: string, skuId: string): Promise<CartLineRow | undefined> {
  return db
    .selectFrom("cart_lines")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("cart_id", "=", cartId)
    .where("sku_id", "=", skuId)
    .executeTakeFirst();
}

export async function countCartLines(db: Kysely<Database>, shopId: string, cartId: string): Promise<number> {
  const row = await db
    .selectFrom("cart_lines")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("shop_id", "=", shopId)
    .where("cart_id", "=", cartId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sets the quantity of a SKU in a cart, adding the line if it is new. */
export async function upsertCartLine(
  db: Kysely<Database>,
  row: { id: string; shop_id: string; cart_id: string; sku_id: string; quantity: number; now: Date },
): Promise<void> {
  await db
    .insertInto("cart_lines")
    .values({ id: row.id, shop_id: row.shop_id, cart_id: row.cart_id, sku_id: row.sku_id, quantity: row.quantity, updated_at: row.now })
    .onConflict((oc) => oc.columns(["cart_id", "sku_id"]).doUpdateSet({ quantity: row.quantity, updated_at: row.now }))
    .execute();
}

export async function deleteCartLine(db: Kysely<Database>, shopId: string, cartId: string, skuId: string): Promise<boolean> {
  const r = await db
    .deleteFrom("cart_lines")
    .where("shop_id", "=", shopId)
    .where("cart_id", "=", cartId)
    .where("sku_id", "=", skuId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Units in the carts of these owners (the header's badge), in one query.
 * A signed-in buyer who still has a guest cookie sees both until they merge.
 */
export async function sumCartQuantities(db: Kysely<Database>, shopId: string, owners: CartOwner[]): Promise<number> {
  if (owners.length === 0) return 0;
  const userIds = owners.flatMap((o) => ("userId" in o ? [o.userId] : []));
  const hashes = owners.flatMap((o) => ("guestTokenHash" in o ? [o.guestTokenHash] : []));
  const row = await db
    .selectFrom("cart_lines as l")
    .innerJoin("carts as c", (j) => j.onRef("c.id", "=", "l.cart_id").onRef("c.shop_id", "=", "l.shop_id"))
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string | number>("l.quantity"), eb.lit(0)).as("n"))
    .where("l.shop_id", "=", shopId)
    .where((eb) =>
      eb.or([
        ...(userIds.length ? [eb("c.user_id", "in", userIds)] : []),
        ...(hashes.length ? [eb("c.guest_token_hash", "in", hashes)] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
