/**
 * The cart. It stores only SKU ids and quantities: prices, titles, stock and
 * availability are re-read from the catalog at every view, so a price the
 * merchant changed shows at once and nothing the client sends is ever taken
 * as a price. Changes lock the cart row, so two tabs adding at once cannot
 * lose an update or exceed the stock check.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database } from "../../db/database";
import { getSkusForCart, getStorefrontProduct } from "../catalog/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  countCartLines,
  deleteCart,
  deleteCartLine,
  insertCartIfMissing,
  lockCarts,
  selectCart,
  selectCartLine,
  selectCartLines,
  sumCartQuantities,
  touchCart,
  upsertCartLine,
  type CartOwner,
  type CartRow,
} from "./cart.repository.server";
import {
  AddToCartForm,
  CartAttributesForm,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  problemNote,
  RemoveLineForm,
  SetQuantityForm,
  type CartLineProblem,
  type CartLineView,
  type CartView,
} from "./cart.schema";

/** The signed-in buyer's cart attributes in the shop (`{}` without a cart). */
export async function getCartAttributes(db: Kysely<Database>, shopId: string, userId: string): Promise<Record<string, unknown>> {
  const cart = await selectCart(db, shopId, { userId });
  return (cart?.attributes ?? {}) as Record<string, unknown>;
}

/**
 * Sets the signed-in buyer's cart attributes from the checkout's offers form
 * (coupon code, "use my points"), keeping any others. 400 naming the field
 * for a bad code; 404 without a cart.
 *
 * @example
 * await setCartAttributes(db, shop.id, user.id, { coupon: "WELCOME10", usePoints: "on" });
 */
export async function setCartAttributes(db: Kysely<Database>, shopId: string, userId: string, input: unknown): Promise<Record<string, unknown>> {
  const r = CartAttributesForm.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return inTransaction(db, async (trx) => {
    const cart = await selectCart(trx, shopId, { userId }, { lock: true });
    if (!cart) throw notFound("Your cart is empty.");
    const { coupon: _old, ...rest } = (cart.attributes ?? {}) as Record<string, unknown>;
    const attributes = { ...rest, usePoints: r.data.usePoints, ...(r.data.coupon ? { coupon: r.data.coupon } : {}) };
    await trx.updateTable("carts").set({ attributes: JSON.stringify(attributes), updated_at: new Date() }).where("shop_id", "=", shopId).where("id", "=", cart.id).execute();
    return attributes;
  });
}

/** Whose cart: a signed-in buyer's, or a guest's by the token in their cookie. */
export type CartRef = { userId: string } | { guestToken: string };

type CartSku = Awaited<ReturnType<typeof getSkusForCart>>[number];

/** SHA-256 of a guest token, hex: what the database keeps instead of the token. */
export function hashGuestToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function ownerOf(ref: CartRef): CartOwner {
  return "userId" in ref ? { userId: ref.userId } : { guestTokenHash: hashGuestToken(ref.guestToken) };
}

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Validates a form with its schema; a failure is a 400 with the field errors. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return r.data;
}

/** The owner's cart, created if missing, locked for the rest of the transaction. */
async function lockOrCreateCart(trx: Kysely<Database>, shopId: string, ref: CartRef): Promise<CartRow> {
  const owner = ownerOf(ref);
  let cart = await selectCart(trx, shopId, owner, { lock: true });
  if (!cart) {
    await insertCartIfMissing(trx, { id: newId("cart"), shop_id: shopId, owner, now: new Date() });
    cart = await selectCart(trx, shopId, owner, { lock: true });
  }
  // Only a guest token already used for another shop's cart can get here (the token hash is unique across shops).
  if (!cart) throw new AppError("conflict", "Your cart could not be opened. Please reload the page.", { code: "cart_token_clash" });
  return cart;
}

/** The most a buyer may have of this SKU in one line. */
function maxQuantityOf(sku: Pick<CartSku, "stock">): number {
  return Math.max(0, Math.min(sku.stock, MAX_LINE_QUANTITY));
}

/** Checks that `quantity` of this SKU can be bought now; the message names what to do instead. */
function assertPurchasable(sku: CartSku | undefined, quantity: number, alreadyInCart = 0): asserts sku is CartSku {
  if (!sku) throw notFound("This item is not sold in this shop.");
  if (!sku.available) {
    throw new AppError("bad_request", "Sorry, this item is no longer available.", { code: "unavailable", fieldErrors: { skuId: ["No longer available"] } });
  }
  if (sku.stock <= 0) {
    throw new AppError("bad_request", "Sorry, this item is sold out.", { code: "sold_out", fieldErrors: { quantity: ["Sold out"] } });
  }
  const max = maxQuantityOf(sku);
  if (quantity > max) {
    const message =
      alreadyInCart > 0
        ? `Only ${sku.stock} left in stock, and ${alreadyInCart} ${alreadyInCart === 1 ? "is" : "are"} already in your cart.`
        : sku.stock < MAX_LINE_QUANTITY
          ? `Only ${sku.stock} left in stock.`
          : `At most ${MAX_LINE_QUANTITY} of one item per order.`;
    throw new AppError("bad_request", message, { code: "insufficient_stock", fieldErrors: { quantity: [message] } });
  }
}

/** The SKU a no-JavaScript form chose by its spec values. */
async function resolveSku(db: Kysely<Database>, shopId: string, productId: string, spec: string[]): Promise<string> {
  const product = await getStorefrontProduct(db, shopId, productId);
  if (!product) throw notFound("This product is not sold in this shop.");
  if (product.skus.length === 1 && product.specs.length === 0) return product.skus[0].id;
  const missing = product.specs.filter((_, i) => !spec[i]);
  if (missing.length) {
    const message = `Choose ${missing.map((s) => s.name).join(" and ")}`;
    throw new AppError("bad_request", message, { code: "spec_incomplete", fieldErrors: { spec: [message] } });
  }
  const sku = product.skus.find((s) => s.specValues.length === product.specs.length && s.specValues.every((v, i) => v === spec[i]));
  if (!sku) throw new AppError("bad_request", "That combination is not available.", { code: "no_such_combination", fieldErrors: { spec: ["That combination is not available"] } });
  return sku.id;
}

/**
 * Adds a quantity of a SKU (or of the SKU a product's spec values pick).
 * More than the stock (counting what the cart holds) is a 400 that says how
 * many are left; a SKU of another shop is a 404.
 *
 * @example
 * await addToCart(db, shop.id, { guestToken }, { skuId, quantity: 2 });
 * @returns the line's new quantity
 */
export async function addToCart(db: Kysely<Database>, shopId: string, ref: CartRef, input: unknown): Promise<{ skuId: string; quantity: number }> {
  const form = parse(AddToCartForm, input);
  const skuId = form.skuId ?? (await resolveSku(db, shopId, form.productId!, form.spec));
  return inTransaction(db, async (trx) => {
    const cart = await lockOrCreateCart(trx, shopId, ref);
    // Stock is read after the lock, so the check sees what a concurrent add to this cart just wrote.
    const [sku] = await getSkusForCart(trx, shopId, [skuId]);
    const existing = await selectCartLine(trx, shopId, cart.id, skuId);
    const quantity = (existing?.quantity ?? 0) + form.quantity;
    assertPurchasable(sku, quantity, existing?.quantity ?? 0);
    if (!existing && (await countCartLines(trx, shopId, cart.id)) >= MAX_CART_LINES) {
      throw new AppError("unprocessable", `A cart holds at most ${MAX_CART_LINES} different items.`, { code: "cart_full" });
    }
    const now = new Date();
    await upsertCartLine(trx, { id: existing?.id ?? newId("cl"), shop_id: shopId, cart_id: cart.id, sku_id: skuId, quantity, now });
    await touchCart(trx, shopId, cart.id, now);
    return { skuId, quantity };
  });
}

/**
 * Sets a line's quantity (the cart page's stepper); 0 removes the line.
 * Lowering a flagged line is always allowed, so a buyer can fix "Only 2 left".
 */
export async function setCartQuantity(db: Kysely<Database>, shopId: string, ref: CartRef, input: unknown): Promise<void> {
  const { skuId, quantity } = parse(SetQuantityForm, input);
  if (quantity === 0) return removeFromCart(db, shopId, ref, { skuId });
  await inTransaction(db, async (trx) => {
    const cart = await selectCart(trx, shopId, ownerOf(ref), { lock: true });
    const existing = cart ? await selectCartLine(trx, shopId, cart.id, skuId) : undefined;
    if (!cart || !existing) throw notFound("That item is not in your cart.");
    if (quantity > existing.quantity) {
      const [sku] = await getSkusForCart(trx, shopId, [skuId]);
      assertPurchasable(sku, quantity);
    }
    const now = new Date();
    await upsertCartLine(trx, { id: existing.id, shop_id: shopId, cart_id: cart.id, sku_id: skuId, quantity, now });
    await touchCart(trx, shopId, cart.id, now);
  });
}

/** Removes a line; removing what is not there is a no-op (a double-submitted form). */
export async function removeFromCart(db: Kysely<Database>, shopId: string, ref: CartRef, input: unknown): Promise<void> {
  const { skuId } = parse(RemoveLineForm, input);
  await inTransaction(db, async (trx) => {
    const cart = await selectCart(trx, shopId, ownerOf(ref), { lock: true });
    if (!cart) return;
    if (await deleteCartLine(trx, shopId, cart.id, skuId)) await touchCart(trx, shopId, cart.id, new Date());
  });
}

function lineProblem(sku: CartSku | undefined, quantity: number): CartLineProblem | null {
  if (!sku || !sku.available) return "unavailable";
  if (sku.stock <= 0) return "sold_out";
  if (quantity > sku.stock) return "insufficient_stock";
  return null;
}

/**
 * The cart as the buyer (and later the checkout) sees it: every line with
 * the catalog's current title, image, price and stock. Lines that cannot be
 * bought as they are — off sale, archived, sold out, more than the stock —
 * are flagged and left out of the subtotal.
 *
 * A null ref (a guest without a cookie) is the empty cart.
 *
 * @example
 * const cart = await getCartView(db, shop.id, { userId: user.id });
 * if (cart.hasProblems) // ask the buyer to fix the flagged lines first
 */
export async function getCartView(db: Kysely<Database>, shopId: string, ref: CartRef | null): Promise<CartView> {
  const cart = ref ? await selectCart(db, shopId, ownerOf(ref)) : undefined;
  if (!cart) return { cartId: null, lines: [], subtotal: 0, itemCount: 0, hasProblems: false };
  const rows = await selectCartLines(db, shopId, cart.id);
  const skus = rows.length ? await getSkusForCart(db, shopId, rows.map((r) => r.sku_id)) : [];
  const bySku = new Map(skus.map((s) => [s.skuId, s]));
  let subtotal = 0;
  let itemCount = 0;
  const lines: CartLineView[] = rows.map((row) => {
    const sku = bySku.get(row.sku_id);
    const problem = lineProblem(sku, row.quantity);
    const unitPrice = sku ? sku.price : null;
    const lineTotal = !problem && unitPrice !== null ? unitPrice * row.quantity : 0;
    if (!problem) {
      subtotal += lineTotal;
      itemCount += row.quantity;
    }
    return {
      skuId: row.sku_id,
      productId: sku?.productId ?? null,
      title: sku?.title ?? "Item no longer sold",
      specLabel: sku?.specLabel ?? "",
      imageId: sku?.imageId ?? null,
      unitPrice,
      quantity: row.quantity,
      lineTotal,
      stock: sku?.stock ?? 0,
      maxQuantity: sku ? maxQuantityOf(sku) : 0,
      problem,
      note: problem ? problemNote(problem, sku?.stock ?? 0) : null,
    };
  });
  return { cartId: cart.id, lines, subtotal, itemCount, hasProblems: lines.some((l) => l.problem !== null) };
}

/** Units in the buyer's cart(s), for the header's badge: one query. */
export async function cartItemCount(db: Kysely<Database>, shopId: string, refs: CartRef[]): Promise<number> {
  return sumCartQuantities(db, shopId, refs.map(ownerOf));
}

/**
 * Moves a guest's cart into the buyer's after they log in: quantities of the
 * same SKU are summed, capped by the stock (and 999); the guest cart is then
 * deleted, so merging twice is harmless. Both carts are locked in id order.
 *
 * @example
 * if (user && guestToken) await mergeGuestCart(db, shop.id, guestToken, user.id);
 * @returns how many guest lines were merged
 */
export async function mergeGuestCart(db: Kysely<Database>, shopId: string, guestToken: string, userId: string): Promise<{ mergedLines: number }> {
  return inTransaction(db, async (trx) => {
    const guest = await selectCart(trx, shopId, { guestTokenHash: hashGuestToken(guestToken) });
    if (!guest) return { mergedLines: 0 };
    await insertCartIfMissing(trx, { id: newId("cart"), shop_id: shopId, owner: { userId }, now: new Date() });
    const mine = await selectCart(trx, shopId, { userId });
    if (!mine) throw new Error("cart: the buyer's cart vanished while merging");
    // Both locks in id order; a concurrent merge of the same guest cart then finds it empty (deleted) and adds nothing.
    await lockCarts(trx, shopId, [guest.id, mine.id]);
    const guestLines = await selectCartLines(trx, shopId, guest.id);
    const myLines = new Map((await selectCartLines(trx, shopId, mine.id)).map((l) => [l.sku_id, l]));
    const skus = new Map((await getSkusForCart(trx, shopId, guestLines.map((l) => l.sku_id))).map((s) => [s.skuId, s]));
    const now = new Date();
    let lineCount = myLines.size;
    let merged = 0;
    for (const line of guestLines) {
      const existing = myLines.get(line.sku_id);
      if (!existing && lineCount >= MAX_CART_LINES) break;
      const sku = skus.get(line.sku_id);
      // Capped by stock; a line that cannot be bought keeps one unit so the buyer still sees it flagged.
      const cap = Math.max(1, sku ? maxQuantityOf(sku) : 1);
      const quantity = Math.min((existing?.quantity ?? 0) + line.quantity, cap);
      await upsertCartLine(trx, { id: existing?.id ?? newId("cl"), shop_id: shopId, cart_id: mine.id, sku_id: line.sku_id, quantity, now });
      if (!existing) lineCount++;
      merged++;
    }
    await deleteCart(trx, shopId, guest.id);
    await touchCart(trx, shopId, mine.id, now);
    return { mergedLines: merged };
  });
}
