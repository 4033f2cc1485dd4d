/**
 * The catalog module's public surface: other modules and routes import from
 * here only. The catalog owns categories, products, spec definitions, SKUs,
 * images, the product galleries and the stock ledger.
 *
 * - Storefront and cart reads: {@link listCategories}, {@link listStorefrontProducts},
 *   {@link getStorefrontProduct}, {@link getSkusForCart}.
 * - Merchant writes (each takes a transaction or `db`, the shop id and an actor):
 *   {@link createProduct}, {@link updateProduct}, {@link setSpecs}, {@link updateSkus},
 *   {@link setProductStatus}, {@link createCategory}, {@link attachImages}; images
 *   are stored first with {@link storeImage}.
 * - Stock, for the order module (inside its transaction): {@link reserve},
 *   {@link release}; for merchants: {@link adjustStock}.
 * - Browser-safe helpers re-exported: money, image URLs, spec labels.
 */
export {
  createProduct,
  updateProduct,
  setSpecs,
  updateSkus,
  setProductStatus,
  attachImages,
  moveProductImage,
  removeProductImage,
  reorderProductImages,
  getAdminProduct,
  listAdminProducts,
  type NewProductInput,
  type ProductPatch,
  type SpecChangeSummary,
} from "./products.service.server";
export {
  listCategories,
  createCategory,
  renameCategory,
  moveCategory,
  reorderCategory,
  deleteCategory,
} from "./categories.service.server";
export { listStorefrontProducts, getStorefrontProduct, getSkusForCart, type StorefrontListOptions } from "./storefront.service.server";
export {
  reserve,
  release,
  adjustStock,
  listLedger,
  OutOfStockError,
  type StockLine,
  type StockRef,
  type StockShortage,
  type LedgerPage,
} from "./stock.service.server";
export {
  storeImage,
  uploadProductImages,
  getImageForServing,
  getShopImages,
  sniffImageType,
  MAX_IMAGE_BYTES,
  type ImageTarget,
  type ServedImage,
} from "./images.service.server";
export { readLimitedForm, MAX_UPLOAD_BODY } from "./upload-form.server";
export { renderDescription } from "./description.server";
export type { CatalogActor } from "./internal.server";
export { parseMoney, formatMoney, formatPriceRange, minorToDecimal, currencyDecimals, MoneyFormatError, MAX_MINOR } from "./money";
export { imageUrl, snapWidth, IMAGE_WIDTHS } from "./media";
export {
  specKey,
  specLabel,
  combinations,
  SPEC_KEY_SEPARATOR,
  MAX_SPEC_DIMENSIONS,
  MAX_SPEC_VALUES,
  MAX_SKUS_PER_PRODUCT,
  MAX_SPEC_TEXT,
  type SpecDefinition,
} from "./specs";
export {
  ProductId,
  CategoryId,
  SkuId,
  ImageId,
  PRODUCT_STATUSES,
  STATUS_LABELS,
  STOCK_REASON_LABELS,
  PRODUCT_PAGE_SIZE,
  LEDGER_PAGE_SIZE,
  MAX_CATEGORY_DEPTH,
  ProductDetailsForm,
  ProductListQuery,
  BulkStatusForm,
  CategoryAction,
  StockAdjustForm,
  parseSpecsForm,
  parseSkuMatrixForm,
  parseNewProductForm,
  type NewProductFormData,
  type CategoryNode,
  type ProductCard,
  type StorefrontProduct,
  type StorefrontSku,
  type CartSku,
  type AdminProduct,
  type AdminProductRow,
  type AdminSku,
  type LedgerEntry,
  type SkuRowInput,
  type ProductStatus,
} from "./catalog.schema";
