/**
 * Reading orders: the detail (lines, adjustments, timeline, shipment), pages
 * for the merchant (with counts per status) and for the buyer (across
 * shops), and the small view the payments module needs.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { OrderRow, OrderStatus } from "../../db/tables/orders";
import { AppError, fieldErrorsFromZod } from "../lib/errors";
import { getShop } from "../shops/index.server";
import {
  countOrdersByStatus,
  selectOrder,
  selectOrderAdjustments,
  selectOrderById,
  selectOrderEvents,
  selectOrderLines,
  selectOrderPage,
  selectShipment,
  type OrderListRow,
} from "./orders.repository.server";
import {
  ORDER_PAGE_SIZE,
  ORDER_STATUSES,
  OrderId,
  OrderListQuery,
  type OrderDetail,
  type OrderPage,
  type OrderSummary,
  type StatusCounts,
} from "./orders.schema";

/** The shop an order is from, as buyer pages name it. */
export type ShopRef = { name: string; handle: string };

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

async function toDetail(db: Kysely<Database>, order: OrderRow): Promise<OrderDetail> {
  const [lines, adjustments, events, shipment] = await Promise.all([
    selectOrderLines(db, order.shop_id, order.id),
    selectOrderAdjustments(db, order.shop_id, order.id),
    selectOrderEvents(db, order.shop_id, order.id),
    selectShipment(db, order.shop_id, order.id),
  ]);
  const address = order.address as OrderDetail["address"];
  return {
    id: order.id,
    shopId: order.shop_id,
    userId: order.user_id,
    customerId: order.customer_id,
    quoteId: order.quote_id,
    status: order.status,
    currency: order.currency,
    subtotal: order.subtotal,
    discountTotal: order.discount_total,
    shippingTotal: order.shipping_total,
    total: order.total,
    refundedTotal: order.refunded_total,
    itemCount: order.item_count,
    address: { recipient: address.recipient, phone: address.phone, region: address.region, street: address.street, postalCode: address.postalCode ?? "" },
    paymentId: order.payment_id,
    cancelRequestedAt: iso(order.cancel_requested_at),
    cancelRequestedBy: order.cancel_requested_by,
    closeReason: order.close_reason,
    createdAt: iso(order.created_at)!,
    paidAt: iso(order.paid_at),
    shippedAt: iso(order.shipped_at),
    completedAt: iso(order.completed_at),
    closedAt: iso(order.closed_at),
    lines: lines.map((l) => ({
      id: l.id,
      skuId: l.sku_id,
      productId: l.product_id,
      title: l.title,
      specLabel: l.spec_label,
      imageId: l.image_id,
      unitPrice: l.unit_price,
      quantity: l.quantity,
      subtotal: l.subtotal,
      discount: l.discount,
      total: l.total,
      refundedAmount: l.refunded_amount,
      refundedQuantity: l.refunded_quantity,
      restockedQuantity: l.restocked_quantity,
    })),
    adjustments: adjustments.map((a) => ({ kind: a.kind, lineId: a.line_id, amount: a.amount, requested: a.requested, label: a.label, source: a.source ?? {} })),
    events: events.map((e) => ({
      id: String(e.id),
      type: e.type,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      actorType: e.actor_type,
      actorId: e.actor_id,
      reason: e.reason,
      data: e.data ?? {},
      createdAt: iso(e.created_at)!,
    })),
    shipment: shipment ? { carrier: shipment.carrier, trackingNumber: shipment.tracking_number, createdAt: iso(shipment.created_at)! } : null,
  };
}

function validId(orderId: string): boolean {
  return OrderId.safeParse(orderId).success;
}

/**
 * An order of the shop with everything on its page, or null.
 *
 * @example const order = await getOrder(db, shop.id, params.orderId); if (!order) throw notFound();
 */
export async function getOrder(db: Kysely<Database>, shopId: string, orderId: string): Promise<OrderDetail | null> {
  if (!validId(orderId)) return null;
  const order = await selectOrder(db, shopId, orderId);
  return order ? toDetail(db, order) : null;
}

/** The buyer's own order (in any shop) with the shop's name, or null — another buyer's order is as unknown as a missing one. */
export async function getBuyerOrder(db: Kysely<Database>, userId: string, orderId: string): Promise<(OrderDetail & { shop: ShopRef }) | null> {
  if (!validId(orderId)) return null;
  const order = await selectOrderById(db, orderId);
  if (!order || order.user_id !== userId) return null;
  const [detail, shop] = await Promise.all([toDetail(db, order), getShop(db, order.shop_id)]);
  return { ...detail, shop: { name: shop?.name ?? "", handle: shop?.handle ?? "" } };
}

/**
 * What a payment notification needs, from the order id alone (the
 * notification carries nothing else): the shop, the amount due and the state.
 */
export async function getOrderForPayment(
  db: Kysely<Database>,
  orderId: string,
): Promise<{ orderId: string; shopId: string; userId: string; total: number; currency: string; status: OrderStatus } | null> {
  if (!validId(orderId)) return null;
  const o = await selectOrderById(db, orderId);
  return o ? { orderId: o.id, shopId: o.shop_id, userId: o.user_id, total: o.total, currency: o.currency, status: o.status } : null;
}

function toSummary(r: OrderListRow): OrderSummary {
  return {
    id: r.id,
    shopId: r.shop_id,
    userId: r.user_id,
    status: r.status,
    currency: r.currency,
    total: r.total,
    refundedTotal: r.refunded_total,
    itemCount: r.item_count,
    firstTitle: r.first_title ?? "",
    firstImageId: r.first_image_id,
    refunding: r.status === "paid" && r.cancel_requested_at !== null,
    createdAt: iso(r.created_at)!,
  };
}

function parseQuery(query: unknown): OrderListQuery {
  const parsed = OrderListQuery.safeParse(query ?? {});
  if (!parsed.success) throw new AppError("bad_request", "Invalid filter", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  return parsed.data;
}

async function page(db: Kysely<Database>, scope: { shopId: string } | { userId: string }, q: OrderListQuery): Promise<OrderPage> {
  const rows = await selectOrderPage(db, scope, { status: q.status, before: q.before, limit: ORDER_PAGE_SIZE + 1 });
  const orders = rows.slice(0, ORDER_PAGE_SIZE).map(toSummary);
  return { orders, nextBefore: rows.length > ORDER_PAGE_SIZE ? orders[orders.length - 1].id : null };
}

/**
 * The merchant's order list: newest first, optionally one status, 20 a page
 * (`before` = the last id of the previous page), with the count of orders
 * in each status.
 */
export async function listShopOrders(db: Kysely<Database>, shopId: string, query: unknown): Promise<OrderPage & { counts: StatusCounts; query: OrderListQuery }> {
  const q = parseQuery(query);
  const [result, counted] = await Promise.all([page(db, { shopId }, q), countOrdersByStatus(db, shopId)]);
  const counts = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as StatusCounts;
  counts.all = 0;
  for (const c of counted) {
    counts[c.status] = c.n;
    counts.all += c.n;
  }
  return { ...result, counts, query: q };
}

/** The buyer's orders across every shop, newest first, optionally one status; `shops` names the shops on the page. */
export async function listBuyerOrders(
  db: Kysely<Database>,
  userId: string,
  query: unknown,
): Promise<OrderPage & { query: OrderListQuery; shops: Record<string, ShopRef> }> {
  const q = parseQuery(query);
  const result = await page(db, { userId }, q);
  const ids = [...new Set(result.orders.map((o) => o.shopId))];
  const shops = await Promise.all(ids.map((id) => getShop(db, id)));
  return { ...result, query: q, shops: Object.fromEntries(ids.map((id, i) => [id, { name: shops[i]?.name ?? "", handle: shops[i]?.handle ?? "" }])) };
}
