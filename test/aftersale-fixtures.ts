/**
 * What the after-sale tests share: a shop with a product, a buyer, and an
 * order of theirs taken through the real checkout, payment and order code to
 * the state a test needs (paid, shipped or completed); the provider's refund
 * notification applied as the notify endpoint would; signed-in route
 * clients; and a wait helper for timer tests.
 */
import { randomBytes } from "node:crypto";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { addToCart } from "../app/cart/index.server";
import { addAddress, createQuote, placeOrder } from "../app/checkout/index.server";
import { newToken } from "../app/lib/ids";
import { confirmReceipt, getOrder, shipOrder } from "../app/orders/index.server";
import { applyPaymentResult, applyRefundResult, createPayment, DEFAULT_PROVIDER, listRefunds, payAtCashier, paymentNotifyHandler, setSimSettings } from "../app/payments/index.server";
import type { Platform } from "../app/platform.server";
import { CSRF_FIELD } from "../app/http/csrf.server";
import { ORIGIN, TestClient } from "./accounts-helpers";
import { createMerchantShop, createTestProduct, createUser, type TestShop, type TestUser } from "./support/storefront-fixtures";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export type Seller = { owner: TestUser; shop: TestShop; skuIds: string[] };

/** A shop (CNY) with one product of two SKUs: ¥39.00 and ¥120.00, 5000 of each. */
export async function createSeller(platform: Platform): Promise<Seller> {
  const { owner, shop } = await createMerchantShop(platform);
  const product = await createTestProduct(platform, shop, {
    title: "Teapot",
    specs: [{ name: "Size", values: ["S", "L"] }],
    skus: [
      { price: 3900, stock: 5000 },
      { price: 12000, stock: 5000 },
    ],
  });
  return { owner, shop, skuIds: product.skus.map((s) => s.id) };
}

export type OrderState = "paid" | "shipped" | "completed";

/**
 * An order by `buyer` in the seller's shop — 2 × the small SKU and 1 × the
 * large one — paid, then shipped and completed as asked. Paid either by a
 * verified payment applied through the payments module's exactly-once path
 * (default), or at the simulator's cashier (its trade can then be refunded
 * by the simulator; needs workers and {@link startNotifyEndpoint}).
 */
export async function createOrderIn(
  platform: Platform,
  seller: Seller,
  buyer: TestUser,
  state: OrderState = "completed",
  opts: { payVia?: "applied" | "simulator" } = {},
): Promise<{ orderId: string; paymentId: string }> {
  const user = { id: buyer.id, email: buyer.email, name: "Buyer" };
  const db = platform.db;
  await addToCart(db, seller.shop.id, { userId: buyer.id }, { skuId: seller.skuIds[0], quantity: 2 });
  await addToCart(db, seller.shop.id, { userId: buyer.id }, { skuId: seller.skuIds[1], quantity: 1 });
  const address = await addAddress(db, buyer.id, { recipient: "Li Lei", phone: "+86 138 0000 0000", region: "Shanghai", street: "1 Century Ave", postalCode: "200120" });
  const quote = await createQuote(platform, { shopId: seller.shop.id, user });
  const placed = await placeOrder(platform, { shopId: seller.shop.id, user, form: { quoteId: quote.id, addressId: address.id, idempotencyKey: newToken(18) } });
  const { paymentId } = await createPayment(db, { shopId: seller.shop.id, orderId: placed.orderId, amount: placed.total, currency: placed.currency, description: "Test order" });
  if (opts.payVia === "simulator") {
    // The buyer pays at the simulator's cashier; its signed notification reaches the notify endpoint (workers must run).
    await payAtCashier(platform, paymentId);
    await waitFor("the payment notification", async () => (await getOrder(db, seller.shop.id, placed.orderId))?.status === "paid");
  } else {
    const paid = await applyPaymentResult(db, {
      provider: DEFAULT_PROVIDER,
      notificationId: `test-${randomBytes(8).toString("hex")}`,
      eventType: "TRANSACTION.SUCCESS",
      trade: {
        outTradeNo: paymentId,
        tradeState: "SUCCESS",
        transactionId: `4200${randomBytes(10).toString("hex")}`,
        amount: placed.total,
        payerTotal: placed.total,
        currency: placed.currency,
        successTime: new Date(),
        raw: {},
      },
      mchid: null,
    });
    if (paid.kind !== "applied") throw new Error(`the test payment was not applied: ${paid.kind}`);
  }
  if (state !== "paid") {
    await shipOrder(db, { shopId: seller.shop.id, orderId: placed.orderId, actor: { type: "merchant", id: seller.owner.id }, form: { carrier: "SF", trackingNumber: "SF100200300" } });
  }
  if (state === "completed") await confirmReceipt(db, { shopId: seller.shop.id, orderId: placed.orderId, buyerId: buyer.id });
  return { orderId: placed.orderId, paymentId };
}

/** A fresh buyer with a fresh order in `state`. */
export async function buyerWithOrder(platform: Platform, seller: Seller, state: OrderState = "completed", opts: { payVia?: "applied" | "simulator" } = {}) {
  const buyer = await createUser(platform, "buyer");
  const { orderId, paymentId } = await createOrderIn(platform, seller, buyer, state, opts);
  const order = (await getOrder(platform.db, seller.shop.id, orderId))!;
  return { buyer, orderId, paymentId, order };
}

/**
 * The provider's REFUND.SUCCESS for a refund, applied exactly as the notify
 * endpoint applies a verified notification (tests that do not run the
 * simulator's HTTP delivery).
 */
export async function completeRefund(platform: Platform, shopId: string, orderId: string, refundId: string): Promise<void> {
  const refund = (await listRefunds(platform.db, shopId, orderId)).find((r) => r.id === refundId);
  if (!refund) throw new Error(`no refund ${refundId}`);
  const out = await applyRefundResult(platform.db, {
    provider: DEFAULT_PROVIDER,
    notificationId: `test-${randomBytes(8).toString("hex")}`,
    eventType: "REFUND.SUCCESS",
    outRefundNo: refund.id,
    providerRefundId: `50${randomBytes(8).toString("hex")}`,
    outTradeNo: refund.paymentId,
    transactionId: "4200",
    refundStatus: "SUCCESS",
    amount: refund.amount,
    total: refund.amount,
    successTime: new Date(),
    raw: {},
  });
  if (out.kind !== "refund_succeeded") throw new Error(`the test refund was not applied: ${out.kind}`);
}

/** A route client signed in as `userId` (a real session). */
export async function signedIn(platform: Platform, userId: string): Promise<TestClient> {
  const client = new TestClient(platform);
  const { token } = await createSession(platform.db, userId);
  client.cookies.set(SESSION_COOKIE, token);
  return client;
}

/** POSTs a multipart form (with files) through a route's action, as `client`. */
export async function postMultipart(
  client: TestClient,
  mod: { action?: (args: any) => unknown },
  path: string,
  form: FormData,
  params: Record<string, string>,
): Promise<Response> {
  form.set(CSRF_FIELD, client.csrf);
  const { wrapBuild } = await import("../app/http/errors.server");
  const build = wrapBuild({ routes: { r: { id: "r", path: "", module: mod } } } as any);
  const action = (build.routes.r.module as any).action;
  const request = new Request(ORIGIN + path, {
    method: "POST",
    body: form,
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; "), "user-agent": "vitest" },
  });
  try {
    return (await action({ request, params, context: client.context() })) as Response;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

/**
 * The payment notification endpoint alone (what server.ts mounts, raw body,
 * nothing before it) on a free local port, with the simulator told to
 * deliver there: payments and refunds then complete exactly as in
 * production, through signed notifications, without the Remix build.
 */
export async function startNotifyEndpoint(platform: Platform): Promise<{ url: string; close(): Promise<void> }> {
  const express = (await import("express")).default;
  const app = express();
  app.post("/payments/notify/:provider", express.raw({ type: "*/*", limit: "64kb" }), paymentNotifyHandler(platform));
  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as import("node:net").AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  await setSimSettings(platform.db, { notifyBaseUrl: url });
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
