/**
 * The orders module's browser-safe part: statuses and their labels, the
 * views pages render, the merchant's forms, the timer settings, and the
 * per-line refund arithmetic (shared by the refund form and the service).
 */
import { z } from "zod";
import type { OrderActorType, OrderStatus } from "../../db/tables/orders";

export type { OrderStatus, OrderActorType };

export const ORDER_STATUSES = ["pending_payment", "paid", "shipped", "completed", "closed"] as const satisfies readonly OrderStatus[];

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  pending_payment: "Awaiting payment",
  paid: "Paid",
  shipped: "Shipped",
  completed: "Completed",
  closed: "Closed",
};

/** What each timeline entry says. */
export const ORDER_EVENT_LABELS: Record<string, string> = {
  created: "Order placed",
  paid: "Payment received",
  shipped: "Shipped",
  completed: "Completed",
  closed: "Closed",
  refunded: "Refund completed",
  refund_requested: "Refund requested",
  cancel_requested: "Cancellation requested (refund in progress)",
  refund_failed: "Refund failed",
};

export const CLOSE_REASON_LABELS: Record<string, string> = {
  unpaid_timeout: "Not paid in time",
  buyer_cancelled: "Cancelled by the buyer",
  merchant_cancelled: "Cancelled by the shop",
  refunded: "Refunded in full",
};

export const ORDER_PAGE_SIZE = 20;

// ---- views ---------------------------------------------------------------------------

export type OrderLineView = {
  id: string;
  skuId: string;
  productId: string;
  title: string;
  specLabel: string;
  imageId: string | null;
  unitPrice: number;
  quantity: number;
  subtotal: number;
  discount: number;
  total: number;
  refundedAmount: number;
  refundedQuantity: number;
  restockedQuantity: number;
};

export type OrderAdjustmentView = {
  kind: "discount" | "shipping";
  lineId: string | null;
  amount: number;
  requested: number;
  label: string;
  source: Record<string, unknown>;
};

export type OrderEventView = {
  id: string;
  type: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus | null;
  actorType: OrderActorType;
  actorId: string | null;
  reason: string | null;
  data: Record<string, unknown>;
  createdAt: string;
};

export type OrderSummary = {
  id: string;
  shopId: string;
  userId: string;
  status: OrderStatus;
  currency: string;
  total: number;
  refundedTotal: number;
  itemCount: number;
  /** the first line's title and image, for lists */
  firstTitle: string;
  firstImageId: string | null;
  /** a cancellation waits for its refund */
  refunding: boolean;
  createdAt: string;
};

export type OrderDetail = {
  id: string;
  shopId: string;
  userId: string;
  customerId: string;
  quoteId: string;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  refundedTotal: number;
  itemCount: number;
  address: { recipient: string; phone: string; region: string; street: string; postalCode: string };
  paymentId: string | null;
  cancelRequestedAt: string | null;
  cancelRequestedBy: "buyer" | "merchant" | null;
  closeReason: string | null;
  createdAt: string;
  paidAt: string | null;
  shippedAt: string | null;
  completedAt: string | null;
  closedAt: string | null;
  lines: OrderLineView[];
  adjustments: OrderAdjustmentView[];
  events: OrderEventView[];
  shipment: { carrier: string; trackingNumber: string; createdAt: string } | null;
};

export type OrderPage = { orders: OrderSummary[]; nextBefore: string | null };

/** Orders per status for the merchant's filter tabs. */
export type StatusCounts = Record<OrderStatus, number> & { all: number };

// ---- who acts ------------------------------------------------------------------------

/** Who performs a transition; recorded on the order event (and, for merchants, in the audit log). */
export type OrderActor =
  | { type: "buyer"; id: string }
  | { type: "merchant"; id: string }
  /** an installed extension acting for the shop through the open API (`id`: the install) */
  | { type: "extension"; id: string }
  | { type: "system"; id?: null };

/** Who may act for the shop on its orders: a member, or an install through the open API. */
export type ShopSideActor = { type: "merchant"; id: string } | { type: "extension"; id: string };

// ---- forms -----------------------------------------------------------------------------

const OpaqueId = z.string().regex(/^[a-z]{2,8}_[0-9a-z]{26}$/, "Not a valid id");
export const OrderId = OpaqueId;

export const OrderListQuery = z.object({
  status: z.preprocess((v) => (v === "" ? undefined : v), z.enum(ORDER_STATUSES).optional()),
  before: z.preprocess((v) => (v === "" ? undefined : v), OpaqueId.optional()),
});
export type OrderListQuery = z.infer<typeof OrderListQuery>;

export const ShipForm = z.object({
  carrier: z.string({ error: "Enter the carrier" }).trim().min(1, "Enter the carrier").max(60, "Use at most 60 characters"),
  trackingNumber: z
    .string({ error: "Enter the tracking number" })
    .trim()
    .min(1, "Enter the tracking number")
    .max(60, "Use at most 60 characters")
    .regex(/^[A-Za-z0-9-]+$/, "Letters, digits and - only"),
});

export const CancelForm = z.object({
  reason: z.string().trim().max(200, "Use at most 200 characters").default(""),
});

const RefundLine = z.object({ lineId: OpaqueId, quantity: z.coerce.number().int().min(0).max(999) });
export const RefundForm = z.object({
  mode: z.enum(["full", "lines"], { error: "Choose a full refund or the lines to refund" }),
  lines: z.array(RefundLine).default([]),
  reason: z.string({ error: "Say why" }).trim().min(1, "Say why").max(200, "Use at most 200 characters"),
  restock: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{16,100}$/, "The form is out of date; reload the page"),
});
export type RefundInput = z.input<typeof RefundForm>;

// ---- timers ------------------------------------------------------------------------------

/**
 * `shops.settings.orders`. Stored values may be fractional, which is how
 * tests and demos shorten the timers (0.05 minutes = 3 s); the merchant's
 * form asks for whole minutes and days within sensible bounds.
 */
export const OrderTimerSettings = z.object({
  unpaidCloseMinutes: z.number().positive().max(7 * 24 * 60).default(30),
  autoCompleteDays: z.number().positive().max(90).default(10),
});
export type OrderTimerSettings = z.infer<typeof OrderTimerSettings>;
export const DEFAULT_ORDER_TIMERS: OrderTimerSettings = { unpaidCloseMinutes: 30, autoCompleteDays: 10 };

export const OrderTimerForm = z.object({
  unpaidCloseMinutes: z.coerce.number({ error: "Enter minutes" }).int("Enter whole minutes").min(5, "At least 5 minutes").max(1440, "At most 1440 minutes (a day)"),
  autoCompleteDays: z.coerce.number({ error: "Enter days" }).int("Enter whole days").min(1, "At least 1 day").max(30, "At most 30 days"),
});

// ---- refund arithmetic ------------------------------------------------------------------------

/**
 * What refunding `quantity` more units of a line gives back: its share of
 * what the buyer paid for the line, rounded down — except that the last
 * units take whatever is left, so refunding a line unit by unit returns
 * exactly its total.
 *
 * @example lineRefundAmount({ total: 1000, quantity: 3, refundedQuantity: 0, refundedAmount: 0 }, 1) // 333
 */
export function lineRefundAmount(line: Pick<OrderLineView, "total" | "quantity" | "refundedQuantity" | "refundedAmount">, quantity: number): number {
  if (!Number.isInteger(quantity) || quantity < 0 || quantity > line.quantity - line.refundedQuantity) throw new RangeError("refund quantity out of range");
  if (quantity === 0) return 0;
  if (line.refundedQuantity + quantity === line.quantity) return line.total - line.refundedAmount;
  return Math.floor((line.total * quantity) / line.quantity);
}

/** Whether merchant refunds are possible in this state (money was taken and the order is not closed). */
export function isRefundableStatus(status: OrderStatus): boolean {
  return status === "paid" || status === "shipped" || status === "completed";
}
