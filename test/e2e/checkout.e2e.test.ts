/**
 * Checkout and the order pages in real Chromium. A buyer on a phone-sized
 * screen opens checkout with a cart, adds a delivery address, sees the quote
 * (items, shipping from the shop's rates, total) and places the order,
 * landing on the payment cashier. The payment is then applied as a verified
 * notification would (the simulator's delivery is the payments module's
 * own test). The merchant finds the order in the admin and ships it; the
 * buyer sees the shipment on their order and confirms receipt.
 * Screenshots: checkout-phone, order-merchant, order-buyer-phone.
 */
import type { Browser, Page } from "playwright-core";
import { createUserAccount } from "../../app/accounts/index.server";
import { createSession, SESSION_COOKIE } from "../../app/accounts/session.server";
import { addToCart } from "../../app/cart/index.server";
import { setFreightSettings } from "../../app/checkout/index.server";
import { launchBrowser, screenshot, seeText } from "../support/browser";
import { createTestPlatform, type TestPlatform } from "../support/platform";
import { startTestServer, type TestServer } from "../support/server";
import { payOrder, shopWithProducts } from "../orders-fixtures";

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

async function signedInPage(userId: string, viewport: { width: number; height: number }): Promise<Page> {
  const { token } = await createSession(platform.db, userId);
  const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
  const page = await context.newPage();
  await page.route("**/favicon.ico", (r) => r.fulfill({ status: 204, body: "" }));
  return page;
}

it("a buyer checks out on a phone; the merchant ships; the buyer confirms receipt", async () => {
  const { shop, owner, skus } = await shopWithProducts(platform, [
    { price: 2500, stock: 5, title: "West Lake Longjing, 100 g" },
    { price: 1800, stock: 5, title: "Celadon tea cup" },
  ]);
  await setFreightSettings(platform.db, { id: owner.id }, shop.id, { mode: "flat", amount: 1000, freeOver: 20_000 });
  const buyer = await createUserAccount(platform.db, { email: "e2e-buyer@example.test", name: "Mei", password: "correct horse battery", intent: "buyer" });
  await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[0], quantity: 2 });
  await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[1], quantity: 1 });

  // --- the buyer's checkout, on a phone
  const phone = await signedInPage(buyer.id, { width: 390, height: 844 });
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
  await seeText(phone, "78.00");
  const order = await platform.db.selectFrom("orders").selectAll().where("user_id", "=", buyer.id).executeTakeFirstOrThrow();
  expect([order.status, order.total, order.shipping_total]).toEqual(["pending_payment", 7800, 1000]);
  await payOrder(platform, shop.id, order.id);

  // --- the merchant ships it
  const desk = await signedInPage(owner.id, { width: 1280, height: 900 });
  await desk.goto(`${server.url}/admin/shops/${shop.id}/orders`);
  await seeText(desk, "West Lake Longjing");
  await desk.getByRole("link", { name: /West Lake Longjing/ }).click();
  await seeText(desk, "Mark as shipped");
  await desk.getByLabel("Carrier").fill("SF Express");
  await desk.getByLabel("Tracking number").fill("SF1234567890");
  await desk.getByTestId("ship-order").click();
  await seeText(desk, "tracking SF1234567890");
  await screenshot(desk, "order-merchant");

  // --- the buyer sees the shipment and confirms
  await phone.goto(`${server.url}/orders/${order.id}`);
  await seeText(phone, "Shipped with SF Express");
  await phone.getByTestId("confirm-receipt").click();
  await seeText(phone, "You confirmed receipt");
  await screenshot(phone, "order-buyer-phone");
  expect((await platform.db.selectFrom("orders").select("status").where("id", "=", order.id).executeTakeFirstOrThrow()).status).toBe("completed");

  await phone.goto(`${server.url}/orders`);
  await seeText(phone, "Completed");
}, 120_000);
