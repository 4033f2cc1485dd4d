/**
 * The orders module's public surface: other modules and routes import from
 * here only. Orders owns `orders`, `order_lines`, `order_adjustments`,
 * `order_events` and `shipments`.
 *
 * - For checkout (inside its transaction): {@link createOrderRecord}, or its
 *   two halves {@link createOrderHeader} and {@link addOrderLines}.
 * - For payments (inside theirs): {@link markOrderPaid},
 *   {@link applyRefundSucceeded}, {@link applyRefundFailed}, {@link getOrderForPayment},
 *   {@link getOrder}.
 * - For pages: {@link shipOrder}, {@link confirmReceipt}, {@link cancelOrder},
 *   {@link refundOrder}, {@link listShopOrders}, {@link listBuyerOrders},
 *   {@link getBuyerOrder}.
 * - Timers: {@link orderJobs} (worker list), {@link orderTimersConsumer}
 *   (outbox consumer list), {@link closeUnpaidOrder}, {@link autoCompleteOrder}.
 */
export {
  createOrderRecord,
  createOrderHeader,
  addOrderLines,
  markOrderPaid,
  applyRefundSucceeded,
  applyRefundFailed,
  shipOrder,
  confirmReceipt,
  autoCompleteOrder,
  cancelOrder,
  closeUnpaidOrder,
  refundOrder,
  type NewOrder,
  type MarkPaidResult,
  type RefundApplication,
  type TransitionResult,
  type CancelOutcome,
  type UnpaidCloseOutcome,
} from "./orders.service.server";
export { getOrder, getBuyerOrder, getOrderForPayment, listShopOrders, listBuyerOrders, type ShopRef } from "./orders.queries.server";
export {
  orderJobs,
  orderTimersConsumer,
  orderTimersOf,
  setOrderTimerSettings,
  saveOrderTimerForm,
  CLOSE_UNPAID_JOB,
  AUTO_COMPLETE_JOB,
} from "./timers.server";
export * from "./orders.schema";
