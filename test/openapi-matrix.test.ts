/**
 * Tests generated from the route table of `/api/v1`: every route declares a
 * scope and refuses a token without it (403, audited); a token of shop A on
 * every id of shop B is a 404 and changes nothing in shop B; tokens only in
 * the Authorization header; and the OpenAPI document describes exactly the
 * table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPES, type Scope } from "../app/marketplace/index.server";
import { apiRoutes, openApiPath, setInstallRateLimit, type ApiRoute } from "../app/openapi/index.server";
import { getOrder } from "../app/orders/index.server";
import { getAdminProduct } from "../app/catalog/index.server";
import { getShopClaim } from "../app/aftersale/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import * as docsRoute from "../app/routes/docs.api";
import { startTestServer } from "./support/server";
import { call, createApiShop, createMarketplace, fillPath, sampleBody, startApiServer, TestTokens, type ApiServer, type ApiShop } from "./openapi-fixtures";

let platform: TestPlatform;
let server: ApiServer;
let a: ApiShop;
let b: ApiShop;
const tokens = new TestTokens();

beforeAll(async () => {
  platform = await createTestPlatform();
  const m = await createMarketplace(platform);
  a = await createApiShop(platform, m);
  b = await createApiShop(platform, m);
  // these tests are about scopes and tenants, not the rate limit
  for (const s of [a, b]) await setInstallRateLimit(platform.db, { shopId: s.install.shopId, installId: s.install.installId }, { burst: 10_000, perSecond: 1_000 });
  server = await startApiServer(platform, tokens.verify);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

const KNOWN_SCOPES = new Set<string>([...SCOPES, "install"]);

describe("the route table", () => {
  it("declares a known scope on every route, with unique operation ids and method + path pairs", () => {
    expect(apiRoutes.length).toBeGreaterThan(20);
    for (const r of apiRoutes) {
      expect(r.scope, `${r.operationId} must declare its scope`).toBeDefined();
      expect(KNOWN_SCOPES.has(r.scope), `${r.operationId}: unknown scope ${String(r.scope)}`).toBe(true);
    }
    expect(new Set(apiRoutes.map((r) => r.operationId)).size).toBe(apiRoutes.length);
    expect(new Set(apiRoutes.map((r) => `${r.method} ${r.path}`)).size).toBe(apiRoutes.length);
  });

  it("a list route takes cursor and limit", () => {
    for (const r of apiRoutes.filter((r) => r.method === "GET" && /^list/.test(r.operationId))) {
      const q = r.query as unknown as { shape?: Record<string, unknown> } | undefined;
      expect(q?.shape && "cursor" in q.shape && "limit" in q.shape, `${r.operationId} paginates`).toBe(true);
    }
  });
});

function allScopesBut(scope: Scope): Scope[] {
  return SCOPES.filter((s) => s !== scope);
}

const idsOf = (s: ApiShop): Record<string, string> => ({
  productId: s.productId,
  skuId: s.skuIds[0],
  shelfId: s.shelfId,
  orderId: s.paidOrderId,
  customerId: s.customerId,
  claimId: s.claimId,
  key: "tenant-secret",
});

describe("scope matrix (generated from the table)", () => {
  for (const route of apiRoutes) {
    if (route.scope === "install") {
      it(`${route.method} ${route.path} needs no resource scope, only a token of the install`, async () => {
        const token = tokens.issue(a.install, []);
        const res = await call(server, token, route.method, fillPath(route, idsOf(a)), { body: sampleBody(route) });
        expect(res.status, JSON.stringify(res.body)).not.toBe(403);
        expect(res.status).toBeLessThan(500);
      });
      continue;
    }
    it(`${route.method} ${route.path} without ${route.scope} → 403 insufficient_scope`, async () => {
      const token = tokens.issue(a.install, allScopesBut(route.scope as Scope));
      const res = await call(server, token, route.method, fillPath(route, idsOf(a)), { body: sampleBody(route) });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toEqual({ error: { code: "insufficient_scope", message: expect.stringContaining(route.scope) } });
      expect(res.headers.get("www-authenticate")).toContain(`error="insufficient_scope", scope="${route.scope}"`);
    });
  }

  it("every refusal is audited with the install as the actor", async () => {
    const denied = await platform.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "api.scope_denied")
      .where("actor_id", "=", a.install.installId)
      .execute();
    const expected = apiRoutes.filter((r) => r.scope !== "install").map((r) => r.operationId);
    expect(new Set(denied.map((d) => (d.details as { operationId: string }).operationId))).toEqual(new Set(expected));
    expect(denied.every((d) => d.actor_type === "extension" && d.shop_id === a.install.shopId)).toBe(true);
  });
});

describe("tenant isolation (generated): shop A's token on shop B's ids", () => {
  const withIds = apiRoutes.filter((r) => r.path.includes(":"));

  it("covers every route with a path parameter", () => {
    expect(withIds.length).toBeGreaterThan(10);
  });

  for (const route of withIds.filter((r) => r.scope !== "install")) {
    it(`${route.method} ${route.path} with shop B's ids → 404`, async () => {
      const token = tokens.issue(a.install);
      const res = await call(server, token, route.method, fillPath(route, idsOf(b)), { body: sampleBody(route) });
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    });
  }

  it("the install's own records are the install's: A never reads or changes B's", async () => {
    await platform.db
      .insertInto("extension_storage")
      .values({ install_id: b.install.installId, key: "tenant-secret", value: JSON.stringify({ b: "only" }), bytes: 12, updated_at: new Date() })
      .execute();
    await platform.db.insertInto("extension_counters").values({ install_id: b.install.installId, key: "tenant-secret", value: 42, updated_at: new Date() }).execute();
    const tokenA = tokens.issue(a.install);
    for (const route of withIds.filter((r) => r.scope === "install")) {
      const res = await call(server, tokenA, route.method, fillPath(route, idsOf(b)), { body: sampleBody(route) });
      expect(JSON.stringify(res.body)).not.toContain("only");
      expect(JSON.stringify(res.body)).not.toContain("42");
    }
    const list = await call(server, tokenA, "GET", "/extension/storage");
    expect(list.body.data.every((r: { value: unknown }) => JSON.stringify(r.value) !== '{"b":"only"}')).toBe(true);
    const row = await platform.db.selectFrom("extension_storage").select("value").where("install_id", "=", b.install.installId).where("key", "=", "tenant-secret").executeTakeFirst();
    expect(row?.value).toEqual({ b: "only" });
    const tokenB = tokens.issue(b.install);
    expect((await call(server, tokenB, "GET", "/extension/counters/tenant-secret")).body).toEqual({ key: "tenant-secret", value: 42 });
  });

  it("shop B's records did not change", async () => {
    expect((await getOrder(platform.db, b.seller.shop.id, b.paidOrderId))!.status).toBe("paid");
    const product = await getAdminProduct(platform.db, b.seller.shop.id, b.productId);
    expect(product.title).toBe("Teapot");
    expect(product.status).not.toBe("off_sale");
    expect((await getShopClaim(platform.db, b.seller.shop.id, b.claimId))!.claim.status).toBe("awaiting_merchant");
    const byA = await platform.db.selectFrom("audit_log").select("action").where("shop_id", "=", b.seller.shop.id).where("actor_id", "=", a.install.installId).execute();
    expect(byA).toEqual([]);
  });

  it("a list never shows another shop's records", async () => {
    const token = tokens.issue(a.install);
    const orders = await call(server, token, "GET", "/orders?limit=100");
    expect(orders.status).toBe(200);
    expect(orders.body.data.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([a.paidOrderId, a.completedOrderId]));
    expect(orders.body.data.map((o: { id: string }) => o.id)).not.toContain(b.paidOrderId);
    const customers = await call(server, token, "GET", "/customers?limit=100");
    expect(customers.body.data.map((c: { id: string }) => c.id)).toContain(a.customerId);
    expect(customers.body.data.map((c: { id: string }) => c.id)).not.toContain(b.customerId);
  });
});

describe("tokens and errors", () => {
  it("a token in the query string is refused with 400, with or without the header", async () => {
    const token = tokens.issue(a.install);
    const withHeader = await call(server, token, "GET", `/products?access_token=${token}`);
    expect(withHeader.status).toBe(400);
    expect(withHeader.body).toEqual({ error: { code: "invalid_request", message: expect.any(String), field: "access_token" } });
    const alone = await call(server, null, "GET", `/orders?access_token=${token}`);
    expect(alone.status).toBe(400);
  });

  it("no token or an unknown one is a 401 with WWW-Authenticate; a session cookie is not a credential", async () => {
    const none = await call(server, null, "GET", "/products", { headers: { cookie: "__session=whatever" } });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(none.body.error.code).toBe("invalid_token");
    const bad = await call(server, "not-a-real-token", "GET", "/products");
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const revoked = tokens.issue(a.install);
    tokens.revoke(revoked);
    expect((await call(server, revoked, "GET", "/products")).status).toBe(401);
  });

  it("an unknown route is a 404 in the API's error format; malformed JSON is a 400", async () => {
    const token = tokens.issue(a.install);
    const res = await call(server, token, "GET", "/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    const raw = await fetch(`${server.url}/products`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{nope" });
    expect(raw.status).toBe(400);
    expect((await raw.json()).error.code).toBe("invalid_json");
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and describes every route of the table with its scope, parameters and schemas", async () => {
    const res = await call(server, null, "GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    const ops = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((p) => Object.values(p));
    expect(ops).toHaveLength(apiRoutes.length);
    for (const r of apiRoutes as readonly ApiRoute[]) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op.operationId).toBe(r.operationId);
      expect(op["x-scope"]).toBe(r.scope === "install" ? null : r.scope);
      const pathParams = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]);
      expect(op.parameters?.filter((p: any) => p.in === "path").map((p: any) => p.name) ?? []).toEqual(pathParams);
      expect(Object.keys(op.responses[String(r.status ?? 200)].content["application/json"].schema ?? {}).length).toBeGreaterThan(0);
      if (r.body) {
        const schema = op.requestBody.content["application/json"].schema;
        expect(schema.type === "object" || Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf), `${r.operationId} body: ${JSON.stringify(schema)}`).toBe(true);
      }
    }
    // every $ref resolves inside the document
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas[ref], ref).toBeDefined();
    const list = doc.paths["/products"].get;
    expect(list.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(["cursor", "limit", "status", "q"]));
    expect(list.parameters.find((p: any) => p.name === "limit").schema).toMatchObject({ minimum: 1, maximum: 100 });
    expect(doc.components.securitySchemes.oauth2.flows.authorizationCode.scopes).toHaveProperty("write_orders");
  });
});

describe("the reference page (/docs/api)", () => {
  it("lists every operation with its scope, parameters and schemas, from the same document", async () => {
    const res = (await docsRoute.loader({ request: new Request("http://localhost/docs/api"), params: {}, context: { platform, clientIp: null } } as any)) as Response;
    const data = await res.json();
    const ops = data.groups.flatMap((g: any) => g.ops);
    expect(ops.map((o: any) => o.id).sort()).toEqual(apiRoutes.map((r) => r.operationId).sort());
    for (const r of apiRoutes) {
      const op = ops.find((o: any) => o.id === r.operationId);
      expect(op.scope).toBe(r.scope === "install" ? null : r.scope);
      expect(op.method).toBe(r.method);
    }
    const ship = ops.find((o: any) => o.id === "shipOrder");
    expect(ship.parameters.map((p: any) => p.name)).toEqual(["orderId", "Idempotency-Key"]);
    expect(ship.body.map((f: any) => f.name)).toEqual(["carrier", "trackingNumber"]);
    expect(data.schemas.map((s: any) => s.name)).toEqual(expect.arrayContaining(["Product", "Order", "Claim", "Customer"]));
  });
});

describe("mounted in the real server", () => {
  it("serves /api/v1 before Remix (JSON errors, the document) and the reference page renders", async () => {
    const web = await startTestServer(platform);
    try {
      const unauth = await fetch(`${web.url}/api/v1/products`);
      expect(unauth.status).toBe(401);
      expect(await unauth.json()).toMatchObject({ error: { code: "invalid_token" } });
      const post = await fetch(`${web.url}/api/v1/products`, { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: "{}" });
      expect(post.status).toBe(401); // no CSRF or origin check in the way of a bearer API, and no cookie accepted
      const doc = await fetch(`${web.url}/api/v1/openapi.json`);
      expect((await doc.json()).openapi).toBe("3.1.0");
      const page = await fetch(`${web.url}/docs/api`);
      expect(page.status).toBe(200);
      const html = await page.text();
      for (const needle of ["Open API reference", "shipOrder", "write_orders", "/orders/{orderId}/ship", "Idempotency-Key", "trackingNumber"]) expect(html).toContain(needle);
    } finally {
      await web.close();
    }
  });
});
