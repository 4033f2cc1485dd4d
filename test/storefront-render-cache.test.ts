/**
 * The storefront's render cache (app/shelves/render-cache.server.ts) over
 * real HTTP: a repeated anonymous product page is served from the cache,
 * yet every visitor gets their own CSRF token in the HTML, a price or stock
 * change shows on the very next request, and per-buyer pages (cart, a
 * signed-in buyer's view) never leak into another visitor's page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateSkus } from "../app/catalog/index.server";
import { renderCacheOf } from "../app/shelves/render-cache.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createClient, startTestServer, type TestServer } from "./support/server";
import { createMerchantShop, createTestProduct, type TestShop } from "./support/storefront-fixtures";

let platform: TestPlatform;
let server: TestServer;
let shop: TestShop;

beforeAll(async () => {
  platform = await createTestPlatform();
  ({ shop } = await createMerchantShop(platform));
  server = await startTestServer(platform);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

/** The CSRF token the page's forms carry. */
function formToken(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

describe("the storefront render cache", () => {
  it("reuses a product page's render for another visitor, with that visitor's own CSRF token", async () => {
    const p = await createTestProduct(platform, shop, { title: "Jasmine Pearls", price: 4200, stock: 9 });
    const path = `/s/${shop.handle}/products/${p.id}`;
    const cache = renderCacheOf(platform);
    const hitsBefore = cache.hits;
    const directBefore = cache.directHits;

    const alice = createClient(server.url);
    const first = await alice.get(path);
    expect(first.status).toBe(200);
    expect(first.body).toContain("Jasmine Pearls");
    expect(first.headers.get("content-length")).toBe(String(Buffer.byteLength(first.body)));

    const bob = createClient(server.url);
    const second = await bob.get(path);
    expect(second.status).toBe(200);
    expect(cache.hits).toBe(hitsBefore + 1);
    // Served ahead of Remix's document pipeline (server.ts → cachedStorefrontPages), loaders run all the same.
    expect(cache.directHits).toBe(directBefore + 1);

    const aliceToken = decodeURIComponent(alice.cookies.get("bz_csrf")!);
    const bobToken = decodeURIComponent(bob.cookies.get("bz_csrf")!);
    expect(aliceToken).not.toBe(bobToken);
    expect(formToken(first.body)).toBe(aliceToken);
    expect(formToken(second.body)).toBe(bobToken);
    expect(second.body).not.toContain(aliceToken);
    // Apart from the token, the very same page.
    expect(second.body.split(bobToken).join("T")).toBe(first.body.split(aliceToken).join("T"));

    // A data request for the same URL is Remix's, and JSON, whatever the cache holds.
    const data = await bob.get(`${path}?_data=${encodeURIComponent("routes/s.$shopHandle.products.$productId")}`);
    expect(data.headers.get("content-type")).toMatch(/application\/json/);
    expect(data.json<{ product: { title: string } }>().product.title).toBe("Jasmine Pearls");

    // The reused page's token works: Bob can add to his cart with it.
    const added = await bob.post(`/s/${shop.handle}/cart`, { intent: "add", productId: p.id, skuId: p.skus[0].id, quantity: "1" });
    expect(added.status).toBeLessThan(400);
  });

  it("shows a new price and stock on the very next request", async () => {
    const p = await createTestProduct(platform, shop, { title: "Silver Needle", price: 9900, stock: 7 });
    const path = `/s/${shop.handle}/products/${p.id}`;
    const visitor = createClient(server.url);
    expect((await visitor.get(path)).body).toContain("¥99.00");
    expect((await visitor.get(path)).body).toContain("¥99.00");

    await updateSkus(platform.db, shop.id, p.id, { type: "user", id: shop.ownerId }, [{ skuId: p.skus[0].id, price: 8800, stock: 2 }]);
    const after = await visitor.get(path);
    expect(after.body).toContain("¥88.00");
    expect(after.body).not.toContain("¥99.00");
    expect(after.body).toContain("Only 2 left");
  });

  it("never serves one buyer's cart or header to another", async () => {
    const p = await createTestProduct(platform, shop, { title: "Tieguanyin", price: 3000, stock: 5 });
    const buyer = createClient(server.url);
    await buyer.get(`/s/${shop.handle}/products/${p.id}`);
    const added = await buyer.post(`/s/${shop.handle}/cart`, { intent: "add", productId: p.id, skuId: p.skus[0].id, quantity: "2" });
    expect(added.status).toBeLessThan(400);

    const withCart = await buyer.get(`/s/${shop.handle}/products/${p.id}`);
    expect(withCart.body).toMatch(/Cart, 2 items/);
    const stranger = await createClient(server.url).get(`/s/${shop.handle}/products/${p.id}`);
    expect(stranger.body).toMatch(/Cart, 0 items/);

    // The cart page itself is never cached: each visitor sees their own lines.
    const size = renderCacheOf(platform).size;
    expect((await buyer.get(`/s/${shop.handle}/cart`)).body).toContain("Tieguanyin");
    expect((await createClient(server.url).get(`/s/${shop.handle}/cart`)).body).not.toContain("Tieguanyin");
    expect(renderCacheOf(platform).size).toBe(size);
  });

  it("does not cache error pages", async () => {
    const size = renderCacheOf(platform).size;
    const res = await createClient(server.url).get(`/s/${shop.handle}/products/prd_00000000000000000000000000`);
    expect(res.status).toBe(404);
    expect(renderCacheOf(platform).size).toBe(size);
  });
});
