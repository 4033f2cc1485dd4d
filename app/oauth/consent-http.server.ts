/**
 * What both consent routes do to the HTTP exchange: no framing (CSP
 * `frame-ancestors 'none'` and X-Frame-Options), no caching, and on POST an
 * Origin that must be this site's (the central CSRF token check runs too).
 */
import { AppError } from "../lib/errors";
import { ConsentForm } from "./oauth.schema";

export const CONSENT_HEADERS = {
  "Content-Security-Policy": "frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
} as const;

/** Refuses a POST whose Origin (or Sec-Fetch-Site) says it came from another site. */
export function assertSameOrigin(request: Request): void {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw new AppError("forbidden", "Cross-site request refused", { code: "cross_origin" });
  const origin = request.headers.get("origin");
  if (origin === null) return; // non-browser clients: the CSRF token decides
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  // Host, not scheme: behind a TLS-terminating proxy the request URL says http.
  if (host === null || host !== new URL(request.url).host) throw new AppError("forbidden", "Cross-site request refused", { code: "cross_origin" });
}

export function parseConsentForm(form: FormData) {
  const parsed = ConsentForm.safeParse({
    decision: form.get("decision"),
    shopId: form.get("shopId") ?? undefined,
    scopes: form.getAll("scopes").filter((v): v is string => typeof v === "string"),
  });
  if (!parsed.success) throw new AppError("bad_request", "Approve or decline.", { fieldErrors: { decision: ["Approve or decline"] } });
  return parsed.data;
}
