import { afterAll, beforeAll, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer } from "./support/server";
import { launchBrowser } from "./support/browser";
import { createMerchantShop } from "./support/storefront-fixtures";
import { createCustomer, createMarketplace, installTestExtension, quoteInput, useTestHost } from "./extensions-fixtures";

let platform: TestPlatform;
beforeAll(async () => { platform = await createTestPlatform(); useTestHost(platform); });
afterAll(async () => { await platform?.close(); });

it("shots", async () => {
  const m = await createMarketplace(platform);
  const { shop } = await createMerchantShop(platform);
  const a = await installTestExtension(platform, m, shop, { name: "Reader", hooks: ["checkout.discounts"], scopes: ["read_customers"],
    source: `{ "checkout.discounts": async (input, ctx) => { const c = await ctx.customers.get(input.buyer.customerId); try { await ctx.customers.get(input.attributes.peek); } catch (e) {} console.log("hi", c.name); return { discounts: [{ lineId: null, amount: 100, label: "Hi " + c.name }] }; } }` });
  await installTestExtension(platform, m, shop, { name: "Flaky", hooks: ["checkout.discounts"], source: `{ "checkout.discounts": async () => { if (Math.random() < 0.3) throw new Error("x"); return null; } }` });
  const b = await createCustomer(platform, shop.id); const o = await createCustomer(platform, shop.id);
  for (let i = 0; i < 12; i++) await platform.extensions.collectDiscounts(quoteInput(shop.id, b, { peek: o.customerId, n: i }));
  const server = await startTestServer(platform);
  const browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const host = new URL(server.url).hostname;
  const own = (await createSession(platform.db, shop.ownerId)).token;
  await ctx.addCookies([{ name: SESSION_COOKIE, value: own, domain: host, path: "/" }]);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/admin/shops/${shop.id}/extensions`); await page.screenshot({ path: "/tmp/shots/list.png", fullPage: true });
  await page.goto(`${server.url}/admin/shops/${shop.id}/extensions/${a.installId}`); await page.screenshot({ path: "/tmp/shots/activity.png", fullPage: true });
  const ctx2 = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await ctx2.addCookies([{ name: SESSION_COOKIE, value: (await createSession(platform.db, m.developerId)).token, domain: host, path: "/" }]);
  const p2 = await ctx2.newPage();
  await p2.goto(`${server.url}/developer/extensions/${a.extensionId}?hours=2`); await p2.screenshot({ path: "/tmp/shots/metrics.png", fullPage: true });
  await browser.close(); await server.close();
});
