/**
 * The seam between checkout and the extension runtime: where discounts come
 * from, and how their reservations are applied and reversed. The defaults
 * are the runtime's (app/extensions/checkout-seam.server.ts); a platform
 * without an extension host gets no discounts. With no applier registered
 * (`setReservationApplier(null)`), an order with reservations cannot be
 * placed (409).
 *
 * The registry is module state on purpose: it holds code (functions the
 * runtime provides at start-up), never data, so every platform in the
 * process may share it.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { Platform } from "../platform.server";
import { AppError } from "../lib/errors";
import type { InstallDiscounts, QuoteInput, Reservation } from "./checkout.schema";
// The extension runtime (issue 5) is the default; the registries below still let tests swap it.
import { applyExtensionReservations, extensionDiscounts, reverseExtensionReservations } from "../extensions/checkout-seam.server";

/**
 * The discounts every active install offers for this quote, one entry per
 * install in the merchant's install order.
 *
 * The extension runtime implements this by dispatching the synchronous
 * `checkout.discounts` hook to each install's isolate (a faulting extension's
 * result is dropped, never failing the checkout); `[]` without a source.
 * The caller validates every value that comes back (`applyDiscounts`).
 *
 * @example
 * const offers = await collectDiscounts(platform, quoteInput);
 */
export async function collectDiscounts(platform: Pick<Platform, "db">, input: QuoteInput): Promise<InstallDiscounts[]> {
  if (discountSource) return discountSource(platform, input);
  return [];
}

/** Applies a quote's reservations inside the order transaction; throws `AppError("conflict")` if one no longer holds. */
export type ReservationApplier = (
  trx: Kysely<Database>,
  ctx: { shopId: string; orderId: string; userId: string; customerId: string; reservations: Reservation[] },
) => Promise<void>;

/** Undoes an order's reservations inside the transaction that closes or fully refunds it. */
export type ReservationReverser = (
  trx: Kysely<Database>,
  ctx: { shopId: string; orderId: string; reservations: Reservation[]; reason: "closed" | "refunded" },
) => Promise<void>;

type DiscountSource = (platform: Pick<Platform, "db">, input: QuoteInput) => Promise<InstallDiscounts[]>;

let applier: ReservationApplier | null = applyExtensionReservations;
let reverser: ReservationReverser | null = reverseExtensionReservations;
let discountSource: DiscountSource | null = extensionDiscounts;

/** The extension runtime registers how reservations are applied (conditional updates on its counters). `null` unregisters. */
export function setReservationApplier(fn: ReservationApplier | null): void {
  applier = fn;
}

/** The extension runtime registers how reservations are reversed. `null` unregisters. */
export function setReservationReverser(fn: ReservationReverser | null): void {
  reverser = fn;
}

/** The extension runtime registers where `collectDiscounts` gets its offers (tests may too). `null` unregisters. */
export function setDiscountSource(fn: DiscountSource | null): void {
  discountSource = fn;
}

/**
 * Called by placeOrder inside the order transaction. No reservations: nothing
 * to do. Reservations but no applier registered: a 409 (the quote promised
 * something nobody can hold).
 */
export async function applyReservations(
  trx: Kysely<Database>,
  ctx: { shopId: string; orderId: string; userId: string; customerId: string; reservations: Reservation[] },
): Promise<void> {
  if (ctx.reservations.length === 0) return;
  if (!applier) throw new AppError("conflict", "A discount in this quote can no longer be honoured.", { code: "reservation_failed" });
  await applier(trx, ctx);
}

/**
 * Called inside the transaction that closes or fully refunds an order.
 * Resolves to whether the reservations were reversed (false when there were
 * none or no reverser is registered; the order then keeps them unreversed).
 */
export async function reverseReservations(
  trx: Kysely<Database>,
  ctx: { shopId: string; orderId: string; reservations: Reservation[]; reason: "closed" | "refunded" },
): Promise<boolean> {
  if (ctx.reservations.length === 0 || !reverser) return false;
  await reverser(trx, ctx);
  return true;
}
