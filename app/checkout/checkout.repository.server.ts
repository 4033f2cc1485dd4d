/**
 * SQL on the checkout tables: addresses (a buyer's own, so every query names
 * the user), quotes and idempotency keys (every query names the shop and
 * the buyer). Also the one read of a cart's attributes, which the cart
 * module (app/cart) does not expose yet.
 */
import { sql, type Insertable, type Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { AddressRow, AddressesTable, CheckoutQuotesTable, QuoteRow } from "../../db/tables/checkout";

// ---- addresses ---------------------------------------------------------------------

export async function selectAddresses(db: Kysely<Database>, userId: string): Promise<AddressRow[]> {
  return db.selectFrom("addresses").selectAll().where("user_id", "=", userId).orderBy("is_default", "desc").orderBy("created_at").orderBy("id").execute();
}

export async function selectAddress(db: Kysely<Database>, userId: string, addressId: string): Promise<AddressRow | undefined> {
  return db.selectFrom("addresses").selectAll().where("user_id", "=", userId).where("id", "=", addressId).executeTakeFirst();
}

/** Locks the buyer's address rows (in id order), so two tabs changing defaults queue up. */
export async function lockAddresses(trx: Kysely<Database>, userId: string): Promise<AddressRow[]> {
  return trx.selectFrom("addresses").selectAll().where("user_id", "=", userId).orderBy("id").forUpdate().execute();
}

export async function insertAddress(db: Kysely<Database>, row: Insertable<AddressesTable>): Promise<void> {
  await db.insertInto("addresses").values(row).execute();
}

export async function updateAddress(
  db: Kysely<Database>,
  userId: string,
  addressId: string,
  patch: { recipient: string; phone: string; region: string; street: string; postal_code: string; updated_at: Date },
): Promise<boolean> {
  const r = await db.updateTable("addresses").set(patch).where("user_id", "=", userId).where("id", "=", addressId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Makes one address the default: clears the old default first (the partial unique index allows one). */
export async function setDefaultAddress(db: Kysely<Database>, userId: string, addressId: string, at: Date): Promise<void> {
  await db.updateTable("addresses").set({ is_default: false, updated_at: at }).where("user_id", "=", userId).where("is_default", "=", true).where("id", "!=", addressId).execute();
  await db.updateTable("addresses").set({ is_default: true, updated_at: at }).where("user_id", "=", userId).where("id", "=", addressId).execute();
}

export async function deleteAddress(db: Kysely<Database>, userId: string, addressId: string): Promise<boolean> {
  const r = await db.deleteFrom("addresses").where("user_id", "=", userId).where("id", "=", addressId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- quotes --------------------------------------------------------------------------

export async function insertQuote(db: Kysely<Database>, row: Insertable<CheckoutQuotesTable>): Promise<void> {
  await db.insertInto("checkout_quotes").values(row).execute();
}

export async function selectQuote(db: Kysely<Database>, shopId: string, userId: string, quoteId: string): Promise<QuoteRow | undefined> {
  return db
    .selectFrom("checkout_quotes")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .where("id", "=", quoteId)
    .executeTakeFirst();
}

/** The quote an order was placed from (for a replayed submit's answer). */
export async function selectQuoteOfOrder(db: Kysely<Database>, shopId: string, userId: string, orderId: string): Promise<QuoteRow | undefined> {
  return db
    .selectFrom("checkout_quotes")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .where("order_id", "=", orderId)
    .executeTakeFirst();
}

/** Marks the quote used by `orderId`; false when it was already used (by another submit). */
export async function consumeQuote(trx: Kysely<Database>, shopId: string, userId: string, quoteId: string, orderId: string, at: Date): Promise<boolean> {
  const r = await trx
    .updateTable("checkout_quotes")
    .set({ consumed_at: at, order_id: orderId })
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .where("id", "=", quoteId)
    .where("consumed_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---- idempotency keys ------------------------------------------------------------------

/**
 * Claims the submit key for a new order. A concurrent transaction holding
 * the same key makes this wait on the primary key until it commits (then
 * nothing is inserted) or rolls back (then this insert wins). Resolves to
 * whether this call claimed it.
 */
export async function claimIdempotencyKey(
  trx: Kysely<Database>,
  row: { shop_id: string; user_id: string; key: string; quote_id: string; order_id: string },
): Promise<boolean> {
  const inserted = await trx
    .insertInto("checkout_idempotency_keys")
    .values(row)
    .onConflict((oc) => oc.columns(["shop_id", "user_id", "key"]).doNothing())
    .returning("order_id")
    .executeTakeFirst();
  return !!inserted;
}

/**
 * {@link claimIdempotencyKey} and {@link consumeQuote} in one statement (one
 * round trip): the quote is marked used only if this call claimed the key.
 * A concurrent transaction holding the same key makes it wait on the key's
 * primary key, as the separate insert would.
 */
export async function claimKeyAndConsumeQuote(
  trx: Kysely<Database>,
  row: { shop_id: string; user_id: string; key: string; quote_id: string; order_id: string; at: Date },
): Promise<{ claimed: boolean; consumed: boolean }> {
  const r = await sql<{ claimed: boolean; consumed: boolean }>`
    WITH claimed AS (
      INSERT INTO checkout_idempotency_keys (shop_id, user_id, key, quote_id, order_id)
      VALUES (${row.shop_id}, ${row.user_id}, ${row.key}, ${row.quote_id}, ${row.order_id})
      ON CONFLICT (shop_id, user_id, key) DO NOTHING
      RETURNING 1
    ), consumed AS (
      UPDATE checkout_quotes SET consumed_at = ${row.at}, order_id = ${row.order_id}
      WHERE shop_id = ${row.shop_id} AND user_id = ${row.user_id} AND id = ${row.quote_id} AND consumed_at IS NULL
        AND EXISTS (SELECT 1 FROM claimed)
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, EXISTS (SELECT 1 FROM consumed) AS consumed`.execute(trx);
  const out = r.rows[0];
  return { claimed: !!out?.claimed, consumed: !!out?.consumed };
}

export async function selectIdempotentOrderId(db: Kysely<Database>, shopId: string, userId: string, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("checkout_idempotency_keys")
    .select("order_id")
    .where("shop_id", "=", shopId)
    .where("user_id", "=", userId)
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.order_id;
}

// ---- carts (read only) -------------------------------------------------------------------

/** The attributes of the buyer's cart in this shop (coupon code, "use my points"), `{}` without a cart. */
export async function selectCartAttributes(db: Kysely<Database>, shopId: string, userId: string): Promise<Record<string, unknown>> {
  const row = await db.selectFrom("carts").select("attributes").where("shop_id", "=", shopId).where("user_id", "=", userId).executeTakeFirst();
  return row?.attributes ?? {};
}
