/**
 * Products, their specs and SKUs, and their galleries — the merchant's side.
 *
 * Rules kept here:
 * - a product has one SKU per combination of its spec values (one SKU with
 *   the key "" without specs); editing specs keeps the price, stock and code
 *   of every combination that survives, archives the ones that vanish (their
 *   stock written off through the ledger) and creates the new ones;
 * - prices are integer minor units ≥ 0, a compare-at price is above the
 *   price, stock is ≥ 0 and every change of it is a ledger row;
 * - min/max price and total stock on the product follow its active SKUs in
 *   the same transaction;
 * - every change is audited and published (`product.created`,
 *   `product.updated`, `stock.changed`) in the transaction that makes it.
 *
 * Lock order (shared with stock.service): a product's SKU rows, then the
 * product row.
 */
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database, Product, ProductStatus, Sku } from "../../db/database";
import { record } from "../audit/index.server";
import { publish } from "../events/index.server";
import { AppError, type FieldErrors } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  ImageId,
  MAX_PRODUCT_IMAGES,
  MAX_SKU_CODE,
  MAX_STOCK,
  PRODUCT_PAGE_SIZE,
  ProductDetailsForm,
  ProductDescription,
  ProductId,
  ProductStatusField,
  ProductTitle,
  CategoryId,
  type AdminProduct,
  type AdminProductRow,
  type SkuRowInput,
} from "./catalog.schema";
import { categoryExists } from "./categories.service.server";
import { selectImagesOfShop } from "./images.repository.server";
import { addError, inTransaction, invalid, parseInput, type CatalogActor } from "./internal.server";
import { MAX_MINOR } from "./money";
import {
  insertProduct,
  lockProduct,
  lockProducts,
  replaceGallery,
  selectAdminProductPage,
  selectGallery,
  selectProduct,
  syncProductAggregates,
  updateProductFields,
  updateProductStatuses,
} from "./products.repository.server";
import { insertLedgerRows, insertSkus, lockSkusOfProduct, selectSkusOfProduct, updateSku } from "./skus.repository.server";
import { normalizeSpecs, planSkus, specLabel, type SpecDefinition } from "./specs";
import { writeStockChange } from "./stock.service.server";

// ---- validation helpers ----------------------------------------------------------

function checkPrice(errors: FieldErrors, key: string, value: unknown): value is number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    addError(errors, key, "Enter a price");
    return false;
  }
  if (value < 0) {
    addError(errors, key, "Prices cannot be negative");
    return false;
  }
  if (value > MAX_MINOR) {
    addError(errors, key, "The amount is too large");
    return false;
  }
  return true;
}

function checkStock(errors: FieldErrors, key: string, value: unknown): value is number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    addError(errors, key, "Enter a whole number");
    return false;
  }
  if (value < 0) {
    addError(errors, key, "Stock cannot be negative");
    return false;
  }
  if (value > MAX_STOCK) {
    addError(errors, key, `Stock can be at most ${MAX_STOCK.toLocaleString("en")}`);
    return false;
  }
  return true;
}

function checkCompareAt(errors: FieldErrors, key: string, compareAt: number | null | undefined, price: number): void {
  if (compareAt === null || compareAt === undefined) return;
  if (!checkPrice(errors, key, compareAt)) return;
  if (compareAt <= price) addError(errors, key, "The compare-at price must be higher than the price");
}

function throwIfAny(errors: FieldErrors): void {
  if (Object.keys(errors).length) throw invalid(errors);
}

async function requireCategory(db: Kysely<Database>, shopId: string, categoryId: string | null): Promise<void> {
  // Another shop's category reads the same as a missing one.
  if (categoryId && !(await categoryExists(db, shopId, categoryId))) throw invalid({ categoryId: ["Choose a category from the list"] });
}

async function requireImages(db: Kysely<Database>, shopId: string, imageIds: string[]): Promise<void> {
  const found = await selectImagesOfShop(db, shopId, imageIds);
  if (found.length !== new Set(imageIds).size) throw new AppError("not_found", "Image not found");
}

async function lockProductWithSkus(trx: Kysely<Database>, shopId: string, productId: string): Promise<{ product: Product; skus: Sku[] }> {
  const skus = await lockSkusOfProduct(trx, shopId, productId);
  const product = await lockProduct(trx, shopId, productId);
  if (!product) throw new AppError("not_found", "Product not found");
  return { product, skus };
}

async function productUpdated(
  trx: Kysely<Database>,
  shopId: string,
  actor: CatalogActor,
  productId: string,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  await record(trx, actor, action, { shopId, type: "product", id: productId }, details);
  await publish(trx, { name: "product.updated", shopId, subjectId: productId, payload: { productId, change: action.split(".")[1], ...details } });
}

// ---- reads -------------------------------------------------------------------

/**
 * Everything the product editor shows; 404 for a product of another shop.
 *
 * @example
 * const product = await getAdminProduct(db, shop.id, params.productId);
 */
export async function getAdminProduct(db: Kysely<Database>, shopId: string, productId: string): Promise<AdminProduct> {
  if (!ProductId.safeParse(productId).success) throw new AppError("not_found", "Product not found");
  const product = await selectProduct(db, shopId, productId);
  if (!product) throw new AppError("not_found", "Product not found");
  const [skus, gallery] = await Promise.all([selectSkusOfProduct(db, shopId, productId), selectGallery(db, shopId, productId)]);
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    status: product.status,
    categoryId: product.category_id,
    specs: product.spec_definitions,
    minPrice: product.min_price,
    maxPrice: product.max_price,
    totalStock: product.total_stock,
    skus: skus.map((s) => ({
      id: s.id,
      specValues: s.spec_values,
      specLabel: specLabel(s.spec_values),
      price: s.price,
      compareAtPrice: s.compare_at_price,
      stock: s.stock,
      code: s.code,
      status: s.status,
    })),
    images: gallery.map((g) => ({ id: g.image_id, width: g.width, height: g.height })),
    updatedAt: new Date(product.updated_at).toISOString(),
  };
}

/**
 * One page (25) of the merchant's product list, newest first: optional title
 * search (case-insensitive, `%` and `_` literal) and status filter; `after`
 * is the `nextCursor` of the previous page.
 */
export async function listAdminProducts(
  db: Kysely<Database>,
  shopId: string,
  query: { q?: string; status?: ProductStatus; after?: string } = {},
): Promise<{ items: AdminProductRow[]; nextCursor: string | null }> {
  const rows = await selectAdminProductPage(db, shopId, {
    search: query.q?.trim() || undefined,
    status: query.status,
    after: query.after,
    limit: PRODUCT_PAGE_SIZE + 1,
  });
  const items = rows.slice(0, PRODUCT_PAGE_SIZE).map(
    (r): AdminProductRow => ({
      id: r.id,
      title: r.title,
      status: r.status,
      minPrice: r.min_price,
      maxPrice: r.max_price,
      totalStock: r.total_stock,
      skuCount: Number(r.sku_count ?? 0),
      imageId: r.image_id,
      categoryName: r.category_name,
      updatedAt: new Date(r.updated_at).toISOString(),
    }),
  );
  return { items, nextCursor: rows.length > PRODUCT_PAGE_SIZE ? items[items.length - 1].id : null };
}

// ---- create / update -----------------------------------------------------------

/** A new product. Amounts in minor units; every generated SKU starts with `price`, `compareAtPrice` and `stock`. */
export type NewProductInput = {
  title: string;
  /** Markdown */
  description?: string;
  categoryId?: string | null;
  status?: ProductStatus;
  /** spec dimensions; none → one SKU */
  specs?: SpecDefinition[];
  price?: number;
  compareAtPrice?: number | null;
  stock?: number;
  /** merchant code of the SKU (products without specs) */
  code?: string;
  /** images already stored for this shop (`storeImage`), gallery order */
  imageIds?: string[];
  /** the form row each spec came from, so errors are keyed `specs.<row>…` */
  specRowIndexes?: number[];
};

/**
 * Creates a product with its SKUs (one per spec combination), initial stock
 * as `initial` ledger rows, and its gallery. Field errors: `title`,
 * `description`, `categoryId`, `status`, `specs…`, `price`,
 * `compareAtPrice`, `stock`, `code`.
 *
 * @example
 * const product = await createProduct(trx, shopId, { type: "user", id: userId }, {
 *   title: "Linen shirt",
 *   specs: [{ name: "Colour", values: ["White", "Sand"] }, { name: "Size", values: ["S", "M", "L"] }],
 *   price: 19900, stock: 10, status: "on_sale",
 * });
 * product.skus.length // 6
 */
export async function createProduct(db: Kysely<Database>, shopId: string, actor: CatalogActor, input: NewProductInput): Promise<AdminProduct> {
  const details = parseInput(ProductDetailsForm, {
    title: input.title,
    description: input.description ?? "",
    categoryId: input.categoryId ?? null,
    status: input.status ?? "draft",
  });
  const errors: FieldErrors = {};
  const specResult = normalizeSpecs(input.specs ?? [], input.specRowIndexes);
  if (!specResult.ok) Object.assign(errors, specResult.fieldErrors);
  const price = input.price ?? 0;
  const stock = input.stock ?? 0;
  const code = (input.code ?? "").trim();
  if (checkPrice(errors, "price", price)) checkCompareAt(errors, "compareAtPrice", input.compareAtPrice, price);
  checkStock(errors, "stock", stock);
  if (code.length > MAX_SKU_CODE) addError(errors, "code", `Use at most ${MAX_SKU_CODE} characters`);
  const imageIds = [...new Set(input.imageIds ?? [])];
  if (imageIds.length > MAX_PRODUCT_IMAGES) addError(errors, "images", `A product can have at most ${MAX_PRODUCT_IMAGES} images`);
  imageIds.forEach((id, i) => ImageId.safeParse(id).success || addError(errors, `images.${i}`, "Not a valid image id"));
  throwIfAny(errors);
  const specs = specResult.ok ? specResult.specs : [];

  return inTransaction(db, async (trx) => {
    await requireCategory(trx, shopId, details.categoryId);
    await requireImages(trx, shopId, imageIds);
    const product = await insertProduct(trx, {
      id: newId("prd"),
      shop_id: shopId,
      title: details.title,
      description: details.description,
      status: details.status,
      category_id: details.categoryId,
      spec_definitions: JSON.stringify(specs),
    });
    const plan = planSkus([], specs);
    const rows = plan.create.map((c) => ({
      id: newId("sku"),
      shop_id: shopId,
      product_id: product.id,
      spec_values: c.values,
      spec_key: c.key,
      price,
      compare_at_price: input.compareAtPrice ?? null,
      stock,
      code: specs.length === 0 ? code : "",
      position: c.position,
    }));
    await insertSkus(trx, rows);
    if (stock > 0) {
      await insertLedgerRows(
        trx,
        rows.map((r) => ({ shop_id: shopId, sku_id: r.id, delta: stock, balance_after: stock, reason: "initial" as const, actor_id: actor.id ?? null })),
      );
    }
    await replaceGallery(trx, shopId, product.id, imageIds);
    await syncProductAggregates(trx, shopId, product.id);
    await record(trx, actor, "product.created", { shopId, type: "product", id: product.id }, {
      title: product.title,
      status: product.status,
      skus: rows.length,
    });
    await publish(trx, {
      name: "product.created",
      shopId,
      subjectId: product.id,
      payload: { productId: product.id, title: product.title, status: product.status, skuIds: rows.map((r) => r.id) },
    });
    return getAdminProduct(trx, shopId, product.id);
  });
}

/** The editable details of a product; fields left out stay as they are. */
export type ProductPatch = { title?: string; description?: string; categoryId?: string | null; status?: ProductStatus };

/**
 * Changes a product's title, description, category or status. Field errors
 * keyed like the patch (`title`, `description`, `categoryId`, `status`).
 */
export async function updateProduct(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  patch: ProductPatch,
): Promise<void> {
  const errors: FieldErrors = {};
  const set: { title?: string; description?: string; category_id?: string | null; status?: ProductStatus } = {};
  const field = <S extends z.ZodType>(key: string, schema: S, value: unknown): z.output<S> | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues) addError(errors, key, issue.message);
    return undefined;
  };
  if (patch.title !== undefined) set.title = field("title", ProductTitle, patch.title);
  if (patch.description !== undefined) set.description = field("description", ProductDescription, patch.description);
  if (patch.status !== undefined) set.status = field("status", ProductStatusField, patch.status);
  if (patch.categoryId !== undefined) {
    set.category_id = patch.categoryId === null || patch.categoryId === "" ? null : field("categoryId", CategoryId, patch.categoryId);
  }
  throwIfAny(errors);
  if (!ProductId.safeParse(productId).success) throw new AppError("not_found", "Product not found");

  await inTransaction(db, async (trx) => {
    const product = await lockProduct(trx, shopId, productId);
    if (!product) throw new AppError("not_found", "Product not found");
    if (set.category_id) await requireCategory(trx, shopId, set.category_id);
    const changed: string[] = [];
    if (set.title !== undefined && set.title !== product.title) changed.push("title");
    if (set.description !== undefined && set.description !== product.description) changed.push("description");
    if (set.status !== undefined && set.status !== product.status) changed.push("status");
    if (set.category_id !== undefined && set.category_id !== product.category_id) changed.push("categoryId");
    if (changed.length === 0) return;
    await updateProductFields(trx, shopId, productId, set);
    await productUpdated(trx, shopId, actor, productId, "product.details_changed", {
      fields: changed,
      ...(changed.includes("status") ? { from: product.status, status: set.status } : {}),
    });
  });
}

/** What a spec edit did to the SKUs. */
export type SpecChangeSummary = { kept: number; created: number; reactivated: number; archived: number; skuCount: number };

/**
 * Replaces the product's spec definitions and regenerates its SKUs (see the
 * module comment). New combinations are priced at the product's lowest
 * current price (0 if none) with no stock. Field errors: `specs`,
 * `specs.<i>.name`, `specs.<i>.values` — `<i>` being `opts.rowIndexes[i]`
 * when the specs came from form rows.
 *
 * @example
 * await setSpecs(trx, shopId, productId, actor, [{ name: "Colour", values: ["Red", "Blue"] }, { name: "Size", values: ["S", "M", "L"] }]);
 */
export async function setSpecs(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  specs: SpecDefinition[],
  opts: { rowIndexes?: number[] } = {},
): Promise<SpecChangeSummary> {
  const result = normalizeSpecs(specs, opts.rowIndexes);
  if (!result.ok) throw invalid(result.fieldErrors);
  if (!ProductId.safeParse(productId).success) throw new AppError("not_found", "Product not found");

  return inTransaction(db, async (trx) => {
    const { skus } = await lockProductWithSkus(trx, shopId, productId);
    const existing = skus.map((s) => ({ ...s, specKey: s.spec_key }));
    const plan = planSkus(existing, result.specs);
    const active = skus.filter((s) => s.status === "active");
    const defaultPrice = active.length ? Math.min(...active.map((s) => s.price)) : 0;

    for (const { sku, values, position } of plan.keep) {
      if (sku.position !== position) await updateSku(trx, shopId, sku.id, { position, spec_values: values });
    }
    for (const { sku, values, position } of plan.reactivate) {
      await updateSku(trx, shopId, sku.id, { status: "active", position, spec_values: values });
    }
    await insertSkus(
      trx,
      plan.create.map((c) => ({
        id: newId("sku"),
        shop_id: shopId,
        product_id: productId,
        spec_values: c.values,
        spec_key: c.key,
        price: defaultPrice,
        compare_at_price: null,
        stock: 0,
        code: "",
        position: c.position,
      })),
    );
    for (const sku of plan.archive) {
      // Archived SKUs stay for old orders, but their units are no longer for sale: write them off visibly.
      if (sku.stock > 0) {
        await writeStockChange(trx, shopId, sku, -sku.stock, {
          reason: "manual_adjust",
          actor,
          note: `Archived: "${specLabel(sku.spec_values)}" was removed from the specs`,
        });
      }
      await updateSku(trx, shopId, sku.id, { status: "archived" });
    }
    await updateProductFields(trx, shopId, productId, { spec_definitions: JSON.stringify(result.specs) });
    await syncProductAggregates(trx, shopId, productId);
    const summary: SpecChangeSummary = {
      kept: plan.keep.length,
      created: plan.create.length,
      reactivated: plan.reactivate.length,
      archived: plan.archive.length,
      skuCount: result.skuCount,
    };
    await productUpdated(trx, shopId, actor, productId, "product.specs_changed", {
      specs: result.specs.map((d) => d.name),
      ...summary,
    });
    return summary;
  });
}

/**
 * Saves the SKU matrix in one go: price, compare-at, stock and code per
 * row. A changed stock is written as a `manual_adjust` ledger row; with
 * `stockWas` (the number the editor showed), a stock that moved meanwhile —
 * an order came in — is a 409 on that row rather than a silent overwrite.
 * Field errors keyed `skus.<skuId>.price|compareAt|stock|code`. A SKU that
 * is not this product's (or shop's) is a 404.
 *
 * @example
 * await updateSkus(trx, shopId, productId, actor, [{ skuId, price: 12900, compareAtPrice: 15900, stock: 20, code: "SH-W-S" }]);
 */
export async function updateSkus(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  rows: SkuRowInput[],
): Promise<{ changed: number }> {
  if (!ProductId.safeParse(productId).success) throw new AppError("not_found", "Product not found");
  if (!Array.isArray(rows) || rows.length === 0) return { changed: 0 };

  return inTransaction(db, async (trx) => {
    const { skus } = await lockProductWithSkus(trx, shopId, productId);
    const byId = new Map(skus.map((s) => [s.id, s]));
    if (rows.some((r) => !byId.has(r.skuId))) throw new AppError("not_found", "SKU not found");

    const errors: FieldErrors = {};
    const stale: FieldErrors = {};
    for (const row of rows) {
      const sku = byId.get(row.skuId)!;
      const k = (f: string) => `skus.${sku.id}.${f}`;
      const price = row.price ?? sku.price;
      if (row.price !== undefined) checkPrice(errors, k("price"), row.price);
      const compareAt = row.compareAtPrice !== undefined ? row.compareAtPrice : sku.compare_at_price;
      if (typeof price === "number" && price >= 0) checkCompareAt(errors, k("compareAt"), compareAt, price);
      if (row.stock !== undefined && checkStock(errors, k("stock"), row.stock)) {
        if (sku.status === "archived" && row.stock !== sku.stock) addError(errors, k("stock"), "This SKU is archived; its stock cannot change");
        else if (row.stockWas !== undefined && row.stockWas !== sku.stock && row.stock !== sku.stock) {
          addError(stale, k("stock"), `Changed to ${sku.stock} while you were editing (an order or another edit); check it and save again`);
        }
      }
      if (row.code !== undefined && row.code.trim().length > MAX_SKU_CODE) addError(errors, k("code"), `Use at most ${MAX_SKU_CODE} characters`);
    }
    throwIfAny(errors);
    if (Object.keys(stale).length) {
      throw new AppError("conflict", "Stock changed while you were editing. Nothing was saved.", { code: "stock_changed", fieldErrors: stale });
    }

    let changed = 0;
    let stockChanges = 0;
    for (const row of rows) {
      const sku = byId.get(row.skuId)!;
      const patch: { price?: number; compare_at_price?: number | null; code?: string } = {};
      if (row.price !== undefined && row.price !== sku.price) patch.price = row.price;
      if (row.compareAtPrice !== undefined && row.compareAtPrice !== sku.compare_at_price) patch.compare_at_price = row.compareAtPrice;
      if (row.code !== undefined && row.code.trim() !== sku.code) patch.code = row.code.trim();
      const delta = row.stock !== undefined ? row.stock - sku.stock : 0;
      if (Object.keys(patch).length) await updateSku(trx, shopId, sku.id, patch);
      if (delta !== 0) {
        await writeStockChange(trx, shopId, sku, delta, { reason: "manual_adjust", actor, note: "Set in the product editor" });
        stockChanges++;
      }
      if (Object.keys(patch).length || delta !== 0) changed++;
    }
    if (changed === 0) return { changed };
    await syncProductAggregates(trx, shopId, productId);
    await productUpdated(trx, shopId, actor, productId, "product.skus_changed", { skus: changed, stockChanges });
    return { changed };
  });
}

/**
 * Puts products on or off sale (or back to draft) in one transaction — the
 * list's bulk action. If any id is not one of the shop's products, nothing
 * changes and it is a 404. Resolves to the number whose status changed.
 *
 * @example
 * await setProductStatus(trx, shopId, ["prd_…", "prd_…"], "on_sale", { type: "user", id: userId });
 */
export async function setProductStatus(
  db: Kysely<Database>,
  shopId: string,
  ids: string[],
  status: ProductStatus,
  actor: CatalogActor,
): Promise<{ changed: number }> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw invalid({ ids: ["Tick at least one product"] });
  if (unique.length > 100) throw invalid({ ids: ["Change at most 100 products at once"] });
  if (unique.some((id) => !ProductId.safeParse(id).success)) throw new AppError("not_found", "Product not found");
  const newStatus = parseInput(ProductStatusField, status, "status");

  return inTransaction(db, async (trx) => {
    const found = await lockProducts(trx, shopId, unique);
    if (found.length !== unique.length) throw new AppError("not_found", "Product not found");
    const updated = await updateProductStatuses(trx, shopId, unique, newStatus);
    const before = new Map(found.map((p) => [p.id, p.status]));
    for (const p of updated) {
      await productUpdated(trx, shopId, actor, p.id, "product.status_changed", { from: before.get(p.id), status: newStatus });
    }
    return { changed: updated.length };
  });
}

// ---- gallery -----------------------------------------------------------------

async function withGallery(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  change: (current: string[]) => string[],
  audit: { actor?: CatalogActor; action: string; details: Record<string, unknown> },
): Promise<string[]> {
  if (!ProductId.safeParse(productId).success) throw new AppError("not_found", "Product not found");
  return inTransaction(db, async (trx) => {
    const product = await lockProduct(trx, shopId, productId);
    if (!product) throw new AppError("not_found", "Product not found");
    const current = (await selectGallery(trx, shopId, productId)).map((g) => g.image_id);
    const next = change(current);
    if (next.length > MAX_PRODUCT_IMAGES) throw invalid({ images: [`A product can have at most ${MAX_PRODUCT_IMAGES} images`] });
    if (next.join() === current.join()) return current;
    await replaceGallery(trx, shopId, productId, next);
    await updateProductFields(trx, shopId, productId, {});
    await productUpdated(trx, shopId, audit.actor ?? { type: "system" }, productId, audit.action, { ...audit.details, images: next.length });
    return next;
  });
}

/**
 * Appends stored images (of this shop) to the product's gallery, skipping
 * ones already in it. Resolves to the gallery's image ids in order.
 *
 * @example
 * const imageId = await storeImage(platform, shopId, bytes);
 * await attachImages(trx, shopId, productId, [imageId]);
 */
export async function attachImages(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  imageIds: string[],
  actor?: CatalogActor,
): Promise<string[]> {
  const ids = [...new Set(imageIds)];
  if (ids.some((id) => !ImageId.safeParse(id).success)) throw new AppError("not_found", "Image not found");
  return inTransaction(db, async (trx) => {
    await requireImages(trx, shopId, ids);
    return withGallery(trx, shopId, productId, (current) => [...current, ...ids.filter((id) => !current.includes(id))], {
      actor,
      action: "product.images_added",
      details: { imageIds: ids },
    });
  });
}

/** Moves a gallery image one place earlier ("up") or later ("down"). */
export async function moveProductImage(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  imageId: string,
  direction: "up" | "down",
): Promise<string[]> {
  return withGallery(
    db,
    shopId,
    productId,
    (current) => {
      const at = current.indexOf(imageId);
      if (at < 0) throw new AppError("not_found", "Image not found");
      const to = direction === "up" ? at - 1 : at + 1;
      if (to < 0 || to >= current.length) return current;
      const next = [...current];
      [next[at], next[to]] = [next[to], next[at]];
      return next;
    },
    { actor, action: "product.images_reordered", details: { imageId, direction } },
  );
}

/** Takes an image out of the gallery (the stored image stays: shelves may use it). */
export async function removeProductImage(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  imageId: string,
): Promise<string[]> {
  return withGallery(
    db,
    shopId,
    productId,
    (current) => {
      if (!current.includes(imageId)) throw new AppError("not_found", "Image not found");
      return current.filter((id) => id !== imageId);
    },
    { actor, action: "product.images_removed", details: { imageId } },
  );
}

/** Sets the gallery order; `imageIds` must be exactly the gallery's images, reordered. */
export async function reorderProductImages(
  db: Kysely<Database>,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  imageIds: string[],
): Promise<string[]> {
  return withGallery(
    db,
    shopId,
    productId,
    (current) => {
      if (imageIds.length !== current.length || new Set(imageIds).size !== current.length || imageIds.some((id) => !current.includes(id))) {
        throw invalid({ images: ["The gallery changed; reload the page and try again"] });
      }
      return imageIds;
    },
    { actor, action: "product.images_reordered", details: {} },
  );
}
