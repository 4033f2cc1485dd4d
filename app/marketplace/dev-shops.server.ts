/**
 * Development shops: a developer's own test shops (`shops.is_development`),
 * marked as such in the shop admin and on the storefront, listed nowhere,
 * where a member of a vendor installs the vendor's versions before they are
 * approved (installExtension allows that only in a development shop the
 * installing member works in). Any member of a vendor may open up to
 * MAX_DEVELOPMENT_SHOPS of them.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { getShopMembership } from "../accounts/index.server";
import { AppError, notFound } from "../lib/errors";
import { createShop, getShop, listShopsForUser } from "../shops/index.server";
import { installExtension, type InstallView } from "./marketplace.service.server";
import { selectVendorsOfUser } from "./marketplace.repository.server";

export const MAX_DEVELOPMENT_SHOPS = 10;

export type DevelopmentShop = { id: string; name: string; handle: string; currency: string; createdAt: string };

/** The development shops the user owns or works in. */
export async function listDevelopmentShops(db: Kysely<Database>, userId: string): Promise<DevelopmentShop[]> {
  return (await listShopsForUser(db, userId))
    .filter((s) => s.isDevelopment && s.status === "active")
    .map((s) => ({ id: s.id, name: s.name, handle: s.handle, currency: s.currency, createdAt: new Date(s.createdAt).toISOString() }));
}

/**
 * Opens a development shop owned by the user (name, handle, currency as the
 * public form; the development flag cannot come from a form). The user must
 * be a member of a vendor.
 *
 * @example
 * const shop = await createDevelopmentShop(db, user, { name: "Points test", handle: "acme-points-test" });
 */
export async function createDevelopmentShop(db: Kysely<Database>, user: { id: string }, form: unknown): Promise<DevelopmentShop> {
  if ((await selectVendorsOfUser(db, user.id)).length === 0) {
    throw new AppError("forbidden", "Register a vendor (or join one) before opening development shops.", { code: "not_a_developer" });
  }
  if ((await listDevelopmentShops(db, user.id)).length >= MAX_DEVELOPMENT_SHOPS) {
    throw new AppError("unprocessable", `You already have ${MAX_DEVELOPMENT_SHOPS} development shops.`, { code: "too_many_dev_shops" });
  }
  const fields = (typeof form === "object" && form !== null ? form : {}) as Record<string, unknown>;
  const shop = await createShop(db, {
    ownerId: user.id,
    name: fields.name as string,
    handle: fields.handle as string,
    currency: fields.currency === "" || fields.currency === undefined ? undefined : (fields.currency as string),
    isDevelopment: true,
  });
  return { id: shop.id, name: shop.name, handle: shop.handle, currency: shop.currency, createdAt: new Date(shop.createdAt).toISOString() };
}

/**
 * Installs (or updates to) a version of one of the user's vendors in one of
 * the user's development shops, with every scope it asks for and default
 * settings — the developer's "try it" button. Anything else is a 404.
 */
export async function installIntoDevelopmentShop(db: Kysely<Database>, user: { id: string }, input: { shopId: string; versionId: string }): Promise<InstallView> {
  const shop = await getShop(db, input.shopId);
  if (!shop || !shop.isDevelopment || !(await getShopMembership(db, shop.id, user.id))) throw notFound("Development shop not found");
  return installExtension(db, { type: "user", id: user.id }, { shopId: shop.id, versionId: input.versionId });
}
