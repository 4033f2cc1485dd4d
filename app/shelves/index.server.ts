/**
 * The shelves module's public surface: routes and other modules import from
 * here only. Shelves owns `shelves` and `shelf_versions`: the merchant's
 * drafts, the immutable published versions, and the storefront pages made
 * from them.
 */
export {
  listShelves,
  ensureHomeShelf,
  createShelf,
  setHomeShelf,
  changeShelfSettings,
  getShelfDraft,
  editShelfDraft,
  publishShelf,
  discardShelfDraft,
  replaceShelfDraft,
  submitShelfEditor,
  type ShelfEditorInput,
  getHomeShelfId,
  newSectionId,
  HOME_SLUG,
  type ShelfActor,
  type ShelfSummary,
  type ShelfDraft,
  type DraftEdit,
} from "./shelves.service.server";
export { getPublishedPage, getDraftPreview, resolveSections, imageView, toCardView } from "./shelf-page.service.server";
export { describePlacedProducts, categoryOptions, type PlacedProduct } from "./catalog-reader.server";
export { requireStorefrontShop, type StorefrontShop } from "./storefront.server";
export * from "./shelves.schema";
export type * from "./shelf-view";
