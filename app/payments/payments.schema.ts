/**
 * The payments module's browser-safe types and schemas: what callers pass
 * (validated at the module's boundary) and the views pages get back.
 */
import { z } from "zod";

export type PaymentStatus = "pending" | "succeeded" | "closed";
export type RefundStatus = "pending" | "succeeded" | "failed";
export type RefundSource = "buyer_cancel" | "merchant" | "claim" | "late_payment";

const MAX_MINOR = 1_000_000_000;
const Minor = z.number().int().positive().max(MAX_MINOR);
const Id = z.string().min(1).max(64);

/** A path on this site (no scheme, no host, no `//`): where the cashier sends the buyer back. */
export const ReturnPath = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[^\s]*$/, "must be a path on this site");

export const CreatePaymentInput = z.object({
  shopId: Id,
  orderId: Id,
  amount: Minor,
  currency: z.string().regex(/^[A-Z]{3}$/),
  description: z.string().trim().min(1).max(127),
  /** default `/orders/<orderId>` */
  returnUrl: ReturnPath.optional(),
});
export type CreatePaymentInput = z.input<typeof CreatePaymentInput>;

export const RefundLineInput = z.object({
  lineId: Id,
  quantity: z.number().int().positive().max(100_000),
  amount: z.number().int().nonnegative().max(MAX_MINOR),
});

export const RefundRequestInput = z.object({
  shopId: Id,
  orderId: Id,
  amount: Minor,
  lines: z.array(RefundLineInput).max(200).optional(),
  reason: z.string().trim().min(1).max(500),
  source: z.enum(["buyer_cancel", "merchant", "claim", "late_payment"]),
  /** the claim or payment it comes from; a late-payment refund names its payment */
  sourceId: Id.optional(),
  restock: z.boolean(),
  idempotencyKey: z.string().min(1).max(200),
  actor: z.object({
    type: z.enum(["user", "system", "extension", "api", "reviewer"]),
    id: z.string().max(100).nullish(),
  }),
});
export type RefundRequestInput = z.input<typeof RefundRequestInput>;

export type PaymentView = {
  id: string;
  shopId: string;
  orderId: string;
  provider: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** succeeded after the order could take it; refunded automatically */
  late: boolean;
  transactionId: string | null;
  paidAt: string | null;
  closedAt: string | null;
  createdAt: string;
  cashierUrl: string;
};

export type RefundView = {
  id: string;
  shopId: string;
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  lines: { lineId: string; quantity: number; amount: number }[] | null;
  reason: string;
  source: RefundSource;
  sourceId: string | null;
  restock: boolean;
  idempotencyKey: string;
  status: RefundStatus;
  providerRefundId: string | null;
  failureReason: string | null;
  createdAt: string;
  submittedAt: string | null;
  completedAt: string | null;
};

export type PaymentAnomalyView = {
  id: string;
  provider: string;
  notificationId: string;
  kind: string;
  shopId: string | null;
  paymentId: string | null;
  orderId: string | null;
  refundId: string | null;
  details: Record<string, unknown>;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
};

/** The simulator page's settings form. */
export const SimSettingsForm = z.object({
  timeScale: z.coerce.number().positive("must be above 0").max(1, "at most 1"),
  refundOutcome: z.enum(["SUCCESS", "ABNORMAL"]),
  notifyBaseUrl: z
    .string()
    .trim()
    .max(300)
    .transform((v) => (v === "" ? null : v))
    .refine((v) => v === null || /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v), "must be an http(s) URL or empty"),
});

/** A reviewer resolving a payment anomaly. */
export const ResolveAnomalyForm = z.object({
  anomalyId: z.string().regex(/^payanom_[0-9a-z]{26}$/, "Not an anomaly id"),
  note: z.string().trim().min(1, "Say what was done").max(1000),
});
