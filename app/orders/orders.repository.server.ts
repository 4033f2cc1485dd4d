/**
 * SQL on the orders tables. Every query names the shop (or, for a buyer's
 * cross-shop list, the buyer). State changes are single conditional
 * UPDATEs: `WHERE id AND shop_id AND status = <expected>` — the row's state
 * is checked and changed in one statement, so two racing transitions
 * cannot both win.
 */
import { sql, type Insertable, type Kysely, type Updateable } from "kysely";
import type { Database } from "../../db/database";
import type {
  OrderAdjustmentRow,
  OrderAdjustmentsTable,
  OrderEventRow,
  OrderEventsTable,
  OrderLineRow,
  OrderLinesTable,
  OrderRow,
  OrdersTable,
  OrderStatus,
  ShipmentRow,
} from "../../db/tables/orders";

export async function insertOrder(trx: Kysely<Database>, row: Insertable<OrdersTable>): Promise<void> {
  await trx.insertInto("orders").values(row).execute();
}

export async function insertOrderLines(trx: Kysely<Database>, rows: Insertable<OrderLinesTable>[]): Promise<void> {
  if (rows.length) await trx.insertInto("order_lines").values(rows).execute();
}

export async function insertOrderAdjustments(trx: Kysely<Database>, rows: Insertable<OrderAdjustmentsTable>[]): Promise<void> {
  if (rows.length) await trx.insertInto("order_adjustments").values(rows).execute();
}

/**
 * A new order and its first timeline entry in one statement (one round trip
 * inside the checkout's transaction). The event's foreign key is checked at
 * the end of the statement, after the order row is in.
 */
export async function insertOrderWithEvent(trx: Kysely<Database>, row: Insertable<OrdersTable>, event: Insertable<OrderEventsTable>): Promise<void> {
  await trx
    .with("new_order", (db) => db.insertInto("orders").values(row).returning("id"))
    .insertInto("order_events")
    .values(event)
    .execute();
}

/** An order's lines and adjustments in one statement (adjustments may point at the lines inserted beside them). */
export async function insertOrderContents(trx: Kysely<Database>, lines: Insertable<OrderLinesTable>[], adjustments: Insertable<OrderAdjustmentsTable>[]): Promise<void> {
  if (!lines.length || !adjustments.length) {
    await insertOrderLines(trx, lines);
    await insertOrderAdjustments(trx, adjustments);
    return;
  }
  await trx
    .with("new_lines", (db) => db.insertInto("order_lines").values(lines).returning("id"))
    .insertInto("order_adjustments")
    .values(adjustments)
    .execute();
}

/**
 * Appends a timeline event. With a `ref_id` (payment or refund id), a second
 * insert of the same (order, type, ref) is a no-op: resolves to false.
 */
export async function insertOrderEvent(trx: Kysely<Database>, row: Insertable<OrderEventsTable>): Promise<boolean> {
  if (row.ref_id) {
    const r = await trx
      .insertInto("order_events")
      .values(row)
      .onConflict((oc) => oc.columns(["order_id", "type", "ref_id"]).where("ref_id", "is not", null).doNothing())
      .returning("id")
      .executeTakeFirst();
    return !!r;
  }
  await trx.insertInto("order_events").values(row).execute();
  return true;
}

export async function selectOrder(db: Kysely<Database>, shopId: string, orderId: string, opts: { lock?: boolean } = {}): Promise<OrderRow | undefined> {
  let q = db.selectFrom("orders").selectAll().where("shop_id", "=", shopId).where("id", "=", orderId);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** An order by id alone: for the payment notification (which carries only the order id) and the buyer's own pages. */
export async function selectOrderById(db: Kysely<Database>, orderId: string): Promise<OrderRow | undefined> {
  return db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
}

/**
 * The one conditional transition: sets `patch` (status and timestamps)
 * only if the order is in `from` (and matches `extra` conditions). Resolves
 * to the updated row, or undefined when the order was not in that state.
 */
export async function transitionOrder(
  trx: Kysely<Database>,
  shopId: string,
  orderId: string,
  from: OrderStatus,
  patch: Updateable<OrdersTable>,
  extra: { total?: number; userId?: string; noCancelRequest?: boolean } = {},
): Promise<OrderRow | undefined> {
  let q = trx.updateTable("orders").set(patch).where("id", "=", orderId).where("shop_id", "=", shopId).where("status", "=", from);
  if (extra.total !== undefined) q = q.where("total", "=", extra.total);
  if (extra.userId !== undefined) q = q.where("user_id", "=", extra.userId);
  if (extra.noCancelRequest) q = q.where("cancel_requested_at", "is", null);
  return q.returningAll().executeTakeFirst();
}

/** Marks a paid order as waiting for its cancellation refund; false if it is not paid or already marked. */
export async function markCancelRequested(
  trx: Kysely<Database>,
  shopId: string,
  orderId: string,
  by: "buyer" | "merchant",
  at: Date,
  userId?: string,
): Promise<OrderRow | undefined> {
  let q = trx
    .updateTable("orders")
    .set({ cancel_requested_at: at, cancel_requested_by: by, updated_at: at })
    .where("id", "=", orderId)
    .where("shop_id", "=", shopId)
    .where("status", "=", "paid")
    .where("cancel_requested_at", "is", null);
  if (userId !== undefined) q = q.where("user_id", "=", userId);
  return q.returningAll().executeTakeFirst();
}

/** Lifts the cancelling mark of a paid order (its refund failed); false if it was not marked. */
export async function clearCancelRequest(trx: Kysely<Database>, shopId: string, orderId: string, at: Date): Promise<boolean> {
  const r = await trx
    .updateTable("orders")
    .set({ cancel_requested_at: null, cancel_requested_by: null, updated_at: at })
    .where("id", "=", orderId)
    .where("shop_id", "=", shopId)
    .where("status", "=", "paid")
    .where("cancel_requested_at", "is not", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Adds a refund to the order's refunded total, never past the total. Resolves to the new total, or null if it would overflow. */
export async function addRefundedTotal(trx: Kysely<Database>, shopId: string, orderId: string, amount: number, at: Date): Promise<number | null> {
  const r = await trx
    .updateTable("orders")
    .set((eb) => ({ refunded_total: eb("refunded_total", "+", amount), updated_at: at }))
    .where("id", "=", orderId)
    .where("shop_id", "=", shopId)
    .where(sql<boolean>`refunded_total + ${amount} <= total`)
    .returning("refunded_total")
    .executeTakeFirst();
  return r ? r.refunded_total : null;
}

export async function markReservationsReversed(trx: Kysely<Database>, shopId: string, orderId: string, at: Date): Promise<void> {
  await trx.updateTable("orders").set({ reservations_reversed_at: at }).where("id", "=", orderId).where("shop_id", "=", shopId).execute();
}

export async function selectOrderLines(db: Kysely<Database>, shopId: string, orderId: string): Promise<OrderLineRow[]> {
  return db.selectFrom("order_lines").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("position").execute();
}

/** Adds to a line's refunded amount and quantity, never past what was bought. False when it would overflow. */
export async function addLineRefund(trx: Kysely<Database>, shopId: string, lineId: string, amount: number, quantity: number): Promise<boolean> {
  const r = await trx
    .updateTable("order_lines")
    .set((eb) => ({ refunded_amount: eb("refunded_amount", "+", amount), refunded_quantity: eb("refunded_quantity", "+", quantity) }))
    .where("id", "=", lineId)
    .where("shop_id", "=", shopId)
    .where(sql<boolean>`refunded_amount + ${amount} <= total AND refunded_quantity + ${quantity} <= quantity`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Marks every line of the order as refunded in full (a full refund given without lines). */
export async function refundAllLines(trx: Kysely<Database>, shopId: string, orderId: string): Promise<void> {
  await trx
    .updateTable("order_lines")
    .set((eb) => ({ refunded_amount: eb.ref("total"), refunded_quantity: eb.ref("quantity") }))
    .where("shop_id", "=", shopId)
    .where("order_id", "=", orderId)
    .execute();
}

export async function addRestocked(trx: Kysely<Database>, shopId: string, lineId: string, quantity: number): Promise<void> {
  await trx
    .updateTable("order_lines")
    .set((eb) => ({ restocked_quantity: eb("restocked_quantity", "+", quantity) }))
    .where("id", "=", lineId)
    .where("shop_id", "=", shopId)
    .execute();
}

export async function selectOrderAdjustments(db: Kysely<Database>, shopId: string, orderId: string): Promise<OrderAdjustmentRow[]> {
  return db.selectFrom("order_adjustments").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("position").execute();
}

export async function selectOrderEvents(db: Kysely<Database>, shopId: string, orderId: string): Promise<OrderEventRow[]> {
  return db.selectFrom("order_events").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("id").execute();
}

export async function insertShipment(trx: Kysely<Database>, row: { id: string; shop_id: string; order_id: string; carrier: string; tracking_number: string; shipped_by: string | null }): Promise<void> {
  await trx.insertInto("shipments").values(row).execute();
}

export async function selectShipment(db: Kysely<Database>, shopId: string, orderId: string): Promise<ShipmentRow | undefined> {
  return db.selectFrom("shipments").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).executeTakeFirst();
}

export type OrderListRow = OrderRow & { first_title: string | null; first_image_id: string | null };

/** A page of orders, newest first, for a shop (merchant) or a buyer (across shops). */
export async function selectOrderPage(
  db: Kysely<Database>,
  scope: { shopId: string } | { userId: string },
  filter: { status?: OrderStatus; before?: string; limit: number },
): Promise<OrderListRow[]> {
  let q = db
    .selectFrom("orders as o")
    .selectAll("o")
    .select((eb) => [
      eb
        .selectFrom("order_lines as l")
        .select("l.title")
        .whereRef("l.order_id", "=", "o.id")
        .whereRef("l.shop_id", "=", "o.shop_id")
        .orderBy("l.position")
        .limit(1)
        .as("first_title"),
      eb
        .selectFrom("order_lines as l")
        .select("l.image_id")
        .whereRef("l.order_id", "=", "o.id")
        .whereRef("l.shop_id", "=", "o.shop_id")
        .orderBy("l.position")
        .limit(1)
        .as("first_image_id"),
    ]);
  q = "shopId" in scope ? q.where("o.shop_id", "=", scope.shopId) : q.where("o.user_id", "=", scope.userId);
  if (filter.status) q = q.where("o.status", "=", filter.status);
  if (filter.before) q = q.where("o.id", "<", filter.before);
  return q.orderBy("o.id", "desc").limit(filter.limit).execute() as Promise<OrderListRow[]>;
}

export async function countOrdersByStatus(db: Kysely<Database>, shopId: string): Promise<{ status: OrderStatus; n: number }[]> {
  const rows = await db
    .selectFrom("orders")
    .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
    .where("shop_id", "=", shopId)
    .groupBy("status")
    .execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
