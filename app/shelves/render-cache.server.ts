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
 *
 * Two ways in: entry.server.tsx looks up (and fills) the cache for a render
 * Remix is about to do; `cachedStorefrontPages` (server.ts) runs the same
 * loaders ahead of Remix and answers a hit without Remix's document pipeline
 * at all, which costs about as much as the loaders again. A key always holds
 * the route ids and data of what Remix itself matched and loaded, so a hit
 * is exactly the page Remix would render.
 */
import { createHash } from "node:crypto";
import type { AppLoadContext, EntryContext, ServerBuild } from "@remix-run/node";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";

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
  /** hits served by `cachedStorefrontPages`, before Remix */
  directHits = 0;
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
 * The key of a render: the path and query, and each matched route's loader
 * data in match order, with the visitor's CSRF token (root data) left out.
 * `data` holds the routes' loader data as JSON-parsed values.
 */
function keyOf(pathAndQuery: string, data: [routeId: string, value: unknown][]): RenderKey {
  const root = data.find(([id]) => id === "root")?.[1] as { csrf?: unknown } | undefined;
  const token = typeof root?.csrf === "string" && root.csrf.length >= 16 ? root.csrf : null;
  const hash = createHash("sha256").update(pathAndQuery);
  for (const [id, value] of data) {
    if (value === undefined) continue;
    const json = JSON.stringify(value);
    hash.update("\u0000").update(id).update("\u0000").update(token ? json.split(token).join(TOKEN_SLOT) : json);
  }
  return { key: hash.digest("base64url"), token };
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
  if (!leaf || !CACHEABLE_ROUTES.has(leaf)) return null;
  const url = new URL(request.url);
  return keyOf(url.pathname + url.search, sh.matches.map((m) => [m.route.id, sh.loaderData?.[m.route.id]]));
}

/** The headers every document carries (entry.server.tsx sets them on rendered pages too). */
export function setDocumentHeaders(headers: Headers): void {
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if (!headers.has("X-Frame-Options")) headers.set("X-Frame-Options", "SAMEORIGIN");
}

type Chain = { pattern: RegExp; params: string[]; routeIds: string[] };

/** The cacheable pages' URL patterns and route chains (root → layout → page), from the build's route table. */
function chainsOf(build: ServerBuild): Chain[] {
  const chains: Chain[] = [];
  pages: for (const leaf of CACHEABLE_ROUTES) {
    const routeIds: string[] = [];
    const segments: string[] = [];
    for (let id: string | undefined = leaf; id; id = build.routes[id]?.parentId) {
      const route = build.routes[id];
      // A route that sets its own headers, or has no loader, is outside what this path reproduces: Remix serves it.
      if (!route || route.module.headers || !route.module.loader) continue pages;
      routeIds.unshift(id);
      if (route.path) segments.unshift(route.path);
    }
    const params: string[] = [];
    const source = segments
      .join("/")
      .split("/")
      .filter(Boolean)
      .map((seg) => {
        if (seg.startsWith(":") && /^:[A-Za-z0-9_]+$/.test(seg)) {
          params.push(seg.slice(1));
          return "([^/]+)";
        }
        if (!/^[A-Za-z0-9_-]+$/.test(seg)) return null;
        return seg;
      });
    if (source.some((seg) => seg === null)) continue;
    chains.push({ pattern: new RegExp(`^/${source.join("/")}$`), params, routeIds });
  }
  return chains;
}

/**
 * Serves a cacheable storefront page from the render cache without the rest
 * of Remix's document pipeline: it matches the URL against the cacheable
 * pages, runs the same loaders Remix would (the same queries, every request),
 * and when the render cache holds a page for exactly that data, sends it with
 * the loaders' cookies. Anything else — another page, a data request, a
 * loader that throws, redirects or answers other than 200, a render not in
 * the cache yet — goes on to Remix, which renders (and fills the cache).
 *
 * @example
 * app.get("/s/*", cachedStorefrontPages(platform, build, getLoadContext));
 */
export function cachedStorefrontPages(
  platform: object,
  build: ServerBuild,
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext,
): RequestHandler {
  const chains = chainsOf(build);
  const cache = renderCacheOf(platform);
  return (req, res, next) => {
    if (!cache.enabled || req.method !== "GET" || "_data" in req.query || "index" in req.query) return next();
    const pathname = req.path;
    let chain: Chain | undefined;
    let match: RegExpExecArray | null = null;
    for (const c of chains) {
      match = c.pattern.exec(pathname);
      if (match) {
        chain = c;
        break;
      }
    }
    if (!chain || !match) return next();
    const params: Record<string, string> = {};
    try {
      chain.params.forEach((name, i) => (params[name] = decodeURIComponent(match![i + 1])));
    } catch {
      return next();
    }
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const request = new Request(`${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`, {
      headers: requestHeaders(req),
      signal: controller.signal,
    });
    const context = getLoadContext(req, res);
    const routeIds = chain.routeIds;
    (async () => {
      const results = await Promise.all(
        routeIds.map(async (id) => {
          try {
            return await (build.routes[id].module.loader as (args: unknown) => Promise<unknown>)({ request, params, context });
          } catch {
            return undefined;
          }
        }),
      );
      // What Remix would make of each result: a 200 JSON Response's body, or plain data as is (Remix
      // sends it through json(), which JSON.stringify-ing for the key does alike). Anything else is Remix's.
      const cookies: string[] = [];
      const data: unknown[] = [];
      for (const r of results) {
        if (r === undefined || r === null || typeof r !== "object") return null;
        if (r instanceof Response) {
          if (r.status !== 200 || !r.headers.get("content-type")?.startsWith("application/json")) return null;
          cookies.push(...r.headers.getSetCookie());
          data.push(await r.json());
        } else {
          if (isDeferred(r)) return null;
          data.push(r);
        }
      }
      const k = keyOf(pathname + (req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : ""), routeIds.map((id, i) => [id, data[i]]));
      const html = cache.get(k);
      if (html === null) return null;
      const headers = new Headers();
      for (const cookie of cookies) headers.append("Set-Cookie", cookie);
      setDocumentHeaders(headers);
      headers.set("Content-Length", String(Buffer.byteLength(html)));
      return { headers, html };
    })()
      .catch(() => null)
      .then((hit) => {
        if (!hit) return next();
        cache.directHits++;
        res.status(200);
        for (const [name, value] of hit.headers) if (name !== "set-cookie") res.setHeader(name, value);
        const cookies = hit.headers.getSetCookie();
        if (cookies.length) res.setHeader("Set-Cookie", cookies);
        res.end(hit.html);
      })
      .catch((e: unknown) => {
        // Only sending can fail here (the socket went away); Remix was not called.
        if (!res.headersSent) next(e);
        else res.destroy();
      });
  };
}

/** Remix's `defer()` result (its class is not exported); these pages never defer, but if one did, Remix serves it. */
function isDeferred(value: object): boolean {
  return "deferredKeys" in value && "subscribe" in value;
}

function requestHeaders(req: ExpressRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}
