/**
 * Checkout: cart → quote → order.
 *
 * A quote is priced on the server only: base prices from the catalog (never
 * the client), then each install's discounts in the merchant's order
 * (`collectDiscounts`), clamped (`priceLines`), then the freight template,
 * then totals. It is stored with a 15-minute expiry, and the order is placed
 * FROM it: at placement the quote's lines are priced again, and if anything
 * the buyer saw would differ — a price, a discount, shipping, a reservation —
 * or the quote expired, placement is a 409 carrying a fresh quote.
 *
 * Placing is one transaction: the submit key (a double submit waits on it,
 * then gets the first order), the quote (consumed once), stock (the
 * catalog's `reserve`, SKUs locked in id order), the shop-customer record,
 * the extension reservations, the order itself (orders module), and the
 * purchased lines leaving the cart. Payment starts after commit.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { QuoteRow } from "../../db/tables/checkout";
import { getCartView, removeFromCart, setCartQuantity } from "../cart/index.server";
import { getSkusForCart, OutOfStockError, reserve } from "../catalog/index.server";
import { publish } from "../events/index.server";
import { AppError, fieldErrorsFromZod, isAppError, notFound } from "../lib/errors";
import { newId, newToken } from "../lib/ids";
import { addOrderLines, createOrderHeader, type NewOrder } from "../orders/index.server";
import { openPaymentForNewOrder, type OpenedPayment } from "../payments/index.server";
import type { Platform } from "../platform.server";
import { ensureShopCustomer, getShop, getShopCustomerId, type ShopView } from "../shops/index.server";
import { addressSnapshot, getAddress, listAddresses } from "./addresses.service.server";
import {
  claimKeyAndConsumeQuote,
  insertQuote,
  selectCartAttributes,
  selectIdempotentOrderId,
  selectQuote,
  selectQuoteOfOrder,
} from "./checkout.repository.server";
import {
  MAX_ORDER_TOTAL,
  PlaceOrderForm,
  QUOTE_TTL_MS,
  QuoteId,
  ReservationSchema,
  type AddressView,
  type QuoteAdjustment,
  type QuoteInput,
  type QuoteInputLine,
  type QuoteLine,
  type QuoteView,
  type Reservation,
} from "./checkout.schema";
import { collectDiscounts, applyReservations } from "./extensions.server";
import { priceLines } from "./pricing";
import { freightOf } from "./settings.server";

/** The signed-in buyer, as the session gives it. */
export type Buyer = { id: string; email: string; name: string };

type PlatformLike = Pick<Platform, "db">;

/**
 * A 409 whose quote no longer stands: it expired, or pricing it again gave
 * something else than the buyer saw, or the stock or a reservation is gone.
 * `freshQuote` is a new quote of the buyer's cart as it is now (null when
 * the cart cannot be quoted, e.g. an item sold out).
 */
export class QuoteChangedError extends AppError {
  readonly freshQuote: QuoteView | null;
  constructor(code: "quote_expired" | "quote_changed" | "out_of_stock" | "reservation_failed", message: string, freshQuote: QuoteView | null, fieldErrors?: Record<string, string[]>) {
    super("conflict", message, { code, fieldErrors });
    this.freshQuote = freshQuote;
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return r.data;
}

async function requireShop(db: Kysely<Database>, shopId: string): Promise<ShopView> {
  const shop = await getShop(db, shopId);
  if (!shop || shop.status !== "active") throw notFound("Shop not found");
  return shop;
}

type Priced = Omit<QuoteView, "id" | "expiresAt"> & { attributes: Record<string, unknown>; customerId: string | null };

/**
 * Prices `items` (SKU and quantity, with the line ids to keep) for the
 * buyer now. An item no longer sold is a 422 `unavailable`.
 */
async function priceItems(platform: PlatformLike, shop: ShopView, userId: string, items: readonly { lineId: string; skuId: string; quantity: number }[]): Promise<Priced> {
  const db = platform.db;
  // The three reads are independent: one round trip's wait instead of two.
  const [skuRows, customerId, attributes] = await Promise.all([
    getSkusForCart(db, shop.id, items.map((i) => i.skuId)),
    getShopCustomerId(db, shop.id, userId),
    selectCartAttributes(db, shop.id, userId),
  ]);
  const skus = new Map(skuRows.map((s) => [s.skuId, s]));
  const lines: (QuoteInputLine & { title: string; specLabel: string; imageId: string | null })[] = [];
  for (const item of items) {
    const sku = skus.get(item.skuId);
    if (!sku || !sku.available) throw new AppError("unprocessable", "An item in your order is no longer available.", { code: "unavailable" });
    const lineTotal = sku.price * item.quantity;
    if (lineTotal > MAX_ORDER_TOTAL) throw new AppError("unprocessable", "This order is too large to place online.", { code: "order_too_large" });
    lines.push({
      lineId: item.lineId,
      skuId: sku.skuId,
      productId: sku.productId,
      categoryId: sku.categoryId,
      quantity: item.quantity,
      unitPrice: sku.price,
      lineTotal,
      title: sku.title,
      specLabel: sku.specLabel,
      imageId: sku.imageId,
    });
  }
  const input: QuoteInput = {
    shop: { id: shop.id, currency: shop.currency },
    buyer: { userId, customerId },
    lines: lines.map(({ lineId, skuId, productId, categoryId, quantity, unitPrice, lineTotal }) => ({ lineId, skuId, productId, categoryId, quantity, unitPrice, lineTotal })),
    subtotal: lines.reduce((a, l) => a + l.lineTotal, 0),
    attributes,
  };
  const offers = await collectDiscounts(platform, input);
  const priced = priceLines(lines, offers, freightOf(shop), shop.currency);
  if (priced.total > MAX_ORDER_TOTAL || priced.subtotal > MAX_ORDER_TOTAL) {
    throw new AppError("unprocessable", "This order is too large to place online.", { code: "order_too_large" });
  }
  // An install's reservations stand only with a discount of theirs that took effect.
  const effective = new Set(priced.adjustments.flatMap((a) => (a.source.type === "extension" ? [a.source.installId] : [])));
  const reservations: Reservation[] = offers.flatMap((o) =>
    effective.has(o.installId)
      ? (o.reservations ?? []).flatMap((r) => {
          const ok = ReservationSchema.safeParse(r);
          return ok.success && ok.data.installId === o.installId ? [ok.data as Reservation] : [];
        })
      : [],
  );
  return {
    shopId: shop.id,
    currency: shop.currency,
    lines: priced.lines as QuoteLine[],
    adjustments: priced.adjustments,
    reservations,
    subtotal: priced.subtotal,
    discountTotal: priced.discountTotal,
    shippingTotal: priced.shippingTotal,
    total: priced.total,
    itemCount: priced.itemCount,
    attributes,
    customerId,
  };
}

function toView(row: QuoteRow): QuoteView {
  const lines = row.lines as QuoteLine[];
  return {
    id: row.id,
    shopId: row.shop_id,
    currency: row.currency,
    lines,
    adjustments: row.adjustments as QuoteAdjustment[],
    reservations: row.reservations as Reservation[],
    subtotal: row.subtotal,
    discountTotal: row.discount_total,
    shippingTotal: row.shipping_total,
    total: row.total,
    itemCount: lines.reduce((a, l) => a + l.quantity, 0),
    expiresAt: new Date(row.expires_at).toISOString(),
  };
}

async function storeQuote(db: Kysely<Database>, userId: string, priced: Priced): Promise<QuoteView> {
  const id = newId("quo");
  const now = Date.now();
  const row = {
    id,
    shop_id: priced.shopId,
    user_id: userId,
    currency: priced.currency,
    lines: JSON.stringify(priced.lines),
    adjustments: JSON.stringify(priced.adjustments),
    reservations: JSON.stringify(priced.reservations),
    attributes: JSON.stringify(priced.attributes),
    subtotal: priced.subtotal,
    discount_total: priced.discountTotal,
    shipping_total: priced.shippingTotal,
    total: priced.total,
    expires_at: new Date(now + QUOTE_TTL_MS),
  };
  await insertQuote(db, row);
  const { attributes: _attributes, customerId: _customerId, ...view } = priced;
  return { ...view, id, expiresAt: row.expires_at.toISOString() };
}

/**
 * Quotes the buyer's cart in this shop and stores the quote. An empty cart
 * is a 422 `cart_empty`; a cart with flagged lines (sold out, too many, no
 * longer sold) a 422 `cart_problems` — the buyer fixes them in the cart.
 *
 * @example
 * const quote = await createQuote(platform, { shopId: shop.id, user });
 * // quote.adjustments: each discount with its source, then the shipping line
 */
export async function createQuote(platform: PlatformLike, p: { shopId: string; user: Buyer }): Promise<QuoteView> {
  const shop = await requireShop(platform.db, p.shopId);
  const cart = await getCartView(platform.db, shop.id, { userId: p.user.id });
  if (cart.lines.length === 0) throw new AppError("unprocessable", "Your cart is empty.", { code: "cart_empty" });
  if (cart.hasProblems) {
    throw new AppError("unprocessable", "Some items in your cart can't be bought as they are. Review your cart first.", { code: "cart_problems" });
  }
  const priced = await priceItems(
    platform,
    shop,
    p.user.id,
    cart.lines.map((l) => ({ lineId: newId("oln"), skuId: l.skuId, quantity: l.quantity })),
  );
  return storeQuote(platform.db, p.user.id, priced);
}

/** One of the buyer's quotes in this shop, or null. */
export async function getQuote(db: Kysely<Database>, p: { shopId: string; userId: string; quoteId: string }): Promise<QuoteView | null> {
  if (!QuoteId.safeParse(p.quoteId).success) return null;
  const row = await selectQuote(db, p.shopId, p.userId, p.quoteId);
  return row ? toView(row) : null;
}

export type CheckoutPage = {
  quote: QuoteView | null;
  /** why there is no quote: the cart is empty or has flagged lines */
  blocked: { code: string; message: string } | null;
  addresses: AddressView[];
  /** a fresh submit key for the place-order form */
  idempotencyKey: string;
};

/**
 * Everything the checkout page shows: a fresh quote of the cart (or why
 * there cannot be one), the buyer's addresses, and a new submit key.
 */
export async function prepareCheckout(platform: PlatformLike, p: { shopId: string; user: Buyer }): Promise<CheckoutPage> {
  const addresses = await listAddresses(platform.db, p.user.id);
  const idempotencyKey = newToken(18);
  try {
    return { quote: await createQuote(platform, p), blocked: null, addresses, idempotencyKey };
  } catch (e) {
    if (isAppError(e) && e.kind === "unprocessable") return { quote: null, blocked: { code: e.code, message: e.message }, addresses, idempotencyKey };
    throw e;
  }
}

/** JSON with object keys sorted, so a value read back from jsonb (which reorders keys) compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}

/** What must match between the quote the buyer saw and the same lines priced now. */
function fingerprint(q: Pick<QuoteView, "lines" | "adjustments" | "reservations" | "subtotal" | "discountTotal" | "shippingTotal" | "total">): string {
  return canonical({
    lines: q.lines.map((l) => [l.lineId, l.skuId, l.quantity, l.unitPrice, l.discount, l.total]),
    adjustments: q.adjustments.map((a) => [a.kind, a.lineId, a.amount, a.label, a.source]),
    reservations: q.reservations.map((r) => [r.installId, r.counterKey, r.delta, r.bound.min ?? null, r.bound.max ?? null]),
    totals: [q.subtotal, q.discountTotal, q.shippingTotal, q.total],
  });
}

async function freshQuoteOrNull(platform: PlatformLike, shopId: string, user: Buyer): Promise<QuoteView | null> {
  try {
    return await createQuote(platform, { shopId, user });
  } catch (e) {
    if (isAppError(e) && e.kind === "unprocessable") return null;
    throw e;
  }
}

/** Takes what was bought out of the cart: a line goes, or keeps the units beyond what was ordered. */
async function clearPurchasedLines(trx: Kysely<Database>, shopId: string, userId: string, bought: readonly { skuId: string; quantity: number }[]): Promise<void> {
  const cart = await getCartView(trx, shopId, { userId });
  const inCart = new Map(cart.lines.map((l) => [l.skuId, l.quantity]));
  for (const line of bought) {
    const had = inCart.get(line.skuId);
    if (had === undefined) continue;
    if (had <= line.quantity) await removeFromCart(trx, shopId, { userId }, { skuId: line.skuId });
    else await setCartQuantity(trx, shopId, { userId }, { skuId: line.skuId, quantity: had - line.quantity });
  }
}

export type PlacedOrder = {
  orderId: string;
  total: number;
  currency: string;
  replayed: boolean;
  /** the payment opened with the order when `openPayment` was asked for (not on a replay): start it with `startPayment` */
  payment: OpenedPayment | null;
};

/**
 * Places an order from a quote, for the signed-in buyer, to one of their
 * addresses. `idempotencyKey` is the key the checkout form was rendered
 * with: submitting it again — even concurrently — gives the same order
 * (`replayed: true`) instead of a second one. With `openPayment`, the
 * order's payment record is opened in the same transaction (the route then
 * starts it at the provider with `startPayment`, after the commit). `shop`
 * may be passed when the caller has already loaded it.
 *
 * The transaction writes everything that does not lock shared rows first
 * (submit key and quote, customer, order row and timeline, payment, cart),
 * then reserves the stock — which locks the SKU and product rows that other
 * buyers' orders also need — and the extension counters, and last the order
 * lines (whose foreign keys point at the SKUs already locked), so those
 * locks are held for as few statements as possible before the commit.
 *
 * Errors: 404 unknown quote; 400 bad form or unknown address; 409
 * {@link QuoteChangedError} (expired, prices or discounts changed, out of
 * stock, a reservation no longer holds — with a fresh quote); 409
 * `quote_consumed` (this quote was already placed with another key).
 *
 * @example
 * const placed = await placeOrder(platform, { shopId, user, form: { quoteId, addressId, idempotencyKey }, openPayment: { description: (id) => `Order ${id}` } });
 * const { cashierUrl } = placed.payment ? await startPayment(db, placed.payment) : await createPayment(db, { … });
 */
export async function placeOrder(
  platform: PlatformLike,
  p: { shopId: string; shop?: ShopView; user: Buyer; form: unknown; openPayment?: { description: (orderId: string) => string } },
): Promise<PlacedOrder> {
  const db = platform.db;
  const form = parse(PlaceOrderForm, p.form);
  const replay = async (orderId: string): Promise<PlacedOrder> => {
    const q = await selectQuoteOfOrder(db, p.shopId, p.user.id, orderId);
    return { orderId, total: q?.total ?? 0, currency: q?.currency ?? "", replayed: true, payment: null };
  };

  const shop = p.shop && p.shop.id === p.shopId && p.shop.status === "active" ? p.shop : await requireShop(db, p.shopId);
  const [row, address] = await Promise.all([selectQuote(db, shop.id, p.user.id, form.quoteId), getAddress(db, p.user.id, form.addressId)]);
  if (!row) throw notFound("This checkout has expired. Please reload the page.");
  if (row.consumed_at) {
    // A submit again with the same key (double click, reload) gets the order the first one made.
    const earlier = await selectIdempotentOrderId(db, shop.id, p.user.id, form.idempotencyKey);
    if (earlier) return replay(earlier);
    throw new AppError("conflict", "This order has already been placed.", { code: "quote_consumed" });
  }
  if (!address) throw new AppError("bad_request", "Choose a delivery address.", { fieldErrors: { addressId: ["Choose a delivery address"] } });

  const quote = toView(row);
  if (new Date(row.expires_at).getTime() <= Date.now()) {
    throw new QuoteChangedError("quote_expired", "Your checkout timed out, so we've checked the prices again. Please review and place your order.", await freshQuoteOrNull(platform, shop.id, p.user));
  }
  let now: Priced | null = null;
  try {
    now = await priceItems(platform, shop, p.user.id, quote.lines);
  } catch (e) {
    if (!isAppError(e) || e.kind !== "unprocessable") throw e;
  }
  if (!now || fingerprint(now) !== fingerprint(quote)) {
    throw new QuoteChangedError("quote_changed", "Prices or discounts changed since you opened checkout. Please review the new total.", await freshQuoteOrNull(platform, shop.id, p.user));
  }
  const knownCustomerId = now.customerId;

  const orderId = newId("ord");
  const stockLines = quote.lines.map((l) => ({ skuId: l.skuId, quantity: l.quantity }));
  let lostToDuplicate = false;
  let payment: OpenedPayment | null = null;
  try {
    await db.transaction().execute(async (trx) => {
      // First: a concurrent submit with the same key waits here until this commits or rolls back.
      const claim = await claimKeyAndConsumeQuote(trx, { shop_id: shop.id, user_id: p.user.id, key: form.idempotencyKey, quote_id: quote.id, order_id: orderId, at: new Date() });
      if (!claim.claimed) {
        lostToDuplicate = true;
        return;
      }
      if (!claim.consumed) throw new AppError("conflict", "This order has already been placed.", { code: "quote_consumed" });
      // A shop's customer record is never deleted: one read before the transaction suffices for a returning buyer.
      const customer = knownCustomerId ? { id: knownCustomerId, created: false } : await ensureShopCustomer(trx, shop.id, p.user);
      if (customer.created) {
        await publish(trx, {
          name: "customer.created",
          shopId: shop.id,
          subjectId: customer.id,
          payload: { customerId: customer.id, userId: p.user.id, email: p.user.email, name: p.user.name, via: "order", orderId },
        });
      }
      const record: NewOrder = {
        orderId,
        shopId: shop.id,
        userId: p.user.id,
        customerId: customer.id,
        quoteId: quote.id,
        currency: quote.currency,
        subtotal: quote.subtotal,
        discountTotal: quote.discountTotal,
        shippingTotal: quote.shippingTotal,
        total: quote.total,
        itemCount: quote.itemCount,
        address: addressSnapshot(address),
        reservations: quote.reservations,
        lines: quote.lines.map((l) => ({
          id: l.lineId,
          skuId: l.skuId,
          productId: l.productId,
          title: l.title,
          specLabel: l.specLabel,
          imageId: l.imageId,
          unitPrice: l.unitPrice,
          quantity: l.quantity,
          subtotal: l.lineTotal,
          discount: l.discount,
          total: l.total,
        })),
        adjustments: quote.adjustments.map((a) => ({ ...a, source: a.source as Record<string, unknown> })),
      };
      await createOrderHeader(trx, record);
      if (p.openPayment) {
        payment = await openPaymentForNewOrder(trx, { shopId: shop.id, orderId, amount: quote.total, currency: quote.currency, description: p.openPayment.description(orderId) });
      }
      await clearPurchasedLines(trx, shop.id, p.user.id, stockLines);
      // From here on, rows other buyers' orders need are locked until the commit.
      await reserve(trx, shop.id, stockLines, { type: "order", id: orderId });
      await applyReservations(trx, { shopId: shop.id, orderId, userId: p.user.id, customerId: customer.id, reservations: quote.reservations });
      await addOrderLines(trx, record);
    });
  } catch (e) {
    if (e instanceof OutOfStockError) {
      throw new QuoteChangedError("out_of_stock", e.message, await freshQuoteOrNull(platform, shop.id, p.user), e.fieldErrors);
    }
    if (isAppError(e) && e.code === "reservation_failed") {
      throw new QuoteChangedError("reservation_failed", e.message, await freshQuoteOrNull(platform, shop.id, p.user));
    }
    throw e;
  }
  if (lostToDuplicate) {
    const winner = await selectIdempotentOrderId(db, shop.id, p.user.id, form.idempotencyKey);
    if (!winner) throw new Error("checkout: the idempotency key vanished after a conflict");
    return replay(winner);
  }
  return { orderId, total: quote.total, currency: quote.currency, replayed: false, payment };
}
