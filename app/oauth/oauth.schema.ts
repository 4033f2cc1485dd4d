/**
 * The OAuth module's browser-safe part: redirect-URI rules, the developer's
 * client form and the merchant's consent form.
 */
import { z } from "zod";

/** The API resource's path on the site origin: the `aud` of every access token. */
export const API_RESOURCE_PATH = "/api/v1";
export const MAX_REDIRECT_URIS = 10;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * Why a redirect URI cannot be registered, or null when it can: an absolute
 * https URL (http only for a loopback host, RFC 8252), no fragment, no
 * wildcard, no userinfo, nothing a browser would normalise differently.
 */
export function redirectUriProblem(raw: string): string | null {
  const value = raw.trim();
  if (!value) return "Enter a URL";
  if (value.length > 2000) return "Too long";
  if (/[\s<>"{}|\\^`]/.test(value)) return "Contains characters a URL cannot";
  if (value.includes("*")) return "Wildcards are not allowed";
  if (value.includes("#")) return "Fragments are not allowed";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Not an absolute URL";
  }
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) return "User names and passwords are not allowed in a redirect URI";
  if (url.protocol === "http:") {
    if (!LOOPBACK_HOSTS.has(url.hostname)) return "Use https (http only for 127.0.0.1, [::1] or localhost)";
  } else if (url.protocol !== "https:") {
    return "Use an https URL";
  }
  if (!url.hostname) return "A host is required";
  // Exact string matching only works when the registered form is the one clients send.
  if (url.href !== value) return `Write it in canonical form: ${url.href}`;
  return null;
}

export const RedirectUris = z
  .string()
  .transform((text) => [...new Set(text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean))])
  .superRefine((uris, ctx) => {
    if (uris.length === 0) ctx.addIssue({ code: "custom", message: "Add at least one redirect URI" });
    if (uris.length > MAX_REDIRECT_URIS) ctx.addIssue({ code: "custom", message: `At most ${MAX_REDIRECT_URIS} redirect URIs` });
    for (const u of uris) {
      const problem = redirectUriProblem(u);
      if (problem) ctx.addIssue({ code: "custom", message: `${u}: ${problem}` });
    }
  });

export const ClientForm = z.object({
  name: z.string().trim().min(1, "Give the client a name").max(80),
  redirectUris: RedirectUris,
});

export const ClientIdField = z.string().regex(/^cli_[0-9a-z]{26}$/, "Unknown client");

export const ConsentForm = z.object({
  decision: z.enum(["approve", "decline"]),
  shopId: z.string().max(64).optional(),
  /** the scopes the merchant left ticked; absent on decline */
  scopes: z.array(z.string().max(64)).max(50).default([]),
});
