/**
 * Idempotency-Key and the per-install rate limit of `/api/v1`, over HTTP:
 * replays return the stored answer and change nothing, the same key with
 * another body is a 422, a retry while the first still runs is a 409, a key
 * is never shared across installs (or shops); the leaky bucket refuses with
 * 429 and Retry-After, sends RateLimit-* headers on every answer, and is
 * per install and configurable per install. Runs against Redis for the
 * bucket when REDIS_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { apiRoutes, createMemoryRateLimiter, purgeExpiredIdempotencyKeys, setInstallRateLimit, type ApiRoute } from "../app/openapi/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { sleep, waitFor } from "./aftersale-fixtures";
import { call, createApiShop, createMarketplace, startApiServer, TestTokens, type ApiResponse, type ApiServer, type ApiShop } from "./openapi-fixtures";

let platform: TestPlatform;
let server: ApiServer;
let a: ApiShop;
let b: ApiShop;
const tokens = new TestTokens();

/** A POST whose handler waits until the test opens the gate: a request still in flight. */
let openGate: () => void = () => {};
let gate = Promise.resolve();
let slowRuns = 0;
const slowRoute: ApiRoute = {
  operationId: "testSlow",
  method: "POST",
  path: "/test/slow",
  scope: "read_products",
  tag: "Test",
  summary: "waits for the test",
  body: z.object({ n: z.number() }),
  status: 201,
  response: z.object({ n: z.number(), run: z.number() }),
  handler: async ({ body }) => {
    const run = ++slowRuns;
    await gate;
    return { status: 201, body: { n: (body as { n: number }).n, run } };
  },
};

beforeAll(async () => {
  platform = await createTestPlatform();
  const m = await createMarketplace(platform);
  a = await createApiShop(platform, m);
  b = await createApiShop(platform, m);
  // the idempotency tests are not about the bucket (the rate-limit tests use installs of their own)
  for (const s of [a, b]) await setInstallRateLimit(platform.db, { shopId: s.install.shopId, installId: s.install.installId }, { burst: 10_000, perSecond: 1_000 });
  server = await startApiServer(platform, tokens.verify, { routes: [...apiRoutes, slowRoute], rateLimitCacheMs: 0 });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

async function productsTitled(shopId: string, title: string) {
  return platform.db.selectFrom("products").select("id").where("shop_id", "=", shopId).where("title", "=", title).execute();
}

describe("Idempotency-Key", () => {
  it("replays the stored answer: one product, one audit row, the same body and status", async () => {
    const token = tokens.issue(a.install);
    const key = `create-${Date.now()}`;
    const body = { title: "Idempotent tea", price: 990, stock: 2 };
    const first = await call(server, token, "POST", "/products", { body, headers: { "Idempotency-Key": key } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await call(server, token, "POST", "/products", { body: { stock: 2, price: 990, title: "Idempotent tea" }, headers: { "Idempotency-Key": key } });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(await productsTitled(a.seller.shop.id, "Idempotent tea")).toHaveLength(1);
    const audits = await platform.db.selectFrom("audit_log").select("id").where("action", "=", "product.created").where("target_id", "=", first.body.id).execute();
    expect(audits).toHaveLength(1);
  });

  it("the same key with a different body is a 422; a different path too", async () => {
    const token = tokens.issue(a.install);
    const key = `reuse-${Date.now()}`;
    expect((await call(server, token, "POST", "/categories", { body: { name: "Herbal" }, headers: { "Idempotency-Key": key } })).status).toBe(201);
    const other = await call(server, token, "POST", "/categories", { body: { name: "Black" }, headers: { "Idempotency-Key": key } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    const otherPath = await call(server, token, "POST", `/orders/${a.paidOrderId}/cancel`, { body: { name: "Herbal" }, headers: { "Idempotency-Key": key } });
    expect(otherPath.status).toBe(422);
    expect(await platform.db.selectFrom("categories").select("id").where("shop_id", "=", a.seller.shop.id).where("name", "=", "Black").execute()).toEqual([]);
    expect((await platform.db.selectFrom("orders").select("status").where("id", "=", a.paidOrderId).executeTakeFirstOrThrow()).status).toBe("paid");
  });

  it("a retry while the first request is still running is a 409; after it finishes, the retry gets its answer", async () => {
    const token = tokens.issue(a.install);
    const key = `slow-${Date.now()}`;
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const runsBefore = slowRuns;
    const first = call(server, token, "POST", "/test/slow", { body: { n: 7 }, headers: { "Idempotency-Key": key } });
    await waitFor("the first request to start", async () => slowRuns > runsBefore);
    const during = await call(server, token, "POST", "/test/slow", { body: { n: 7 }, headers: { "Idempotency-Key": key } });
    expect(during.status).toBe(409);
    expect(during.body.error.code).toBe("idempotency_key_in_use");
    openGate();
    const done = await first;
    expect(done.status).toBe(201);
    const after = await call(server, token, "POST", "/test/slow", { body: { n: 7 }, headers: { "Idempotency-Key": key } });
    expect(after.status).toBe(201);
    expect(after.body).toEqual(done.body);
    expect(slowRuns).toBe(runsBefore + 1);
  });

  it("keys belong to the install: shop B's token with shop A's key runs its own request and never sees A's answer", async () => {
    const key = `shared-${Date.now()}`;
    const body = { title: "Shared key tea", price: 500 };
    const inA = await call(server, tokens.issue(a.install), "POST", "/products", { body, headers: { "Idempotency-Key": key } });
    const inB = await call(server, tokens.issue(b.install), "POST", "/products", { body, headers: { "Idempotency-Key": key } });
    expect(inA.status).toBe(201);
    expect(inB.status).toBe(201);
    expect(inB.headers.get("idempotent-replayed")).toBeNull();
    expect(inB.body.id).not.toBe(inA.body.id);
    expect(await productsTitled(b.seller.shop.id, "Shared key tea")).toEqual([{ id: inB.body.id }]);
    const rows = await platform.db.selectFrom("api_idempotency_keys").select(["install_id", "shop_id"]).where("key", "=", key).execute();
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.shop_id))).toEqual(new Set([a.seller.shop.id, b.seller.shop.id]));
  });

  it("stores a refusal of the handler (409) but not a request that failed validation", async () => {
    const token = tokens.issue(a.install);
    const key = `ship-${Date.now()}`;
    const first = await call(server, token, "POST", `/orders/${a.completedOrderId}/ship`, { body: { carrier: "SF", trackingNumber: "X1" }, headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(409);
    const replay = await call(server, token, "POST", `/orders/${a.completedOrderId}/ship`, { body: { carrier: "SF", trackingNumber: "X1" }, headers: { "Idempotency-Key": key } });
    expect(replay.status).toBe(409);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");

    const key2 = `invalid-${Date.now()}`;
    const invalid = await call(server, token, "POST", "/categories", { body: { name: "" }, headers: { "Idempotency-Key": key2 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe("validation_failed");
    const fixed = await call(server, token, "POST", "/categories", { body: { name: "Fixed" }, headers: { "Idempotency-Key": key2 } });
    expect(fixed.status).toBe(201);
  });

  it.skipIf(!process.env.DATABASE_URL)("10 concurrent requests with one key: exactly one runs, the others are refused (409) or replayed", async () => {
    const token = tokens.issue(a.install);
    const key = `race-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(server, token, "POST", "/categories", { body: { name: "Raced" }, headers: { "Idempotency-Key": key } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409), statuses.join(",")).toBe(true);
    expect(results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    expect(await platform.db.selectFrom("categories").select("id").where("shop_id", "=", a.seller.shop.id).where("name", "=", "Raced").execute()).toHaveLength(1);
  });

  it("refuses a malformed key with 400", async () => {
    const res = await call(server, tokens.issue(a.install), "POST", "/categories", { body: { name: "K" }, headers: { "Idempotency-Key": "x".repeat(256) } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("Idempotency-Key");
  });

  it("keeps keys 24 h: the cleanup job deletes expired ones, and an expired key runs anew", async () => {
    const token = tokens.issue(a.install);
    const key = `old-${Date.now()}`;
    const first = await call(server, token, "POST", "/categories", { body: { name: "Old key" }, headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(201);
    const row = await platform.db.selectFrom("api_idempotency_keys").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
    const ttlHours = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / 3_600_000;
    expect(ttlHours).toBeCloseTo(24, 1);
    await platform.db.updateTable("api_idempotency_keys").set({ expires_at: new Date(Date.now() - 1000) }).where("key", "=", key).execute();
    const anew = await call(server, token, "POST", "/categories", { body: { name: "Old key 2" }, headers: { "Idempotency-Key": key } });
    expect(anew.status).toBe(201);
    expect(anew.body.id).not.toBe(first.body.id);
    await platform.db.updateTable("api_idempotency_keys").set({ expires_at: new Date(Date.now() - 1000) }).where("key", "=", key).execute();
    expect(await purgeExpiredIdempotencyKeys(platform.db)).toBeGreaterThanOrEqual(1);
    expect(await platform.db.selectFrom("api_idempotency_keys").select("key").where("key", "=", key).execute()).toEqual([]);
  });
});

describe("rate limit", () => {
  it("GCRA: a burst of 40, then one every 500 ms (a clock the test moves)", async () => {
    let now = 1_000_000;
    const limiter = createMemoryRateLimiter(() => now);
    const limit = { burst: 40, perSecond: 2 };
    const first = await limiter.take("i", limit);
    expect(first).toMatchObject({ allowed: true, limit: 40, remaining: 39 });
    for (let i = 1; i < 40; i++) expect((await limiter.take("i", limit)).allowed).toBe(true);
    const refused = await limiter.take("i", limit);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1, resetSeconds: 20 });
    now += 499;
    expect((await limiter.take("i", limit)).allowed).toBe(false);
    now += 1;
    expect(await limiter.take("i", limit)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await limiter.take("other", limit)).remaining).toBe(39);
    now += 20_000;
    expect((await limiter.take("i", limit)).remaining).toBe(39);
  });

  it("refuses an install past its burst with 429 and Retry-After, with RateLimit headers on every answer; other installs are unaffected", async () => {
    expect(server.router.rateLimiter.kind).toBe(process.env.REDIS_URL ? "redis" : "memory");
    const shopC = await createApiShop(platform, await createMarketplace(platform));
    const token = tokens.issue(shopC.install);
    const started = Date.now();
    const statuses: number[] = [];
    let refusal: ApiResponse | null = null;
    let lastRemaining = Infinity;
    for (let i = 0; i < 400 && !refusal; i++) {
      const res = await call(server, token, "GET", "/extension/counters/hits");
      statuses.push(res.status);
      expect(res.headers.get("ratelimit-limit")).toBe("40");
      expect(res.headers.get("ratelimit-reset")).toMatch(/^\d+$/);
      const remaining = Number(res.headers.get("ratelimit-remaining"));
      if (res.status === 429) refusal = res;
      else {
        expect(res.status).toBe(200);
        if (i < 10) expect(remaining).toBeLessThan(lastRemaining);
        lastRemaining = remaining;
      }
    }
    const elapsedS = (Date.now() - started) / 1000;
    const allowed = statuses.filter((s) => s === 200).length;
    expect(refusal, "a 429 came").not.toBeNull();
    // 40 at once, plus what drained at 2/s while the requests ran
    expect(allowed).toBeGreaterThanOrEqual(40);
    expect(allowed).toBeLessThanOrEqual(40 + Math.ceil(elapsedS * 2) + 1);
    expect(refusal!.body.error.code).toBe("rate_limited");
    expect(Number(refusal!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refusal!.headers.get("ratelimit-remaining")).toBe("0");

    // another install of another shop is on its own bucket
    const other = await call(server, tokens.issue(a.install), "GET", "/extension/counters/hits");
    expect(other.status).toBe(200);
  });

  it("is configurable per install, and the bucket drains: after Retry-After the install may call again", async () => {
    const shopD = await createApiShop(platform, await createMarketplace(platform));
    await setInstallRateLimit(platform.db, { shopId: shopD.install.shopId, installId: shopD.install.installId }, { burst: 3, perSecond: 0.5 });
    const token = tokens.issue(shopD.install);
    const results: number[] = [];
    let refusal: ApiResponse | null = null;
    for (let i = 0; i < 10 && !refusal; i++) {
      const res = await call(server, token, "GET", "/products?limit=1");
      results.push(res.status);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
      if (res.status === 429) refusal = res;
    }
    expect(results.slice(0, 3)).toEqual([200, 200, 200]);
    expect(refusal).not.toBeNull();
    const retryAfter = Number(refusal!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await sleep(retryAfter * 1000 + 100);
    expect((await call(server, token, "GET", "/products?limit=1")).status).toBe(200);
  });
});
