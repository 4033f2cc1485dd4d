/**
 * A memo of storefront page renders. React's server render is most of a
 * storefront request's CPU, and it is a pure function of the render's input:
 * the URL and the loaders' data (Remix serializes exactly that into the
 * page's hand-off script). So the loaders always run — prices, stock and
 * shelves are read fresh on every request, from every web process — and only
 * when their data is byte-for-byte what an earlier render saw is that
 * render's HTML reused. Nothing can be stale: any change to the data is a new
 * key.
 *
 * The one per-visitor value in these pages is the CSRF token (root loader):
 * it is left out of the key and swapped into the cached HTML on the way out.
 *
 * Only the buyer-facing pages listed in `CACHEABLE_ROUTES` take part; they
 * render from their loader data alone (no clock, no randomness, no request
 * headers). Bounded: least recently used entries go first. One cache per
 * platform, kept on it (no module state).
 */
import { createHash } from "node:crypto";
import type { EntryContext } from "@remix-run/node";

/** Leaf route ids whose GET documents may be reused. Cart and checkout are per-buyer and never are. */
export const CACHEABLE_ROUTES: ReadonlySet<string> = new Set([
  "routes/s.$shopHandle._index",
  "routes/s.$shopHandle.p.$slug",
  "routes/s.$shopHandle.c.$categoryId",
  "routes/s.$shopHandle.products.$productId",
  "routes/s.$shopHandle.search",
]);

const MAX_ENTRIES = 500;
const MAX_BYTES = 32 * 1024 * 1024;
/** Stands in for the visitor's CSRF token inside cached HTML; never sent (NUL cannot occur in a rendered page). */
const TOKEN_SLOT = "\u0000csrf\u0000";

export type RenderKey = { key: string; token: string | null };

export class RenderCache {
  enabled = true;
  hits = 0;
  misses = 0;
  private entries = new Map<string, string>();
  private bytes = 0;

  /** The page for this key with `token` in place, or null. */
  get(k: RenderKey): string | null {
    if (!this.enabled) return null;
    const html = this.entries.get(k.key);
    if (html === undefined) {
      this.misses++;
      return null;
    }
    // Most recently used last: the Map's insertion order is the eviction order.
    this.entries.delete(k.key);
    this.entries.set(k.key, html);
    this.hits++;
    return k.token ? html.split(TOKEN_SLOT).join(k.token) : html;
  }

  /** Remembers a page rendered for this key (its token taken out). */
  set(k: RenderKey, html: string): void {
    if (!this.enabled || html.length * 2 > MAX_BYTES / 8 || html.includes(TOKEN_SLOT)) return;
    const stored = k.token ? html.split(k.token).join(TOKEN_SLOT) : html;
    const old = this.entries.get(k.key);
    if (old !== undefined) {
      this.entries.delete(k.key);
      this.bytes -= old.length * 2;
    }
    this.entries.set(k.key, stored);
    this.bytes += stored.length * 2;
    for (const [key, value] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      this.entries.delete(key);
      this.bytes -= value.length * 2;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

// Kept on the platform object itself under a registered symbol, so the server build's copy of this
// module and the sources' copy (tests) find the same cache.
const SLOT = Symbol.for("bazaar.storefrontRenderCache");

/** The render cache of this platform (created on first use). */
export function renderCacheOf(platform: object): RenderCache {
  const holder = platform as { [SLOT]?: RenderCache };
  if (!Object.prototype.hasOwnProperty.call(holder, SLOT)) {
    Object.defineProperty(holder, SLOT, { value: new RenderCache(), enumerable: false });
  }
  return holder[SLOT]!;
}

/**
 * The cache key of a document render, or null when this render must not be
 * reused: not a GET, not a 200, an action's result or an error in it, or a
 * page outside `CACHEABLE_ROUTES`.
 */
export function renderKey(request: Request, statusCode: number, context: EntryContext): RenderKey | null {
  const sh = context.staticHandlerContext;
  if (request.method !== "GET" || statusCode !== 200 || sh.actionData || sh.errors) return null;
  const leaf = sh.matches[sh.matches.length - 1]?.route.id;
  if (!leaf || !CACHEABLE_ROUTES.has(leaf) || typeof context.serverHandoffString !== "string") return null;
  const csrf = (sh.loaderData?.root as { csrf?: unknown } | undefined)?.csrf;
  const token = typeof csrf === "string" && csrf.length >= 16 ? csrf : null;
  const data = token ? context.serverHandoffString.split(token).join(TOKEN_SLOT) : context.serverHandoffString;
  const key = createHash("sha256").update(request.url).update("\u0000").update(data).digest("base64url");
  return { key, token };
}
