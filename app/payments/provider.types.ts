/**
 * The payment provider port. The platform talks to a provider only through
 * this interface; the built-in provider is WeChat Pay API v3
 * (`wechatpay/provider.server.ts`), whose API calls go to a gateway — in
 * development and tests the in-process simulator.
 *
 * Two halves:
 * - **API calls** (`createPayment`, `closePayment`, `queryPayment`,
 *   `refund`): the platform asks; never call them inside a database
 *   transaction you cannot afford to hold while a network call runs.
 * - **Notifications** (`verifyAndParseNotification`,
 *   `verifyAndParseRefundNotification`): the provider tells; both verify the
 *   raw body before anything else and throw {@link NotificationRejected}.
 */
import type { HeaderSource } from "./wechatpay/protocol.server";

export { NotificationRejected, type HeaderSource, type RejectReason } from "./wechatpay/protocol.server";

/** A provider-side trade state (WeChat Pay's names; others map onto them). */
export type TradeState = "NOTPAY" | "SUCCESS" | "CLOSED" | "REFUND" | "USERPAYING" | "PAYERROR" | "REVOKED";

export type ProviderPaymentInput = {
  /** our payment id */
  outTradeNo: string;
  /** minor units */
  amount: number;
  currency: string;
  description: string;
  /** where the provider sends notifications: absolute, or a path on this site */
  notifyUrl: string;
};

/** What a provider reports about a trade (a query answer, or a notification's resource). */
export type ProviderTrade = {
  outTradeNo: string;
  tradeState: TradeState | (string & {});
  transactionId: string | null;
  /** minor units, as the provider charged */
  amount: number;
  payerTotal: number | null;
  currency: string;
  successTime: Date | null;
  /** the provider's record as received */
  raw: Record<string, unknown>;
};

export type ProviderRefundInput = {
  /** our refund id */
  outRefundNo: string;
  outTradeNo: string;
  amount: number;
  /** the payment's total */
  total: number;
  currency: string;
  reason: string;
  notifyUrl: string;
};

export type ProviderRefundResult =
  | { accepted: true; providerRefundId: string; status: "PROCESSING" | "SUCCESS" | "ABNORMAL" }
  /** refused for good (no such trade, over-refund): the refund fails */
  | { accepted: false; reason: string };

/** A verified, decrypted payment notification. */
export type PaymentNotification = {
  provider: string;
  notificationId: string;
  eventType: string;
  trade: ProviderTrade & { transactionId: string };
  /** the merchant the provider says it paid */
  mchid: string | null;
};

/** A verified, decrypted refund notification. */
export type RefundNotification = {
  provider: string;
  notificationId: string;
  eventType: string;
  outRefundNo: string;
  providerRefundId: string;
  outTradeNo: string;
  transactionId: string;
  /** SUCCESS | ABNORMAL | CLOSED */
  refundStatus: string;
  /** minor units refunded */
  amount: number;
  /** the trade's total */
  total: number;
  successTime: Date | null;
  raw: Record<string, unknown>;
};

export interface PaymentProvider {
  readonly name: string;
  /** Opens a trade (WeChat's prepay). Idempotent per `outTradeNo`. */
  createPayment(input: ProviderPaymentInput): Promise<{ prepayId: string }>;
  /**
   * Closes an unpaid trade so it can no longer be paid. A trade already paid
   * is not closed: `{ closed: false, reason: "paid" }`. Closing a closed or
   * unknown trade is `{ closed: true }`.
   */
  closePayment(outTradeNo: string): Promise<{ closed: true } | { closed: false; reason: "paid" }>;
  /** The trade as the provider sees it, or null if it has none. */
  queryPayment(outTradeNo: string): Promise<ProviderTrade | null>;
  /** Asks for a refund. Idempotent per `outRefundNo`. The outcome arrives as a refund notification. */
  refund(input: ProviderRefundInput): Promise<ProviderRefundResult>;
  /** Verifies and decrypts a payment notification (the raw bytes as received). */
  verifyAndParseNotification(headers: HeaderSource, rawBody: Buffer | string): PaymentNotification;
  /** Verifies and decrypts a refund notification. */
  verifyAndParseRefundNotification(headers: HeaderSource, rawBody: Buffer | string): RefundNotification;
  /** Whether a raw body is a refund notification (routing only; unauthenticated). */
  isRefundNotification(rawBody: Buffer | string): boolean;
}
