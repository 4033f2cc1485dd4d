/**
 * The guest cart's cookie: one per shop (`bz_cart_<shopId>`), HttpOnly, a
 * random token whose SHA-256 is all the database keeps. A signed-in buyer's
 * cart is found by their user id instead, so their cookie is cleared once
 * the guest cart has merged.
 */
import type { AppLoadContext } from "@remix-run/node";
import { readCookie } from "../http/csrf.server";
import { newToken } from "../lib/ids";

const GUEST_CART_DAYS = 30;

export function guestCartCookieName(shopId: string): string {
  return `bz_cart_${shopId}`;
}

/** The guest token of this shop's cart cookie, or null when absent or not one of ours. */
export function readGuestToken(request: Request, shopId: string): string | null {
  const token = readCookie(request, guestCartCookieName(shopId));
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

/** A fresh guest token (256 bits). */
export function newGuestToken(): string {
  return newToken(32);
}

function secure(context: AppLoadContext): string {
  return context.platform.config.env === "production" ? "; Secure" : "";
}

export function guestCartCookie(context: AppLoadContext, shopId: string, token: string): string {
  return `${guestCartCookieName(shopId)}=${token}; Path=/; HttpOnly; SameSite=Lax${secure(context)}; Max-Age=${GUEST_CART_DAYS * 86400}`;
}

export function clearGuestCartCookie(context: AppLoadContext, shopId: string): string {
  return `${guestCartCookieName(shopId)}=; Path=/; HttpOnly; SameSite=Lax${secure(context)}; Max-Age=0`;
}
