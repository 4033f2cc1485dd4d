/**
 * The cart module's public surface: storefront routes and (later) the
 * checkout import from here only. The cart owns `carts` and `cart_lines`.
 *
 * - {@link getCartView} is what the checkout reads: current prices and
 *   stock, flagged lines, the subtotal of what can be bought.
 * - {@link mergeGuestCart} moves a guest's cart into the buyer's after login.
 */
export {
  addToCart,
  setCartQuantity,
  removeFromCart,
  getCartView,
  cartItemCount,
  mergeGuestCart,
  setCartAttributes,
  getCartAttributes,
  hashGuestToken,
  type CartRef,
} from "./cart.service.server";
export { cartIdentity, visibleCartRefs, type CartIdentity } from "./cart.request.server";
export { guestCartCookieName, readGuestToken, newGuestToken, guestCartCookie, clearGuestCartCookie } from "./cart.cookie.server";
export {
  AddToCartForm,
  SetQuantityForm,
  RemoveLineForm,
  MAX_LINE_QUANTITY,
  MAX_CART_LINES,
  problemNote,
  readCartForm,
  CART_INTENTS,
  type CartIntent,
  type CartView,
  type CartLineView,
  type CartLineProblem,
} from "./cart.schema";
