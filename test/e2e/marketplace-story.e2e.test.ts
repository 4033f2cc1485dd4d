/**
 * The marketplace's whole story in real Chromium (issue #7, "Done when"),
 * with the workers running (outbox relay, version checks, extension hooks)
 * and the payment simulator notifying the server over HTTP:
 *
 * 1. A developer of a verified vendor creates a developer API token on the
 *    vendor's page and runs `bazaar-plugin publish --wait` (the CLI, spawned)
 *    with a copy of the points example under a new manifest id.
 * 2. The automated checks pass, line by line, on the developer's version
 *    page; the developer installs the version in a development shop from
 *    there and sees its storefront block in that shop.
 * 3. A reviewer approves it in /review/versions with a reason.
 * 4. A merchant installs it from /marketplace/:handle through the consent
 *    page and sets its settings form (2 points per yuan).
 * 5. A buyer sees its block on the product page and the cart (home, product
 *    and cart pages render storefront blocks), checks out and pays at the
 *    simulator's cashier; the `order.paid` hook credits points,
 *    which the buyer's storefront then shows; at the next checkout the buyer
 *    ticks "Use my points" and its discount is on the quote.
 * 6. The merchant sees the calls in "what this extension did".
 *
 * Setup that is not the story goes through services: the accounts, the
 * vendor's verification, the shops and products, and the buyer's address.
 *
 * Screenshots (test/screenshots/): story-01-token … story-12-merchant-calls.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../../app/accounts/session.server";
import { startWorkers } from "../../app/jobs/workers.server";
import { createDevelopmentShop } from "../../app/marketplace/index.server";
import { setSimSettings } from "../../app/payments/index.server";
import { waitFor } from "../aftersale-fixtures";
import { createMarketplace, useTestHost, type Marketplace } from "../extensions-fixtures";
import { createBuyer, shopWithProducts } from "../orders-fixtures";
import { launchBrowser, screenshot, seeText } from "../support/browser";
import { ROOT } from "../support/paths";
import { createTestPlatform, type TestPlatform } from "../support/platform";
import { startTestServer, type TestServer } from "../support/server";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let stopWorkers: (() => Promise<void>) | undefined;
let m: Marketplace;

const HANDLE = "com.story.points";
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  platform = await createTestPlatform();
  // One runner with generous limits: the machine is shared and busy.
  useTestHost(platform);
  server = await startTestServer(platform);
  await setSimSettings(platform.db, { notifyBaseUrl: server.url });
  stopWorkers = await startWorkers(platform, { relayIntervalMs: 100 });
  browser = await launchBrowser();
  m = await createMarketplace(platform);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopWorkers?.();
  await server?.close();
  await platform?.close();
});

async function signedInPage(userId: string, viewport = DESKTOP): Promise<Page> {
  const { token } = await createSession(platform.db, userId);
  const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
  const page = await context.newPage();
  await page.route("**/favicon.ico", (r) => r.fulfill({ status: 204, body: "" }));
  page.on("pageerror", (e) => console.error(`[browser ${page.url()}]`, e.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") console.error(`[browser console ${page.url()}]`, msg.text());
  });
  return page;
}

/** Waits until Remix has hydrated the page (fetcher forms submit in place only then). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true, undefined, { timeout: 30_000 });
}

/** Runs the CLI as a developer would, with BAZAAR_URL and BAZAAR_TOKEN. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "plugins-sdk/bin/bazaar-plugin.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

/** The points example under a new manifest id, so it does not collide with the seeded demo's. */
function pointsCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "story-points-"));
  mkdirSync(path.join(dir, "src"));
  cpSync(path.join(ROOT, "plugins-sdk/examples/points/src/index.ts"), path.join(dir, "src/index.ts"));
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "plugins-sdk/examples/points/manifest.json"), "utf8"));
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ ...manifest, id: HANDLE, name: "Story points" }, null, 2));
  return dir;
}

/** Reloads `page` until `text` is on it (a job somewhere has to finish first). */
async function reloadUntil(page: Page, url: string, text: string, what: string, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    what,
    async () => {
      await page.goto(url);
      return (await page.content()).includes(text);
    },
    timeoutMs,
  );
}

/** The buyer's cart line for the SKU in the shop, or null (the cart page's fetcher adds it after a round trip). */
async function cartLineOf(userId: string, shopId: string, skuId: string) {
  const row = await platform.db
    .selectFrom("cart_lines as l")
    .innerJoin("carts as c", "c.id", "l.cart_id")
    .select(["c.id as cartId", "l.quantity"])
    .where("c.shop_id", "=", shopId)
    .where("c.user_id", "=", userId)
    .where("l.sku_id", "=", skuId)
    .executeTakeFirst();
  return row ?? null;
}

/** The points balance the extension keeps for the buyer (its counter), straight from the table. */
async function balanceOf(installId: string, userId: string, shopId: string): Promise<number> {
  const customer = await platform.db.selectFrom("shop_customers").select("id").where("shop_id", "=", shopId).where("user_id", "=", userId).executeTakeFirstOrThrow();
  const row = await platform.db.selectFrom("extension_counters").selectAll().where("install_id", "=", installId).where("key", "=", `balance:${customer.id}`).executeTakeFirst();
  return Number(row?.value ?? 0);
}

it("a developer publishes with the CLI, a reviewer approves, a merchant installs and configures, a buyer earns and spends points", { timeout: 600_000 }, async () => {
  const dev = await signedInPage(m.developerId);

  // --- 1. a developer API token from the vendor's page, then `bazaar-plugin publish --wait`
  await dev.goto(`${server.url}/developer/vendors/${m.vendorId}`);
  await hydrated(dev);
  await dev.getByLabel("Token name").fill("laptop");
  await dev.getByRole("button", { name: "Create token" }).click();
  const token = (await dev.getByTestId("new-token").innerText()).trim();
  expect(token).toMatch(/^bzdev_/);
  await screenshot(dev, "story-01-token");

  const out = mkdtempSync(path.join(os.tmpdir(), "story-build-"));
  const src = pointsCopy();
  const built = await cli(["build", src, "--out", out], {});
  expect(built.code, built.err).toBe(0);
  const published = await cli(["publish", src, "--out", out, "--wait"], { BAZAAR_URL: server.url, BAZAAR_TOKEN: token });
  expect(published.code, published.err + published.out).toBe(0);
  expect(published.out).toMatch(new RegExp(`published ${HANDLE.replace(/\./g, "\\.")}@1\\.0\\.0 as ver_[0-9a-z]{26}`));
  const versionId = /as (ver_[0-9a-z]{26})/.exec(published.out)![1];
  const { extension_id: extensionId } = await platform.db.selectFrom("extension_versions").select("extension_id").where("id", "=", versionId).executeTakeFirstOrThrow();

  // --- 2. the checks pass, line by line, on the version page; the developer tries it in a development shop
  const devShop = await createDevelopmentShop(platform.db, { id: m.developerId }, { name: "Story playground", handle: "story-playground" });
  await dev.goto(`${server.url}/developer/extensions/${extensionId}/versions/${versionId}`);
  const checks = dev.getByTestId("checks");
  await checks.waitFor();
  const rows = await checks.locator("tbody tr").count();
  expect(rows).toBeGreaterThan(5);
  expect(await checks.locator(".badge-ok", { hasText: "pass" }).count()).toBe(rows);
  expect(await checks.locator(".badge-err").count()).toBe(0);
  expect(await dev.getByTestId("version-status").innerText()).not.toMatch(/fail/i);
  await screenshot(dev, "story-02-checks-passed");

  await hydrated(dev);
  await dev.getByLabel("Development shop").selectOption(devShop.id);
  await dev.getByRole("button", { name: "Install this version" }).click();
  await seeText(dev, "is installed in Story playground", 30_000);
  await dev.getByRole("link", { name: "Open the storefront" }).click();
  await dev.waitForURL(new RegExp(`/s/${devShop.handle}$`));
  await seeText(dev, "Earn 1 point for every CNY 1.00 you spend.");
  await screenshot(dev, "story-03-dev-shop-block");

  // --- 3. a reviewer approves it with a reason
  const reviewer = await signedInPage(m.reviewerId);
  await reviewer.goto(`${server.url}/review/versions`);
  await reviewer.getByRole("link", { name: "Story points" }).click();
  await reviewer.waitForURL(new RegExp(`/review/versions/${versionId}$`));
  await screenshot(reviewer, "story-04-review");
  await reviewer.getByLabel(/^Reason/).fill("Checks pass; points only, no data access.");
  await reviewer.getByRole("button", { name: "Approve", exact: true }).click();
  await waitFor("the approval", async () => {
    const v = await platform.db.selectFrom("extension_versions").select("status").where("id", "=", versionId).executeTakeFirstOrThrow();
    return v.status === "approved";
  });
  await screenshot(reviewer, "story-05-approved");

  // --- 4. a merchant installs it from the marketplace, with consent, and sets its settings
  const { shop, owner, skus, productIds } = await shopWithProducts(platform, [{ price: 5000, stock: 10, title: "Tieguanyin, 250 g" }]);
  const merchant = await signedInPage(owner.id);
  await merchant.goto(`${server.url}/marketplace/${HANDLE}`);
  await seeText(merchant, "Story points");
  await screenshot(merchant, "story-06-listing");
  await merchant.getByRole("link", { name: "Install", exact: true }).click();
  await merchant.waitForURL(new RegExp(`/marketplace/${HANDLE.replace(/\./g, "\\.")}/install$`));
  await merchant.getByLabel("Shop", { exact: true }).selectOption(shop.id);
  await screenshot(merchant, "story-07-consent");
  await merchant.getByRole("button", { name: "Approve and install" }).click();
  await merchant.waitForURL(new RegExp(`/admin/shops/${shop.id}/extensions/ins_[0-9a-z]{26}$`));
  const installId = merchant.url().split("/extensions/")[1];
  await merchant.getByLabel("Points earned per whole currency unit paid").fill("2");
  await merchant.getByRole("button", { name: "Save settings" }).click();
  await waitFor("the settings", async () => {
    const row = await platform.db.selectFrom("installs").select("settings").where("id", "=", installId).executeTakeFirstOrThrow();
    return (row.settings as { pointsPerUnit?: number }).pointsPerUnit === 2;
  });
  await screenshot(merchant, "story-08-settings");

  // --- 5. a buyer sees its block, checks out, pays; points are credited and show; the next checkout spends them
  const buyer = await createBuyer(platform);
  const phone = await signedInPage(buyer.id, PHONE);
  const productUrl = `${server.url}/s/${shop.handle}/products/${productIds[0]}`;
  await phone.goto(productUrl);
  await seeText(phone, "Earn 2 points for every CNY 1.00 you spend.");
  await hydrated(phone);
  await phone.getByTestId("add-to-cart").click();
  await waitFor("the cart line", () => cartLineOf(buyer.id, shop.id, skus[0]));
  await phone.goto(`${server.url}/s/${shop.handle}/cart`);
  await seeText(phone, "Your cart");
  await seeText(phone, "by Story points");
  await screenshot(phone, "story-09-cart-block");

  await phone.goto(`${server.url}/s/${shop.handle}/checkout`);
  await seeText(phone, "Deliver to");
  await phone.getByTestId("place-order").click();
  await phone.waitForURL(/\/pay\/pay_[0-9a-z]{26}$/);
  const order = await platform.db.selectFrom("orders").select(["id", "total"]).where("user_id", "=", buyer.id).executeTakeFirstOrThrow();
  await phone.getByRole("button", { name: /^Pay / }).click();
  await phone.waitForURL(new RegExp(`/orders/${order.id}$`));
  await waitFor("the payment", async () => (await platform.db.selectFrom("orders").select("status").where("id", "=", order.id).executeTakeFirstOrThrow()).status === "paid", 60_000);

  const earned = Math.floor((order.total * 2) / 100);
  expect(earned).toBeGreaterThan(0);
  await reloadUntil(phone, `${server.url}/s/${shop.handle}`, `${earned} points`, "the points from order.paid on the storefront");
  expect(await balanceOf(installId, buyer.id, shop.id)).toBe(earned);
  await screenshot(phone, "story-10-points-balance");

  // The buyer checks out again and opts in to spending points (checkout's offers form sets the cart attribute).
  await phone.goto(productUrl);
  await hydrated(phone);
  await phone.getByTestId("add-to-cart").click();
  await waitFor("the second cart's line", () => cartLineOf(buyer.id, shop.id, skus[0]));
  await phone.goto(`${server.url}/s/${shop.handle}/checkout`);
  expect(await phone.getByTestId("checkout-discount").count()).toBe(0);
  await phone.getByLabel("Use my points").check();
  await phone.getByTestId("checkout-offers").getByRole("button", { name: "Apply" }).click();
  const discount = phone.getByTestId("checkout-discount");
  await discount
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(async (e) => {
      await screenshot(phone, "story-11-points-discount-missing");
      throw e;
    });
  expect(await discount.first().innerText()).toContain(`${earned} points redeemed`);
  await screenshot(phone, "story-11-points-discount");

  // --- 6. the merchant sees what the extension did
  await merchant.goto(`${server.url}/admin/shops/${shop.id}/extensions/${installId}`);
  await seeText(merchant, "order.paid");
  const paidCall = merchant.locator("tr", { hasText: `order ${order.id}` }).filter({ hasText: "order.paid" });
  expect(await paidCall.count()).toBe(1);
  const paidText = await paidCall.innerText();
  expect(paidText).toContain("ok");
  expect(paidText).toContain(`+${earned}`);
  await seeText(merchant, "storefront.blocks");
  await seeText(merchant, "checkout.discounts");
  await screenshot(merchant, "story-12-merchant-calls");
});
