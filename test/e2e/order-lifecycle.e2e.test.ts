/**
 * An order's whole life in real Chromium, driven as production drives it:
 * the workers run (outbox relay, jobs), the payment simulator delivers its
 * signed notifications over HTTP to the server's own notify endpoint.
 *
 * 1. A buyer on a phone-sized screen opens checkout with a cart, adds a
 *    delivery address, sees the quote (items, shipping from the shop's rates,
 *    total) and places the order, landing on the simulator's cashier.
 * 2. The buyer pays there; the simulator's TRANSACTION.SUCCESS notification
 *    marks the order paid.
 * 3. The merchant finds the order in the admin and ships it with a tracking
 *    number; the buyer sees the shipment and confirms receipt.
 * 4. The buyer opens a refund-only claim with a photo and sees the shop's
 *    48-hour deadline; the shop finds it in its claims queue and agrees.
 * 5. The simulator refunds the trade and notifies; the refund completes and
 *    shows on both sides: the claim (Refunded, "Refund completed") and the
 *    order (refunded amount, timeline) for buyer and merchant.
 *
 * Screenshots (test/screenshots/): checkout-phone, cashier-phone,
 * order-merchant, order-buyer-phone, claim-open-phone, claim-buyer-phone,
 * claim-shop-queue, claim-shop-detail, claim-refunded-phone,
 * order-refunded-merchant, order-refunded-phone.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { createUserAccount } from "../../app/accounts/index.server";
import { createSession, SESSION_COOKIE } from "../../app/accounts/session.server";
import { addToCart } from "../../app/cart/index.server";
import { setFreightSettings } from "../../app/checkout/index.server";
import { startWorkers } from "../../app/jobs/workers.server";
import { setSimSettings } from "../../app/payments/index.server";
import { waitFor } from "../aftersale-fixtures";
import { shopWithProducts, stockOf } from "../orders-fixtures";
import { launchBrowser, screenshot, seeText } from "../support/browser";
import { createTestPlatform, type TestPlatform } from "../support/platform";
import { startTestServer, type TestServer } from "../support/server";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;
let stopWorkers: (() => Promise<void>) | undefined;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  // The simulator posts its notifications to this server, as WeChat Pay would to the shop's public URL.
  await setSimSettings(platform.db, { notifyBaseUrl: server.url });
  stopWorkers = await startWorkers(platform, { relayIntervalMs: 100 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stopWorkers?.();
  await server?.close();
  await platform?.close();
});

async function signedInPage(userId: string, viewport: { width: number; height: number }): Promise<Page> {
  const { token } = await createSession(platform.db, userId);
  const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
  const page = await context.newPage();
  await page.route("**/favicon.ico", (r) => r.fulfill({ status: 204, body: "" }));
  return page;
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const orderStatus = async (orderId: string) => (await platform.db.selectFrom("orders").select("status").where("id", "=", orderId).executeTakeFirstOrThrow()).status;

// A real browser, the simulator's HTTP deliveries, the relay and the job queue on a busy shared machine.
it("checkout → pay in the simulator → ship → confirm → refund claim → merchant agrees → refund shows on both sides", { timeout: 240_000 }, async () => {
  const { shop, owner, skus } = await shopWithProducts(platform, [
    { price: 2500, stock: 5, title: "West Lake Longjing, 100 g" },
    { price: 1800, stock: 5, title: "Celadon tea cup" },
  ]);
  await setFreightSettings(platform.db, { id: owner.id }, shop.id, { mode: "flat", amount: 1000, freeOver: 20_000 });
  const buyer = await createUserAccount(platform.db, { email: "e2e-buyer@example.test", name: "Mei", password: "correct horse battery", intent: "buyer" });
  await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[0], quantity: 2 });
  await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[1], quantity: 1 });

  // --- 1. checkout, on a phone
  const phone = await signedInPage(buyer.id, PHONE);
  await phone.goto(`${server.url}/s/${shop.handle}/checkout`);
  await seeText(phone, "Deliver to");
  await seeText(phone, "¥68.00"); // 2 × 25 + 18
  await seeText(phone, "¥78.00"); // + 10 shipping
  await phone.getByLabel("Recipient").fill("Mei Lin");
  await phone.getByLabel("Phone").fill("13800138000");
  await phone.getByLabel("Province, city, district").fill("Zhejiang, Hangzhou, Xihu");
  await phone.getByLabel("Street address").fill("18 Longjing Road");
  await phone.getByRole("button", { name: "Save address" }).click();
  await seeText(phone, "18 Longjing Road");
  expect(await phone.locator('input[name="addressId"]:checked').count()).toBe(1);
  await screenshot(phone, "checkout-phone");

  await phone.getByTestId("place-order").click();
  await phone.waitForURL(/\/pay\/pay_[0-9a-z]{26}$/);
  const order = await platform.db.selectFrom("orders").selectAll().where("user_id", "=", buyer.id).executeTakeFirstOrThrow();
  expect([order.status, order.total, order.shipping_total]).toEqual(["pending_payment", 7800, 1000]);
  expect([await stockOf(platform, skus[0]), await stockOf(platform, skus[1])]).toEqual([3, 4]);
  expect(await phone.getByTestId("cashier-total").innerText()).toContain("78.00");
  await screenshot(phone, "cashier-phone");

  // --- 2. pay at the simulator's cashier; its signed notification pays the order
  await phone.getByRole("button", { name: /^Pay / }).click();
  await phone.waitForURL(new RegExp(`/orders/${order.id}$`));
  await waitFor("the payment notification", async () => (await orderStatus(order.id)) === "paid", 60_000);
  const payments = await platform.db.selectFrom("payments").select(["status", "amount"]).where("order_id", "=", order.id).execute();
  expect(payments).toEqual([{ status: "succeeded", amount: 7800 }]);

  // --- 3. the merchant ships it; the buyer confirms receipt
  const desk = await signedInPage(owner.id, DESKTOP);
  await desk.goto(`${server.url}/admin/shops/${shop.id}/orders`);
  await seeText(desk, "West Lake Longjing");
  await desk.getByRole("link", { name: /West Lake Longjing/ }).click();
  await seeText(desk, "Mark as shipped");
  await desk.getByLabel("Carrier").fill("SF Express");
  await desk.getByLabel("Tracking number").fill("SF1234567890");
  await desk.getByTestId("ship-order").click();
  await seeText(desk, "tracking SF1234567890");
  await screenshot(desk, "order-merchant");

  await phone.goto(`${server.url}/orders/${order.id}`);
  await seeText(phone, "Shipped with SF Express");
  await phone.getByTestId("confirm-receipt").click();
  await seeText(phone, "You confirmed receipt");
  await screenshot(phone, "order-buyer-phone");
  expect(await orderStatus(order.id)).toBe("completed");
  await phone.goto(`${server.url}/orders`);
  await seeText(phone, "Completed");

  // --- 4. the buyer opens a refund claim with a photo
  await phone.goto(`${server.url}/orders/${order.id}`);
  await phone.getByTestId("order-claim").click();
  await seeText(phone, "Open a claim");
  await phone.getByLabel("Refund only").check();
  await phone.getByLabel("Reason").selectOption("damaged");
  await phone.getByLabel("What happened?").fill("The cup arrived cracked in two.");
  await phone.getByLabel("Amount (CNY)").fill("18.00");
  const dir = mkdtempSync(path.join(os.tmpdir(), "claim-photo-"));
  const photo = path.join(dir, "cup.jpg");
  writeFileSync(photo, await sharp({ create: { width: 64, height: 48, channels: 3, background: "#b85" } }).jpeg().toBuffer());
  await phone.getByLabel(/Photos/).setInputFiles(photo);
  await screenshot(phone, "claim-open-phone");
  await phone.getByTestId("open-claim").click();
  await phone.waitForURL(/\/claims\/clm_/);
  const claimId = phone.url().split("/claims/")[1];
  await seeText(phone, "The shop must answer by");
  expect(await phone.getByTestId("claim-countdown").innerText()).toMatch(/^(1 d 23 h|2 d 0 h) left$/);
  expect(await phone.getByTestId("claim-amount").innerText()).toContain("18.00");
  expect(await phone.locator(".clm-photos img").count()).toBe(1);
  await screenshot(phone, "claim-buyer-phone");

  // --- the shop finds it in its queue and agrees
  await desk.goto(`${server.url}/admin/shops/${shop.id}`);
  await desk.getByRole("link", { name: "Claims" }).click();
  await desk.getByTestId("claim-row").first().waitFor();
  await screenshot(desk, "claim-shop-queue");
  await desk.getByTestId("claim-row").first().click();
  await desk.waitForURL(new RegExp(`/claims/${claimId}$`));
  await desk.getByTestId("agree").click();
  await desk.getByTestId("agree").waitFor({ state: "detached" });
  // The refund may already have come back by the time the page reloads.
  expect(["Refund in progress", "Refunded"]).toContain(await desk.getByTestId("claim-status").innerText());

  // --- 5. the simulator refunds the trade and notifies; the refund completes
  await waitFor(
    "the claim's refund to complete",
    async () => (await platform.db.selectFrom("claims").select("status").where("id", "=", claimId).executeTakeFirstOrThrow()).status === "refunded",
    90_000,
  );
  const refunds = await platform.db.selectFrom("refunds").select(["status", "amount"]).where("order_id", "=", order.id).execute();
  expect(refunds).toEqual([{ status: "succeeded", amount: 1800 }]);
  // A completed order stays completed and carries the refund.
  const after = await platform.db.selectFrom("orders").select(["status", "refunded_total"]).where("id", "=", order.id).executeTakeFirstOrThrow();
  expect(after).toEqual({ status: "completed", refunded_total: 1800 });

  // The merchant's side: the claim, then the order.
  await desk.reload();
  await seeText(desk, "Refund completed");
  expect(await desk.getByTestId("claim-status").innerText()).toBe("Refunded");
  await screenshot(desk, "claim-shop-detail");
  await desk.goto(`${server.url}/admin/shops/${shop.id}/orders/${order.id}`);
  expect(await desk.getByTestId("order-refunded").innerText()).toContain("18.00");
  await screenshot(desk, "order-refunded-merchant");

  // The buyer's side: the claim, then the order.
  await phone.goto(`${server.url}/claims/${claimId}`);
  expect(await phone.getByTestId("claim-status").innerText()).toBe("Refunded");
  expect(await phone.getByTestId("claim-refund").innerText()).toBe("Completed");
  await seeText(phone, "Refund completed");
  await screenshot(phone, "claim-refunded-phone");
  await phone.goto(`${server.url}/orders/${order.id}`);
  expect(await phone.getByTestId("order-refunded").innerText()).toContain("18.00");
  expect(await phone.getByTestId("order-status").innerText()).toBe("Completed");
  await screenshot(phone, "order-refunded-phone");
});
