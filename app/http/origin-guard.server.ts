import type { RequestHandler } from "express";

/**
 * Paths that authenticate without the session cookie (DESIGN.md): they never
 * read it, so a cross-site request gains nothing there.
 */
export const CSRF_EXEMPT_PATHS = ["/oauth/token", "/oauth/revoke", "/oauth/introspect"];
export const CSRF_EXEMPT_PREFIXES = ["/payments/notify/", "/api/v1/", "/developer-api/v1/"];

export function isCsrfExempt(pathname: string): boolean {
  return CSRF_EXEMPT_PATHS.includes(pathname) || CSRF_EXEMPT_PREFIXES.some((p) => pathname.startsWith(p));
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * First line of CSRF defence, for every unsafe request to a cookie-authenticated
 * path: a browser-sent `Sec-Fetch-Site: cross-site` or an `Origin` of another
 * host is refused with 403. The second line is the per-form token that every
 * action checks (`app/http/csrf.server.ts`), which also covers clients that
 * send neither header.
 */
export function originGuard(_publicUrl: string): RequestHandler {
  return (req, res, next) => {
    if (!UNSAFE.has(req.method) || isCsrfExempt(req.path)) return next();
    const site = req.get("sec-fetch-site");
    if (site === "cross-site") return refuse(res);
    const origin = req.get("origin");
    if (origin && origin !== "null") {
      let host: string;
      try {
        host = new URL(origin).host;
      } catch {
        return refuse(res);
      }
      if (host !== req.get("host")) return refuse(res);
    } else if (origin === "null") {
      return refuse(res);
    }
    next();
  };
}

function refuse(res: Parameters<RequestHandler>[1]) {
  res.status(403).type("text/plain").send("Cross-site request refused");
}
