/**
 * The reviewer's side of claims in a real browser (Debian chromium), on a
 * phone-sized screen: the arbitration queue and a decision. The buyer's and
 * the shop's side — opening a refund claim with a photo, the deadline, the
 * shop's queue, agreeing, the refund completing through the simulator and
 * showing on both sides — is part of the whole order's story in
 * test/e2e/order-lifecycle.e2e.test.ts. Screenshots: test/screenshots/claim-review-*.png.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { grantReviewer } from "../app/accounts/index.server";
import { buyerWithOrder, createSeller, type Seller } from "./aftersale-fixtures";
import { launchBrowser, screenshot, seeText } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createUser } from "./support/storefront-fixtures";
import { startTestServer, type TestServer } from "./support/server";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let seller: Seller;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  browser = await launchBrowser();
  seller = await createSeller(platform);
});
afterAll(async () => {
  await browser?.close();
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

// A real browser on a busy machine.
const SLOW = { timeout: 180_000 };

describe("claims in a browser", () => {
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
