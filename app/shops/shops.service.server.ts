/**
 * Shops: opening one (its creator becomes the owner), reading them, their
 * settings, and the buyer records a shop keeps (`shop_customers`).
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, Shop } from "../../db/database";
import { addShopMember, listMembershipsOfUser, type MemberRole } from "../accounts/index.server";
import { record } from "../audit/index.server";
import { AppError, fieldErrorsFromZod } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  handleIsTaken,
  insertShop,
  insertShopCustomerOnce,
  selectShopByHandle,
  selectShopById,
  selectShopCustomer,
  selectShopCustomerId,
  selectShopCustomerPage,
  selectShopsByIds,
  updateShopName,
  updateShopSettingsKey,
} from "./shops.repository.server";
import { CreateShopForm, HANDLE_PATTERN, ShopSettingsForm, type ShopView } from "./shops.schema";

/** Runs `fn` in a transaction, or in the caller's when `db` already is one (Kysely cannot nest them). */
function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(result.error.issues) });
  }
  return result.data;
}

function toShopView(row: Shop): ShopView {
  return {
    id: row.id,
    handle: row.handle,
    name: row.name,
    currency: row.currency,
    settings: row.settings ?? {},
    isDevelopment: row.is_development,
    status: row.status,
    createdAt: new Date(row.created_at),
  };
}

const HANDLE_TAKEN = "That handle is taken. Try another one.";

export type CreateShopInput = {
  ownerId: string;
  name: string;
  handle: string;
  /** ISO 4217 from the supported list; CNY when left out */
  currency?: string;
  /** a developer's test shop (the marketplace creates these) */
  isDevelopment?: boolean;
};

/**
 * Opens a shop and makes `ownerId` its owner, in one transaction with its
 * audit row. A taken or malformed handle is a 400 with a field error.
 *
 * @example
 * const shop = await createShop(trx, { ownerId: user.id, name: "Tea House", handle: "tea-house", currency: "CNY" });
 */
export async function createShop(db: Kysely<Database>, input: CreateShopInput): Promise<ShopView> {
  const data = parseInput(CreateShopForm, input);
  return inTransaction(db, async (trx) => {
    if (await handleIsTaken(trx, data.handle)) {
      throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { handle: [HANDLE_TAKEN] } });
    }
    const now = new Date();
    let row: Shop;
    try {
      row = await insertShop(trx, {
        id: newId("shp"),
        handle: data.handle,
        name: data.name,
        currency: data.currency,
        settings: "{}",
        is_development: input.isDevelopment ?? false,
        updated_at: now,
      });
    } catch (e) {
      // Two shops with one handle raced past the check above.
      if ((e as { code?: unknown })?.code === "23505") {
        throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { handle: [HANDLE_TAKEN] } });
      }
      throw e;
    }
    await addShopMember(trx, { shopId: row.id, userId: input.ownerId, role: "owner" });
    await record(trx, { type: "user", id: input.ownerId }, "shop.created", { shopId: row.id, type: "shop", id: row.id }, {
      handle: row.handle,
      name: row.name,
      currency: row.currency,
      isDevelopment: row.is_development,
    });
    return toShopView(row);
  });
}

/**
 * Opens a shop from the public form: only name, handle and currency are
 * read from it (never `isDevelopment`).
 */
export async function openShop(db: Kysely<Database>, owner: { id: string }, form: unknown): Promise<ShopView> {
  const fields = (typeof form === "object" && form !== null ? form : {}) as Record<string, unknown>;
  const currency = fields.currency === "" ? undefined : fields.currency;
  return createShop(db, { ownerId: owner.id, name: fields.name as string, handle: fields.handle as string, currency: currency as string | undefined });
}

/** A shop by id, or null. */
export async function getShop(db: Kysely<Database>, shopId: string): Promise<ShopView | null> {
  const row = await selectShopById(db, shopId);
  return row ? toShopView(row) : null;
}

/** A shop by its public handle (the storefront's /s/:handle), or null. */
export async function getShopByHandle(db: Kysely<Database>, handle: string): Promise<ShopView | null> {
  const normalised = handle.trim().toLowerCase();
  if (!HANDLE_PATTERN.test(normalised)) return null;
  const row = await selectShopByHandle(db, normalised);
  return row ? toShopView(row) : null;
}

/** The shops a user works in, with their role, in the order they joined. */
export async function listShopsForUser(db: Kysely<Database>, userId: string): Promise<(ShopView & { role: MemberRole })[]> {
  const memberships = await listMembershipsOfUser(db, userId);
  const shops = new Map((await selectShopsByIds(db, memberships.map((m) => m.shopId))).map((s) => [s.id, s]));
  return memberships.flatMap((m) => {
    const shop = shops.get(m.shopId);
    return shop ? [{ ...toShopView(shop), role: m.role }] : [];
  });
}

/** Saves the owner's changes to the shop's settings (the name, for now). */
export async function updateShopSettings(db: Kysely<Database>, actor: { id: string }, shop: ShopView, input: unknown): Promise<void> {
  const data = parseInput(ShopSettingsForm, input);
  if (data.name === shop.name) return;
  await inTransaction(db, async (trx) => {
    await updateShopName(trx, shop.id, data.name, new Date());
    await record(trx, { type: "user", id: actor.id }, "shop.updated", { shopId: shop.id, type: "shop", id: shop.id }, {
      name: { from: shop.name, to: data.name },
    });
  });
}

/**
 * Saves one section of the shop's settings (`settings[section] = value`),
 * with an audit row. Other modules own the shape of their section and
 * validate it before calling (checkout: `freight`; orders: `orders`).
 *
 * @example
 * await setShopSettingsSection(db, { id: user.id }, shop.id, "freight", { mode: "flat", amount: 1000 });
 */
export async function setShopSettingsSection(db: Kysely<Database>, actor: { id: string }, shopId: string, section: string, value: unknown): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(section)) throw new Error(`shops: invalid settings section ${JSON.stringify(section)}`);
  await inTransaction(db, async (trx) => {
    const before = await selectShopById(trx, shopId);
    if (!before) throw new AppError("not_found", "Shop not found");
    await updateShopSettingsKey(trx, shopId, section, value, new Date());
    await record(trx, { type: "user", id: actor.id }, "shop.settings_updated", { shopId, type: "shop", id: shopId }, {
      section,
      from: (before.settings ?? {})[section] ?? null,
      to: value,
    });
  });
}

/** A customer record of the shop (a buyer's record there), or null. */
export async function getShopCustomer(
  db: Kysely<Database>,
  shopId: string,
  customerId: string,
): Promise<{ id: string; userId: string; name: string; email: string; createdAt: Date } | null> {
  const row = await selectShopCustomer(db, shopId, customerId);
  return row ? { id: row.id, userId: row.user_id, name: row.name, email: row.email, createdAt: new Date(row.created_at) } : null;
}

/**
 * One page of the shop's customer records, newest first: `limit` (1–100)
 * of them and the cursor of the next page (`before` = the last id shown).
 *
 * @example const { customers, nextBefore } = await listShopCustomers(db, shopId, { limit: 50 });
 */
export async function listShopCustomers(
  db: Kysely<Database>,
  shopId: string,
  page: { before?: string; limit?: number } = {},
): Promise<{ customers: { id: string; userId: string; name: string; email: string; createdAt: Date }[]; nextBefore: string | null }> {
  const limit = page.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError("bad_request", "limit must be 1–100", { fieldErrors: { limit: ["Use 1 to 100"] } });
  if (page.before !== undefined && !/^cus_[0-9a-z]{26}$/.test(page.before)) throw new AppError("bad_request", "Not a valid page cursor", { fieldErrors: { before: ["Not a valid page cursor"] } });
  const rows = await selectShopCustomerPage(db, shopId, { before: page.before, limit: limit + 1 });
  const customers = rows.slice(0, limit).map((r) => ({ id: r.id, userId: r.user_id, name: r.name, email: r.email, createdAt: new Date(r.created_at) }));
  return { customers, nextBefore: rows.length > limit ? customers[customers.length - 1].id : null };
}

/** The buyer's customer id in a shop, or null before their first cart or order there. */
export async function getShopCustomerId(db: Kysely<Database>, shopId: string, userId: string): Promise<string | null> {
  return (await selectShopCustomerId(db, shopId, userId)) ?? null;
}

/**
 * The buyer's record in a shop, created on first need (first cart or order).
 * Returns whether this call created it, so the caller can publish
 * `customer.created` in the same transaction exactly once.
 *
 * @example
 * const customer = await ensureShopCustomer(trx, shop.id, user);
 * if (customer.created) await publish(trx, { name: "customer.created", shopId: shop.id, subjectId: customer.id, payload: {...} });
 */
export async function ensureShopCustomer(
  trx: Kysely<Database>,
  shopId: string,
  user: { id: string; email: string; name: string },
): Promise<{ id: string; created: boolean }> {
  const insertedId = await insertShopCustomerOnce(trx, { id: newId("cus"), shop_id: shopId, user_id: user.id, email: user.email, name: user.name });
  if (insertedId) return { id: insertedId, created: true };
  const existing = await selectShopCustomerId(trx, shopId, user.id);
  // ON CONFLICT DO NOTHING returned nothing, so the row exists (committed by another transaction).
  if (!existing) throw new Error(`ensureShopCustomer: no customer row for ${shopId}/${user.id}`);
  return { id: existing, created: false };
}
