/**
 * The cart's forms and view types. Browser-safe: the storefront's components
 * use the view types and limits too.
 */
import { z } from "zod";
import { AppError } from "../lib/errors";

/** The most of one SKU a cart line may hold (the database enforces the same). */
export const MAX_LINE_QUANTITY = 999;
/** The most distinct SKUs one cart may hold. */
export const MAX_CART_LINES = 100;

/**
 * The checkout's offers form: a coupon code and whether to spend loyalty
 * points. Both are cart attributes (`coupon`, `usePoints`) that extensions'
 * `checkout.discounts` read; an empty code removes it.
 */
export const CartAttributesForm = z.object({
  coupon: z
    .string()
    .trim()
    .max(40, "At most 40 characters")
    .regex(/^[A-Za-z0-9_-]*$/, "Letters, digits, - and _ only")
    .default(""),
  usePoints: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
});
export type CartAttributesForm = z.infer<typeof CartAttributesForm>;

// Ids come from `newId` (app/lib/ids.ts): a prefix, `_`, 26 Crockford base32 characters.
const OpaqueId = z.string().regex(/^[a-z]{2,8}_[0-9a-z]{26}$/, "Not a valid id");
export const SkuId = OpaqueId;
export const ProductId = OpaqueId;

const Quantity = (min: number) =>
  z.coerce
    .number({ error: "Enter a quantity" })
    .int("Enter a whole number")
    .min(min, min === 0 ? "Enter 0 or more" : "Add at least 1")
    .max(MAX_LINE_QUANTITY, `At most ${MAX_LINE_QUANTITY} of one item`);

/**
 * Add to cart: either a SKU id (what the product page sends once JavaScript
 * has resolved the buyer's choice), or a product and one value per spec
 * dimension (what the same form sends without JavaScript).
 */
export const AddToCartForm = z
  .object({
    skuId: z.preprocess((v) => (v === "" ? undefined : v), SkuId.optional()),
    productId: z.preprocess((v) => (v === "" ? undefined : v), ProductId.optional()),
    spec: z.array(z.string().trim().max(100)).max(3).default([]),
    quantity: Quantity(1).default(1),
  })
  .refine((f) => f.skuId || f.productId, { message: "Choose an item to add", path: ["skuId"] });
export type AddToCartForm = z.infer<typeof AddToCartForm>;

/** Sets a line's quantity; 0 removes the line. */
export const SetQuantityForm = z.object({ skuId: SkuId, quantity: Quantity(0) });
export const RemoveLineForm = z.object({ skuId: SkuId });

/** Why a line does not count towards the subtotal, if it does not. */
export type CartLineProblem = "unavailable" | "sold_out" | "insufficient_stock";

export type CartLineView = {
  skuId: string;
  productId: string | null;
  title: string;
  /** e.g. "Colour: Red / Size: M"; "" for a product without specs */
  specLabel: string;
  imageId: string | null;
  /** the catalog's current price, re-read at every view; null when the SKU is gone */
  unitPrice: number | null;
  quantity: number;
  /** unitPrice × quantity, or 0 for a flagged line */
  lineTotal: number;
  stock: number;
  /** the most the stepper may ask for: min(stock, 999) */
  maxQuantity: number;
  problem: CartLineProblem | null;
  /** what the buyer is told about a flagged line ("No longer available", "Only 2 left") */
  note: string | null;
};

export type CartView = {
  cartId: string | null;
  lines: CartLineView[];
  /** the sum of the lines that can be bought as they are, in the shop's minor units */
  subtotal: number;
  /** the number of units in lines that can be bought */
  itemCount: number;
  /** true when any line is flagged: checkout must wait until the buyer fixes them */
  hasProblems: boolean;
};

/** The buyer's note for a flagged line. */
export function problemNote(problem: CartLineProblem, stock: number): string {
  switch (problem) {
    case "unavailable":
      return "No longer available";
    case "sold_out":
      return "Sold out";
    case "insufficient_stock":
      return `Only ${stock} left`;
  }
}

export const CART_INTENTS = ["add", "set", "remove"] as const;
export type CartIntent = (typeof CART_INTENTS)[number];

/**
 * Reads a cart form: which button (`intent`), whether the page wants JSON
 * back instead of a redirect (`reply=json`, sent once JavaScript runs), and
 * the fields the service validates. Spec values arrive as `spec.0`,
 * `spec.1`, … (one radio group per dimension), in dimension order.
 */
export function readCartForm(form: FormData): { intent: CartIntent; reply: "json" | "redirect"; fields: Record<string, unknown> } {
  const intent = form.get("intent");
  if (typeof intent !== "string" || !(CART_INTENTS as readonly string[]).includes(intent)) {
    throw new AppError("bad_request", "Unknown cart action", { fieldErrors: { intent: ["Choose add, set or remove"] } });
  }
  const fields: Record<string, unknown> = {};
  for (const key of ["skuId", "productId", "quantity"]) {
    const v = form.get(key);
    if (typeof v === "string") fields[key] = v;
  }
  const spec = [0, 1, 2].map((i) => form.get(`spec.${i}`));
  if (spec.some((v) => v !== null)) {
    const values = spec.map((v) => (typeof v === "string" ? v : ""));
    while (values.length && values[values.length - 1] === "") values.pop();
    fields.spec = values;
  }
  return { intent: intent as CartIntent, reply: form.get("reply") === "json" ? "json" : "redirect", fields };
}
