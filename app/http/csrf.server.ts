/**
 * CSRF protection for cookie-authenticated forms: a signed double-submit
 * token (OWASP). The cookie holds `random.hmac(random)`; every form posts the
 * same value in a hidden `_csrf` field (or the `X-CSRF-Token` header). A
 * cross-site page can neither read the cookie nor forge a signed one.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { AppError } from "../lib/errors";

export const CSRF_COOKIE = "bz_csrf";
export const CSRF_FIELD = "_csrf";

function sign(secret: string, value: string): string {
  return createHmac("sha256", secret).update(`csrf:${value}`).digest("base64url");
}

export function newCsrfToken(secret: string): string {
  const value = randomBytes(24).toString("base64url");
  return `${value}.${sign(secret, value)}`;
}

export function isWellSigned(secret: string, token: string | null | undefined): token is string {
  if (!token) return false;
  const dot = token.indexOf(".");
  if (dot <= 0) return false;
  const expected = Buffer.from(sign(secret, token.slice(0, dot)));
  const given = Buffer.from(token.slice(dot + 1));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function csrfCookieHeader(token: string, secure: boolean): string {
  return `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}; Max-Age=31536000`;
}

/**
 * The token for the page being rendered: the request's own when it carries a
 * valid one, else a new one with the `Set-Cookie` header that stores it.
 */
export function csrfTokenFor(request: Request, context: AppLoadContext): { token: string; setCookie: string | null } {
  const secret = context.platform.config.sessionSecret;
  const existing = readCookie(request, CSRF_COOKIE);
  if (isWellSigned(secret, existing)) return { token: existing, setCookie: null };
  const token = newCsrfToken(secret);
  return { token, setCookie: csrfCookieHeader(token, context.platform.config.env === "production") };
}

/** Throws 403 unless the submitted token equals the cookie's and is well signed. */
export function assertCsrf(request: Request, context: AppLoadContext, submitted: string | null): void {
  const secret = context.platform.config.sessionSecret;
  const cookie = readCookie(request, CSRF_COOKIE);
  const header = request.headers.get("x-csrf-token");
  const given = submitted ?? header;
  if (!isWellSigned(secret, cookie) || !given) throw new AppError("forbidden", "Missing or invalid CSRF token", { code: "csrf" });
  const a = Buffer.from(cookie);
  const b = Buffer.from(given);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AppError("forbidden", "Missing or invalid CSRF token", { code: "csrf" });
  }
}

/**
 * Reads a form POST and checks its CSRF token. Every action that reads a
 * cookie-authenticated form goes through here.
 */
export async function readForm(request: Request, context: AppLoadContext): Promise<FormData> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new AppError("bad_request", "The request body is not a form");
  }
  const submitted = form.get(CSRF_FIELD);
  assertCsrf(request, context, typeof submitted === "string" ? submitted : null);
  return form;
}

/**
 * The central check every route action passes before it runs (see
 * `wrapBuild`): the token comes from the `X-CSRF-Token` header or the form's
 * `_csrf` field, read from a clone so the action can still read the body.
 * A body that is neither a form nor carries the header is refused.
 */
export async function assertCsrfForAction(request: Request, context: AppLoadContext): Promise<void> {
  if (request.headers.get("x-csrf-token")) return assertCsrf(request, context, null);
  const type = request.headers.get("content-type") ?? "";
  let submitted: string | null = null;
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    try {
      const value = (await request.clone().formData()).get(CSRF_FIELD);
      submitted = typeof value === "string" ? value : null;
    } catch {
      throw new AppError("bad_request", "The request body is not a form");
    }
  }
  assertCsrf(request, context, submitted);
}
