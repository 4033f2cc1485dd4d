/**
 * What the payments tests share: an order awaiting payment (made through the
 * orders module's own entry point), its payment, counts of everything a
 * notification could change, and — written from WeChat Pay's published
 * description, independently of app/payments — a notification builder
 * (AES-256-GCM resource, RSA-SHA256 signature over `ts\nnonce\nbody\n`) and a
 * verifier, so the tests check the platform and the simulator against the
 * format itself rather than against their own code.
 */
import { constants, createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, randomBytes, randomUUID, sign, verify, type KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { sql } from "kysely";
import { createPayment, keyFilePath, loadWechatPayKeys } from "../app/payments/index.server";
import { createOrderRecord } from "../app/orders/index.server";
import { ensureShopCustomer } from "../app/shops/index.server";
import type { Platform } from "../app/platform.server";
import { createMerchantShop, createTestProduct, createUser } from "./support/storefront-fixtures";

export type PendingOrder = { shopId: string; orderId: string; userId: string; ownerId: string; total: number; lineId: string; skuId: string };

/** A shop, a buyer and an order of one line awaiting payment (no stock reserved; closing it gives units back). */
export async function createPendingOrder(platform: Platform, opts: { total?: number; shop?: { id: string; handle: string; ownerId: string } } = {}): Promise<PendingOrder> {
  const total = opts.total ?? 2590;
  const shop = opts.shop ?? (await createMerchantShop(platform)).shop;
  const buyer = await createUser(platform, "buyer");
  const product = await createTestProduct(platform, shop, { price: total, stock: 5 });
  const sku = product.skus[0];
  const orderId = `ord_${randomUUID().replace(/-/g, "").slice(0, 26)}`;
  const lineId = `oline_${randomUUID().replace(/-/g, "").slice(0, 26)}`;
  await platform.db.transaction().execute(async (trx) => {
    const customer = await ensureShopCustomer(trx, shop.id, { id: buyer.id, email: buyer.email, name: "Buyer" });
    await createOrderRecord(trx, {
      orderId,
      shopId: shop.id,
      userId: buyer.id,
      customerId: customer.id,
      quoteId: `quote_${randomUUID()}`,
      currency: "CNY",
      subtotal: total,
      discountTotal: 0,
      shippingTotal: 0,
      total,
      itemCount: 1,
      address: { recipient: "Li Lei", phone: "13800000000", region: "Shanghai", street: "1 Nanjing Rd", postalCode: "200000" },
      reservations: [],
      lines: [
        { id: lineId, skuId: sku.id, productId: product.id, title: product.title, specLabel: "", imageId: null, unitPrice: total, quantity: 1, subtotal: total, discount: 0, total },
      ],
      adjustments: [],
    });
  });
  return { shopId: shop.id, orderId, userId: buyer.id, ownerId: shop.ownerId, total, lineId, skuId: sku.id };
}

/** An order awaiting payment with its payment opened (a NOTPAY trade at the simulator). */
export async function createPendingPayment(platform: Platform, opts: { total?: number } = {}): Promise<PendingOrder & { paymentId: string; cashierUrl: string }> {
  const order = await createPendingOrder(platform, opts);
  const p = await createPayment(platform.db, { shopId: order.shopId, orderId: order.orderId, amount: order.total, currency: "CNY", description: `Order ${order.orderId}` });
  return { ...order, ...p };
}

// ---- the textbook WeChat Pay v3 notification ------------------------------

export type ProviderKeys = { apiV3Key: Buffer; serial: string; privateKey: KeyObject; publicKey: KeyObject };

/** The key file the platform generated on first use, read directly (and its mode). */
export function readProviderKeys(platform: Platform): ProviderKeys & { mode: number } {
  loadWechatPayKeys(platform.config); // generated on first use
  const file = keyFilePath(platform.config.dataDir);
  const k = JSON.parse(readFileSync(file, "utf8"));
  return {
    apiV3Key: Buffer.from(k.apiV3Key, "utf8"),
    serial: k.serial,
    privateKey: createPrivateKey(k.privateKeyPem),
    publicKey: createPublicKey(k.publicKeyPem),
    mode: statSync(file).mode & 0o777,
  };
}

export type Transaction = {
  out_trade_no: string;
  transaction_id: string;
  trade_state?: string;
  amount: number;
  currency?: string;
};

export function transactionResource(t: Transaction): Record<string, unknown> {
  return {
    appid: "wxd678efh567hg6787",
    mchid: "1900000109",
    out_trade_no: t.out_trade_no,
    transaction_id: t.transaction_id,
    trade_type: "JSAPI",
    trade_state: t.trade_state ?? "SUCCESS",
    trade_state_desc: "支付成功",
    bank_type: "CMC",
    attach: "",
    success_time: "2026-11-25T17:30:00+08:00",
    payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    amount: { total: t.amount, payer_total: t.amount, currency: t.currency ?? "CNY", payer_currency: t.currency ?? "CNY" },
  };
}

export const newTransactionId = () => `4200${Array.from(randomBytes(24), (b) => b % 10).join("")}`;

export type Signed = { headers: Record<string, string>; body: string; id: string };

/**
 * A notification as WeChat Pay documents it. Options break one thing each:
 * `aadForEncryption` vs the `associated_data` field, a flipped tag byte, a
 * signing timestamp, another serial, another key.
 */
export function buildNotification(
  keys: ProviderKeys,
  resource: Record<string, unknown>,
  opts: {
    id?: string;
    eventType?: string;
    originalType?: string;
    associatedData?: string;
    aadForEncryption?: string;
    tamperTag?: boolean;
    timestamp?: number;
    serial?: string;
    signWith?: KeyObject;
  } = {},
): Signed {
  const id = opts.id ?? randomUUID();
  const originalType = opts.originalType ?? "transaction";
  const aad = opts.associatedData ?? originalType;
  const iv = randomBytes(6).toString("hex"); // 12 characters
  const cipher = createCipheriv("aes-256-gcm", keys.apiV3Key, Buffer.from(iv));
  cipher.setAAD(Buffer.from(opts.aadForEncryption ?? aad));
  const ct = Buffer.concat([cipher.update(JSON.stringify(resource), "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  if (opts.tamperTag) tag[tag.length - 1] ^= 0x01;
  const body = JSON.stringify({
    id,
    create_time: "2026-11-25T17:30:01+08:00",
    resource_type: "encrypt-resource",
    event_type: opts.eventType ?? "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: { original_type: originalType, algorithm: "AEAD_AES_256_GCM", ciphertext: Buffer.concat([ct, tag]).toString("base64"), associated_data: aad, nonce: iv },
  });
  return { id, body, headers: signHeaders(keys, body, opts) };
}

/** Fresh signing headers for a body (a provider's retry). */
export function signHeaders(keys: ProviderKeys, body: string, opts: { timestamp?: number; serial?: string; signWith?: KeyObject } = {}): Record<string, string> {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString("hex").toUpperCase();
  const signature = sign("sha256", Buffer.from(`${ts}\n${nonce}\n${body}\n`), { key: opts.signWith ?? keys.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString("base64");
  return {
    "content-type": "application/json",
    "wechatpay-timestamp": ts,
    "wechatpay-nonce": nonce,
    "wechatpay-serial": opts.serial ?? keys.serial,
    "wechatpay-signature": signature,
    "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
  };
}

/** The textbook check of a received notification: signature, then decryption. Returns the resource. */
export function textbookOpen(keys: ProviderKeys, headers: Record<string, string>, body: string): Record<string, any> {
  const msg = `${headers["wechatpay-timestamp"]}\n${headers["wechatpay-nonce"]}\n${body}\n`;
  const ok = verify("sha256", Buffer.from(msg), { key: keys.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(headers["wechatpay-signature"], "base64"));
  if (!ok) throw new Error("signature does not verify");
  const r = JSON.parse(body).resource;
  const data = Buffer.from(r.ciphertext, "base64");
  const d = createDecipheriv("aes-256-gcm", keys.apiV3Key, Buffer.from(r.nonce));
  d.setAAD(Buffer.from(r.associated_data));
  d.setAuthTag(data.subarray(data.length - 16));
  return JSON.parse(Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString("utf8"));
}

export async function post(url: string, n: { headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: "POST", headers: n.headers, body: n.body });
  return { status: res.status, body: await res.text() };
}

// ---- what a notification could have changed --------------------------------

export type Snapshot = {
  orderStatus: string | null;
  paymentStatuses: string[];
  notifications: number;
  orderPaidEvents: number;
  orderClosedEvents: number;
  refunds: { source: string; status: string; amount: number }[];
  refundRequestedEvents: number;
  anomalies: { kind: string; occurrences: number }[];
};

export async function snapshot(platform: Platform, o: { orderId: string }): Promise<Snapshot> {
  const db = platform.db;
  const order = await db.selectFrom("orders").select("status").where("id", "=", o.orderId).executeTakeFirst();
  const payments = await db.selectFrom("payments").select(["id", "status"]).where("order_id", "=", o.orderId).orderBy("id").execute();
  const ids = payments.map((p) => p.id);
  const notifications = ids.length
    ? Number((await db.selectFrom("payment_notifications").select(sql<string>`count(*)`.as("n")).where("payment_id", "in", ids).executeTakeFirstOrThrow()).n)
    : 0;
  const events = await db.selectFrom("outbox").select(["name"]).where("subject_id", "=", o.orderId).execute();
  const refunds = await db.selectFrom("refunds").select(["id", "source", "status", "amount"]).where("order_id", "=", o.orderId).orderBy("id").execute();
  const refundEvents = refunds.length
    ? Number(
        (await db.selectFrom("outbox").select(sql<string>`count(*)`.as("n")).where("name", "=", "refund.requested").where("subject_id", "in", refunds.map((r) => r.id)).executeTakeFirstOrThrow()).n,
      )
    : 0;
  const anomalies = await db.selectFrom("payment_anomalies").select(["kind", "occurrences"]).where("order_id", "=", o.orderId).execute();
  return {
    orderStatus: order?.status ?? null,
    paymentStatuses: payments.map((p) => p.status),
    notifications,
    orderPaidEvents: events.filter((e) => e.name === "order.paid").length,
    orderClosedEvents: events.filter((e) => e.name === "order.closed").length,
    refunds: refunds.map((r) => ({ source: r.source, status: r.status, amount: r.amount })),
    refundRequestedEvents: refundEvents,
    anomalies: anomalies.map((a) => ({ kind: a.kind, occurrences: a.occurrences })),
  };
}

/** Every payment_notifications row, for "nothing was recorded" checks. */
export async function notificationCount(platform: Platform): Promise<number> {
  return Number((await platform.db.selectFrom("payment_notifications").select(sql<string>`count(*)`.as("n")).executeTakeFirstOrThrow()).n);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
