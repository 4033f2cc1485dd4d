/**
 * The payments module's tables (app/payments): the platform's payments,
 * notifications, refunds and anomalies, and — kept apart, as a real
 * provider's state would be — the payment simulator's `sim_*` tables.
 * `Database` extends {@link PaymentsTables}.
 */
import type { ColumnType, Generated, Selectable } from "kysely";
import type { CreatedAt, JsonObject, Timestamp } from "../database";

export type PaymentStatus = "pending" | "succeeded" | "closed";
export type RefundStatus = "pending" | "succeeded" | "failed";
export type RefundSource = "buyer_cancel" | "merchant" | "claim" | "late_payment";

type Flag = ColumnType<boolean, boolean | undefined, boolean>;
type Counter = ColumnType<number, number | undefined, number>;

export interface PaymentsTable {
  /** also the provider's `out_trade_no` */
  id: string;
  shop_id: string;
  order_id: string;
  provider: string;
  amount: number;
  currency: string;
  description: string;
  /** where the cashier sends the buyer after paying */
  return_url: string;
  status: ColumnType<PaymentStatus, PaymentStatus | undefined, PaymentStatus>;
  prepay_id: string | null;
  transaction_id: string | null;
  payer_total: number | null;
  /** succeeded after its order could no longer take it: refunded automatically */
  late: Flag;
  paid_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PaymentNotificationsTable {
  /** the provider's notification id, or `query:<transaction id>` for a reconciliation result */
  id: string;
  provider: string;
  kind: "payment" | "refund";
  event_type: string;
  /** payments only; unique, so one transaction applies once whatever reports it */
  transaction_id: string | null;
  provider_refund_id: string | null;
  shop_id: string | null;
  payment_id: string | null;
  refund_id: string | null;
  /** applied | late_refunded | duplicate_transaction | refund_succeeded | refund_failed | refund_already_final */
  outcome: ColumnType<string, string | undefined, string>;
  /** the decrypted resource, as received */
  resource: JsonObject;
  received_at: CreatedAt;
}

export type RefundLine = { lineId: string; quantity: number; amount: number };

export interface RefundsTable {
  /** also the provider's `out_refund_no` */
  id: string;
  shop_id: string;
  order_id: string;
  payment_id: string;
  amount: number;
  currency: string;
  lines: ColumnType<RefundLine[] | null, string | null, string | null>;
  reason: string;
  source: RefundSource;
  /** the claim, payment … the refund comes from */
  source_id: string | null;
  restock: boolean;
  idempotency_key: string;
  status: ColumnType<RefundStatus, RefundStatus | undefined, RefundStatus>;
  provider_refund_id: string | null;
  failure_reason: string | null;
  actor_type: string;
  actor_id: string | null;
  submitted_at: Timestamp | null;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PaymentAnomaliesTable {
  id: string;
  provider: string;
  notification_id: string;
  /** amount_mismatch | currency_mismatch | unknown_trade | order_amount_mismatch | order_not_found | unknown_refund | refund_mismatch | transaction_conflict | merchant_mismatch */
  kind: string;
  shop_id: string | null;
  payment_id: string | null;
  order_id: string | null;
  refund_id: string | null;
  details: JsonObject;
  occurrences: Counter;
  first_seen_at: CreatedAt;
  last_seen_at: Timestamp;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
}

// ---- the simulator (plays the provider) ------------------------------------
export type SimTradeState = "NOTPAY" | "SUCCESS" | "CLOSED" | "REFUND";

export interface SimSettingsTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  /** multiplies the retry schedule (1 = WeChat Pay's real 15 s … 6 h) */
  time_scale: ColumnType<number, number | undefined, number>;
  refund_outcome: ColumnType<"SUCCESS" | "ABNORMAL", "SUCCESS" | "ABNORMAL" | undefined, "SUCCESS" | "ABNORMAL">;
  /** where relative notify URLs point; null = the platform's PUBLIC_URL */
  notify_base_url: string | null;
  updated_at: Timestamp;
}

export interface SimTradesTable {
  out_trade_no: string;
  mchid: string;
  appid: string;
  prepay_id: string;
  transaction_id: string | null;
  description: string;
  amount: number;
  currency: string;
  notify_url: string;
  trade_state: ColumnType<SimTradeState, SimTradeState | undefined, SimTradeState>;
  refunded: Counter;
  success_time: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SimRefundsTable {
  out_refund_no: string;
  refund_id: string;
  out_trade_no: string;
  amount: number;
  total: number;
  status: ColumnType<"PROCESSING" | "SUCCESS" | "ABNORMAL", "PROCESSING" | undefined, "SUCCESS" | "ABNORMAL">;
  reason: ColumnType<string, string | undefined, string>;
  notify_url: string;
  success_time: Timestamp | null;
  created_at: CreatedAt;
}

export interface SimNotificationsTable {
  id: string;
  event_type: string;
  /** the out_trade_no or out_refund_no it reports */
  subject: string;
  notify_url: string;
  /** the exact JSON body, the same on every attempt */
  body: string;
  status: ColumnType<"pending" | "acknowledged" | "gave_up", "pending" | undefined, "pending" | "acknowledged" | "gave_up">;
  attempts: Counter;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  acknowledged_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface SimNotificationAttemptsTable {
  id: Generated<string>;
  notification_id: string;
  attempt: number;
  wechatpay_timestamp: string;
  wechatpay_nonce: string;
  wechatpay_signature: string;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
  sent_at: Timestamp;
}

export interface PaymentsTables {
  payments: PaymentsTable;
  payment_notifications: PaymentNotificationsTable;
  refunds: RefundsTable;
  payment_anomalies: PaymentAnomaliesTable;
  sim_settings: SimSettingsTable;
  sim_trades: SimTradesTable;
  sim_refunds: SimRefundsTable;
  sim_notifications: SimNotificationsTable;
  sim_notification_attempts: SimNotificationAttemptsTable;
}

export type PaymentRow = Selectable<PaymentsTable>;
export type PaymentNotificationRow = Selectable<PaymentNotificationsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type PaymentAnomalyRow = Selectable<PaymentAnomaliesTable>;
export type SimTradeRow = Selectable<SimTradesTable>;
export type SimRefundRow = Selectable<SimRefundsTable>;
export type SimNotificationRow = Selectable<SimNotificationsTable>;
export type SimNotificationAttemptRow = Selectable<SimNotificationAttemptsTable>;
