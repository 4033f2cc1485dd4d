/**
 * What the open API tests share: two shops (A and B), each with a product,
 * a home shelf, a paid order, a completed order with a claim on it, and an
 * install of a test extension granted every scope; a token verifier backed
 * by those real install rows (tokens map to principals, as the OAuth
 * module's verifier would answer); and the `/api/v1` router served over
 * real HTTP. The API layer is tested through its port; token verification
 * itself is the OAuth module's tests' subject.
 */
import express from "express";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { openClaim } from "../app/aftersale/index.server";
import { SCOPES, type InstallView, type Scope } from "../app/marketplace/index.server";
import type { ApiPrincipal, VerifyAccessToken } from "../app/oauth/principal";
import { createApiRouter, type ApiRoute, type ApiRouter, type RateLimiter } from "../app/openapi/index.server";
import type { Platform } from "../app/platform.server";
import { ensureHomeShelf, getHomeShelfId } from "../app/shelves/index.server";
import { buyerWithOrder, createSeller, type Seller } from "./aftersale-fixtures";
import { createMarketplace, installTestExtension, type Marketplace } from "./extensions-fixtures";

export type ApiShop = {
  seller: Seller;
  install: InstallView;
  productId: string;
  skuIds: string[];
  shelfId: string;
  /** paid, not shipped */
  paidOrderId: string;
  /** completed, with a refund-only claim waiting for the shop */
  completedOrderId: string;
  claimId: string;
  customerId: string;
};

/** A shop with one record of every kind the API has ids for, and an install granted every scope. */
export async function createApiShop(platform: Platform, m: Marketplace): Promise<ApiShop> {
  const seller = await createSeller(platform);
  const install = await installTestExtension(platform, m, { id: seller.shop.id, ownerId: seller.owner.id }, {
    hooks: ["order.paid"],
    scopes: [...SCOPES],
    source: `{ "order.paid": async () => {} }`,
  });
  await ensureHomeShelf(platform.db, seller.shop.id, { id: seller.owner.id });
  const shelfId = (await getHomeShelfId(platform.db, seller.shop.id))!;
  const paid = await buyerWithOrder(platform, seller, "paid");
  const completed = await buyerWithOrder(platform, seller, "completed");
  const claimId = await openClaim(platform, {
    userId: completed.buyer.id,
    orderId: completed.orderId,
    form: { kind: "refund_only", reason: "damaged", description: "The lid arrived cracked.", amount: "10.00" },
  });
  const productId = (await platform.db.selectFrom("skus").select("product_id").where("id", "=", seller.skuIds[0]).executeTakeFirstOrThrow()).product_id;
  return {
    seller,
    install,
    productId,
    skuIds: seller.skuIds,
    shelfId,
    paidOrderId: paid.orderId,
    completedOrderId: completed.orderId,
    claimId,
    customerId: paid.order.customerId,
  };
}

/** Tokens for installs: each maps to the principal the OAuth module would resolve it to. */
export class TestTokens {
  private readonly principals = new Map<string, ApiPrincipal>();
  readonly verify: VerifyAccessToken = async (token) => this.principals.get(token) ?? null;

  /** A token of `install` with `scopes` (default: every scope the install was granted). */
  issue(install: InstallView, scopes: readonly Scope[] = install.grantedScopes): string {
    const token = randomBytes(24).toString("base64url");
    this.principals.set(token, {
      shopId: install.shopId,
      installId: install.installId,
      extensionId: install.extensionId,
      clientId: `client-${install.extensionId}`,
      grantId: `grant-${install.installId}`,
      scopes: [...scopes],
    });
    return token;
  }

  revoke(token: string): void {
    this.principals.delete(token);
  }
}

export type ApiServer = { url: string; router: ApiRouter; close(): Promise<void> };

/** `/api/v1` alone on an express app (as server.ts mounts it), on a free local port. */
export async function startApiServer(
  platform: Platform,
  verify: VerifyAccessToken,
  opts: { routes?: readonly ApiRoute[]; rateLimiter?: RateLimiter; rateLimitCacheMs?: number } = {},
): Promise<ApiServer> {
  const app = express();
  const router = createApiRouter(platform, { verifyAccessToken: verify, validateResponses: true, ...opts });
  app.use("/api/v1", router);
  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    router,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await router.close();
    },
  };
}

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T };

/** A JSON call with a bearer token (or none). */
export async function call<T = any>(
  server: ApiServer,
  token: string | null,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(server.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text, the assertion will show it
  }
  return { status: res.status, headers: res.headers, body };
}

/** The path of a route with its `:params` filled from `values`; throws for a parameter the test does not know. */
export function fillPath(route: ApiRoute, values: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${route.operationId}: the test has no value for path parameter "${name}"; add one`);
    return encodeURIComponent(v);
  });
}

/**
 * A valid body for every operation that takes one, so a test reaches the
 * handler (and its tenant lookup) rather than stopping at validation.
 */
export const SAMPLE_BODIES: Record<string, unknown> = {
  createProduct: { title: "API tea", price: 1500, stock: 3 },
  updateProduct: { title: "Renamed by the API" },
  setProductStatus: { status: "off_sale" },
  updateSku: { price: 4100 },
  adjustStock: { delta: 1, note: "API count" },
  createCategory: { name: `API category ${Date.now()}` },
  publishShelf: {},
  shipOrder: { carrier: "SF", trackingNumber: "SF123456" },
  cancelOrder: { reason: "API cancel" },
  refundOrder: { mode: "full", reason: "API refund" },
  respondToClaim: { intent: "refuse", reason: "Not damaged on our photos" },
  putStorage: { value: { points: 1 } },
};

export function sampleBody(route: ApiRoute): unknown {
  if (!route.body) return undefined;
  if (!(route.operationId in SAMPLE_BODIES)) throw new Error(`${route.operationId}: add a valid sample body to SAMPLE_BODIES`);
  return SAMPLE_BODIES[route.operationId];
}

export { createMarketplace, type Marketplace };
