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
export type StorefrontShop = { id: string; handle: string; name: string; currency: string; /** a developer's test shop: the header says so */ isDevelopment: boolean };

// One lookup per request: Remix runs the storefront layout's loader and the page's
// loader in parallel, and both need the shop. The load context is a new object per
// request, so it scopes the memo to exactly one request and is collected with it.
const perRequest = new WeakMap<object, Map<string, Promise<StorefrontShop>>>();

async function lookUp(db: Kysely<Database>, handle: string | undefined): Promise<StorefrontShop> {
  const shop = handle ? await getShopByHandle(db, handle) : null;
  if (!shop || shop.status !== "active") throw new AppError("not_found", "Shop not found");
  return { id: shop.id, handle: shop.handle, name: shop.name, currency: shop.currency, isDevelopment: shop.isDevelopment };
}

/**
 * The storefront's shop, looked up once per request when `requestScope`
 * (the loader's `context`) is given.
 *
 * @example
 * const shop = await requireStorefrontShop(context.platform.db, params.shopHandle, context);
 */
export function requireStorefrontShop(db: Kysely<Database>, handle: string | undefined, requestScope?: object): Promise<StorefrontShop> {
  if (!requestScope) return lookUp(db, handle);
  let memo = perRequest.get(requestScope);
  if (!memo) perRequest.set(requestScope, (memo = new Map()));
  const key = handle ?? "";
  let found = memo.get(key);
  if (!found) memo.set(key, (found = lookUp(db, handle)));
  return found;
}
