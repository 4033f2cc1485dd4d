/**
 * The extension side of the checkout's seam (app/checkout/extensions.server.ts):
 * where quotes get their extension discounts, and how an order's
 * reservations are applied to and reversed from extension counters.
 *
 * This file imports only the marketplace and this module's repository, so
 * the checkout can import it directly (both in the server process and in
 * the Remix build, which bundles its own copy of the checkout) without an
 * import cycle; the sandbox itself is reached through `platform.extensions`.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { InstallDiscounts, QuoteInput, Reservation } from "../checkout/checkout.schema";
import { AppError } from "../lib/errors";
import { getInstall } from "../marketplace/index.server";
import { addToCounter, addToCounterWithin, ensureCounter, insertAppliedReservation, markReservationsReversed } from "./extensions.repository.server";
import type { ExtensionHost } from "./host.server";

/**
 * The discounts of every active install for this quote. A platform without
 * an extension host (a bare `{ db }`) offers none.
 */
export async function extensionDiscounts(platform: { db: Kysely<Database>; extensions?: ExtensionHost }, input: QuoteInput): Promise<InstallDiscounts[]> {
  const host = platform.extensions;
  return host ? host.collectDiscounts(input) : [];
}

function reservationFailed(): AppError {
  return new AppError("conflict", "A discount in this quote can no longer be honoured.", { code: "reservation_failed" });
}

/**
 * Applies a quote's reservations in the order's transaction: for each, in
 * (install, counter) order so concurrent orders lock counters in the same
 * order, `value = value + delta` only if the result stays within the bound.
 * A reservation that no longer holds — the bound, or an install that is no
 * longer active in this shop — throws `AppError("conflict", code
 * "reservation_failed")`, which rolls the transaction back and makes the
 * checkout answer 409 with a fresh quote.
 *
 * @example setReservationApplier(applyExtensionReservations)
 */
export async function applyExtensionReservations(
  trx: Kysely<Database>,
  ctx: { shopId: string; orderId: string; reservations: Reservation[] },
): Promise<void> {
  const sorted = [...ctx.reservations].sort((a, b) => (a.installId === b.installId ? (a.counterKey < b.counterKey ? -1 : a.counterKey > b.counterKey ? 1 : 0) : a.installId < b.installId ? -1 : 1));
  const checked = new Set<string>();
  for (const r of sorted) {
    if (!checked.has(r.installId)) {
      const install = await getInstall(trx, ctx.shopId, r.installId);
      if (!install || install.status !== "active") throw reservationFailed();
      checked.add(r.installId);
    }
    await ensureCounter(trx, r.installId, r.counterKey);
    const value = await addToCounterWithin(trx, r.installId, r.counterKey, r.delta, r.bound);
    if (value === undefined) throw reservationFailed();
    await insertAppliedReservation(trx, { shopId: ctx.shopId, orderId: ctx.orderId, installId: r.installId, counterKey: r.counterKey, delta: r.delta });
  }
}

/**
 * Reverses what an order applied, once: the applied rows are marked
 * reversed in the same statement that finds them, so a second call (a
 * replayed close or refund) finds nothing. Reversal is unconditional — it
 * gives back exactly what the order took.
 */
export async function reverseExtensionReservations(
  trx: Kysely<Database>,
  ctx: { shopId: string; orderId: string; reason: "closed" | "refunded" },
): Promise<void> {
  const rows = await markReservationsReversed(trx, ctx.shopId, ctx.orderId, ctx.reason);
  rows.sort((a, b) => (a.install_id === b.install_id ? (a.counter_key < b.counter_key ? -1 : 1) : a.install_id < b.install_id ? -1 : 1));
  for (const r of rows) await addToCounter(trx, r.install_id, r.counter_key, -r.delta);
}
