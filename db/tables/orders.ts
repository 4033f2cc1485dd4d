/**
 * The orders module's tables: orders, their lines (snapshots), adjustments,
 * events (the timeline) and shipments. `Database` extends {@link OrdersTables}.
 */
import type { ColumnType, Generated, Selectable } from "kysely";
import type { CreatedAt, JsonObject, Timestamp } from "../database";

export type OrderStatus = "pending_payment" | "paid" | "shipped" | "completed" | "closed";
export type OrderActorType = "buyer" | "merchant" | "system" | "extension" | "reviewer";

type Counter = ColumnType<number, number | undefined, number>;

export interface OrdersTable {
  id: string;
  shop_id: string;
  user_id: string;
  customer_id: string;
  quote_id: string;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  total: number;
  refunded_total: Counter;
  item_count: number;
  /** the delivery address as it was when the order was placed */
  address: JsonObject;
  /** the quote's extension reservations (see app/checkout), reversed when the order closes or is refunded in full */
  reservations: ColumnType<unknown[], string | undefined, string>;
  reservations_reversed_at: Timestamp | null;
  payment_id: string | null;
  /** set while a cancellation of a paid order waits for its refund */
  cancel_requested_at: Timestamp | null;
  cancel_requested_by: "buyer" | "merchant" | null;
  close_reason: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  paid_at: Timestamp | null;
  shipped_at: Timestamp | null;
  completed_at: Timestamp | null;
  closed_at: Timestamp | null;
}

export interface OrderLinesTable {
  id: string;
  shop_id: string;
  order_id: string;
  position: number;
  sku_id: string;
  product_id: string;
  title: string;
  spec_label: string;
  image_id: string | null;
  unit_price: number;
  quantity: number;
  /** unit_price × quantity */
  subtotal: number;
  /** every discount allocated to this line (line discounts plus its share of order discounts) */
  discount: number;
  /** subtotal − discount: what the buyer paid for this line */
  total: number;
  refunded_amount: Counter;
  refunded_quantity: Counter;
  /** units put back on the shelf (closing or restocking refunds), so no unit is released twice */
  restocked_quantity: Counter;
}

export interface OrderAdjustmentsTable {
  id: string;
  shop_id: string;
  order_id: string;
  position: number;
  kind: "discount" | "shipping";
  line_id: string | null;
  /** the amount applied (after clamping) */
  amount: number;
  /** what the source asked for */
  requested: number;
  label: string;
  source: JsonObject;
}

export interface OrderEventsTable {
  id: Generated<string>;
  shop_id: string;
  order_id: string;
  /** created, paid, shipped, completed, closed, refunded, cancel_requested, refund_requested */
  type: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus | null;
  actor_type: OrderActorType;
  actor_id: string | null;
  reason: string | null;
  /** a payment or refund id: (order, type, ref) is unique, which makes applying it idempotent */
  ref_id: string | null;
  data: JsonObject;
  created_at: CreatedAt;
}

export interface ShipmentsTable {
  id: string;
  shop_id: string;
  order_id: string;
  carrier: string;
  tracking_number: string;
  shipped_by: string | null;
  created_at: CreatedAt;
}

export interface OrdersTables {
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  order_adjustments: OrderAdjustmentsTable;
  order_events: OrderEventsTable;
  shipments: ShipmentsTable;
}

export type OrderRow = Selectable<OrdersTable>;
export type OrderLineRow = Selectable<OrderLinesTable>;
export type OrderAdjustmentRow = Selectable<OrderAdjustmentsTable>;
export type OrderEventRow = Selectable<OrderEventsTable>;
export type ShipmentRow = Selectable<ShipmentsTable>;
