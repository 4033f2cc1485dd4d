/**
 * The after-sale module's browser-safe part: labels, the views pages
 * render, and the forms (one zod schema each, used by the action and the
 * page). The state machine itself is in ./claim-machine.ts.
 */
import { z } from "zod";
import {
  CLAIM_KINDS,
  CLAIM_STATUSES,
  type ClaimAction,
  type ClaimKind,
  type ClaimParty,
  type ClaimStatus,
  type DeadlineKind,
} from "./claim-machine";


/** At most this many photos on a claim. */
export const MAX_CLAIM_PHOTOS = 6;
export const CLAIM_PAGE_SIZE = 20;

export const KIND_LABELS: Record<ClaimKind, string> = {
  refund_only: "Refund only",
  return_refund: "Return and refund",
  complaint: "Complaint",
};

export const STATUS_LABELS: Record<ClaimStatus, string> = {
  awaiting_merchant: "Waiting for the shop",
  awaiting_return_shipment: "Waiting for the buyer to send it back",
  awaiting_return_receipt: "Waiting for the shop to receive the return",
  refused: "Refused by the shop",
  escalated: "With a platform reviewer",
  refund_pending: "Refund in progress",
  refunded: "Refunded",
  closed: "Closed",
};

/** What each timeline entry says. */
export const EVENT_LABELS: Record<"opened" | "refund_failed" | ClaimAction, string> = {
  opened: "Claim opened",
  agree_refund: "The shop agreed to refund",
  agree_return: "The shop agreed to a return",
  resolve_complaint: "The shop accepted the complaint",
  refuse: "The shop refused the claim",
  merchant_timeout: "The shop did not answer in time; sent to a platform reviewer",
  ship_return: "The buyer sent the item back",
  return_shipment_timeout: "The return was not sent in time; the claim closed",
  confirm_return: "The shop received the return",
  return_receipt_timeout: "The shop did not confirm the return in time; the refund went out automatically",
  escalate: "The buyer asked a platform reviewer to decide",
  escalation_window_timeout: "The refusal was not escalated in time; the claim closed",
  withdraw: "The buyer withdrew the claim",
  decide_refund: "A platform reviewer decided: refund",
  decide_reject: "A platform reviewer decided: no refund",
  refund_succeeded: "Refund completed",
  refund_failed: "The automatic refund could not be made; sent to a platform reviewer",
};

/** Who the timeline names for each actor type. */
export const ACTOR_LABELS: Record<ClaimParty, string> = {
  buyer: "Buyer",
  merchant: "Shop",
  reviewer: "Platform reviewer",
  system: "Bazaar",
};

export const DEADLINE_LABELS: Record<DeadlineKind, string> = {
  merchant_answer: "The shop must answer by",
  return_shipment: "The buyer must send the item back by",
  return_receipt: "The shop must confirm receipt by",
  escalation_window: "The buyer may ask a reviewer to decide until",
};

export const RESOLUTION_LABELS: Record<string, string> = {
  refunded: "Refunded",
  withdrawn: "Withdrawn by the buyer",
  return_not_shipped: "The return was not sent in time",
  refusal_stands: "The shop's refusal stands",
  rejected: "A reviewer decided against a refund",
  complaint_resolved: "The shop accepted the complaint",
};

/** Reasons a buyer can give. */
export const CLAIM_REASONS = {
  not_received: "I did not receive it",
  damaged: "It arrived damaged",
  not_as_described: "It is not as described",
  wrong_item: "Wrong item or wrong size/colour",
  missing_parts: "Parts are missing",
  quality: "Quality problem",
  changed_mind: "I changed my mind",
  service: "The shop's service",
  other: "Something else",
} as const;
export type ClaimReason = keyof typeof CLAIM_REASONS;
const REASON_KEYS = Object.keys(CLAIM_REASONS) as [ClaimReason, ...ClaimReason[]];

// ---- views --------------------------------------------------------------------------------

export type ClaimDeadlineView = { kind: DeadlineKind; at: string };

export type ClaimTimelineEntry = {
  action: string;
  fromStatus: ClaimStatus | null;
  toStatus: ClaimStatus;
  actor: ClaimParty;
  note: string | null;
  details: Record<string, unknown>;
  deadline: ClaimDeadlineView | null;
  createdAt: string;
};

export type ClaimLineView = {
  lineId: string;
  title: string;
  specLabel: string;
  imageId: string | null;
  quantity: number;
  amount: number;
};

/** A claim as both sides and the reviewer see it. */
export type ClaimView = {
  id: string;
  shopId: string;
  orderId: string;
  userId: string;
  kind: ClaimKind;
  status: ClaimStatus;
  reason: ClaimReason | string;
  description: string;
  currency: string;
  amount: number;
  refundAmount: number | null;
  restock: boolean | null;
  refundId: string | null;
  /** the refund as the payments module has it (pending until the provider confirms; failed with a reason) */
  refund: { status: "pending" | "succeeded" | "failed"; amount: number; failureReason: string | null } | null;
  returnCarrier: string | null;
  returnTracking: string | null;
  refusalReason: string | null;
  decisionReason: string | null;
  resolution: string | null;
  deadline: ClaimDeadlineView | null;
  escalatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  lines: ClaimLineView[];
  photoIds: string[];
  timeline: ClaimTimelineEntry[];
};

/** A row of the merchant's queue, the reviewers' queue, or the buyer's list. */
export type ClaimSummary = {
  id: string;
  shopId: string;
  orderId: string;
  kind: ClaimKind;
  status: ClaimStatus;
  reason: string;
  currency: string;
  amount: number;
  deadline: ClaimDeadlineView | null;
  escalatedAt: string | null;
  createdAt: string;
};

export type ClaimPage = { claims: ClaimSummary[]; next: string | null };

// ---- forms ------------------------------------------------------------------------------------

const OpaqueId = z.string().regex(/^[a-z]{2,8}_[0-9a-z]{26}$/, "Not a valid id");
export const ClaimId = z.string().regex(/^clm_[0-9a-z]{26}$/, "Not a valid claim id");
const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

/** One line of the open form: how many units of an order line the claim is about. */
const ClaimLineInput = z.object({ lineId: OpaqueId, quantity: z.coerce.number().int().min(0).max(999) });

/**
 * The buyer's claim form. `amount` is typed in the shop's currency and
 * parsed by the service (it knows the currency); with lines chosen it may be
 * left empty — it is then exactly what those units cost.
 */
export const OpenClaimForm = z.object({
  kind: z.enum(CLAIM_KINDS, { error: "Choose what you want" }),
  reason: z.enum(REASON_KEYS, { error: "Choose a reason" }),
  description: z.string({ error: "Describe the problem" }).trim().min(5, "Describe the problem in a few words").max(2000, "Use at most 2000 characters"),
  amount: z.preprocess(emptyToUndefined, z.string().trim().max(20).optional()),
  lines: z.array(ClaimLineInput).max(100).default([]),
});
export type OpenClaimInput = z.input<typeof OpenClaimForm>;

/** The shop's answer. `restock` matters for refunds (put the units back in stock). */
export const MerchantAnswerForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("agree"),
    restock: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
  }),
  z.object({
    intent: z.literal("refuse"),
    reason: z.string({ error: "Say why you refuse" }).trim().min(5, "Say why you refuse (at least 5 characters)").max(1000, "Use at most 1000 characters"),
  }),
  z.object({
    intent: z.literal("confirm_return"),
    restock: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
  }),
]);
export type MerchantAnswerInput = z.input<typeof MerchantAnswerForm>;

export const ReturnShipmentForm = z.object({
  carrier: z.string({ error: "Enter the carrier" }).trim().min(1, "Enter the carrier").max(60, "Use at most 60 characters"),
  trackingNumber: z
    .string({ error: "Enter the tracking number" })
    .trim()
    .min(1, "Enter the tracking number")
    .max(60, "Use at most 60 characters")
    .regex(/^[A-Za-z0-9-]+$/, "Letters, digits and - only"),
});

/** The buyer's other actions on a claim page. */
export const BuyerActionForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("ship_return"), carrier: z.string().optional(), trackingNumber: z.string().optional() }),
  z.object({ intent: z.literal("escalate"), note: z.string().trim().max(1000, "Use at most 1000 characters").default("") }),
  z.object({ intent: z.literal("withdraw") }),
]);

/** A reviewer's decision: a refund of an amount (typed in the shop's currency) or none, always with a written reason. */
export const ReviewerDecisionForm = z.object({
  decision: z.enum(["refund", "reject"], { error: "Choose refund or reject" }),
  amount: z.preprocess(emptyToUndefined, z.string().trim().max(20).optional()),
  restock: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
  reason: z.string({ error: "Write the reason for the decision" }).trim().min(10, "Write the reason for the decision (at least 10 characters)").max(2000, "Use at most 2000 characters"),
});
export type ReviewerDecisionInput = z.input<typeof ReviewerDecisionForm>;

/** The merchant's queue filter: open claims (default), all, or one status. */
export const ClaimQueueQuery = z.object({
  status: z.preprocess(emptyToUndefined, z.enum(["open", "all", ...CLAIM_STATUSES]).default("open")),
  after: z.preprocess(emptyToUndefined, z.string().max(120).optional()),
});
export type ClaimQueueQuery = z.infer<typeof ClaimQueueQuery>;

export const ReviewQueueQuery = z.object({
  after: z.preprocess(emptyToUndefined, z.string().max(120).optional()),
});

/** The time scale a test or demo may set (see docs/decisions). 1 = real time. */
export const TimeScale = z.number().positive().max(1);


/**
 * The open form's fields as {@link OpenClaimForm} reads them: `lines.<i>.lineId`
 * / `lines.<i>.quantity` pairs become `lines`, and the chosen photo files
 * (empty file inputs left out) come back separately.
 */
export function readOpenClaimFields(form: FormData): { fields: Record<string, unknown>; photos: File[] } {
  const lines: { lineId?: string; quantity?: string }[] = [];
  for (const [key, value] of form.entries()) {
    const m = /^lines\.(\d{1,3})\.(lineId|quantity)$/.exec(key);
    if (m && typeof value === "string") (lines[Number(m[1])] ??= {})[m[2] as "lineId" | "quantity"] = value;
  }
  const photos = form.getAll("photos").filter((f): f is File => typeof f !== "string" && f.size > 0);
  return {
    fields: {
      kind: form.get("kind") ?? undefined,
      reason: form.get("reason") ?? undefined,
      description: form.get("description") ?? undefined,
      amount: form.get("amount") ?? undefined,
      // A line left empty (or a disabled input, which the browser does not send) asks for none of it.
      lines: lines.filter(Boolean).map((l) => ({ lineId: l.lineId, quantity: l.quantity?.trim() ? l.quantity : "0" })),
    },
    photos,
  };
}
