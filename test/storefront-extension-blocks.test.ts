/**
 * Extension storefront blocks on the storefront's pages, over real HTTP
 * through the render cache: the shop home, a product page (which learns the
 * product's id) and the cart show each buyer their own block; the same page
 * for another buyer or a visitor never carries the first buyer's card, even
 * when the render cache serves it; a shop without such an install shows none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { renderCacheOf } from "../app/shelves/render-cache.server";
import { createCustomer, createMarketplace, installTestExtension, useTestHost } from "./extensions-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createClient, startTestServer, type TestClient, type TestServer } from "./support/server";
import { createMerchantShop, createTestProduct, type TestShop } from "./support/storefront-fixtures";

let platform: TestPlatform;
let server: TestServer;
let shop: TestShop;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  ({ shop } = await createMerchantShop(platform));
  const m = await createMarketplace(platform);
  await installTestExtension(platform, m, shop, {
    name: "Member card",
    hooks: ["storefront.blocks"],
    scopes: ["read_customers"],
    source: `{ "storefront.blocks": async (input, ctx) => {
      const where = input.page + (input.productId ? " " + input.productId : "");
      if (!input.buyer) return { blocks: [{ type: "text", text: "Join us · " + where }] };
      const me = await ctx.customers.get(input.buyer.customerId);
      return { blocks: [{ type: "text", text: "Card of " + me.name + " · " + where, tone: "success" }] };
    } }`,
  });
  server = await startTestServer(platform);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

async function signedIn(userId: string): Promise<TestClient> {
  const client = createClient(server.url);
  const { token } = await createSession(platform.db, userId);
  client.cookies.set(SESSION_COOKIE, token);
  return client;
}

describe("extension blocks on the storefront", () => {
  it("shows each buyer their own block on the home, product and cart pages, and never another's from the render cache", async () => {
    const product = await createTestProduct(platform, shop, { title: "Silver Needle", price: 8800, stock: 5 });
    const [ann, ben] = [await createCustomer(platform, shop.id), await createCustomer(platform, shop.id)];
    const a = await signedIn(ann.userId);
    const b = await signedIn(ben.userId);
    const visitor = createClient(server.url);
    const pages = { home: `/s/${shop.handle}`, product: `/s/${shop.handle}/products/${product.id}`, cart: `/s/${shop.handle}/cart` };
    const where = { home: "home", product: `product ${product.id}`, cart: "cart" };
    const cache = renderCacheOf(platform);

    for (const page of ["home", "product", "cart"] as const) {
      // Twice each: the second product and home pages may come from the render cache.
      for (let round = 0; round < 2; round++) {
        const hitsBefore = cache.hits;
        const [ra, rb, rv] = [await a.get(pages[page]), await b.get(pages[page]), await visitor.get(pages[page])];
        for (const r of [ra, rb, rv]) expect(r.status, page).toBe(200);
        expect(ra.body).toContain(`Card of ${ann.name} · ${where[page]}`);
        expect(ra.body).not.toContain(ben.name);
        expect(rb.body).toContain(`Card of ${ben.name} · ${where[page]}`);
        expect(rb.body).not.toContain(ann.name);
        expect(rv.body).toContain(`Join us · ${where[page]}`);
        expect(rv.body).not.toContain("Card of");
        expect(ra.body).toMatch(/by (<!-- -->)?Member card/);
        if (round === 1 && page !== "cart") expect(cache.hits, page).toBeGreaterThan(hitsBefore);
      }
    }
  }, 120_000);

  it("shows no block in a shop without a storefront.blocks install", async () => {
    const other = await createMerchantShop(platform);
    const r = await createClient(server.url).get(`/s/${other.shop.handle}`);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain("From the shop&#x27;s extensions");
    expect(r.body).not.toContain("Join us");
  });
});
