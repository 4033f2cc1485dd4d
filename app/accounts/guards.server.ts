/**
 * Route guards and the request-facing helpers of accounts. Guards *throw*:
 * a redirect to the login page, or an AppError the error boundary renders,
 * so a route reads top to bottom as guard → parse → service → response.
 */
import { redirect, type AppLoadContext } from "@remix-run/node";
import { AppError } from "../lib/errors";
import { getShop, type ShopView } from "../shops/index.server";
import { getShopMembership, type Membership } from "./memberships.service.server";
import { clearSessionCookieHeader, getSessionUser, sessionCookieHeader, type SessionUser } from "./session.server";
import type { NewSession, RequestMeta } from "./accounts.service.server";

export type { SessionUser };

/** The signed-in user, or null. For pages that anyone may see. */
export async function getOptionalUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  return getSessionUser(request, context);
}

/**
 * The signed-in user; anyone else is sent to the login page, which brings
 * them back here afterwards.
 *
 * @example
 * export async function loader({ request, context }: LoaderFunctionArgs) {
 *   const user = await requireUser(request, context);
 * }
 */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await getSessionUser(request, context);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return user;
}

/** A platform reviewer; any other signed-in user gets 403. */
export async function requireReviewer(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!user.is_reviewer) throw new AppError("forbidden", "This page is for platform reviewers.");
  return user;
}

/**
 * A member of the shop in the URL. Someone who is not a member gets 404 —
 * the same as for a shop that does not exist — so shop ids cannot be probed.
 * With `{ role: "owner" }`, staff get 403.
 *
 * @example
 * const { user, shop, membership } = await requireShopMember(request, context, params.shopId, { role: "owner" });
 */
export async function requireShopMember(
  request: Request,
  context: AppLoadContext,
  shopId: string | undefined,
  opts: { role?: "owner" } = {},
): Promise<{ user: SessionUser; shop: ShopView; membership: Membership }> {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const membership = shopId ? await getShopMembership(db, shopId, user.id) : null;
  const shop = membership ? await getShop(db, membership.shopId) : null;
  if (!membership || !shop) throw new AppError("not_found", "Shop not found");
  if (opts.role === "owner" && membership.role !== "owner") {
    throw new AppError("forbidden", "Only the shop owner can do this.");
  }
  return { user, shop, membership };
}

/** Where the request came from, for sessions, throttling and the audit log. */
export function requestMeta(request: Request, context: AppLoadContext): RequestMeta {
  return { ip: context.clientIp ?? null, userAgent: request.headers.get("user-agent") };
}

/** The Set-Cookie header that stores a new session (Secure in production). */
export function sessionCookie(context: AppLoadContext, session: NewSession): string {
  return sessionCookieHeader(session.token, session.expiresAt, context.platform.config.env === "production");
}

/** The Set-Cookie header that removes the session cookie. */
export function clearSessionCookie(context: AppLoadContext): string {
  return clearSessionCookieHeader(context.platform.config.env === "production");
}
