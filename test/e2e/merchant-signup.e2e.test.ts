/**
 * The foundation's end-to-end story in real Chromium: a merchant signs up,
 * opens a shop, and finds it in the admin; the shop's audit log shows it.
 */
import type { Browser } from "playwright-core";
import { createTestPlatform, type TestPlatform } from "../support/platform";
import { startTestServer, type TestServer } from "../support/server";
import { launchBrowser, screenshot, seeText } from "../support/browser";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await platform?.close();
});

it("signs up a merchant, creates a shop and sees it in the admin", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}/signup`);
  await page.fill('input[name="name"]', "Lin Merchant");
  await page.fill('input[name="email"]', "lin@example.com");
  await page.fill('input[name="password"]', "a long enough password");
  await page.check('input[name="intent"][value="merchant"]');
  await Promise.all([page.waitForURL(/\/admin/), page.click('button[type="submit"]')]);

  await page.fill('input[name="name"]', "Lin's Tea House");
  await page.fill('input[name="handle"]', "lin-tea");
  await Promise.all([page.waitForURL(/\/admin\/shops\/shp_/), page.click('form button[type="submit"]:has-text("Open")')]);
  const shopUrl = page.url();
  await seeText(page, "Lin's Tea House");
  await screenshot(page, "admin-new-shop");

  // The shop list in the admin shows it, and the database agrees.
  await page.goto(`${server.url}/admin`);
  await seeText(page, "Lin's Tea House");
  const row = await platform.db.selectFrom("shops").select(["id", "handle", "currency"]).where("handle", "=", "lin-tea").executeTakeFirstOrThrow();
  expect(shopUrl).toContain(row.id);
  expect(row.currency).toBe("CNY");

  // The audit log records the creation.
  await page.goto(`${shopUrl.replace(/\/$/, "")}/audit`);
  await seeText(page, "shop.created");
  await page.close();
});
