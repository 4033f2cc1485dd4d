/**
 * What the catalog, stock and image tests share: merchants with shops, signed
 * requests for calling route loaders and actions directly, the same error
 * mapping the server applies (wrapBuild), and generated image bytes.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, ServerBuild } from "@remix-run/node";
import sharp from "sharp";
import { createUserAccount } from "../app/accounts/index.server";
import { createSession } from "../app/accounts/session.server";
import { newCsrfToken } from "../app/http/csrf.server";
import { wrapBuild } from "../app/http/errors.server";
import type { Platform } from "../app/platform.server";
import { createShop } from "../app/shops/index.server";

let counter = 0;

export type Merchant = { userId: string; shopId: string; handle: string; cookie: string; csrf: string };

/** A new user who owns a new shop, signed in (a session cookie and a CSRF cookie). */
export async function createMerchant(platform: Platform, opts: { currency?: string } = {}): Promise<Merchant> {
  const n = `${Date.now().toString(36)}${++counter}`;
  const user = await createUserAccount(platform.db, {
    email: `merchant-${n}@example.test`,
    name: `Merchant ${n}`,
    password: "correct horse battery",
    intent: "merchant",
  });
  const shop = await createShop(platform.db, { ownerId: user.id, name: `Shop ${n}`, handle: `shop-${n}`, currency: opts.currency ?? "CNY" });
  const { token } = await createSession(platform.db, user.id);
  const csrf = newCsrfToken(platform.config.sessionSecret);
  return { userId: user.id, shopId: shop.id, handle: shop.handle, cookie: `bz_session=${token}; bz_csrf=${csrf}`, csrf };
}

export const actorOf = (m: Merchant) => ({ type: "user" as const, id: m.userId });

type RouteModule = { loader?: (args: LoaderFunctionArgs) => unknown; action?: (args: ActionFunctionArgs) => unknown };

/** The route module's loader and action wrapped exactly as the server wraps them (AppError → status). */
function wrapped(mod: RouteModule) {
  const build = wrapBuild({ routes: { r: { id: "r", path: "", module: mod } } } as unknown as ServerBuild);
  return build.routes.r.module as Required<RouteModule>;
}

/** Runs a handler and always gives back a Response: thrown ones (redirects, 404s) included. */
async function settle(run: () => unknown): Promise<Response> {
  try {
    const out = await run();
    return out instanceof Response ? out : new Response(JSON.stringify(out), { status: 200 });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

/** Calls a route's loader as `who` would (GET `path`). */
export async function callLoader(platform: Platform, mod: RouteModule, who: Merchant | null, path: string, params: Record<string, string>) {
  const request = new Request(`http://localhost${path}`, { headers: who ? { cookie: who.cookie } : {} });
  return settle(() => wrapped(mod).loader({ request, params, context: { platform, clientIp: "127.0.0.1" } } as LoaderFunctionArgs));
}

/**
 * Calls a route's action as `who` would: a urlencoded form (or a FormData,
 * sent as multipart) with the CSRF field added.
 */
export async function callAction(
  platform: Platform,
  mod: RouteModule,
  who: Merchant,
  path: string,
  params: Record<string, string>,
  form: Record<string, string | string[]> | FormData,
) {
  let body: BodyInit;
  if (form instanceof FormData) {
    form.set("_csrf", who.csrf);
    body = form;
  } else {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
    p.set("_csrf", who.csrf);
    body = p;
  }
  const request = new Request(`http://localhost${path}`, { method: "POST", headers: { cookie: who.cookie }, body });
  return settle(() => wrapped(mod).action({ request, params, context: { platform, clientIp: "127.0.0.1" } } as ActionFunctionArgs));
}

// ---- image bytes -----------------------------------------------------------------

const solid = (width: number, height: number, colour: string) => sharp({ create: { width, height, channels: 3, background: colour } });

export const makePng = (w = 64, h = 48, colour = "#e8431f") => solid(w, h, colour).png().toBuffer();
export const makeWebp = (w = 64, h = 48, colour = "#137a3d") => solid(w, h, colour).webp().toBuffer();
export const makeGif = (w = 16, h = 16) => solid(w, h, "#00f").gif().toBuffer();
/** A JPEG carrying EXIF: a camera model and an orientation of 6 (rotate 90° on display). */
export const makeJpegWithExif = (w = 80, h = 40) =>
  solid(w, h, "#336699")
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: "Bazaar Test Camera", Model: "Secret Serial 12345" } })
    .toBuffer();
