/**
 * The marketplace and the reviewer console in Chromium: a visitor on a phone
 * browses and searches the store and opens a listing (scopes in plain
 * language, Install leads to the consent page); a reviewer opens a version
 * in review, sees the new scope highlighted, and approves it with a reason;
 * a merchant saves the settings form generated from the manifest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { getInstall, getVersion, installExtension, setVersionStatus } from "../app/marketplace/index.server";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createMerchantShop, type TestShop } from "./support/storefront-fixtures";
import { createMarketplace, publishVersion, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let m: Marketplace;
let shop: TestShop;
let installId: string;
let v2: string;
const handle = "browser.points-club";

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMarketplace(platform);
  const base = {
    handle,
    name: "Points Club",
    hooks: ["checkout.discounts" as const, "order.paid" as const],
    source: `{ "checkout.discounts": async () => null, "order.paid": async () => null }`,
    scopes: ["read_orders" as const],
    settings: [{ key: "pointsPerUnit", label: "Points per CNY 1 paid", type: "integer" as const, min: 0, max: 100, default: 1 }],
  };
  const v1 = await publishVersion(platform, m, { ...base, version: "1.0.0" });
  await platform.db
    .updateTable("extensions")
    .set({ tagline: "Reward repeat buyers with points", description: "Buyers earn **points** on every paid order and spend them at checkout.", category: "points", pricing_label: "Free" })
    .where("id", "=", v1.extensionId)
    .execute();
  for (const name of ["Gold Members", "Spring Sale"]) await publishVersion(platform, m, { name, hooks: ["checkout.discounts"], source: `{ "checkout.discounts": async () => null }` });
  ({ shop } = await createMerchantShop(platform));
  installId = (await installExtension(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, versionId: v1.versionId })).installId;
  v2 = (await publishVersion(platform, m, { ...base, version: "1.1.0", scopes: ["read_orders", "read_customers"], status: "submitted" })).versionId;
  await setVersionStatus(platform.db, { type: "system" }, v2, "checks_passed");
  server = await startTestServer(platform);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await platform?.close();
});

async function pageAs(userId: string | null, viewport = { width: 1200, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  if (userId) await context.addCookies([{ name: SESSION_COOKIE, value: (await createSession(platform.db, userId)).token, url: server.url }]);
  const page = await context.newPage();
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  return page;
}

describe("the marketplace in a browser", () => {
  it("a visitor on a phone browses, searches and opens a listing", async () => {
    const page = await pageAs(null, { width: 390, height: 844 });
    await page.goto(`${server.url}/marketplace`);
    await seeText(page, "Points Club", 30_000);
    await seeText(page, "Spring Sale", 30_000);
    // the store looks like a store: cards in a grid, styled (the stylesheet applied)
    await page.waitForFunction(() => getComputedStyle(document.querySelector(".mk-card")!).display === "flex", undefined, { timeout: 20_000 });
    await screenshot(page, "marketplace-store-mobile");
    await page.getByRole("searchbox", { name: "Search extensions" }).fill("points");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=points/);
    await page.getByText("Spring Sale").waitFor({ state: "detached" });
    await page.getByRole("link", { name: /Points Club/ }).click();
    await seeText(page, "Reward repeat buyers with points", 30_000);
    await seeText(page, "See orders (lines and amounts, not addresses)", 30_000);
    expect(await page.locator(".mk-desc strong").innerText()).toBe("points");
    const install = page.getByRole("link", { name: "Install", exact: true });
    expect(await install.getAttribute("href")).toBe(`/marketplace/${handle}/install`);
    await screenshot(page, "marketplace-listing-mobile");
    await page.context().close();
  });

  it("a reviewer sees the new scope and approves with a reason", async () => {
    const page = await pageAs(m.reviewerId);
    await page.goto(`${server.url}/review/versions`);
    await page.getByRole("link", { name: "Points Club" }).click();
    await seeText(page, "New access asked for", 30_000);
    await seeText(page, "See customers' names and e-mail addresses", 30_000);
    await screenshot(page, "review-version-diff");
    await page.getByLabel(/Reason/).fill("Points need the buyer's name on the card; justified.");
    await page.getByRole("button", { name: "Approve" }).click();
    await seeText(page, "Approved.", 30_000);
    expect((await getVersion(platform.db, v2))!.status).toBe("approved");
    // it asks for a new scope: the shop keeps 1.0.0 until the merchant consents
    expect((await getInstall(platform.db, shop.id, installId))!.version).toBe("1.0.0");
    await page.context().close();
  });

  it("a merchant sees the update waiting for consent and saves the generated settings form", async () => {
    const page = await pageAs(shop.ownerId);
    await page.goto(`${server.url}/admin/shops/${shop.id}/extensions`);
    await seeText(page, "1.1.0 needs consent", 30_000);
    await screenshot(page, "merchant-extensions");
    await page.goto(`${server.url}/admin/shops/${shop.id}/extensions/${installId}`);
    await seeText(page, "Version 1.1.0 is available", 30_000);
    await page.getByLabel("Points per CNY 1 paid").fill("3");
    await page.getByRole("button", { name: "Save settings" }).click();
    await seeText(page, "Settings saved", 30_000);
    expect((await getInstall(platform.db, shop.id, installId))!.settings).toEqual({ pointsPerUnit: 3 });
    await screenshot(page, "merchant-extension-settings");
    await page.context().close();
  });
});
