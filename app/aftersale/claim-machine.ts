/**
 * The after-sale claim as an explicit state machine. Browser-safe and pure:
 * the service applies a transition as one conditional
 * `UPDATE claims … WHERE status = <from>` (0 rows → 409), the pages ask
 * {@link allowedActions} which buttons to show, and the table-driven test
 * walks every (status, action) pair of {@link TRANSITIONS}.
 *
 * A claim is opened in `awaiting_merchant` (opening is an insert, not a
 * transition). `refunded` and `closed` are final.
 */

export const CLAIM_STATUSES = [
  "awaiting_merchant",
  "awaiting_return_shipment",
  "awaiting_return_receipt",
  "refused",
  "escalated",
  "refund_pending",
  "refunded",
  "closed",
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** Statuses a claim can still move out of; at most one claim per order is in one of these. */
export const OPEN_STATUSES: readonly ClaimStatus[] = CLAIM_STATUSES.filter((s) => s !== "refunded" && s !== "closed");
export const FINAL_STATUSES: readonly ClaimStatus[] = ["refunded", "closed"];

export const CLAIM_KINDS = ["refund_only", "return_refund", "complaint"] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

/** Who may take an action: the claim's buyer, a member of its shop, a platform reviewer, or a timer / the payment system. */
export type ClaimParty = "buyer" | "merchant" | "reviewer" | "system";

/**
 * Every action on an opened claim. The merchant's "agree" button is one of
 * three actions, picked by the claim's kind (see {@link agreeActionFor}), so
 * each table row has exactly one next status.
 */
export const CLAIM_ACTIONS = [
  "agree_refund",
  "agree_return",
  "resolve_complaint",
  "refuse",
  "merchant_timeout",
  "ship_return",
  "return_shipment_timeout",
  "confirm_return",
  "return_receipt_timeout",
  "escalate",
  "escalation_window_timeout",
  "withdraw",
  "decide_refund",
  "decide_reject",
  "refund_succeeded",
  "refund_failed",
] as const;
export type ClaimAction = (typeof CLAIM_ACTIONS)[number];

/** The deadline a status runs against (none for the others). */
export const DEADLINE_KINDS = ["merchant_answer", "return_shipment", "return_receipt", "escalation_window"] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export type Transition = {
  from: ClaimStatus;
  action: ClaimAction;
  to: ClaimStatus;
  by: ClaimParty;
  /** only for claims of these kinds (all when absent) */
  kinds?: readonly ClaimKind[];
};

/** The transition table: status × action → next status. Anything not listed is refused with 409. */
export const TRANSITIONS: readonly Transition[] = [
  // The merchant answers within 48 hours, or the claim goes to a reviewer.
  { from: "awaiting_merchant", action: "agree_refund", to: "refund_pending", by: "merchant", kinds: ["refund_only"] },
  { from: "awaiting_merchant", action: "agree_return", to: "awaiting_return_shipment", by: "merchant", kinds: ["return_refund"] },
  { from: "awaiting_merchant", action: "resolve_complaint", to: "closed", by: "merchant", kinds: ["complaint"] },
  { from: "awaiting_merchant", action: "refuse", to: "refused", by: "merchant" },
  { from: "awaiting_merchant", action: "merchant_timeout", to: "escalated", by: "system" },
  { from: "awaiting_merchant", action: "withdraw", to: "closed", by: "buyer" },
  // Return: the buyer ships within 7 days (else it closes); the merchant confirms within 10 (else the refund goes out).
  { from: "awaiting_return_shipment", action: "ship_return", to: "awaiting_return_receipt", by: "buyer" },
  { from: "awaiting_return_shipment", action: "return_shipment_timeout", to: "closed", by: "system" },
  { from: "awaiting_return_shipment", action: "withdraw", to: "closed", by: "buyer" },
  { from: "awaiting_return_receipt", action: "confirm_return", to: "refund_pending", by: "merchant" },
  { from: "awaiting_return_receipt", action: "return_receipt_timeout", to: "refund_pending", by: "system" },
  // The automatic refund could not be requested (say the shop refunded the order by hand meanwhile): a reviewer decides.
  { from: "awaiting_return_receipt", action: "refund_failed", to: "escalated", by: "system" },
  // Refused: the buyer may escalate within 7 days; after that the refusal stands.
  { from: "refused", action: "escalate", to: "escalated", by: "buyer" },
  { from: "refused", action: "escalation_window_timeout", to: "closed", by: "system" },
  { from: "refused", action: "withdraw", to: "closed", by: "buyer" },
  // A reviewer decides, final.
  { from: "escalated", action: "decide_refund", to: "refund_pending", by: "reviewer" },
  { from: "escalated", action: "decide_reject", to: "closed", by: "reviewer" },
  { from: "escalated", action: "withdraw", to: "closed", by: "buyer" },
  // The provider confirmed the refund (order.refunded).
  { from: "refund_pending", action: "refund_succeeded", to: "refunded", by: "system" },
];

/** The transition for `action` from `status` (for a claim of `kind`), or null when the table has none. */
export function findTransition(status: ClaimStatus, action: ClaimAction, kind?: ClaimKind): Transition | null {
  const t = TRANSITIONS.find((t) => t.from === status && t.action === action);
  if (!t) return null;
  if (kind && t.kinds && !t.kinds.includes(kind)) return null;
  return t;
}

/** The actions `party` may take on a claim of `kind` in `status` (for the pages' buttons). */
export function allowedActions(status: ClaimStatus, kind: ClaimKind, party: ClaimParty): ClaimAction[] {
  return TRANSITIONS.filter((t) => t.from === status && t.by === party && (!t.kinds || t.kinds.includes(kind))).map((t) => t.action);
}

/** The merchant's "agree" for a claim of this kind. */
export function agreeActionFor(kind: ClaimKind): "agree_refund" | "agree_return" | "resolve_complaint" {
  return kind === "refund_only" ? "agree_refund" : kind === "return_refund" ? "agree_return" : "resolve_complaint";
}

/** The deadline a claim in `status` runs against, and the timer action that fires when it passes. */
export const DEADLINE_OF: Partial<Record<ClaimStatus, { kind: DeadlineKind; action: ClaimAction }>> = {
  awaiting_merchant: { kind: "merchant_answer", action: "merchant_timeout" },
  awaiting_return_shipment: { kind: "return_shipment", action: "return_shipment_timeout" },
  awaiting_return_receipt: { kind: "return_receipt", action: "return_receipt_timeout" },
  refused: { kind: "escalation_window", action: "escalation_window_timeout" },
};

/** Which status a deadline belongs to (the inverse of {@link DEADLINE_OF}). */
export function statusOfDeadline(kind: DeadlineKind): ClaimStatus {
  const entry = Object.entries(DEADLINE_OF).find(([, d]) => d?.kind === kind);
  if (!entry) throw new Error(`no status has the deadline ${kind}`);
  return entry[0] as ClaimStatus;
}

/**
 * Deadline lengths at time scale 1, in milliseconds. The claim window (15
 * days after the order completed) is not a timer but uses the same scale.
 */
export const BASE_DURATIONS_MS: Record<DeadlineKind | "claim_window", number> = {
  merchant_answer: 48 * 3600_000,
  return_shipment: 7 * 86400_000,
  return_receipt: 10 * 86400_000,
  escalation_window: 7 * 86400_000,
  claim_window: 15 * 86400_000,
};

/** The deterministic job id of a claim's n-th deadline: `claim-<id>-<deadlineKind>-<n>`. */
export function deadlineJobId(claimId: string, kind: DeadlineKind, n: number): string {
  return `claim-${claimId}-${kind}-${n}`;
}
