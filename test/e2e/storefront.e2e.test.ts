/**
 * The shop core's story in real Chromium. A merchant creates a product with
 * 2×3 SKUs in the admin, prices them one by one, puts it on a product grid
 * of the home shelf under a banner, and publishes. A buyer on a phone-sized
 * screen opens the storefront, picks a colour and size (a sold-out
 * combination is disabled), sees that SKU's price and stock, adds it to the
 * cart and finds it there. Screenshots: storefront-home, storefront-product,
 * storefront-cart (test/screenshots/).
 */
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { launchBrowser, screenshot, seeText } from "../support/browser";
import { createTestPlatform, type TestPlatform } from "../support/platform";
import { startTestServer, type TestServer } from "../support/server";
import { createMerchantShop, type TestShop, type TestUser } from "../support/storefront-fixtures";
import { createSession, SESSION_COOKIE } from "../../app/accounts/session.server";
import { storageFor } from "../../app/storage/index.server";
import { seedDemoCatalog } from "../../db/seed-demo-catalog";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let owner: TestUser;
let shop: TestShop;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  browser = await launchBrowser();
  ({ owner, shop } = await createMerchantShop(platform));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await platform?.close();
});

/** A page that does not ask for /favicon.ico (there is none; its 404 would be noise). */
async function newPage(context: { newPage(): Promise<Page> }): Promise<Page> {
  const page = await context.newPage();
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  page.on("pageerror", (e) => {
    throw e;
  });
  return page;
}

/** Waits until every picture on the page has arrived (image variants are made on their first request). */
async function picturesLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0), undefined, { timeout: 30_000 });
}

/** A product photo and a banner, drawn like the demo seed's. */
async function picture(kind: "scarf" | "banner"): Promise<Buffer> {
  const svg =
    kind === "scarf"
      ? `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="640"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fecdd3"/><stop offset="1" stop-color="#be123c"/></linearGradient></defs>
         <rect width="640" height="640" fill="url(#g)"/><path d="M150,170 C260,120 380,220 490,170 L470,470 C360,520 260,420 170,470 Z" fill="#1e3a8a" opacity="0.85"/>
         <text x="320" y="580" font-family="DejaVu Sans" font-weight="bold" font-size="44" fill="#fff" text-anchor="middle">Silk Scarf</text></svg>`
      : `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="600"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1e3a8a"/><stop offset="1" stop-color="#f472b6"/></linearGradient></defs>
         <rect width="1200" height="600" fill="url(#g)"/><circle cx="950" cy="160" r="110" fill="#fff" opacity="0.25"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

it("a merchant publishes a product on the home shelf; a buyer on a phone picks a spec and adds it to the cart", async () => {
  // ---- the merchant, at a desktop -------------------------------------------------
  const { token } = await createSession(platform.db, owner.id);
  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await admin.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
  const m = await newPage(admin);
  const shopAdmin = `${server.url}/admin/shops/${shop.id}`;

  await m.goto(`${shopAdmin}/products/new`);
  await m.fill('input[name="title"]', "Hand-dyed Silk Scarf");
  await m.fill('textarea[name="description"]', "Mulberry silk, dyed by hand in Suzhou.\n\n- 90 × 90 cm\n- Hand-rolled hems");
  await m.selectOption('select[name="status"]', "on_sale");
  await m.fill('input[name="price"]', "99.00");
  await m.fill('input[name="stock"]', "5");
  await m.fill('input[name="specs.0.name"]', "Colour");
  await m.fill('input[name="specs.0.values"]', "Red, Blue");
  await m.fill('input[name="specs.1.name"]', "Size");
  await m.fill('input[name="specs.1.values"]', "S, M, L");
  await m.click('button:has-text("Create product")');
  await m.waitForURL(/\/products\/prd_[0-9a-z]+/, { waitUntil: "commit" }).catch(async (e) => {
    await screenshot(m, "storefront-e2e-failure"); // what the merchant saw instead
    throw e;
  });
  const productId = /\/products\/(prd_[0-9a-z]+)/.exec(m.url())![1];

  // Price the SKUs one by one: the bigger sizes cost more; Red / S is sold out.
  const prices: Record<string, string> = { "Red / M": "109.00", "Red / L": "119.00", "Blue / M": "109.00", "Blue / L": "129.00" };
  for (const [label, price] of Object.entries(prices)) await m.getByLabel(`${label} price`).fill(price);
  await m.getByLabel("Red / S stock").fill("0");
  await m.getByLabel("Blue / L compare-at price").fill("159.00");
  await m.click('button:has-text("Save SKUs")');
  await seeText(m, "Saved 5 SKUs.");
  await m.locator('input[type="file"][name="image"]').first().setInputFiles({ name: "scarf.png", mimeType: "image/png", buffer: await picture("scarf") });
  await m.locator('form:has(input[type="file"][name="image"]) button:has-text("Upload")').first().click();
  await seeText(m, "Image added.");
  const skus = await platform.db.selectFrom("skus").select(["spec_values", "price", "stock"]).where("product_id", "=", productId).execute();
  expect(skus).toHaveLength(6);
  const blueL = skus.find((s) => s.spec_values.join("/") === "Blue/L")!;
  expect(blueL.price).toBe(12900);
  expect(skus.find((s) => s.spec_values.join("/") === "Red/S")!.stock).toBe(0);

  // The home shelf: created on the first visit to the shelf list.
  await m.goto(`${shopAdmin}/shelves`);
  await seeText(m, "Not published");
  await Promise.all([m.waitForURL(/\/shelves\/shf_/), m.click('a.btn:has-text("Edit")')]);

  // A banner with a picture…
  await m.click('button:has-text("+ Banner")');
  const banner = m.locator('[data-testid="section-banner"]');
  await banner.waitFor();
  await banner.locator('input[name="headline"]').fill("Silk, dyed by hand");
  await banner.locator('input[name="subline"]').fill("New colours for spring, made in Suzhou.");
  await banner.locator('input[name="link"]').fill(`/s/${shop.handle}/products/${productId}`);
  await banner.locator('input[name="linkLabel"]').fill("Shop the scarf");
  await banner.locator('input[name="image"]').setInputFiles({ name: "banner.png", mimeType: "image/png", buffer: await picture("banner") });
  await banner.locator('button:has-text("Save section")').click();
  await banner.getByText("Section saved.").waitFor();

  // …and a product grid with the scarf, picked by search.
  await m.click('button:has-text("+ Product grid")');
  const grid = m.locator('[data-testid="section-product_grid"]');
  await grid.waitFor();
  await grid.locator('input[name="q"]').fill("silk");
  await grid.locator('button:has-text("Add products")').click();
  const results = grid.locator('[data-testid="product-search-results"]');
  await results.getByText("Hand-dyed Silk Scarf").waitFor();
  await results.locator('button:has-text("Add")').first().click();
  await grid.locator('[data-testid="placed-product"]', { hasText: "Hand-dyed Silk Scarf" }).waitFor();

  await m.click('[data-testid="publish"]');
  await seeText(m, "Published — buyers now see version 1.");
  await screenshot(m, "shelf-editor");
  await admin.close();

  // ---- the buyer, on a phone ------------------------------------------------------------------
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const b = await newPage(phone);
  await b.goto(`${server.url}/s/${shop.handle}`);
  await b.getByRole("heading", { name: "Silk, dyed by hand" }).waitFor();
  const card = b.locator("a.sf-card", { hasText: "Hand-dyed Silk Scarf" });
  await card.waitFor();
  await expect(card.locator(".sf-price").innerText()).resolves.toMatch(/From\s+¥99\.00/);
  await picturesLoaded(b);
  await screenshot(b, "storefront-home");

  await card.click();
  await b.waitForURL(/\/products\/prd_/, { waitUntil: "commit" });
  await b.getByRole("heading", { name: "Hand-dyed Silk Scarf" }).waitFor();
  const price = b.locator('[data-testid="product-price"]');
  await expect(price.innerText()).resolves.toMatch(/From\s+¥99\.00/);

  // Red: size S is sold out, so it cannot be picked.
  await b.locator('input[name="spec.0"][value="Red"]').check();
  await expect(b.locator('input[name="spec.1"][value="S"]').isDisabled()).resolves.toBe(true);
  await expect(b.locator('input[name="spec.1"][value="M"]').isDisabled()).resolves.toBe(false);

  // Blue / L: its own price and stock.
  await b.locator('input[name="spec.0"][value="Blue"]').check();
  await expect(b.locator('input[name="spec.1"][value="S"]').isDisabled()).resolves.toBe(false);
  await b.locator('input[name="spec.1"][value="L"]').check();
  await expect(price.innerText()).resolves.toContain("¥129.00");
  await expect(b.locator('[data-testid="product-stock"]').innerText()).resolves.toBe("5 in stock");
  await expect(b.locator(".sf-buybar-price small").innerText()).resolves.toBe("Blue · L");
  // The whole page at phone width: a viewport as tall as the page lets the sticky add-to-cart bar sit
  // where it ends up (a full-page capture of an 844 px viewport would paint it mid-page).
  const height = await b.evaluate(() => document.documentElement.scrollHeight);
  await b.setViewportSize({ width: 390, height });
  await picturesLoaded(b);
  await screenshot(b, "storefront-product");
  await b.setViewportSize({ width: 390, height: 844 });

  await b.click('[data-testid="add-to-cart"]');
  await b.getByText("Added to your cart.").waitFor();
  await expect(b.locator('[data-testid="cart-count"]').innerText()).resolves.toBe("1");

  await b.getByRole("link", { name: "View cart ›" }).click();
  await b.waitForURL(/\/cart$/, { waitUntil: "commit" });
  const line = b.locator('[data-testid="cart-line"]');
  await line.first().waitFor();
  await expect(line.count()).resolves.toBe(1);
  await expect(line.innerText()).resolves.toContain("Blue / L");
  await expect(line.innerText()).resolves.toContain("¥129.00 each");
  await expect(b.locator('[data-testid="cart-subtotal"]').innerText()).resolves.toBe("¥129.00");

  // One more from the stepper; the header follows.
  await b.getByRole("button", { name: "One more" }).click();
  await b.locator('[data-testid="line-quantity"]', { hasText: "2" }).waitFor();
  await b.locator('[data-testid="cart-subtotal"]', { hasText: "¥258.00" }).waitFor();
  await expect(b.locator('[data-testid="cart-count"]').innerText()).resolves.toBe("2");
  await picturesLoaded(b);
  await screenshot(b, "storefront-cart");
  await phone.close();

  // The cart is the guest's, by cookie; the database agrees.
  const lines = await platform.db.selectFrom("cart_lines").select(["quantity"]).where("shop_id", "=", shop.id).execute();
  expect(lines).toEqual([{ quantity: 2 }]);
}, 180_000); // two browser contexts and a dozen page loads: generous, for a busy machine

it("the seeded demo shop looks like a shop on a phone: banner, bestsellers, a category group, about us", async () => {
  const { owner: demoOwner, shop: demo } = await createMerchantShop(platform);
  await platform.db.transaction().execute((trx) => seedDemoCatalog({ trx, users: { merchant: demoOwner.id }, shopId: demo.id }, { storage: storageFor(platform) }));
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const b = await newPage(phone);
  await b.goto(`${server.url}/s/${demo.handle}`);
  await b.getByRole("heading", { name: "Spring harvest teas are here" }).waitFor();
  await expect(b.locator(".sf-chip").allInnerTexts()).resolves.toEqual(["All", "Tea", "Teaware", "Snacks", "Gifts"]);
  await expect(b.locator("a.sf-card").count()).resolves.toBe(6 + 4);
  // Scroll through once so every lazy picture loads, then take the whole page.
  const height = await b.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 700) await b.evaluate((top) => window.scrollTo(0, top), y);
  await picturesLoaded(b);
  await b.evaluate(() => window.scrollTo(0, 0));
  await screenshot(b, "storefront-demo-home");

  await b.locator(".sf-chip", { hasText: "Teaware" }).click();
  // A client-side navigation: the category route's code and data load first (slow on a busy machine).
  await b.waitForURL(/\/c\/cat_/, { waitUntil: "commit", timeout: 60_000 });
  await b.getByRole("heading", { name: "Teaware", exact: true }).waitFor();
  await expect(b.locator("a.sf-card").count()).resolves.toBe(3);
  await picturesLoaded(b);
  await screenshot(b, "storefront-demo-category");
  await phone.close();
}, 120_000);
