/**
 * The checkout module's public surface: routes and other modules import
 * from here only. Checkout owns addresses, quotes and the idempotency keys
 * of checkout (the carts themselves live in app/cart).
 *
 * - Quotes and orders: {@link prepareCheckout}, {@link createQuote},
 *   {@link getQuote}, {@link placeOrder} (409 {@link QuoteChangedError} with
 *   a fresh quote when what the buyer saw no longer holds).
 * - The buyer's address book: {@link listAddresses}, {@link addAddress},
 *   {@link updateAddress}, {@link makeDefaultAddress}, {@link removeAddress}.
 * - The freight template: {@link freightOf}, {@link setFreightSettings},
 *   {@link saveFreightForm}.
 * - The extension seam: the types `QuoteInput`, `DiscountLine`,
 *   `Reservation`; {@link collectDiscounts} (the extension runtime's hook
 *   dispatch by default), and the registries {@link setReservationApplier},
 *   {@link setReservationReverser}, {@link setDiscountSource} (tests swap them).
 * - The pure pricing functions: {@link priceLines}, {@link applyDiscounts},
 *   {@link allocateProportionally}, {@link shippingAdjustment}.
 */
export {
  prepareCheckout,
  createQuote,
  getQuote,
  placeOrder,
  QuoteChangedError,
  type Buyer,
  type CheckoutPage,
  type PlacedOrder,
} from "./checkout.service.server";
export { listAddresses, getAddress, addAddress, updateAddress, makeDefaultAddress, removeAddress } from "./addresses.service.server";
export { freightOf, setFreightSettings, saveFreightForm } from "./settings.server";
export {
  collectDiscounts,
  setReservationApplier,
  setReservationReverser,
  setDiscountSource,
  applyReservations,
  reverseReservations,
  type ReservationApplier,
  type ReservationReverser,
} from "./extensions.server";
export { priceLines, applyDiscounts, allocateProportionally, shippingAdjustment, type AppliedDiscounts, type DroppedDiscount, type PricedLines } from "./pricing";
export * from "./checkout.schema";
export { pruneExpiredQuotes, checkoutJobs, QUOTE_CLEANUP } from "./quotes-cleanup.server";
