/**
 * The hooks: what Bazaar calls, what each call receives and what it may
 * return. Types only (plus the hook name lists), so this file costs nothing
 * in a bundle.
 *
 * Money is always an integer number of **minor units** of the shop's currency
 * (CNY 12.50 is `1250`). Ids are opaque strings. Times are ISO 8601 in UTC.
 */

/**
 * Every hook an extension can implement, in the order the manifest lists them.
 *
 * @example
 * HOOK_NAMES.includes("order.paid"); // true
 */
export const HOOK_NAMES = [
  "checkout.discounts",
  "order.paid",
  "order.completed",
  "order.refunded",
  "customer.created",
  "storefront.blocks",
] as const;

/**
 * A hook's name: `noun.verb` like the platform's events.
 *
 * @example
 * const hook: HookName = "checkout.discounts";
 */
export type HookName = (typeof HOOK_NAMES)[number];

/**
 * Hooks delivered from the events relay: asynchronous, **at least once**
 * (a replay carries the same `idempotencyKey`), never on a buyer's request
 * path. Only these may change counters directly (`ctx.counters.add`).
 *
 * @example
 * ASYNC_HOOK_NAMES.includes("order.refunded"); // true
 */
export const ASYNC_HOOK_NAMES = ["order.paid", "order.completed", "order.refunded", "customer.created"] as const;

/**
 * An asynchronous hook (see {@link ASYNC_HOOK_NAMES}).
 *
 * @example
 * const hook: AsyncHookName = "order.paid";
 */
export type AsyncHookName = (typeof ASYNC_HOOK_NAMES)[number];

/**
 * A hook called on a buyer's request path (a quote, a storefront page): its
 * result is awaited by the page, so keep it fast; counters change only through
 * the reservations a discount returns.
 *
 * @example
 * const hook: SyncHookName = "storefront.blocks";
 */
export type SyncHookName = Exclude<HookName, AsyncHookName>;

/**
 * An amount of money in integer minor units of the shop's currency.
 *
 * @example
 * const price: Money = 1250; // CNY 12.50
 */
export type Money = number;

// ---- checkout.discounts ------------------------------------------------------------

/**
 * One line the buyer is about to buy.
 *
 * @example
 * { lineId: "oln_1", skuId: "sku_1", productId: "prd_1", categoryId: "cat_tea", quantity: 2, unitPrice: 1250, lineTotal: 2500 }
 */
export interface QuoteLine {
  /** Stable for this quote; a line discount names it. */
  lineId: string;
  skuId: string;
  productId: string;
  /** The product's category, or null when it has none. */
  categoryId: string | null;
  quantity: number;
  /** The catalog's current price of one unit. */
  unitPrice: Money;
  /** `unitPrice × quantity`. */
  lineTotal: Money;
}

/**
 * What every hook input starts with: its own name and the install it runs for.
 *
 * @example
 * { hook: "order.paid", install: { id: "ins_1" } }
 */
export interface HookEnvelope<H extends HookName> {
  hook: H;
  /** The install (this extension in this shop) the call runs for. */
  install: { id: string };
}

/**
 * What every asynchronous hook input carries besides its subject.
 *
 * @example
 * { hook: "order.paid", install: { id: "ins_1" }, idempotencyKey: "hook-ins_1-42",
 *   event: { id: "42", name: "order.paid", occurredAt: "2026-11-02T08:01:00.000Z" }, shop: { id: "shp_1" } }
 */
export interface AsyncHookEnvelope<H extends AsyncHookName> extends HookEnvelope<H> {
  /** The same on every delivery of this event to this install (`hook-<installId>-<eventId>`): dedupe on it. */
  idempotencyKey: string;
  /** The domain event that caused the call. */
  event: { id: string; name: string; occurredAt: string };
  shop: { id: string };
}

/**
 * The input of `checkout.discounts`: the cart being priced.
 *
 * @example
 * {
 *   hook: "checkout.discounts", install: { id: "ins_1" },
 *   shop: { id: "shp_1", currency: "CNY" },
 *   buyer: { userId: "usr_1", customerId: "cus_1" },
 *   lines: [{ lineId: "oln_1", skuId: "sku_1", productId: "prd_1", categoryId: null, quantity: 2, unitPrice: 1250, lineTotal: 2500 }],
 *   subtotal: 2500,
 *   attributes: { coupon: "WELCOME10", usePoints: true },
 * }
 */
export interface QuoteInput extends HookEnvelope<"checkout.discounts"> {
  shop: { id: string; currency: string };
  /** `customerId` is the buyer's record in this shop; null until their first cart or order here. */
  buyer: { userId: string; customerId: string | null };
  lines: QuoteLine[];
  /** The sum of the line totals. */
  subtotal: Money;
  /** What the buyer chose in the cart. Treat every value as untrusted text from the buyer. */
  attributes: CartAttributes;
}

/**
 * The cart's attributes. The two the platform's cart offers are typed; others
 * may appear and must be checked before use.
 *
 * @example
 * { coupon: "WELCOME10", usePoints: true }
 */
export interface CartAttributes {
  /** A coupon code as the buyer typed it (any case, maybe with spaces). */
  coupon?: string;
  /** The buyer asked to pay with their points. */
  usePoints?: boolean;
  [attribute: string]: unknown;
}

/**
 * A discount the extension offers: on one line (`lineId`) or on the whole
 * order (`lineId: null`; the platform spreads it over the lines). The
 * platform clamps it so no line and no total goes below zero, and shows
 * `label` next to the extension's name.
 *
 * @example
 * { lineId: null, amount: 2000, label: "20 off every 200" }
 */
export interface Discount {
  lineId: string | null;
  /** A non-negative integer amount in minor units; round down, never up. */
  amount: Money;
  /** 1–80 characters, shown to the buyer. */
  label: string;
}

/**
 * A claim on one of this extension's counters that must still hold when the
 * order is placed: `delta` is added to `counterKey` in the order's
 * transaction only if the result stays within `bound`; otherwise placement
 * fails with a conflict and the buyer gets a fresh quote. The platform
 * reverses it when the order closes or is refunded in full.
 *
 * @example
 * // one use of a coupon limited to 100 uses
 * { counterKey: "coupon:WELCOME10:uses", delta: 1, bound: { max: 100 } }
 * // spend 300 of the buyer's points, never below zero
 * { counterKey: "balance:cus_1", delta: -300, bound: { min: 0 } }
 */
export interface Reservation {
  /** 1–200 characters; the extension's own namespace (counters are per install). */
  counterKey: string;
  /** A non-zero integer. */
  delta: number;
  bound?: CounterBound;
}

/**
 * Inclusive limits a counter must stay within after a change.
 *
 * @example
 * { min: 0 }
 */
export interface CounterBound {
  min?: number;
  max?: number;
}

/**
 * What `checkout.discounts` returns.
 *
 * @example
 * return { discounts: [{ lineId: null, amount: 500, label: "Gold member 5% off" }] };
 */
export interface DiscountsResult {
  discounts: Discount[];
  /** Counter claims this offer depends on (coupon uses, points spent). */
  reservations?: Reservation[];
}

// ---- orders and customers ----------------------------------------------------------

/**
 * Where an order is in its life.
 *
 * @example
 * const status: OrderStatus = "paid";
 */
export type OrderStatus = "pending_payment" | "paid" | "shipped" | "completed" | "closed";

/**
 * An order line.
 *
 * @example
 * { lineId: "oln_1", productId: "prd_1", skuId: "sku_1", title: "Green tea 250 g", quantity: 2, unitPrice: 1250, total: 2250 }
 */
export interface OrderLine {
  lineId: string;
  productId: string;
  skuId: string;
  title: string;
  quantity: number;
  unitPrice: Money;
  /** What the buyer pays for the line, after its discounts. */
  total: Money;
}

/**
 * An order as `ctx.orders.get` returns it (amounts, status and lines; never
 * the address).
 *
 * @example
 * { id: "ord_1", customerId: "cus_1", status: "paid", currency: "CNY", subtotal: 2500, discountTotal: 250,
 *   shippingTotal: 0, total: 2250, refundedTotal: 0, itemCount: 2, createdAt: "2026-11-02T08:00:00.000Z",
 *   paidAt: "2026-11-02T08:01:00.000Z", lines: [ … ] }
 */
export interface Order {
  id: string;
  /** The buyer's record in this shop. */
  customerId: string;
  status: OrderStatus;
  currency: string;
  subtotal: Money;
  discountTotal: Money;
  shippingTotal: Money;
  /** What the buyer paid (or owes). */
  total: Money;
  /** Refunded so far. `total − refundedTotal` is what the shop keeps. */
  refundedTotal: Money;
  itemCount: number;
  createdAt: string;
  paidAt: string | null;
  lines: OrderLine[];
}

/**
 * The order an order hook is about: its id, buyer and amounts. Read the
 * whole order with `ctx.orders.get` (scope `read_orders`).
 *
 * @example
 * { id: "ord_1", customerId: "cus_1", status: "paid", total: 2250, currency: "CNY" }
 */
export interface OrderRef {
  id: string;
  customerId: string;
  status: OrderStatus;
  /** What the buyer paid. */
  total: Money;
  currency: string;
}

/**
 * A buyer's record in the shop, as `ctx.customers.get` returns it. Needs the
 * `read_customers` scope, and a call may read only the customer it is about.
 *
 * @example
 * { id: "cus_1", name: "Li Lei", email: "li@example.com", createdAt: "2026-11-01T00:00:00.000Z" }
 */
export interface Customer {
  id: string;
  name: string;
  email: string;
  createdAt: string;
}

/**
 * The input of `order.paid` and `order.completed`.
 *
 * @example
 * { hook: "order.paid", install: { id: "ins_1" }, idempotencyKey: "hook-ins_1-42",
 *   event: { id: "42", name: "order.paid", occurredAt: "2026-11-02T08:01:00.000Z" }, shop: { id: "shp_1" },
 *   order: { id: "ord_1", customerId: "cus_1", status: "paid", total: 2250, currency: "CNY" } }
 */
export interface OrderEventInput<H extends "order.paid" | "order.completed" | "order.refunded" = "order.paid" | "order.completed"> extends AsyncHookEnvelope<H> {
  order: OrderRef;
}

/**
 * The input of `order.refunded`: one refund that succeeded. Each refund is its
 * own event (its own `idempotencyKey`); `refundedTotal` includes this one.
 *
 * @example
 * { …, order: { id: "ord_1", customerId: "cus_1", status: "paid", total: 2250, currency: "CNY" },
 *   refund: { id: "ref_1", amount: 1000, refundedTotal: 1000, full: false } }
 */
export interface OrderRefundedInput extends OrderEventInput<"order.refunded"> {
  refund: { id: string; amount: Money; refundedTotal: Money; full: boolean };
}

/**
 * The input of `customer.created` (read the record with `ctx.customers.get`, scope `read_customers`).
 *
 * @example
 * { hook: "customer.created", install: { id: "ins_1" }, idempotencyKey: "hook-ins_1-3", event: { … }, shop: { id: "shp_1" },
 *   customer: { id: "cus_1" } }
 */
export interface CustomerCreatedInput extends AsyncHookEnvelope<"customer.created"> {
  customer: { id: string };
}

/**
 * A counter change an asynchronous hook returns; the platform applies each
 * one at most once per delivery (a replay of the same `idempotencyKey`
 * changes nothing), and skips one whose bound would not hold.
 *
 * @example
 * { key: "balance:cus_1", delta: 120 }
 * { key: "balance:cus_1", delta: -50, min: 0 }
 */
export interface CounterEffect {
  /** 1–256 characters. */
  key: string;
  /** A non-zero integer within ±1,000,000,000. */
  delta: number;
  min?: number;
  max?: number;
}

/**
 * What an asynchronous hook may return: nothing, or counter effects.
 * Returning effects (rather than calling `ctx.counters.add` one by one) keeps
 * the hook's writes together and exactly-once per delivery.
 *
 * @example
 * return { counters: [{ key: `balance:${order.customerId}`, delta: 120 }] };
 */
export interface AsyncHookResult {
  /** At most 20. */
  counters?: CounterEffect[];
}

// ---- storefront.blocks -------------------------------------------------------------

/**
 * The storefront page a block would appear on.
 *
 * @example
 * const page: StorefrontPage = "cart";
 */
export type StorefrontPage = "home" | "product" | "cart";

/**
 * The input of `storefront.blocks`.
 *
 * @example
 * { hook: "storefront.blocks", install: { id: "ins_1" }, shop: { id: "shp_1", currency: "CNY" }, buyer: { customerId: "cus_1" }, page: "home" }
 */
export interface StorefrontBlocksInput extends HookEnvelope<"storefront.blocks"> {
  shop: { id: string; currency: string };
  /** Null (or a null `customerId`) for a visitor who is not signed in or has no record in this shop yet. */
  buyer: { customerId: string | null } | null;
  page: StorefrontPage;
  /** The product shown, on `page: "product"`. */
  productId?: string;
}

/**
 * How the platform colours a block.
 *
 * @example
 * const tone: BlockTone = "success";
 */
export type BlockTone = "neutral" | "info" | "success" | "warning";

/**
 * A paragraph of plain text (never HTML: markup is shown as typed).
 *
 * @example
 * { type: "text", text: "Spend CNY 200.00 more to reach Gold." }
 */
export interface TextBlock {
  type: "text";
  /** 1–280 characters. */
  text: string;
  tone?: BlockTone;
}

/**
 * A short label in a pill.
 *
 * @example
 * { type: "badge", label: "Gold member", tone: "success" }
 */
export interface BadgeBlock {
  type: "badge";
  /** 1–40 characters. */
  label: string;
  tone?: BlockTone;
}

/**
 * A progress bar: `value` out of `max` (both ≥ 0, `max` > 0; `value` is shown capped at `max`).
 *
 * @example
 * { type: "progress", label: "To Gold", value: 30000, max: 50000, caption: "CNY 200.00 to go" }
 */
export interface ProgressBlock {
  type: "progress";
  /** 1–80 characters. */
  label: string;
  value: number;
  max: number;
  /** 1–120 characters under the bar. */
  caption?: string;
}

/**
 * A bulleted list of plain-text items.
 *
 * @example
 * { type: "list", title: "This week", items: ["20 off every 200", "Buy 2 get 1 free on green tea"] }
 */
export interface ListBlock {
  type: "list";
  title?: string;
  /** 1–10 items of 1–120 characters. */
  items: string[];
}

/**
 * Declarative storefront UI: the platform renders it; no HTML or script.
 * Discriminated by `type`.
 *
 * @example
 * const blocks: Block[] = [{ type: "badge", label: "Gold member" }, { type: "progress", label: "To Platinum", value: 3, max: 10 }];
 */
export type Block = TextBlock | BadgeBlock | ProgressBlock | ListBlock;

/**
 * What `storefront.blocks` returns: at most 5 blocks, shown in order.
 *
 * @example
 * return { blocks: [{ type: "text", text: "Welcome back!" }] };
 */
export interface BlocksResult {
  blocks: Block[];
}

// ---- the maps ------------------------------------------------------------------------

/**
 * Each hook's input, by hook name.
 *
 * @example
 * type PaidInput = HookInputs["order.paid"]; // OrderEventInput<"order.paid">
 */
export interface HookInputs {
  "checkout.discounts": QuoteInput;
  "order.paid": OrderEventInput<"order.paid">;
  "order.completed": OrderEventInput<"order.completed">;
  "order.refunded": OrderRefundedInput;
  "customer.created": CustomerCreatedInput;
  "storefront.blocks": StorefrontBlocksInput;
}

/**
 * Each hook's result, by hook name (for the asynchronous hooks: nothing, or
 * counter effects).
 *
 * @example
 * type Offer = HookOutputs["checkout.discounts"]; // DiscountsResult
 */
export interface HookOutputs {
  "checkout.discounts": DiscountsResult;
  "order.paid": AsyncHookResult | void;
  "order.completed": AsyncHookResult | void;
  "order.refunded": AsyncHookResult | void;
  "customer.created": AsyncHookResult | void;
  "storefront.blocks": BlocksResult;
}

/**
 * The input of hook `H`.
 *
 * @example
 * function total(input: HookInput<"order.paid">) { return input.order.total; }
 */
export type HookInput<H extends HookName> = HookInputs[H];

/**
 * The result of hook `H`.
 *
 * @example
 * const none: HookOutput<"checkout.discounts"> = { discounts: [] };
 */
export type HookOutput<H extends HookName> = HookOutputs[H];

/**
 * Any hook input, discriminated by `hook`: narrowing on the name narrows the rest.
 *
 * @example
 * function describe(input: AnyHookInput): string {
 *   switch (input.hook) {
 *     case "order.paid": return `paid ${input.order.id}`;
 *     case "checkout.discounts": return `quote of ${input.lines.length} lines`;
 *     default: return input.hook;
 *   }
 * }
 */
export type AnyHookInput = HookInputs[HookName];
