/**
 * The claim pages in a real browser (Debian chromium), on a phone-sized
 * screen for the buyer: from the order page the buyer opens a refund claim
 * with a photo, sees the shop's 48-hour deadline counting down; the shop
 * finds it at the top of its queue and agrees; the simulator pays the
 * refund back (workers and the notify endpoint run); both sides then see
 * "Refunded" on the same timeline. Screenshots: test/screenshots/claim-*.png.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { grantReviewer } from "../app/accounts/index.server";
import { startWorkers } from "../app/jobs/workers.server";
import { setSimSettings } from "../app/payments/index.server";
import { buyerWithOrder, createSeller, waitFor, type Seller } from "./aftersale-fixtures";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createUser } from "./support/storefront-fixtures";
import { startTestServer, type TestServer } from "./support/server";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let stopWorkers: () => Promise<void>;
let seller: Seller;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  await setSimSettings(platform.db, { notifyBaseUrl: server.url });
  stopWorkers = await startWorkers(platform, { relayIntervalMs: 100 });
  browser = await launchBrowser();
  seller = await createSeller(platform);
});
afterAll(async () => {
  await browser?.close();
  await stopWorkers?.();
  await server?.close();
  await platform?.close();
});

async function signedInContext(userId: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const { token } = await createSession(platform.db, userId);
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
  return context;
}

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  return page;
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

// A real browser, the simulator's HTTP deliveries and the relay: slow on a busy machine.
const SLOW = { timeout: 180_000 };

describe("claims in a browser", () => {
  it("the buyer opens a refund claim on a phone, the shop agrees, and the refund shows on both sides", SLOW, async () => {
    const { buyer, orderId } = await buyerWithOrder(platform, seller, "completed", { payVia: "simulator" });

    const buyerPage = await newPage(await signedInContext(buyer.id, PHONE));
    await buyerPage.goto(`${server.url}/orders/${orderId}`);
    await buyerPage.getByTestId("order-claim").click();
    await seeText(buyerPage, "Open a claim");
    await buyerPage.getByLabel("Refund only").check();
    await buyerPage.getByLabel("Reason").selectOption("damaged");
    await buyerPage.getByLabel("What happened?").fill("The lid arrived cracked in two.");
    await buyerPage.getByLabel("Amount (CNY)").fill("25.50");
    const dir = mkdtempSync(path.join(os.tmpdir(), "claim-photo-"));
    const photo = path.join(dir, "lid.jpg");
    writeFileSync(photo, await sharp({ create: { width: 64, height: 48, channels: 3, background: "#b85" } }).jpeg().toBuffer());
    await buyerPage.getByLabel(/Photos/).setInputFiles(photo);
    await screenshot(buyerPage, "claim-open-phone");
    await buyerPage.getByTestId("open-claim").click();
    await buyerPage.waitForURL(/\/claims\/clm_/);
    const claimId = buyerPage.url().split("/claims/")[1];
    await seeText(buyerPage, "The shop must answer by");
    expect(await buyerPage.getByTestId("claim-countdown").innerText()).toMatch(/^(1 d 23 h|2 d 0 h) left$/);
    expect(await buyerPage.getByTestId("claim-amount").innerText()).toContain("25.50");
    expect(await buyerPage.locator(".clm-photos img").count()).toBe(1);
    await screenshot(buyerPage, "claim-buyer-phone");

    const shopPage = await newPage(await signedInContext(seller.owner.id, DESKTOP));
    await shopPage.goto(`${server.url}/admin/shops/${seller.shop.id}`);
    await shopPage.getByRole("link", { name: "Claims" }).click();
    await shopPage.getByTestId("claim-row").first().waitFor();
    await screenshot(shopPage, "claim-shop-queue");
    await shopPage.goto(`${server.url}/admin/shops/${seller.shop.id}/claims/${claimId}`);
    await shopPage.getByTestId("agree").click();
    await shopPage.getByTestId("agree").waitFor({ state: "detached" });
    // The refund may already have come back by the time the page reloads.
    expect(["Refund in progress", "Refunded"]).toContain(await shopPage.getByTestId("claim-status").innerText());

    // The simulator refunds the trade and notifies; order.refunded completes the claim.
    await waitFor("the claim refund", async () => (await platform.db.selectFrom("claims").select("status").where("id", "=", claimId).executeTakeFirstOrThrow()).status === "refunded");
    await shopPage.reload();
    await seeText(shopPage, "Refund completed");
    expect(await shopPage.getByTestId("claim-status").innerText()).toBe("Refunded");
    await screenshot(shopPage, "claim-shop-detail");
    await buyerPage.reload();
    expect(await buyerPage.getByTestId("claim-status").innerText()).toBe("Refunded");
    expect(await buyerPage.getByTestId("claim-refund").innerText()).toBe("Completed");
    await seeText(buyerPage, "Refund completed");
    await screenshot(buyerPage, "claim-refunded-phone");
  });

  it("the reviewer's arbitration queue shows an escalated claim with its age, and the decision page renders", SLOW, async () => {
    const { buyer, orderId } = await buyerWithOrder(platform, seller, "completed");
    const { openClaim, answerClaim, escalateClaim } = await import("../app/aftersale/index.server");
    const claimId = await openClaim(platform, { userId: buyer.id, orderId, form: { kind: "complaint", reason: "service", description: "No reply for a week." } });
    await answerClaim(platform.db, { shopId: seller.shop.id, claimId, actor: { type: "merchant", id: seller.owner.id }, form: { intent: "refuse", reason: "We replied by phone." } });
    await escalateClaim(platform.db, { claimId, userId: buyer.id, note: "They did not." });
    const reviewer = await createUser(platform);
    await grantReviewer(platform.db, reviewer.id);
    const page = await newPage(await signedInContext(reviewer.id, PHONE));
    await page.goto(`${server.url}/review`);
    await page.getByRole("link", { name: "Arbitration" }).click();
    await page.getByTestId("claim-row").first().waitFor();
    await seeText(page, "waiting");
    await screenshot(page, "claim-review-queue-phone");
    await page.getByTestId("claim-row").first().click();
    await seeText(page, "We replied by phone.");
    await page.getByLabel("Reason (both sides see it)").fill("The shop shows no record of any reply.");
    await page.getByTestId("decide").click();
    await seeText(page, "The shop shows no record of any reply.");
    expect(await page.getByTestId("claim-status").innerText()).toBe("Closed");
    await screenshot(page, "claim-review-decided-phone");
  });
});
