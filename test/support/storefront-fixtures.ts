/**
 * What the shelves, cart and storefront tests share: merchants with shops,
 * products with SKUs, and a small cookie-keeping "browser" that calls route
 * loaders and actions with real Requests through the same `wrapBuild`
 * wrapping the server applies — so an AppError comes back as the status and
 * body a buyer's browser would get.
 */
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs, ServerBuild } from "@remix-run/node";
import { createUserAccount } from "../../app/accounts/index.server";
import { createSession } from "../../app/accounts/session.server";
import { createCategory, createProduct, updateSkus, type AdminProduct, type SpecDefinition } from "../../app/catalog/index.server";
import { CSRF_COOKIE, newCsrfToken } from "../../app/http/csrf.server";
import { wrapBuild } from "../../app/http/errors.server";
import type { Platform } from "../../app/platform.server";
import { createShop } from "../../app/shops/index.server";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(++counter).toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

export type TestUser = { id: string; email: string };
export type TestShop = { id: string; handle: string; ownerId: string };

export async function createUser(platform: Platform, intent: "buyer" | "merchant" = "buyer"): Promise<TestUser> {
  const n = unique();
  const user = await createUserAccount(platform.db, { email: `${intent}-${n}@example.test`, name: `${intent} ${n}`, password: "correct horse battery", intent });
  return { id: user.id, email: user.email };
}

/** A new merchant and their shop (CNY). */
export async function createMerchantShop(platform: Platform): Promise<{ owner: TestUser; shop: TestShop }> {
  const owner = await createUser(platform, "merchant");
  const n = unique();
  const shop = await createShop(platform.db, { ownerId: owner.id, name: `Tea Shop ${n}`, handle: `tea-${n}`, currency: "CNY" });
  return { owner, shop: { id: shop.id, handle: shop.handle, ownerId: owner.id } };
}

export async function createTestCategory(platform: Platform, shop: TestShop, name: string): Promise<string> {
  return (await createCategory(platform.db, shop.id, { type: "user", id: shop.ownerId }, { name })).id;
}

/**
 * An on-sale product (unless `status` says otherwise). `skus` sets price and
 * stock per combination, in the order the catalog generates them.
 */
export async function createTestProduct(
  platform: Platform,
  shop: TestShop,
  opts: {
    title?: string;
    specs?: SpecDefinition[];
    price?: number;
    stock?: number;
    categoryId?: string | null;
    status?: "draft" | "on_sale" | "off_sale";
    skus?: { price?: number; stock?: number }[];
  } = {},
): Promise<AdminProduct> {
  const actor = { type: "user" as const, id: shop.ownerId };
  const product = await createProduct(platform.db, shop.id, actor, {
    title: opts.title ?? `Product ${unique()}`,
    description: "A **fine** product.",
    specs: opts.specs ?? [],
    price: opts.price ?? 1000,
    stock: opts.stock ?? 10,
    categoryId: opts.categoryId ?? null,
    status: opts.status ?? "on_sale",
  });
  if (opts.skus) {
    await updateSkus(
      platform.db,
      shop.id,
      product.id,
      actor,
      opts.skus.map((s, i) => ({ skuId: product.skus[i].id, price: s.price, stock: s.stock })),
    );
  }
  return product;
}

type RouteModule = { loader?: (args: LoaderFunctionArgs) => unknown; action?: (args: ActionFunctionArgs) => unknown };

/** The module's loader and action wrapped exactly as the server wraps them. */
function wrapped(mod: RouteModule): Required<RouteModule> {
  const build = wrapBuild({ routes: { r: { id: "r", path: "", module: mod } } } as unknown as ServerBuild);
  return build.routes.r.module as Required<RouteModule>;
}

async function settle(run: () => unknown): Promise<Response> {
  try {
    const out = await run();
    return out instanceof Response ? out : new Response(JSON.stringify(out), { status: 200 });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

export const ORIGIN = "http://127.0.0.1:3000";

/**
 * A browser for route tests: keeps cookies (CSRF pair, session, cart),
 * sends forms with the CSRF field, and returns every outcome as a Response.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  readonly csrf: string;

  constructor(readonly platform: Platform) {
    this.csrf = newCsrfToken(platform.config.sessionSecret);
    this.cookies.set(CSRF_COOKIE, this.csrf);
  }

  /** Signs in as `userId` (a real session row and cookie). */
  async signIn(userId: string): Promise<this> {
    const { token } = await createSession(this.platform.db, userId);
    this.cookies.set("bz_session", token);
    return this;
  }

  signOut(): void {
    this.cookies.delete("bz_session");
  }

  context(): AppLoadContext {
    return { platform: this.platform, clientIp: "127.0.0.1" } as AppLoadContext;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "), "user-agent": "vitest", ...extra };
  }

  private absorb(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(mod: RouteModule, path: string, params: Record<string, string>): Promise<Response> {
    const request = new Request(ORIGIN + path, { headers: this.headers() });
    return this.absorb(await settle(() => wrapped(mod).loader({ request, params, context: this.context() } as LoaderFunctionArgs)));
  }

  async post(mod: RouteModule, path: string, params: Record<string, string>, fields: Record<string, string>, opts: { csrf?: boolean } = {}): Promise<Response> {
    const body = new URLSearchParams({ ...(opts.csrf === false ? {} : { _csrf: this.csrf }), ...fields });
    const request = new Request(ORIGIN + path, {
      method: "POST",
      headers: this.headers({ "content-type": "application/x-www-form-urlencoded", origin: ORIGIN }),
      body,
    });
    return this.absorb(await settle(() => wrapped(mod).action({ request, params, context: this.context() } as ActionFunctionArgs)));
  }
}

/** The JSON body of a loader or action response. */
export async function body<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
