/**
 * Whose cart a storefront request is about: the signed-in buyer's (by user
 * id) or the guest's (by the token in this shop's cart cookie).
 */
import type { AppLoadContext } from "@remix-run/node";
import { getSessionUser, type SessionUser } from "../accounts/session.server";
import { readGuestToken } from "./cart.cookie.server";
import type { CartRef } from "./cart.service.server";

export type CartIdentity = {
  user: SessionUser | null;
  /** this shop's guest token from the cookie, if any (a signed-in buyer may still have one until it merges) */
  guestToken: string | null;
  /** the cart this request reads and writes; null for a guest without a cookie yet */
  ref: CartRef | null;
};

/** Signed in: the buyer's cart. Else the guest cookie's, if there is one. */
export async function cartIdentity(request: Request, context: AppLoadContext, shopId: string): Promise<CartIdentity> {
  const user = await getSessionUser(request, context);
  const guestToken = readGuestToken(request, shopId);
  const ref: CartRef | null = user ? { userId: user.id } : guestToken ? { guestToken } : null;
  return { user, guestToken, ref };
}

/** Every cart this request can see (both while a signed-in buyer's guest cart waits to merge). */
export function visibleCartRefs(identity: CartIdentity): CartRef[] {
  const refs: CartRef[] = [];
  if (identity.user) refs.push({ userId: identity.user.id });
  if (identity.guestToken) refs.push({ guestToken: identity.guestToken });
  return refs;
}
