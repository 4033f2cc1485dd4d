/**
 * The shops module's public surface: other modules and routes import from
 * here only. Shops owns `shops` and `shop_customers`.
 */
export {
  createShop,
  openShop,
  getShop,
  getShopByHandle,
  listShopsForUser,
  updateShopSettings,
  ensureShopCustomer,
  setShopSettingsSection,
  getShopCustomerId,
  getShopCustomer,
  listShopCustomers,
  type CreateShopInput,
} from "./shops.service.server";
export {
  CURRENCIES,
  DEFAULT_CURRENCY,
  HANDLE_PATTERN,
  minorUnitsOf,
  CreateShopForm,
  ShopSettingsForm,
  type CurrencyCode,
  type ShopView,
} from "./shops.schema";
