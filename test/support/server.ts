/**
 * Real HTTP for tests: the production express app (server.ts) on the Remix
 * build that the global set-up made, listening on a free local port, and a
 * small cookie-keeping client that behaves like a browser form.
 */
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { Platform } from "../../app/platform.server";
import { createServer } from "../../server";
import { ROOT } from "./paths";

export type TestServer = { url: string; close(): Promise<void> };

let buildPromise: Promise<ServerBuild> | null = null;

/** The Remix server build, imported once per test file. */
function loadBuild(): Promise<ServerBuild> {
  buildPromise ??= import(pathToFileURL(path.join(ROOT, "build", "index.js")).href) as Promise<ServerBuild>;
  return buildPromise;
}

/** Serves `platform` over HTTP on 127.0.0.1 and a free port. */
export async function startTestServer(platform: Platform): Promise<TestServer> {
  const app = await createServer(platform, await loadBuild());
  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

export type ClientResponse = {
  status: number;
  /** the Location header of a redirect, resolved to a path when it points at this server */
  location: string | null;
  headers: Headers;
  body: string;
  json<T = unknown>(): T;
};

export type TestClient = {
  get(path: string, opts?: { headers?: Record<string, string> }): Promise<ClientResponse>;
  /**
   * Posts a urlencoded form. Adds `_csrf` from the `bz_csrf` cookie (set by
   * an earlier GET) unless `csrf: false` or the form has its own.
   */
  post(
    path: string,
    form: Record<string, string>,
    opts?: { csrf?: boolean; headers?: Record<string, string> },
  ): Promise<ClientResponse>;
  /** the cookie jar: name → value */
  cookies: Map<string, string>;
};

/**
 * A cookie-keeping client for `baseUrl`. It never follows redirects: a 3xx
 * comes back with its `location`, so tests see exactly what a browser would
 * be told to do.
 */
export function createClient(baseUrl: string): TestClient {
  const cookies = new Map<string, string>();
  const origin = new URL(baseUrl).origin;

  async function send(pathname: string, init: RequestInit & { headers: Record<string, string> }): Promise<ClientResponse> {
    if (cookies.size) init.headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(new URL(pathname, baseUrl), { ...init, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) storeCookie(cookies, line);
    const body = await res.text();
    const loc = res.headers.get("location");
    let location = loc;
    if (loc) {
      const u = new URL(loc, baseUrl);
      if (u.origin === origin) location = u.pathname + u.search + u.hash;
    }
    return {
      status: res.status,
      location,
      headers: res.headers,
      body,
      json: <T,>() => JSON.parse(body) as T,
    };
  }

  return {
    cookies,
    get(pathname, opts = {}) {
      return send(pathname, { method: "GET", headers: { ...opts.headers } });
    },
    post(pathname, form, opts = {}) {
      const fields = { ...form };
      const token = cookies.get("bz_csrf");
      if (opts.csrf !== false && token && fields._csrf === undefined) fields._csrf = decodeURIComponent(token);
      return send(pathname, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...opts.headers },
        body: new URLSearchParams(fields).toString(),
      });
    },
  };
}

function storeCookie(jar: Map<string, string>, setCookie: string) {
  const [pair, ...attrs] = setCookie.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const expired = attrs.some((a) => {
    const [k, v = ""] = a.split("=").map((x) => x.trim());
    if (/^max-age$/i.test(k)) return Number(v) <= 0;
    if (/^expires$/i.test(k)) return Date.parse(v) <= Date.now();
    return false;
  });
  if (expired || value === "") jar.delete(name);
  else jar.set(name, value);
}
