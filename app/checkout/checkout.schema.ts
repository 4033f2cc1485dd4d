/**
 * The checkout module's browser-safe part: the types the extension runtime
 * plugs into (`QuoteInput`, `DiscountLine`, `Reservation`), the quote as
 * pages show it, the freight template, and the forms (address, place order).
 */
import { z } from "zod";

// ---- the extension seam ----------------------------------------------------------

/** One line the buyer is about to buy, as discount extensions see it. Money is integer minor units. */
export type QuoteInputLine = {
  /** stable for this quote; a line discount names it, and it becomes the order line's id */
  lineId: string;
  skuId: string;
  productId: string;
  categoryId: string | null;
  quantity: number;
  /** the catalog's current price, never the client's */
  unitPrice: number;
  /** unitPrice × quantity */
  lineTotal: number;
};

/**
 * What the `checkout.discounts` hook of each installed extension receives.
 *
 * @example
 * { shop: { id: "shp_…", currency: "CNY" }, buyer: { userId: "usr_…", customerId: null },
 *   lines: [{ lineId: "oln_…", skuId: "sku_…", productId: "prd_…", categoryId: null, quantity: 2, unitPrice: 1250, lineTotal: 2500 }],
 *   subtotal: 2500, attributes: { coupon: "WELCOME10" } }
 */
export type QuoteInput = {
  shop: { id: string; currency: string };
  /** `customerId` is the buyer's record in the shop, null before their first cart or order there */
  buyer: { userId: string; customerId: string | null };
  lines: QuoteInputLine[];
  /** the sum of the line totals */
  subtotal: number;
  /** the cart's attributes, e.g. `{ coupon: "WELCOME10", usePoints: true }` */
  attributes: Record<string, unknown>;
};

/**
 * A discount an extension offers: on one line (`lineId`) or on the whole
 * order (`lineId: null`, spread over the lines in proportion to what is
 * left of each). The platform clamps it so no line and no total goes below
 * zero, and shows `label` with its source to the buyer.
 */
export type DiscountLine = {
  lineId: string | null;
  /** a positive amount in minor units */
  amount: number;
  label: string;
  source: { installId: string; extensionName: string };
};

/**
 * A claim on one of an extension's counters that must hold for its
 * discount to stand (a coupon use, points spent): `delta` is added to the
 * counter `counterKey` of install `installId` in the order's transaction,
 * only if the result stays within `bound`; otherwise placement fails with
 * 409 and a fresh quote. Reversed when the order closes or is refunded in full.
 *
 * @example { installId: "ins_…", counterKey: "coupon:WELCOME10:uses", delta: 1, bound: { max: 100 } }
 */
export type Reservation = {
  installId: string;
  counterKey: string;
  delta: number;
  bound: { min?: number; max?: number };
};

/** One install's answer to `checkout.discounts`. */
export type InstallDiscounts = { installId: string; lines: DiscountLine[]; reservations: Reservation[] };

/** What the sandbox hands back is checked against these before it touches a price. */
export const DiscountLineSchema = z.object({
  lineId: z.string().min(1).max(100).nullable(),
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  label: z.string().trim().min(1).max(80),
  source: z.object({ installId: z.string().min(1).max(100), extensionName: z.string().min(1).max(100) }),
});
export const ReservationSchema = z.object({
  installId: z.string().min(1).max(100),
  counterKey: z.string().min(1).max(200),
  delta: z.number().int().refine((n) => n !== 0, "delta must not be 0"),
  bound: z.object({ min: z.number().int().optional(), max: z.number().int().optional() }),
});

// ---- the quote ---------------------------------------------------------------------

/** Where an adjustment comes from: an extension install, or the platform's own freight template. */
export type AdjustmentSource = { type: "extension"; installId: string; extensionName: string } | { type: "platform"; name: "freight" };

/** A priced change to the order: a discount (on a line or the order) or the shipping charge. */
export type QuoteAdjustment = {
  kind: "discount" | "shipping";
  /** the line a discount is on; null for the whole order (and for shipping) */
  lineId: string | null;
  /** what was applied, after clamping; for shipping, the charge */
  amount: number;
  /** what the source asked for */
  requested: number;
  label: string;
  source: AdjustmentSource;
};

/** A quote line: the catalog snapshot the order line is made from. */
export type QuoteLine = QuoteInputLine & {
  title: string;
  specLabel: string;
  imageId: string | null;
  /** every discount allocated to this line (its own and its share of order discounts) */
  discount: number;
  /** lineTotal − discount */
  total: number;
};

export type QuoteView = {
  id: string;
  shopId: string;
  currency: string;
  lines: QuoteLine[];
  adjustments: QuoteAdjustment[];
  reservations: Reservation[];
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  itemCount: number;
  expiresAt: string;
};

/** How long a quote holds: the buyer pays what they saw if they place within this. */
export const QUOTE_TTL_MS = 15 * 60_000;

/** The most one order may total, in minor units (the columns are 32-bit; ¥20,000,000.00 is no storefront checkout). */
export const MAX_ORDER_TOTAL = 2_000_000_000;

// ---- the freight template ----------------------------------------------------------

/**
 * The shop's shipping charge (`shops.settings.freight`):
 * - `flat`: `amount` per order;
 * - `per_item`: `amount` for the first unit, `perItem` for each further unit;
 * - `freeOver`: no charge when the goods total after discounts reaches it.
 * A shop without a template ships free.
 */
export const FreightSettings = z.object({
  mode: z.enum(["flat", "per_item"]),
  amount: z.number().int().min(0).max(100_000_000),
  perItem: z.number().int().min(0).max(100_000_000).default(0),
  freeOver: z.number().int().min(1).max(MAX_ORDER_TOTAL).nullable().default(null),
});
export type FreightSettings = z.infer<typeof FreightSettings>;
export const FREE_SHIPPING: FreightSettings = { mode: "flat", amount: 0, perItem: 0, freeOver: null };

// ---- addresses ---------------------------------------------------------------------

export const MAX_ADDRESSES = 20;

const text = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `Use at most ${max} characters`);

export const AddressForm = z.object({
  recipient: text("the recipient's name", 60),
  phone: z
    .string({ error: "Enter a phone number" })
    .trim()
    .regex(/^\+?[0-9][0-9 -]{3,18}[0-9]$/, "Enter a phone number (digits, spaces, - and a leading +)"),
  region: text("the province, city and district", 100),
  street: text("the street address", 200),
  postalCode: z
    .string()
    .trim()
    .max(12, "Use at most 12 characters")
    .regex(/^[A-Za-z0-9 -]*$/, "Letters, digits, spaces and - only")
    .default(""),
  isDefault: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
});
export type AddressInput = z.input<typeof AddressForm>;

export type AddressView = {
  id: string;
  recipient: string;
  phone: string;
  region: string;
  street: string;
  postalCode: string;
  isDefault: boolean;
};

/** The address as an order keeps it. */
export type AddressSnapshot = Omit<AddressView, "id" | "isDefault">;

const OpaqueId = z.string().regex(/^[a-z]{2,8}_[0-9a-z]{26}$/, "Not a valid id");
export const AddressId = OpaqueId;
export const QuoteId = OpaqueId;

/** The random key the checkout page renders into its form; a double submit carries the same one. */
export const IdempotencyKey = z.string().regex(/^[A-Za-z0-9_-]{16,100}$/, "The checkout form is out of date; reload the page");

export const PlaceOrderForm = z.object({
  quoteId: QuoteId,
  addressId: z.string({ error: "Choose a delivery address" }).min(1, "Choose a delivery address").pipe(AddressId),
  idempotencyKey: IdempotencyKey,
});
export type PlaceOrderInput = z.input<typeof PlaceOrderForm>;

/** The label shown for the shipping line. */
export function freightLabel(f: FreightSettings): string {
  return f.mode === "flat" ? "Shipping" : "Shipping (per item)";
}
