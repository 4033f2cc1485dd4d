/**
 * The developer's webhook page in a real browser (Debian chromium): adding an
 * endpoint with several topic checkboxes through Remix's client-side form
 * (CSRF token included) shows the signing secret once; reloading does not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { listEndpoints } from "../app/webhooks/index.server";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createMarketplace, installTestExtension } from "./extensions-fixtures";
import { createMerchantShop } from "./support/storefront-fixtures";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  platform = await createTestPlatform({ webhooks: { allowLoopback: true, allowHttp: true, timeoutMs: 5_000 } });
  server = await startTestServer(platform);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await platform?.close();
});

describe("the webhooks page in a browser", () => {
  it("adds an endpoint with two topics and shows its secret once", async () => {
    const m = await createMarketplace(platform);
    const { shop } = await createMerchantShop(platform);
    const install = await installTestExtension(platform, m, shop, { name: "Hooked", hooks: ["order.paid"], scopes: ["read_orders", "read_products"], source: `{ "order.paid": async () => null }` });
    const context = await browser.newContext();
    await context.addCookies([{ name: SESSION_COOKIE, value: (await createSession(platform.db, m.developerId)).token, url: server.url }]);
    const page = await context.newPage();
    await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
    await page.goto(`${server.url}/developer/extensions/${install.extensionId}/webhooks`);
    await seeText(page, "Add an endpoint");
    const add = page.locator("form", { has: page.getByRole("button", { name: "Add endpoint" }) });
    await add.getByLabel("URL").fill("http://127.0.0.1:9/hooks");
    await add.locator('input[value="order.paid"]').check();
    await add.locator('input[value="product.updated"]').check();
    await add.getByRole("button", { name: "Add endpoint" }).click();
    await seeText(page, "Copy its signing secret now");
    const secret = await page.getByTestId("webhook-secret").innerText();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, "developer-webhooks");
    const [endpoint] = await listEndpoints(platform.db, install.extensionId);
    expect(endpoint).toMatchObject({ url: "http://127.0.0.1:9/hooks", topics: ["product.updated", "order.paid"] }); // catalog order
    await page.reload();
    await seeText(page, "http://127.0.0.1:9/hooks");
    expect(await page.content()).not.toContain(secret);
    await context.close();
  });
});
