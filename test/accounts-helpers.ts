/**
 * Helpers for route tests of accounts, shops and audit: a tiny "browser"
 * that keeps cookies (the CSRF pair and the session), calls a route
 * module's loader or action with a real Request, and goes through the same
 * `wrapBuild` wrapping production uses, so statuses and error bodies are
 * exactly what a browser would get.
 */
import type { AppLoadContext } from "@remix-run/node";
import { wrapBuild } from "../app/http/errors.server";
import { CSRF_COOKIE, CSRF_FIELD, newCsrfToken } from "../app/http/csrf.server";
import { SESSION_COOKIE } from "../app/accounts/session.server";
import type { Platform } from "../app/platform.server";

type RouteFn = (args: { request: Request; params: Record<string, string>; context: AppLoadContext }) => unknown;
type RouteModule = { loader?: RouteFn; action?: RouteFn; [k: string]: unknown };

/** The module as the server runs it: loader and action wrapped by wrapBuild. */
function wrapped(mod: RouteModule): RouteModule {
  const build = wrapBuild({ routes: { r: { id: "r", path: "", module: mod } } } as any);
  return build.routes.r.module as unknown as RouteModule;
}

async function run(fn: RouteFn | undefined, args: Parameters<RouteFn>[0]): Promise<Response> {
  if (!fn) throw new Error("the route has no such function");
  try {
    const result = await fn(args);
    if (result instanceof Response) return result;
    // A loader may return a plain object; make it look like what Remix would send.
    return new Response(JSON.stringify(result), { status: 200, headers: { "content-type": "application/json" } });
  } catch (e) {
    // Redirects and error responses are thrown; a browser sees them the same as returned ones.
    if (e instanceof Response) return e;
    throw e;
  }
}

export const ORIGIN = "http://127.0.0.1:3000";

export class TestClient {
  readonly cookies = new Map<string, string>();
  readonly csrf: string;

  constructor(
    readonly platform: Platform,
    readonly ip: string = "127.0.0.1",
  ) {
    this.csrf = newCsrfToken(platform.config.sessionSecret);
    this.cookies.set(CSRF_COOKIE, this.csrf);
  }

  context(): AppLoadContext {
    return { platform: this.platform, clientIp: this.ip } as AppLoadContext;
  }

  get sessionToken(): string | undefined {
    return this.cookies.get(SESSION_COOKIE);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private absorb(res: Response): Response {
    const setCookies = res.headers.getSetCookie?.() ?? [];
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GET through the route's loader. */
  async get(mod: RouteModule, path: string, params: Record<string, string> = {}): Promise<Response> {
    const request = new Request(ORIGIN + path, { headers: { cookie: this.cookieHeader(), "user-agent": "vitest" } });
    return this.absorb(await run(wrapped(mod).loader, { request, params, context: this.context() }));
  }

  /**
   * POST a form through the route's action. `csrf: false` leaves the token
   * out of the form (the cookie stays), as a cross-site form would.
   */
  async post(
    mod: RouteModule,
    path: string,
    fields: Record<string, string>,
    opts: { params?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<Response> {
    const body = new URLSearchParams(fields);
    if (opts.csrf !== false) body.set(CSRF_FIELD, this.csrf);
    const request = new Request(ORIGIN + path, {
      method: "POST",
      body,
      headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded", "user-agent": "vitest" },
    });
    return this.absorb(await run(wrapped(mod).action, { request, params: opts.params ?? {}, context: this.context() }));
  }

  /** Forget the session (another browser with the same CSRF pair). */
  logOutLocally(): void {
    this.cookies.delete(SESSION_COOKIE);
  }
}

/** The JSON body of a response. */
export async function bodyOf<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The newest mail to an address, from the outbox. */
export async function lastMailTo(platform: Platform, to: string): Promise<{ subject: string; text: string } | undefined> {
  const row = await platform.db
    .selectFrom("mail_outbox")
    .select(["subject", "text_body"])
    .where("to_email", "=", to)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { subject: row.subject, text: row.text_body } : undefined;
}

/** The audit actions recorded so far, oldest first (optionally for one target id). */
export async function auditActions(platform: Platform, filter: { targetId?: string; shopId?: string } = {}): Promise<string[]> {
  let q = platform.db.selectFrom("audit_log").select("action").orderBy("id", "asc");
  if (filter.targetId) q = q.where("target_id", "=", filter.targetId);
  if (filter.shopId) q = q.where("shop_id", "=", filter.shopId);
  return (await q.execute()).map((r) => r.action);
}
