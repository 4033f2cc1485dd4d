/**
 * The buyer storefront: unknown and closed shops are 404s, product pages
 * carry Open Graph tags with absolute URLs, category and search lists are
 * paginated, merchant text is escaped in the rendered HTML, and the demo
 * seed lays out a published home page quickly.
 */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storageFor } from "../app/storage/index.server";
import * as layout from "../app/routes/s.$shopHandle";
import * as home from "../app/routes/s.$shopHandle._index";
import * as productPage from "../app/routes/s.$shopHandle.products.$productId";
import * as categoryPage from "../app/routes/s.$shopHandle.c.$categoryId";
import * as searchPage from "../app/routes/s.$shopHandle.search";
import * as cartRoute from "../app/routes/s.$shopHandle.cart";
import * as storefrontPage from "../app/routes/s.$shopHandle.p.$slug";
import { seedSteps } from "../db/seed";
import { demoCatalogStep, seedDemoCatalog } from "../db/seed-demo-catalog";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { body, createMerchantShop, createTestCategory, createTestProduct, TestBrowser, type TestShop } from "./support/storefront-fixtures";

let platform: TestPlatform;
let shop: TestShop;
let buyer: TestBrowser;

beforeAll(async () => {
  platform = await createTestPlatform({ publicUrl: "https://shop.example.test" });
  ({ shop } = await createMerchantShop(platform));
  buyer = new TestBrowser(platform);
});

afterAll(async () => {
  await platform?.close();
});

describe("unknown and closed shops", () => {
  it("answers 404 for a handle no shop has, on every storefront route", async () => {
    for (const [mod, p, params] of [
      [layout, "/s/no-such-shop", { shopHandle: "no-such-shop" }],
      [home, "/s/no-such-shop", { shopHandle: "no-such-shop" }],
      [cartRoute, "/s/no-such-shop/cart", { shopHandle: "no-such-shop" }],
      [productPage, "/s/no-such-shop/products/prd_00000000000000000000000000", { shopHandle: "no-such-shop", productId: "prd_00000000000000000000000000" }],
      [layout, "/s/NOT%20A%20HANDLE", { shopHandle: "NOT A HANDLE" }],
    ] as const) {
      const res = await buyer.get(mod as any, p, params as any);
      expect(res.status, p).toBe(404);
      expect((await body(res)).error.message).toMatch(/not found/i);
    }
  });

  it("answers 404 for a closed shop", async () => {
    const { shop: closed } = await createMerchantShop(platform);
    await platform.db.updateTable("shops").set({ status: "closed" }).where("id", "=", closed.id).execute();
    expect((await buyer.get(layout, `/s/${closed.handle}`, { shopHandle: closed.handle })).status).toBe(404);
  });
});

describe("the product page", () => {
  it("shows an on-sale product with its SKUs and Open Graph data with absolute URLs", async () => {
    const p = await createTestProduct(platform, shop, {
      title: "Celadon Gaiwan",
      specs: [
        { name: "Colour", values: ["Celadon", "Ivory"] },
        { name: "Size", values: ["S", "M", "L"] },
      ],
      price: 12800,
      stock: 4,
    });
    await platform.db.updateTable("products").set({ description: "Thin **porcelain** & a cool rim.\n\n<script>alert(1)</script>" }).where("id", "=", p.id).execute();
    const res = await buyer.get(productPage, `/s/${shop.handle}/products/${p.id}`, { shopHandle: shop.handle, productId: p.id });
    expect(res.status).toBe(200);
    const data = await body(res);
    expect(data.product.skus).toHaveLength(6);
    expect(data.product.descriptionHtml).toContain("<strong>porcelain</strong>");
    expect(data.product.descriptionHtml).not.toContain("<script");
    expect(data.og).toMatchObject({
      url: `https://shop.example.test/s/${shop.handle}/products/${p.id}`,
      description: "Thin porcelain & a cool rim.",
      priceAmount: "128.00",
      image: null,
    });
    const tags = productPage.meta({ data, params: {}, location: {} as any, matches: [] } as any) as Record<string, string>[];
    const prop = (name: string) => tags.find((t) => t.property === name)?.content;
    expect(prop("og:type")).toBe("product");
    expect(prop("og:title")).toBe("Celadon Gaiwan");
    expect(prop("product:price:amount")).toBe("128.00");
    expect(prop("product:price:currency")).toBe("CNY");
  });

  it("is a 404 for a draft or off-sale product, and for another shop's product", async () => {
    const draft = await createTestProduct(platform, shop, { status: "draft" });
    const off = await createTestProduct(platform, shop, { status: "off_sale" });
    const { shop: other } = await createMerchantShop(platform);
    const foreign = await createTestProduct(platform, other);
    for (const id of [draft.id, off.id, foreign.id, "not-an-id"]) {
      const res = await buyer.get(productPage, `/s/${shop.handle}/products/${id}`, { shopHandle: shop.handle, productId: id });
      expect(res.status, id).toBe(404);
    }
  });
});

describe("lists", () => {
  it("pages through a category (and its subcategories), 24 at a time, newest first", async () => {
    const { shop: s } = await createMerchantShop(platform);
    const tea = await createTestCategory(platform, s, "Tea");
    const created: string[] = [];
    for (let i = 0; i < 27; i++) created.push((await createTestProduct(platform, s, { title: `Tea ${i}`, categoryId: tea })).id);
    await createTestProduct(platform, s, { title: "Not tea" });
    const params = { shopHandle: s.handle, categoryId: tea };
    const first = await body(await buyer.get(categoryPage, `/s/${s.handle}/c/${tea}`, params));
    expect(first.category.name).toBe("Tea");
    expect(first.products).toHaveLength(24);
    expect(first.products[0].title).toBe("Tea 26");
    expect(first.nextCursor).toBeTruthy();
    const second = await body(await buyer.get(categoryPage, `/s/${s.handle}/c/${tea}?after=${first.nextCursor}`, params));
    expect(second.products.map((p: { title: string }) => p.title)).toEqual(["Tea 2", "Tea 1", "Tea 0"]);
    expect(second.nextCursor).toBeNull();
    expect(second.isFirstPage).toBe(false);

    const { shop: other } = await createMerchantShop(platform);
    const foreign = await createTestCategory(platform, other, "Elsewhere");
    expect((await buyer.get(categoryPage, `/s/${s.handle}/c/${foreign}`, { shopHandle: s.handle, categoryId: foreign })).status).toBe(404);
    expect((await buyer.get(categoryPage, `/s/${s.handle}/c/${tea}?after=zzz`, params)).status).toBe(400);
  });

  it("searches titles, paginated", async () => {
    const { shop: s } = await createMerchantShop(platform);
    for (let i = 0; i < 26; i++) await createTestProduct(platform, s, { title: `Oolong no. ${i}` });
    await createTestProduct(platform, s, { title: "Green tea" });
    const params = { shopHandle: s.handle };
    const first = await body(await buyer.get(searchPage, `/s/${s.handle}/search?q=oolong`, params));
    expect(first.products).toHaveLength(24);
    const second = await body(await buyer.get(searchPage, `/s/${s.handle}/search?q=oolong&after=${first.nextCursor}`, params));
    expect(second.products).toHaveLength(2);
    const none = await body(await buyer.get(searchPage, `/s/${s.handle}/search?q=`, params));
    expect(none.products).toEqual([]);
  });

  it("shows the newest products on the home page until a home shelf is published", async () => {
    const { shop: s } = await createMerchantShop(platform);
    await createTestProduct(platform, s, { title: "First product" });
    const data = await body(await buyer.get(home, `/s/${s.handle}`, { shopHandle: s.handle }));
    expect(data.page).toBeNull();
    expect(data.newest.map((p: { title: string }) => p.title)).toEqual(["First product"]);
  });
});

describe("rendered HTML", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(platform);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("escapes merchant text and carries the Open Graph tags", async () => {
    const p = await createTestProduct(platform, shop, { title: `<img src=x onerror=alert(1)> "Tea"`, price: 990 });
    const res = await fetch(`${server.url}/s/${shop.handle}/products/${p.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<img src=x onerror");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toMatch(/<meta property="og:type" content="product"\/>/);
    expect(html).toContain(`<meta property="og:url" content="https://shop.example.test/s/${shop.handle}/products/${p.id}"/>`);
    expect(html).toContain("¥9.90");
    expect(html).toContain('data-testid="add-to-cart"');
  });

  it("is a real 404 page for an unknown shop", async () => {
    const res = await fetch(`${server.url}/s/nobody-here`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("This shop doesn&#x27;t exist");
  });
});

describe("the demo seed", () => {
  it("is a step of the seed, and lays out a published home page with a banner, bestsellers, a category group and about-us, in under 5 s", async () => {
    expect(seedSteps).toContain(demoCatalogStep);
    const { owner, shop: demo } = await createMerchantShop(platform);
    const storage = storageFor(platform);
    const started = Date.now();
    await platform.db.transaction().execute((trx) => seedDemoCatalog({ trx, users: { merchant: owner.id }, shopId: demo.id }, { storage }));
    const elapsed = Date.now() - started;
    // The budget is 5 s on a machine that is not oversubscribed; when other work keeps every core busy
    // (a developer's machine running several suites), it stretches with the load instead of failing at random.
    const oversubscribed = Math.max(1, os.loadavg()[0] / os.cpus().length);
    expect(elapsed).toBeLessThan(5000 * oversubscribed);

    const data = await body(await buyer.get(home, `/s/${demo.handle}`, { shopHandle: demo.handle }));
    expect(data.page.sections.map((s: { type: string }) => s.type)).toEqual(["banner", "product_grid", "category_group", "product_list", "rich_text"]);
    const [banner, grid, group, list, about] = data.page.sections;
    expect(banner).toMatchObject({ headline: "Spring harvest teas are here", link: expect.stringMatching(new RegExp(`^/s/${demo.handle}/c/cat_`)) });
    expect(banner.image.src).toMatch(/^\/media\/img_/);
    expect(grid.products).toHaveLength(6);
    expect(grid.products.every((p: { image: unknown }) => p.image)).toBe(true);
    expect(group).toMatchObject({ title: "Fine teas", hasMore: true });
    expect(group.products).toHaveLength(4);
    expect(list.products).toHaveLength(3);
    expect(about.html).toContain("<h2>About us</h2>");
    expect(data.categories.map((c: { name: string }) => c.name)).toEqual(["Tea", "Teaware", "Snacks", "Gifts"]);
    const gifts = await buyer.get(storefrontPage, `/s/${demo.handle}/p/gifts`, { shopHandle: demo.handle, slug: "gifts" });
    expect(gifts.status).toBe(200);

    // The pictures are in the platform's storage.
    const images = await platform.db.selectFrom("images").select(["sha256", "mime"]).where("shop_id", "=", demo.id).execute();
    expect(images).toHaveLength(17);
    for (const img of images) expect(await storage.has(`images/${img.sha256.slice(0, 2)}/${img.sha256}.webp`)).toBe(true);

    // Running the step again is a no-op.
    await platform.db.transaction().execute((trx) => seedDemoCatalog({ trx, users: { merchant: owner.id }, shopId: demo.id }, { storage }));
    const count = await platform.db.selectFrom("products").select((eb) => eb.fn.countAll<string>().as("n")).where("shop_id", "=", demo.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(13);
  });
});
