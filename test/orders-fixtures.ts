/**
 * What the checkout and orders tests share: a shop with products, buyers
 * with an address, placing an order from the buyer's cart, paying it and
 * completing its refunds through the payments module's own exactly-once
 * paths (as a verified notification would), and readers for stock, ledger,
 * timeline and outbox.
 */
import { createUserAccount } from "../app/accounts/index.server";
import { addToCart } from "../app/cart/index.server";
import { addAddress, createQuote, placeOrder, type Buyer } from "../app/checkout/index.server";
import { newId, newToken } from "../app/lib/ids";
import { applyPaymentResult, applyRefundResult, createPayment, DEFAULT_PROVIDER, listRefunds } from "../app/payments/index.server";
import type { Platform } from "../app/platform.server";
import { createMerchantShop, createTestProduct, type TestShop, type TestUser } from "./support/storefront-fixtures";

type P = Pick<Platform, "db">;
let counter = 0;

export type TestBuyer = Buyer & { addressId: string };

/** A buyer account with one (default) address. `fast` inserts the user row directly (no password hashing): for hundreds of buyers. */
export async function createBuyer(platform: P, opts: { fast?: boolean } = {}): Promise<TestBuyer> {
  const n = `${Date.now().toString(36)}${(++counter).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  let user: Buyer;
  if (opts.fast) {
    user = { id: newId("usr"), email: `buyer-${n}@example.test`, name: `Buyer ${n}` };
    await platform.db
      .insertInto("users")
      .values({ id: user.id, email: user.email, name: user.name, password_hash: "x", intent: "buyer", updated_at: new Date() })
      .execute();
  } else {
    const u = await createUserAccount(platform.db, { email: `buyer-${n}@example.test`, name: `Buyer ${n}`, password: "correct horse battery", intent: "buyer" });
    user = { id: u.id, email: u.email, name: u.name };
  }
  const address = await addAddress(platform.db, user.id, { recipient: user.name, phone: "13800138000", region: "Zhejiang Hangzhou Xihu", street: "1 West Lake Road", postalCode: "310000" });
  return { ...user, addressId: address.id };
}

/** A merchant's shop with one on-sale product per entry of `products` (price and stock). */
export async function shopWithProducts(
  platform: Platform,
  products: { price: number; stock: number; title?: string }[],
): Promise<{ shop: TestShop; owner: TestUser; skus: string[]; productIds: string[] }> {
  const { shop, owner } = await createMerchantShop(platform);
  const skus: string[] = [];
  const productIds: string[] = [];
  for (const p of products) {
    const product = await createTestProduct(platform, shop, { price: p.price, stock: p.stock, title: p.title });
    skus.push(product.skus[0].id);
    productIds.push(product.id);
  }
  return { shop, owner, skus, productIds };
}

/** Puts the lines in the buyer's cart, quotes it, and places the order with a fresh submit key. */
export async function orderFor(platform: P, shopId: string, buyer: TestBuyer, lines: { skuId: string; quantity: number }[]): Promise<{ orderId: string; total: number }> {
  for (const l of lines) await addToCart(platform.db, shopId, { userId: buyer.id }, l);
  const quote = await createQuote(platform, { shopId, user: buyer });
  const placed = await placeOrder(platform, { shopId, user: buyer, form: { quoteId: quote.id, addressId: buyer.addressId, idempotencyKey: newToken(18) } });
  return { orderId: placed.orderId, total: placed.total };
}

/** Opens the order's payment and applies a successful trade for it, as a verified notification would. */
export async function payOrder(platform: P, shopId: string, orderId: string): Promise<string> {
  const order = await platform.db.selectFrom("orders").select(["total", "currency"]).where("id", "=", orderId).executeTakeFirstOrThrow();
  const { paymentId } = await createPayment(platform.db, { shopId, orderId, amount: order.total, currency: order.currency, description: `Test order ${orderId}` });
  const outcome = await applyPaymentResult(platform.db, {
    provider: DEFAULT_PROVIDER,
    notificationId: `test-${paymentId}`,
    eventType: "TRANSACTION.SUCCESS",
    trade: {
      outTradeNo: paymentId,
      tradeState: "SUCCESS",
      transactionId: `tx-${paymentId}`,
      amount: order.total,
      payerTotal: order.total,
      currency: order.currency,
      successTime: new Date(),
      raw: {},
    },
    mchid: null,
  });
  if (outcome.kind !== "applied") throw new Error(`payOrder: ${JSON.stringify(outcome)}`);
  return paymentId;
}

/** Completes every pending refund of the order at the "provider" (a SUCCESS refund notification for each). */
export async function completeRefunds(platform: P, shopId: string, orderId: string): Promise<string[]> {
  const done: string[] = [];
  for (const r of await listRefunds(platform.db, shopId, orderId)) {
    if (r.status !== "pending") continue;
    const payment = await platform.db.selectFrom("payments").select(["amount"]).where("id", "=", r.paymentId).executeTakeFirstOrThrow();
    const outcome = await applyRefundResult(platform.db, {
      provider: DEFAULT_PROVIDER,
      notificationId: `test-refund-${r.id}`,
      eventType: "REFUND.SUCCESS",
      outRefundNo: r.id,
      providerRefundId: `prf-${r.id}`,
      outTradeNo: r.paymentId,
      transactionId: `tx-${r.paymentId}`,
      refundStatus: "SUCCESS",
      amount: r.amount,
      total: payment.amount,
      successTime: new Date(),
      raw: {},
    });
    if (outcome.kind !== "refund_succeeded") throw new Error(`completeRefunds: ${JSON.stringify(outcome)}`);
    done.push(r.id);
  }
  return done;
}

export async function stockOf(platform: P, skuId: string): Promise<number> {
  return (await platform.db.selectFrom("skus").select("stock").where("id", "=", skuId).executeTakeFirstOrThrow()).stock;
}

export async function ledgerOf(platform: P, skuId: string) {
  return platform.db.selectFrom("stock_ledger").selectAll().where("sku_id", "=", skuId).orderBy("id").execute();
}

export async function orderRow(platform: P, orderId: string) {
  return platform.db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
}

/** The order's timeline event types, oldest first. */
export async function timelineOf(platform: P, orderId: string): Promise<string[]> {
  return (await platform.db.selectFrom("order_events").select("type").where("order_id", "=", orderId).orderBy("id").execute()).map((r) => r.type);
}

/** The names of the outbox events about this order (subject = the order id), oldest first. */
export async function publishedFor(platform: P, orderId: string): Promise<string[]> {
  return (await platform.db.selectFrom("outbox").select("name").where("subject_id", "=", orderId).orderBy("id").execute()).map((r) => r.name);
}
