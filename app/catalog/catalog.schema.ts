/**
 * The catalog's forms and view types. Browser-safe (zod and pure helpers
 * only), so route components and the server read one definition. Money
 * fields are typed by merchants in the shop's currency ("12.50") and become
 * integer minor units here, through {@link parseMoney}.
 */
import { z } from "zod";
import type { ProductStatus, SpecDefinition, StockReason } from "../../db/database";
import type { FieldErrors } from "../lib/errors";
import { MoneyFormatError, parseMoney } from "./money";

export type { ProductStatus, SpecDefinition, StockReason };

export const PRODUCT_STATUSES = ["draft", "on_sale", "off_sale"] as const satisfies readonly ProductStatus[];
export const STATUS_LABELS: Record<ProductStatus, string> = { draft: "Draft", on_sale: "On sale", off_sale: "Off sale" };

/** Products per page of the merchant list and default page of storefront lists. */
export const PRODUCT_PAGE_SIZE = 25;
/** Ledger rows per page. */
export const LEDGER_PAGE_SIZE = 50;
export const MAX_CATEGORY_DEPTH = 3;
export const MAX_TITLE = 120;
export const MAX_DESCRIPTION = 20_000;
export const MAX_CATEGORY_NAME = 60;
export const MAX_SKU_CODE = 64;
/** Stock per SKU; a typo of a few extra digits should be caught, not stored. */
export const MAX_STOCK = 1_000_000;
/** Images per product gallery. */
export const MAX_PRODUCT_IMAGES = 20;

// Ids come from `newId` (app/lib/ids.ts): prefix, `_`, 26 Crockford base32 characters.
const idOf = (prefix: string, what: string) =>
  z.string({ error: `Choose a ${what}` }).regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `Not a valid ${what} id`);

export const ProductId = idOf("prd", "product");
export const CategoryId = idOf("cat", "category");
export const SkuId = idOf("sku", "SKU");
export const ImageId = idOf("img", "image");

const optionalId = (schema: z.ZodString) =>
  z.preprocess((v) => (v === "" || v === undefined ? null : v), schema.nullable());

export const ProductTitle = z
  .string({ error: "Enter a title" })
  .trim()
  .min(1, "Enter a title")
  .max(MAX_TITLE, `Use at most ${MAX_TITLE} characters`);

export const ProductDescription = z
  .string()
  .max(MAX_DESCRIPTION, `Use at most ${MAX_DESCRIPTION.toLocaleString("en")} characters`)
  .transform((s) => s.replace(/\r\n/g, "\n"));

export const ProductStatusField = z.enum(PRODUCT_STATUSES, { error: "Choose draft, on sale or off sale" });

/** The details part of the product editor (and of `createProduct` / `updateProduct`). */
export const ProductDetailsForm = z.object({
  title: ProductTitle,
  description: ProductDescription.default(""),
  categoryId: optionalId(CategoryId).default(null),
  status: ProductStatusField.default("draft"),
});
export type ProductDetailsInput = z.input<typeof ProductDetailsForm>;

export const CategoryName = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .max(MAX_CATEGORY_NAME, `Use at most ${MAX_CATEGORY_NAME} characters`);

export const CategoryForm = z.object({ name: CategoryName, parentId: optionalId(CategoryId).default(null) });

/** The category editor's POSTs, one per button. */
export const CategoryAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name: CategoryName, parentId: optionalId(CategoryId).default(null) }),
  z.object({ intent: z.literal("rename"), id: CategoryId, name: CategoryName }),
  z.object({ intent: z.literal("move"), id: CategoryId, parentId: optionalId(CategoryId).default(null) }),
  z.object({ intent: z.literal("up"), id: CategoryId }),
  z.object({ intent: z.literal("down"), id: CategoryId }),
  z.object({ intent: z.literal("delete"), id: CategoryId }),
]);

/** `?q=&status=&after=` of the merchant product list. */
export const ProductListQuery = z.object({
  q: z.string().trim().max(100, "Search for at most 100 characters").default(""),
  status: z.preprocess((v) => (v === "" || v === null ? undefined : v), ProductStatusField.optional()),
  after: z.preprocess((v) => (v === "" || v === null ? undefined : v), ProductId.optional()),
});

/** The list's bulk bar: the ticked products and on or off sale. */
export const BulkStatusForm = z.object({
  intent: z.enum(["on_sale", "off_sale"], { error: "Choose on sale or off sale" }),
  ids: z.array(ProductId).min(1, "Tick at least one product").max(100, "Change at most 100 products at once"),
});

/** Stock adjustment on the ledger page: add/remove a number, or set the count. */
export const StockAdjustForm = z
  .object({
    mode: z.enum(["delta", "set"], { error: "Choose add/remove or set" }),
    amount: z.string().trim().regex(/^[+-]?\d{1,7}$/, "Enter a whole number"),
    note: z.string().trim().min(1, "Say why (e.g. stock count, damaged)").max(200, "Use at most 200 characters"),
  })
  .transform((v, ctx) => {
    const n = Number(v.amount);
    if (v.mode === "set" && n < 0) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: "Stock cannot be negative" });
      return z.NEVER;
    }
    if (v.mode === "delta" && n === 0) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: "Enter a change other than 0" });
      return z.NEVER;
    }
    return { change: v.mode === "set" ? ({ set: n } as const) : n, note: v.note };
  });

/** One row of the SKU matrix as the service takes it (amounts in minor units). */
export type SkuRowInput = {
  skuId: string;
  price?: number;
  /** null clears it */
  compareAtPrice?: number | null;
  /** the new count; written as a manual adjustment when it differs */
  stock?: number;
  /**
   * The count the editor showed. When given and the SKU's stock moved since
   * (an order came in), the save is refused instead of overwriting it.
   */
  stockWas?: number;
  code?: string;
};

/** The specs editor's rows, parsed from `specs.<i>.name` / `specs.<i>.values` (comma-separated). */
export function parseSpecsForm(form: FormData): { specs: SpecDefinition[]; rowIndexes: number[] } {
  const rows = new Map<number, { name: string; values: string }>();
  for (const [key, value] of form) {
    const m = /^specs\.(\d{1,2})\.(name|values)$/.exec(key);
    if (!m || typeof value !== "string") continue;
    const i = Number(m[1]);
    const row = rows.get(i) ?? { name: "", values: "" };
    row[m[2] as "name" | "values"] = value;
    rows.set(i, row);
  }
  const specs: SpecDefinition[] = [];
  const rowIndexes: number[] = [];
  for (const i of [...rows.keys()].sort((a, b) => a - b)) {
    const row = rows.get(i)!;
    const values = row.values.split(/[,\n，]/).map((v) => v.trim()).filter((v) => v !== "");
    // A row left entirely blank is an unused slot (or a dimension being removed).
    if (row.name.trim() === "" && values.length === 0) continue;
    specs.push({ name: row.name, values });
    rowIndexes.push(i);
  }
  return { specs, rowIndexes };
}

function readMoneyField(text: string, currency: string, key: string, errors: FieldErrors): number | undefined {
  try {
    return parseMoney(text, currency);
  } catch (e) {
    (errors[key] ??= []).push(e instanceof MoneyFormatError ? e.message : "Enter an amount");
    return undefined;
  }
}

function readCount(text: string, key: string, errors: FieldErrors): number | undefined {
  const s = text.trim();
  if (/^-\s*\d+$/.test(s)) {
    (errors[key] ??= []).push("Stock cannot be negative");
    return undefined;
  }
  if (!/^\d{1,7}$/.test(s) || Number(s) > MAX_STOCK) {
    (errors[key] ??= []).push(`Enter a whole number from 0 to ${MAX_STOCK.toLocaleString("en")}`);
    return undefined;
  }
  return Number(s);
}

/**
 * The SKU matrix: `skus.<skuId>.price|compareAt|stock|stockWas|code` for
 * every row, all saved in one POST. Parsing errors are keyed exactly like
 * the fields (`skus.<skuId>.price`).
 */
export function parseSkuMatrixForm(form: FormData, currency: string): { ok: true; rows: SkuRowInput[] } | { ok: false; fieldErrors: FieldErrors } {
  const raw = new Map<string, Record<string, string>>();
  for (const [key, value] of form) {
    const m = /^skus\.(sku_[0-9a-z]{26})\.(price|compareAt|stock|stockWas|code)$/.exec(key);
    if (!m || typeof value !== "string") continue;
    const fields = raw.get(m[1]) ?? {};
    fields[m[2]] = value;
    raw.set(m[1], fields);
  }
  const errors: FieldErrors = {};
  const rows: SkuRowInput[] = [];
  for (const [skuId, f] of raw) {
    const row: SkuRowInput = { skuId };
    const k = (field: string) => `skus.${skuId}.${field}`;
    if (f.price !== undefined) row.price = readMoneyField(f.price, currency, k("price"), errors);
    if (f.compareAt !== undefined) row.compareAtPrice = f.compareAt.trim() === "" ? null : readMoneyField(f.compareAt, currency, k("compareAt"), errors);
    if (f.stock !== undefined) row.stock = readCount(f.stock, k("stock"), errors);
    if (f.stockWas !== undefined && /^\d{1,7}$/.test(f.stockWas)) row.stockWas = Number(f.stockWas);
    if (f.code !== undefined) {
      const code = f.code.trim();
      if (code.length > MAX_SKU_CODE) (errors[k("code")] ??= []).push(`Use at most ${MAX_SKU_CODE} characters`);
      row.code = code;
    }
    rows.push(row);
  }
  if (rows.length === 0) return { ok: false, fieldErrors: { _form: ["Nothing to save"] } };
  return Object.keys(errors).length ? { ok: false, fieldErrors: errors } : { ok: true, rows };
}

// ---- views -------------------------------------------------------------------

/** A category with its children, in the merchant's order. */
export type CategoryNode = { id: string; name: string; parentId: string | null; children: CategoryNode[] };

/** A product as a storefront card shows it. Prices in minor units. */
export type ProductCard = {
  id: string;
  title: string;
  minPrice: number;
  maxPrice: number;
  /** the compare-at ("was") price of the cheapest SKU, when it has one */
  compareAtPrice: number | null;
  imageId: string | null;
  soldOut: boolean;
};

/** A SKU as the product page's spec selector needs it (active SKUs only). */
export type StorefrontSku = { id: string; specValues: string[]; price: number; compareAtPrice: number | null; stock: number };

/** An on-sale product's page. `descriptionHtml` is already sanitized. */
export type StorefrontProduct = {
  id: string;
  title: string;
  descriptionHtml: string;
  categoryId: string | null;
  /** image ids, gallery order */
  images: string[];
  specs: SpecDefinition[];
  skus: StorefrontSku[];
};

/** A SKU as the cart needs it, whatever its status; `available` says whether it can be bought. */
export type CartSku = {
  skuId: string;
  productId: string;
  title: string;
  specValues: string[];
  /** "Red / M"; "" for a product without specs */
  specLabel: string;
  price: number;
  stock: number;
  imageId: string | null;
  /** the SKU is active and its product on sale */
  available: boolean;
  categoryId: string | null;
};

/** A row of the merchant product list. */
export type AdminProductRow = {
  id: string;
  title: string;
  status: ProductStatus;
  minPrice: number;
  maxPrice: number;
  totalStock: number;
  skuCount: number;
  imageId: string | null;
  categoryName: string | null;
  updatedAt: string;
};

/** A SKU row of the editor's matrix. */
export type AdminSku = {
  id: string;
  specValues: string[];
  specLabel: string;
  price: number;
  compareAtPrice: number | null;
  stock: number;
  code: string;
  status: "active" | "archived";
};

/** Everything the product editor shows. */
export type AdminProduct = {
  id: string;
  title: string;
  description: string;
  status: ProductStatus;
  categoryId: string | null;
  specs: SpecDefinition[];
  minPrice: number;
  maxPrice: number;
  totalStock: number;
  /** active SKUs in matrix order, then archived ones */
  skus: AdminSku[];
  images: { id: string; width: number | null; height: number | null }[];
  updatedAt: string;
};

export type LedgerEntry = {
  id: string;
  delta: number;
  balanceAfter: number;
  reason: StockReason;
  refType: string | null;
  refId: string | null;
  actorId: string | null;
  note: string | null;
  createdAt: string;
};

export const STOCK_REASON_LABELS: Record<StockReason, string> = {
  initial: "Initial stock",
  manual_adjust: "Manual adjustment",
  order_reserved: "Order reserved",
  order_released: "Order released",
  refund_restock: "Refund restock",
};

/** What the "Add product" form yields: the details, one price/stock for every generated SKU, and the spec rows. */
export type NewProductFormData = {
  title: string;
  description: string;
  categoryId: string | null;
  status: ProductStatus;
  price: number;
  compareAtPrice: number | null;
  stock: number;
  code: string;
  specs: SpecDefinition[];
  specRowIndexes: number[];
};

/**
 * Parses the "Add product" form: details through {@link ProductDetailsForm},
 * money typed in the shop's currency, stock, and spec rows. Error keys match
 * the field names (`title`, `price`, `compareAtPrice`, `stock`, …).
 */
export function parseNewProductForm(form: FormData, currency: string): { ok: true; data: NewProductFormData } | { ok: false; fieldErrors: FieldErrors } {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const errors: FieldErrors = {};
  const details = ProductDetailsForm.safeParse({
    title: text("title"),
    description: text("description"),
    categoryId: text("categoryId"),
    status: text("status") || "draft",
  });
  if (!details.success) {
    for (const issue of details.error.issues) (errors[issue.path.map(String).join(".") || "_form"] ??= []).push(issue.message);
  }
  const price = readMoneyField(text("price"), currency, "price", errors);
  const compareAtPrice = text("compareAtPrice").trim() === "" ? null : readMoneyField(text("compareAtPrice"), currency, "compareAtPrice", errors);
  const stock = text("stock").trim() === "" ? 0 : readCount(text("stock"), "stock", errors);
  const code = text("code").trim();
  if (code.length > MAX_SKU_CODE) (errors.code ??= []).push(`Use at most ${MAX_SKU_CODE} characters`);
  const { specs, rowIndexes } = parseSpecsForm(form);
  if (Object.keys(errors).length || !details.success) return { ok: false, fieldErrors: errors };
  return {
    ok: true,
    data: { ...details.data, price: price!, compareAtPrice: compareAtPrice ?? null, stock: stock!, code, specs, specRowIndexes: rowIndexes },
  };
}
