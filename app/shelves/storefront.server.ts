/**
 * What every storefront route starts with: the shop of `/s/:shopHandle`,
 * open for business, or a 404 that looks the same for a closed shop as for
 * one that never existed.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { AppError } from "../lib/errors";
import { getShopByHandle } from "../shops/index.server";

/** The shop as the storefront's pages need it (nothing private). */
export type StorefrontShop = { id: string; handle: string; name: string; currency: string };

/**
 * @example
 * const shop = await requireStorefrontShop(context.platform.db, params.shopHandle);
 */
export async function requireStorefrontShop(db: Kysely<Database>, handle: string | undefined): Promise<StorefrontShop> {
  const shop = handle ? await getShopByHandle(db, handle) : null;
  if (!shop || shop.status !== "active") throw new AppError("not_found", "Shop not found");
  return { id: shop.id, handle: shop.handle, name: shop.name, currency: shop.currency };
}
