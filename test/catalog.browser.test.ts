/**
 * The catalog admin in a real browser (Debian chromium) on a phone-sized
 * viewport: a merchant adds a 2 × 3 product, prices one SKU in the matrix,
 * uploads a photo, opens a SKU's ledger and adds a category — through
 * Remix's client-side forms, with no console errors (hydration included).
 * Screenshots go to test/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { getAdminProduct } from "../app/catalog/index.server";
import { createMerchant, makePng, type Merchant } from "./catalog-fixtures";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let m: Merchant;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  browser = await launchBrowser();
  m = await createMerchant(platform);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await platform?.close();
});

async function phone(): Promise<{ context: BrowserContext; page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const token = m.cookie.match(/bz_session=([^;]+)/)![1];
  await context.addCookies([{ name: "bz_session", value: token, url: server.url }]);
  const page = await context.newPage();
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  const consoleErrors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  return { context, page, consoleErrors };
}

describe("catalog admin in a browser", () => {
  it("adds a 2 × 3 product, prices a SKU, uploads a photo, reads the ledger, adds a category", async () => {
    const { context, page, consoleErrors } = await phone();
    const base = `${server.url}/admin/shops/${m.shopId}`;

    await page.goto(`${base}/products/new`);
    await page.getByLabel("Title").fill("Linen shirt");
    await page.getByLabel("Description").fill("Breathable **linen**, cut for summer.");
    await page.getByLabel("Status").selectOption("on_sale");
    await page.getByLabel("Price", { exact: true }).fill("129.00");
    await page.getByLabel("Stock per SKU").fill("5");
    await page.getByLabel("Spec 1 name").fill("Colour");
    await page.locator('input[name="specs.0.values"]').fill("White, Sand");
    await page.getByLabel("Spec 2 name").fill("Size");
    await page.locator('input[name="specs.1.values"]').fill("S, M, L");
    await page.getByRole("button", { name: "Create product" }).click();
    await seeText(page, "Product created.");
    const productId = page.url().match(/products\/(prd_[0-9a-z]{26})/)![1];
    expect(await page.locator("table.cat-matrix tbody tr").count()).toBe(6);

    await page.getByLabel("White / S price", { exact: true }).fill("99.50");
    await page.getByLabel("Sand / L stock", { exact: true }).fill("12");
    await page.getByRole("button", { name: "Save SKUs" }).click();
    await seeText(page, "Saved 2 SKUs.");

    await page.locator('input[type="file"][name="image"]').setInputFiles({ name: "shirt.png", mimeType: "image/png", buffer: await makePng(600, 600, "#d9cbb0") });
    await page.getByRole("button", { name: "Upload" }).click();
    await seeText(page, "Image added.");
    // The 320 px variant is made on first request: wait until the browser has it.
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>(".cat-gallery img");
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const natural = await page.locator(".cat-gallery img").first().evaluate((img: HTMLImageElement) => img.naturalWidth);
    expect(natural).toBe(320);
    await screenshot(page, "catalog-admin-editor");

    const saved = await getAdminProduct(platform.db, m.shopId, productId);
    expect(saved.skus.map((s) => [s.specLabel, s.price, s.stock])).toEqual([
      ["White / S", 9950, 5],
      ["White / M", 12900, 5],
      ["White / L", 12900, 5],
      ["Sand / S", 12900, 5],
      ["Sand / M", 12900, 5],
      ["Sand / L", 12900, 12],
    ]);
    expect(saved.images).toHaveLength(1);

    // The ledger of the SKU whose stock changed.
    await page.locator("tr", { hasText: "Sand / L" }).getByRole("link", { name: "Ledger" }).click();
    await seeText(page, "Stock · Sand / L");
    await seeText(page, "Manual adjustment");
    await screenshot(page, "catalog-admin-ledger");

    await page.goto(`${base}/products`);
    await seeText(page, "Linen shirt");
    await screenshot(page, "catalog-admin-list");

    await page.goto(`${base}/categories`);
    await page.getByLabel("Name").fill("Shirts");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await seeText(page, 'Added "Shirts".');
    await screenshot(page, "catalog-admin-categories");

    expect(consoleErrors.join("\n")).toBe("");
    await context.close();
  });
});
