/**
 * The payments module's public surface: other modules, routes and server.ts
 * import from here only. Payments owns `payments`, `payment_notifications`,
 * `refunds`, `payment_anomalies` and the simulator's `sim_*` tables.
 *
 * - For orders: {@link createPayment}, {@link closePaymentAtProvider},
 *   {@link requestRefund}, {@link listPayments}, {@link listRefunds}.
 * - For server.ts: {@link paymentNotifyHandler}, mounted at
 *   `POST /payments/notify/:provider` with the raw body.
 * - For the worker: {@link paymentJobs} and {@link refundSubmissionConsumer}.
 * - For pages: the simulator's cashier ({@link getCashier}, {@link payAtCashier})
 *   and settings, and {@link listPaymentAnomalies} for reviewers.
 *
 * Keys: see `wechatpay/keys.server.ts` (environment, or generated under
 * DATA_DIR outside production).
 */
export {
  createPayment,
  openPaymentForNewOrder,
  startPayment,
  type OpenedPayment,
  closePaymentAtProvider,
  listPayments,
  applyPaymentResult,
  reconcilePendingPayments,
  getCashier,
  payAtCashier,
  cashierUrlOf,
  RECONCILE_AFTER_MS,
  type ApplyOutcome,
  type CashierView,
  type PaymentResult,
  type PaymentsPlatform,
} from "./payments.service.server";
export {
  requestRefund,
  listRefunds,
  submitRefund,
  applyRefundResult,
  REFUND_REQUESTED_EVENT,
  REFUND_FAILED_EVENT,
  SUBMIT_REFUND_JOB,
  type RefundApplyOutcome,
} from "./refunds.service.server";
export { listPaymentAnomalies, resolvePaymentAnomaly, type AnomalyKind } from "./anomalies.server";
export { paymentNotifyHandler } from "./notify.server";
export { paymentJobs, refundSubmissionConsumer, RECONCILE_JOB } from "./jobs.server";
export { paymentProvider, notifyPath, DEFAULT_PROVIDER, type ProviderDeps } from "./providers.server";
export type { PaymentProvider, PaymentNotification, RefundNotification, ProviderTrade } from "./provider.types";
export { NotificationRejected } from "./provider.types";
export { loadWechatPayKeys, keyFilePath, merchantIdentity, PaymentKeysError, type WechatPayKeys } from "./wechatpay/keys.server";
export { WECHATPAY } from "./wechatpay/provider.server";
export {
  isSimulatorAvailable,
  getSimSettings,
  setSimSettings,
  listSimNotifications,
  listSimActivity,
  simulatePayment,
  sweepSimNotifications,
  retryDelayMs,
  RETRY_SCHEDULE_SECONDS,
  MAX_DELIVERY_ATTEMPTS,
  SIM_DELIVER_JOB,
  SIM_SWEEP_JOB,
  type SimSettings,
  type SimNotificationView,
} from "./simulator/simulator.service.server";
export * from "./payments.schema";
