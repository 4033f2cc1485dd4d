/**
 * After-sale claims: the rules (who may do what, when, for how much) around
 * the state machine in ./claim-machine.ts.
 *
 * Every step is one transaction holding: the conditional UPDATE of the
 * claim (`WHERE status = <from>`; 0 rows → 409), its timeline row
 * (`claim_events`), its domain event (`aftersale.opened` /
 * `aftersale.updated`, carrying the new deadline if there is one), its
 * audit row, the notifications to the other side and — for a step that
 * grants money — the refund request (the payments module only writes a
 * pending refund in our transaction; the provider is called after commit).
 *
 * Deadlines are never enqueued here (never enqueue inside a transaction):
 * the `aftersale.deadlines` outbox consumer turns each event's deadline into
 * a delayed job with the deterministic id `claim-<id>-<kind>-<n>`, and the
 * job ({@link fireDeadline}) acts only if the claim still has that status
 * AND that deadline id — a timer that fires after a manual step does nothing.
 */
import type { Kysely, Updateable } from "kysely";
import type { Database } from "../../db/database";
import type { ClaimRow, ClaimsTable } from "../../db/tables/aftersale";
import { listShopTeam } from "../accounts/index.server";
import { record } from "../audit/index.server";
import { MoneyFormatError, parseMoney, storeImage } from "../catalog/index.server";
import { publish } from "../events/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { notify } from "../notifications/index.server";
import { getBuyerOrder, getOrder, lineRefundAmount, type OrderDetail } from "../orders/index.server";
import { requestRefund } from "../payments/index.server";
import type { Platform } from "../platform.server";
import {
  EVENT_LABELS,
  KIND_LABELS,
  MAX_CLAIM_PHOTOS,
  MerchantAnswerForm,
  OpenClaimForm,
  ReturnShipmentForm,
  ReviewerDecisionForm,
  STATUS_LABELS,
  TimeScale,
} from "./aftersale.schema";
import {
  agreeActionFor,
  BASE_DURATIONS_MS,
  DEADLINE_OF,
  deadlineJobId,
  FINAL_STATUSES,
  findTransition,
  statusOfDeadline,
  type ClaimAction,
  type ClaimKind,
  type DeadlineKind,
} from "./claim-machine";
import {
  insertClaim,
  insertClaimEvent,
  insertClaimLines,
  insertClaimPhotos,
  selectBuyerClaim,
  selectClaim,
  selectClaimByRefund,
  selectClaimForReview,
  selectClaimLines,
  selectOpenClaimOfOrder,
  selectTimeScale,
  transitionClaim,
  updateClaimRefundId,
  updateTimeScale,
} from "./claims.repository.server";

/** Who acts on a claim. Buyers and merchants are users; reviewers are users with the reviewer flag. */
export type ClaimActor = { type: "buyer"; id: string } | { type: "merchant"; id: string } | { type: "reviewer"; id: string } | { type: "system" };

/** Options every step takes: the clock (tests move it) and the site origin for e-mailed links. */
export type StepOptions = { now?: Date; publicUrl?: string };

type Db = Kysely<Database>;

function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function invalidForm(issues: { path: PropertyKey[]; message: string }[]): AppError {
  return new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(issues) });
}

function fieldError(field: string, message: string): AppError {
  return new AppError("bad_request", message, { fieldErrors: { [field]: [message] } });
}

function windowClosed(message: string): AppError {
  return new AppError("unprocessable", message, { code: "window_closed" });
}

function invalidTransition(claim: Pick<ClaimRow, "status">, what: string): AppError {
  return new AppError("conflict", `This claim is now “${STATUS_LABELS[claim.status].toLowerCase()}”; it can't be ${what}. Reload to see where it stands.`, {
    code: "invalid_transition",
  });
}

// ---- time -------------------------------------------------------------------------------------

/**
 * The time scale applied to every after-sale deadline and window (1 = real
 * time). Stored in the database so the web process and the workers agree.
 */
export async function getAftersaleTimeScale(db: Db): Promise<number> {
  return selectTimeScale(db);
}

/**
 * Shortens every after-sale deadline and window by `scale` (0 < scale ≤ 1),
 * for tests and demos: at 0.00001, 48 hours is 1.7 seconds. Refused when the
 * platform runs in production. Applies to deadlines set from now on.
 *
 * @example await setAftersaleTimeScale(platform, 1 / 86_400); // a day lasts a second
 */
export async function setAftersaleTimeScale(platform: Pick<Platform, "db" | "config">, scale: number): Promise<void> {
  if (platform.config.env === "production") throw new AppError("forbidden", "The after-sale time scale cannot be changed in production.");
  await updateTimeScale(platform.db, TimeScale.parse(scale));
}

function durationMs(kind: DeadlineKind | "claim_window", scale: number): number {
  return Math.max(1, Math.round(BASE_DURATIONS_MS[kind] * scale));
}

// ---- parties -----------------------------------------------------------------------------------

function auditActor(actor: ClaimActor): { type: "user" | "reviewer" | "system"; id: string | null } {
  if (actor.type === "system") return { type: "system", id: null };
  return { type: actor.type === "reviewer" ? "reviewer" : "user", id: actor.id };
}

const buyerLink = (claimId: string) => `/claims/${claimId}`;
const merchantLink = (shopId: string, claimId: string) => `/admin/shops/${shopId}/claims/${claimId}`;

/** Tells the other side (and, for automatic and reviewer steps, both sides) what happened. */
async function notifyParties(trx: Db, claim: ClaimRow, action: ClaimAction | "opened", actor: ClaimActor, opts: StepOptions): Promise<void> {
  const title = `${KIND_LABELS[claim.kind]} claim: ${EVENT_LABELS[action].replace(/;.*$/, "")}`;
  const body = `${EVENT_LABELS[action]}. The claim is now: ${STATUS_LABELS[claim.status]}.`;
  const toBuyer = actor.type !== "buyer";
  const toShop = actor.type !== "merchant";
  const common = { kind: `aftersale.${action}`, title, body, email: true, publicUrl: opts.publicUrl, data: { claimId: claim.id, orderId: claim.order_id } };
  if (toBuyer) await notify(trx, { ...common, userId: claim.user_id, link: buyerLink(claim.id) });
  if (toShop) {
    const { members } = await listShopTeam(trx, claim.shop_id);
    for (const m of members) await notify(trx, { ...common, userId: m.userId, link: merchantLink(claim.shop_id, claim.id) });
  }
}

// ---- opening --------------------------------------------------------------------------------------

export type OpenClaimRequest = {
  userId: string;
  orderId: string;
  /** the form's fields: kind, reason, description, amount, lines[i].lineId / quantity */
  form: unknown;
  /** photo bytes as uploaded; checked to be JPEG, PNG or WebP by content */
  photos?: Uint8Array[];
};

/** The kinds the order's state allows, and until when (null = no end while the order is in that state). */
export function claimableKinds(order: Pick<OrderDetail, "status" | "completedAt">, scale: number, now: Date): { kinds: ClaimKind[]; until: Date | null } {
  if (order.status === "paid") return { kinds: ["refund_only", "complaint"], until: null };
  if (order.status === "shipped") return { kinds: ["refund_only", "return_refund", "complaint"], until: null };
  if (order.status === "completed" && order.completedAt) {
    const until = new Date(new Date(order.completedAt).getTime() + durationMs("claim_window", scale));
    return { kinds: now <= until ? ["refund_only", "return_refund", "complaint"] : [], until };
  }
  return { kinds: [], until: null };
}

export type ClaimFormData = {
  order: OrderDetail;
  /** what the buyer may ask for now (empty: no claim can be opened) */
  kinds: ClaimKind[];
  /** the end of the window (completed orders), ISO */
  until: string | null;
  /** the claim already open on this order, if any */
  openClaimId: string | null;
  /** what is left to refund on the order */
  refundable: number;
};

/** What the open-a-claim page needs: the buyer's order (else null → 404), the kinds allowed now, and any open claim. */
export async function prepareClaimForm(db: Db, userId: string, orderId: string, opts: { now?: Date } = {}): Promise<ClaimFormData | null> {
  const order = await getBuyerOrder(db, userId, orderId);
  if (!order) return null;
  const [scale, open] = await Promise.all([selectTimeScale(db), selectOpenClaimOfOrder(db, order.shopId, order.id)]);
  const { kinds, until } = claimableKinds(order, scale, opts.now ?? new Date());
  return { order, kinds, until: until?.toISOString() ?? null, openClaimId: open?.id ?? null, refundable: order.total - order.refundedTotal };
}

/**
 * A buyer opens a claim on their own order (another buyer's order is 404).
 *
 * - Refund only: while paid, shipped, or within 15 days of completion.
 *   Return and refund: once shipped (delivered), and within 15 days of
 *   completion. Complaint: as refund only; it asks for no money.
 * - The amount is at most what is left to refund on the order; with lines
 *   chosen it defaults to what those units cost and may not exceed it.
 * - One open claim per order (409 otherwise); up to 6 photos.
 *
 * Resolves to the claim id. The shop must answer within 48 hours.
 *
 * @example
 * const claimId = await openClaim(context.platform, { userId: user.id, orderId, form: Object.fromEntries(form), photos });
 */
export async function openClaim(platform: Pick<Platform, "db" | "config">, req: OpenClaimRequest, opts: StepOptions = {}): Promise<string> {
  const db = platform.db;
  const now = opts.now ?? new Date();
  const parsed = OpenClaimForm.safeParse(req.form);
  if (!parsed.success) throw invalidForm(parsed.error.issues);
  const input = parsed.data;
  const order = await getBuyerOrder(db, req.userId, req.orderId);
  if (!order) throw notFound("Order not found");

  const scale = await selectTimeScale(db);
  const allowed = claimableKinds(order, scale, now);
  if (order.status === "completed" && allowed.kinds.length === 0) {
    throw windowClosed("Claims can be opened up to 15 days after an order is completed; this order's window has passed.");
  }
  if (allowed.kinds.length === 0) throw new AppError("unprocessable", "A claim can only be opened on an order that was paid.", { code: "order_not_claimable" });
  if (!allowed.kinds.includes(input.kind)) {
    throw fieldError("kind", "A return can only be asked for once the order has shipped.");
  }
  if (await selectOpenClaimOfOrder(db, order.shopId, order.id)) {
    throw new AppError("conflict", "This order already has an open claim; follow that one.", { code: "claim_open" });
  }

  // Lines: quantities of the order's lines, priced exactly as a merchant's per-line refund would be.
  const byId = new Map(order.lines.map((l) => [l.id, l]));
  const lines: { lineId: string; quantity: number; amount: number }[] = [];
  for (const [i, l] of input.lines.entries()) {
    if (l.quantity === 0) continue;
    const line = byId.get(l.lineId);
    if (!line) throw fieldError(`lines.${i}.quantity`, "Not an item of this order");
    const room = line.quantity - line.refundedQuantity;
    if (l.quantity > room) throw fieldError(`lines.${i}.quantity`, room === 0 ? "This item was already refunded" : `At most ${room}`);
    if (lines.some((x) => x.lineId === line.id)) throw fieldError(`lines.${i}.quantity`, "This item is listed twice");
    lines.push({ lineId: line.id, quantity: l.quantity, amount: lineRefundAmount(line, l.quantity) });
  }
  if (input.kind === "return_refund" && lines.length === 0) throw fieldError("lines", "Choose the items you are sending back");

  const left = order.total - order.refundedTotal;
  const linesTotal = lines.reduce((a, l) => a + l.amount, 0);
  let amount = 0;
  if (input.kind !== "complaint") {
    if (input.amount === undefined) {
      if (lines.length === 0) throw fieldError("amount", "Enter the amount you ask for, or choose the items");
      amount = linesTotal;
    } else {
      try {
        amount = parseMoney(input.amount, order.currency);
      } catch (e) {
        if (e instanceof MoneyFormatError) throw fieldError("amount", e.message);
        throw e;
      }
    }
    if (amount <= 0) throw fieldError("amount", "Ask for more than nothing");
    if (lines.length && amount > linesTotal) throw fieldError("amount", "That is more than the chosen items cost");
    if (amount > left) throw fieldError("amount", left === 0 ? "Nothing is left to refund on this order" : "That is more than is left to refund on this order");
    // A partial amount on chosen lines: the refund is then order-level (no per-line split to guess).
  } else if (input.amount !== undefined) {
    throw fieldError("amount", "A complaint asks for no money; choose refund only if you want one");
  }

  const photos = req.photos ?? [];
  if (photos.length > MAX_CLAIM_PHOTOS) throw fieldError("photos", `Add at most ${MAX_CLAIM_PHOTOS} photos`);
  const imageIds: string[] = [];
  for (const [i, bytes] of photos.entries()) {
    try {
      imageIds.push(await storeImage(platform, order.shopId, bytes));
    } catch (e) {
      if (e instanceof AppError && e.kind === "bad_request") throw fieldError("photos", `Photo ${i + 1}: ${e.message}`);
      throw e;
    }
  }

  const claimId = newId("clm");
  const deadlineAt = new Date(now.getTime() + durationMs("merchant_answer", scale));
  const deadlineId = deadlineJobId(claimId, "merchant_answer", 1);
  try {
    await inTransaction(db, async (trx) => {
      await insertClaim(trx, {
        id: claimId,
        shop_id: order.shopId,
        order_id: order.id,
        user_id: req.userId,
        kind: input.kind,
        status: "awaiting_merchant",
        reason: input.reason,
        description: input.description,
        currency: order.currency,
        amount,
        deadline_kind: "merchant_answer",
        deadline_at: deadlineAt,
        deadline_id: deadlineId,
        deadline_seq: 1,
        created_at: now,
        updated_at: now,
      });
      // Per-line rows only when they add up to the amount; they become the refund's lines (and what is restocked).
      if (lines.length && amount === linesTotal) {
        await insertClaimLines(trx, lines.map((l) => ({ claim_id: claimId, shop_id: order.shopId, line_id: l.lineId, quantity: l.quantity, amount: l.amount })));
      }
      await insertClaimPhotos(trx, [...new Set(imageIds)].map((image_id, position) => ({ claim_id: claimId, shop_id: order.shopId, image_id, position })));
      const claim = (await selectClaim(trx, order.shopId, claimId))!;
      const actor: ClaimActor = { type: "buyer", id: req.userId };
      await insertClaimEvent(trx, {
        claim_id: claimId,
        shop_id: order.shopId,
        action: "opened",
        from_status: null,
        to_status: "awaiting_merchant",
        actor_type: "buyer",
        actor_id: req.userId,
        // The description is on the claim itself; the timeline row need not repeat it.
        note: null,
        details: JSON.stringify({ kind: input.kind, reason: input.reason, amount, lines: lines.length && amount === linesTotal ? lines : null, photos: imageIds.length }),
        deadline_kind: "merchant_answer",
        deadline_at: deadlineAt,
        created_at: now,
      });
      await publish(trx, {
        name: "aftersale.opened",
        shopId: order.shopId,
        subjectId: claimId,
        payload: eventPayload(claim, "opened", null),
      });
      await record(trx, auditActor(actor), "claim.opened", { shopId: order.shopId, type: "claim", id: claimId }, { orderId: order.id, kind: input.kind, amount });
      await notifyParties(trx, claim, "opened", actor, opts);
    });
  } catch (e) {
    // Two tabs opening a claim at once: the partial unique index lets one through.
    if ((e as { code?: string })?.code === "23505") throw new AppError("conflict", "This order already has an open claim; follow that one.", { code: "claim_open" });
    throw e;
  }
  return claimId;
}

/** What `aftersale.opened` / `aftersale.updated` carry: ids and the facts a consumer needs, including the deadline to schedule. */
function eventPayload(claim: ClaimRow, action: string, previousStatus: string | null): Record<string, unknown> {
  return {
    claimId: claim.id,
    orderId: claim.order_id,
    userId: claim.user_id,
    kind: claim.kind,
    action,
    status: claim.status,
    previousStatus,
    currency: claim.currency,
    amount: claim.amount,
    refundAmount: claim.refund_amount,
    refundId: claim.refund_id,
    deadline: claim.deadline_id ? { id: claim.deadline_id, kind: claim.deadline_kind, at: new Date(claim.deadline_at!).toISOString() } : null,
  };
}

// ---- transitions ------------------------------------------------------------------------------------

type StepInput = {
  action: ClaimAction;
  actor: ClaimActor;
  /** extra columns to set with the status */
  patch?: Updateable<ClaimsTable>;
  note?: string | null;
  details?: Record<string, unknown>;
  /** a timer: act only while the claim still has this deadline */
  deadlineId?: string;
  /** a refund to request in the same transaction */
  refund?: { amount: number; restock: boolean; lines: { lineId: string; quantity: number; amount: number }[] | null; reason: string };
};

/**
 * Applies one transition of the table to `claim` (as read by the caller):
 * the conditional UPDATE, the next deadline, the timeline row, the event,
 * the audit row, the refund request and the notifications. Resolves to the
 * updated claim, or null when the claim had already moved on (the UPDATE
 * matched nothing); a move the table does not allow throws 409.
 */
async function step(trx: Db, claim: ClaimRow, s: StepInput, opts: StepOptions): Promise<ClaimRow | null> {
  const t = findTransition(claim.status, s.action, claim.kind);
  if (!t || t.by !== s.actor.type) throw invalidTransition(claim, describe(s.action));
  const now = opts.now ?? new Date();
  const scale = await selectTimeScale(trx);
  const next = DEADLINE_OF[t.to];
  const seq = next ? claim.deadline_seq + 1 : claim.deadline_seq;
  const deadline = next ? { kind: next.kind, at: new Date(now.getTime() + durationMs(next.kind, scale)), id: deadlineJobId(claim.id, next.kind, seq) } : null;
  const final = FINAL_STATUSES.includes(t.to);
  const row = await transitionClaim(
    trx,
    claim.shop_id,
    claim.id,
    t.from,
    {
      ...s.patch,
      status: t.to,
      deadline_kind: deadline?.kind ?? null,
      deadline_at: deadline?.at ?? null,
      deadline_id: deadline?.id ?? null,
      deadline_seq: seq,
      updated_at: now,
      ...(final ? { closed_at: now } : {}),
      ...(t.to === "escalated" ? { escalated_at: now } : {}),
    },
    s.deadlineId !== undefined ? { deadlineId: s.deadlineId } : {},
  );
  if (!row) return null;

  let refundId: string | null = null;
  if (s.refund) {
    const refund = await requestRefund(trx, {
      shopId: claim.shop_id,
      orderId: claim.order_id,
      amount: s.refund.amount,
      lines: s.refund.lines ?? undefined,
      reason: s.refund.reason,
      source: "claim",
      sourceId: claim.id,
      restock: s.refund.restock,
      // One refund per entry into refund_pending: the deadline sequence only grows, and this step's id is unique.
      idempotencyKey: `claim-${claim.id}-${s.action}-${seq}`,
      actor: auditActor(s.actor),
    });
    refundId = refund.id;
    await updateClaimRefundId(trx, claim.shop_id, claim.id, refundId);
    row.refund_id = refundId;
  }

  await insertClaimEvent(trx, {
    claim_id: claim.id,
    shop_id: claim.shop_id,
    action: s.action,
    from_status: t.from,
    to_status: t.to,
    actor_type: s.actor.type,
    actor_id: s.actor.type === "system" ? null : s.actor.id,
    note: s.note ?? null,
    details: JSON.stringify({ ...s.details, ...(s.refund ? { refundId, refundAmount: s.refund.amount, restock: s.refund.restock } : {}) }),
    deadline_kind: deadline?.kind ?? null,
    deadline_at: deadline?.at ?? null,
    created_at: now,
  });
  await publish(trx, { name: "aftersale.updated", shopId: claim.shop_id, subjectId: claim.id, payload: eventPayload(row, s.action, t.from) });
  await record(trx, auditActor(s.actor), `claim.${s.action}`, { shopId: claim.shop_id, type: "claim", id: claim.id }, {
    from: t.from,
    to: t.to,
    ...(s.note ? { note: s.note } : {}),
    ...(s.refund ? { refundId, amount: s.refund.amount, restock: s.refund.restock } : {}),
  });
  await notifyParties(trx, row, s.action, s.actor, opts);
  return row;
}

function describe(action: ClaimAction): string {
  const words: Partial<Record<ClaimAction, string>> = {
    agree_refund: "agreed to",
    agree_return: "agreed to",
    resolve_complaint: "accepted",
    refuse: "refused",
    ship_return: "marked as sent back",
    confirm_return: "confirmed as received",
    escalate: "escalated",
    withdraw: "withdrawn",
    decide_refund: "decided",
    decide_reject: "decided",
  };
  return words[action] ?? "changed that way";
}

/** Runs a manual step: 409 when the claim moved on between the read and the UPDATE. */
async function manualStep(db: Db, load: (trx: Db) => Promise<ClaimRow | undefined>, build: (claim: ClaimRow) => StepInput, opts: StepOptions): Promise<ClaimRow> {
  return inTransaction(db, async (trx) => {
    const claim = await load(trx);
    if (!claim) throw notFound("Claim not found");
    const input = build(claim);
    const row = await step(trx, claim, input, opts);
    if (!row) {
      const now = (await load(trx)) ?? claim;
      throw invalidTransition(now, describe(input.action));
    }
    return row;
  });
}

type RefundLine = { lineId: string; quantity: number; amount: number };

/** The claim's lines as refund lines, or null for an order-level claim. */
async function claimLines(trx: Db, claim: ClaimRow): Promise<RefundLine[] | null> {
  const rows = await selectClaimLines(trx, claim.shop_id, claim.id);
  return rows.length ? rows.map((l) => ({ lineId: l.line_id, quantity: l.quantity, amount: l.amount })) : null;
}

/**
 * The claim's lines if the order still has that much left on each of them
 * (the shop may have refunded some units by hand since the claim was
 * opened); else null, and the refund is order-level.
 */
async function refundLines(trx: Db, claim: ClaimRow): Promise<RefundLine[] | null> {
  const lines = await claimLines(trx, claim);
  if (!lines) return null;
  const order = await getOrder(trx, claim.shop_id, claim.order_id);
  if (!order) return null;
  const byId = new Map(order.lines.map((l) => [l.id, l]));
  const fit = lines.every((l) => {
    const line = byId.get(l.lineId);
    return !!line && l.quantity <= line.quantity - line.refundedQuantity && l.amount <= line.total - line.refundedAmount;
  });
  return fit ? lines : null;
}

// ---- the merchant ---------------------------------------------------------------------------------

/**
 * The shop answers a claim waiting for it (a member of the claim's shop;
 * anyone else's shop id finds nothing → 404):
 * - `agree`: refund only → the refund is requested now (restock as chosen);
 *   return and refund → the buyer has 7 days to send it back (the restock
 *   choice is kept for the refund); complaint → closed as resolved.
 * - `refuse` with a reason: the buyer may escalate within 7 days.
 * - `confirm_return`: the return arrived → the refund is requested now.
 *
 * @example await answerClaim(db, { shopId, claimId, actor: { type: "merchant", id: user.id }, form: Object.fromEntries(form) });
 */
export async function answerClaim(
  db: Db,
  p: { shopId: string; claimId: string; actor: { type: "merchant"; id: string }; form: unknown },
  opts: StepOptions = {},
): Promise<ClaimRow> {
  const parsed = MerchantAnswerForm.safeParse(p.form);
  if (!parsed.success) throw invalidForm(parsed.error.issues);
  const answer = parsed.data;
  return inTransaction(db, async (trx) => {
    const load = (t: Db) => selectClaim(t, p.shopId, p.claimId);
    const claim = await load(trx);
    if (!claim) throw notFound("Claim not found");
    if (answer.intent === "refuse") {
      return manualStep(trx, load, () => ({ action: "refuse", actor: p.actor, note: answer.reason, patch: { refusal_reason: answer.reason } }), opts);
    }
    if (answer.intent === "confirm_return") {
      const lines = await refundLines(trx, claim);
      return manualStep(
        trx,
        load,
        (c) => ({
          action: "confirm_return",
          actor: p.actor,
          patch: { restock: answer.restock, refund_amount: c.amount },
          details: { restock: answer.restock },
          refund: { amount: c.amount, restock: answer.restock, lines, reason: `After-sale claim ${c.id}: return received` },
        }),
        opts,
      );
    }
    const action = agreeActionFor(claim.kind);
    if (action === "agree_refund") {
      const lines = await refundLines(trx, claim);
      return manualStep(
        trx,
        load,
        (c) => ({
          action,
          actor: p.actor,
          patch: { restock: answer.restock, refund_amount: c.amount },
          details: { restock: answer.restock },
          refund: { amount: c.amount, restock: answer.restock, lines, reason: `After-sale claim ${c.id}: refund agreed by the shop` },
        }),
        opts,
      );
    }
    if (action === "agree_return") {
      return manualStep(trx, load, () => ({ action, actor: p.actor, patch: { restock: answer.restock }, details: { restock: answer.restock } }), opts);
    }
    return manualStep(trx, load, () => ({ action, actor: p.actor, patch: { resolution: "complaint_resolved" } }), opts);
  });
}

// ---- the buyer -----------------------------------------------------------------------------------------

/** The buyer enters the return's carrier and tracking number (within 7 days of the shop agreeing). */
export async function shipReturn(db: Db, p: { claimId: string; userId: string; form: unknown }, opts: StepOptions = {}): Promise<ClaimRow> {
  const parsed = ReturnShipmentForm.safeParse(p.form);
  if (!parsed.success) throw invalidForm(parsed.error.issues);
  const { carrier, trackingNumber } = parsed.data;
  const now = opts.now ?? new Date();
  return manualStep(
    db,
    (t) => selectBuyerClaim(t, p.userId, p.claimId),
    (claim) => {
      if (claim.status === "awaiting_return_shipment" && claim.deadline_at && now > new Date(claim.deadline_at)) {
        throw windowClosed("The 7 days to send the item back have passed.");
      }
      return {
        action: "ship_return",
        actor: { type: "buyer", id: p.userId },
        patch: { return_carrier: carrier, return_tracking: trackingNumber },
        note: `${carrier} ${trackingNumber}`,
        details: { carrier, trackingNumber },
      };
    },
    opts,
  );
}

/** The buyer asks a reviewer to decide a refused claim — within 7 days of the refusal (422 after). */
export async function escalateClaim(db: Db, p: { claimId: string; userId: string; note?: string }, opts: StepOptions = {}): Promise<ClaimRow> {
  const now = opts.now ?? new Date();
  const note = (p.note ?? "").trim().slice(0, 1000) || null;
  return manualStep(
    db,
    (t) => selectBuyerClaim(t, p.userId, p.claimId),
    (claim) => {
      if (claim.status === "refused" && claim.deadline_at && now > new Date(claim.deadline_at)) {
        throw windowClosed("A refusal can be taken to a reviewer within 7 days; that time has passed.");
      }
      return { action: "escalate", actor: { type: "buyer", id: p.userId }, note };
    },
    opts,
  );
}

/** The buyer withdraws their claim (before the return is on its way or a refund is under way). */
export async function withdrawClaim(db: Db, p: { claimId: string; userId: string }, opts: StepOptions = {}): Promise<ClaimRow> {
  return manualStep(
    db,
    (t) => selectBuyerClaim(t, p.userId, p.claimId),
    () => ({ action: "withdraw", actor: { type: "buyer", id: p.userId }, patch: { resolution: "withdrawn" } }),
    opts,
  );
}

// ---- the reviewer --------------------------------------------------------------------------------------------

/**
 * A platform reviewer decides an escalated claim, with a written reason —
 * final. `refund`: an amount up to what is left to refund on the order
 * (the claimed items' lines go with it when the amount is exactly what was
 * claimed, so a restock puts them back); `reject`: the claim closes.
 */
export async function decideClaim(
  db: Db,
  p: { claimId: string; actor: { type: "reviewer"; id: string }; form: unknown },
  opts: StepOptions = {},
): Promise<ClaimRow> {
  const parsed = ReviewerDecisionForm.safeParse(p.form);
  if (!parsed.success) throw invalidForm(parsed.error.issues);
  const d = parsed.data;
  return inTransaction(db, async (trx) => {
    const claim = await selectClaimForReview(trx, p.claimId);
    if (!claim) throw notFound("Claim not found");
    const load = (t: Db) => selectClaim(t, claim.shop_id, claim.id);
    if (d.decision === "reject") {
      return manualStep(trx, load, () => ({ action: "decide_reject", actor: p.actor, note: d.reason, patch: { decision_reason: d.reason, resolution: "rejected" } }), opts);
    }
    // The claim's state first: deciding a claim that is no longer escalated is a 409 whatever the amount says.
    if (!findTransition(claim.status, "decide_refund", claim.kind)) throw invalidTransition(claim, "decided");
    if (d.amount === undefined) throw fieldError("amount", "Enter the amount to refund");
    let amount: number;
    try {
      amount = parseMoney(d.amount, claim.currency);
    } catch (e) {
      if (e instanceof MoneyFormatError) throw fieldError("amount", e.message);
      throw e;
    }
    if (amount <= 0) throw fieldError("amount", "Refund more than nothing, or reject");
    const order = await getOrder(trx, claim.shop_id, claim.order_id);
    if (!order) throw notFound("Order not found");
    const left = order.total - order.refundedTotal;
    if (amount > left) throw fieldError("amount", `At most what is left to refund on the order`);
    const lines = await refundLines(trx, claim);
    return manualStep(
      trx,
      load,
      (c) => ({
        action: "decide_refund",
        actor: p.actor,
        note: d.reason,
        patch: { decision_reason: d.reason, refund_amount: amount, restock: d.restock },
        details: { amount, restock: d.restock },
        refund: { amount, restock: d.restock, lines: lines && amount === c.amount ? lines : null, reason: `After-sale claim ${c.id}: decided by a platform reviewer` },
      }),
      opts,
    );
  });
}

// ---- timers and the payment system ------------------------------------------------------------------------

export type DeadlineJobData = { claimId: string; shopId: string; deadlineId: string; kind: DeadlineKind };
export type DeadlineOutcome = "applied" | "moved_on" | "refund_failed";

/**
 * A deadline passed (the job `claim-<id>-<kind>-<n>` fired). Acts only if
 * the claim is still in the deadline's status with that very deadline id —
 * in the same conditional UPDATE — so a timer arriving after a manual step,
 * or a duplicate, does nothing:
 * - merchant_answer → escalated to a reviewer;
 * - return_shipment → closed;
 * - return_receipt → the refund is requested (escalated if it can't be);
 * - escalation_window → closed, the refusal stands.
 */
export async function fireDeadline(db: Db, data: DeadlineJobData, opts: StepOptions = {}): Promise<DeadlineOutcome> {
  const status = statusOfDeadline(data.kind);
  const action = DEADLINE_OF[status]!.action;
  const system: ClaimActor = { type: "system" };
  const run = (build: (claim: ClaimRow, lines: RefundLine[] | null) => StepInput) =>
    inTransaction(db, async (trx) => {
      const claim = await selectClaim(trx, data.shopId, data.claimId);
      if (!claim || claim.status !== status || claim.deadline_id !== data.deadlineId) return null;
      const lines = await refundLines(trx, claim);
      return step(trx, claim, { ...build(claim, lines), deadlineId: data.deadlineId }, opts);
    });

  if (action === "return_receipt_timeout") {
    try {
      const row = await run((claim, lines) => ({
        action,
        actor: system,
        patch: { refund_amount: claim.amount },
        refund: {
          amount: claim.amount,
          restock: claim.restock ?? false,
          lines,
          reason: `After-sale claim ${claim.id}: the shop did not confirm the return in time`,
        },
      }));
      return row ? "applied" : "moved_on";
    } catch (e) {
      // The refund was refused (the order was refunded by hand meanwhile …): a reviewer takes over.
      if (!(e instanceof AppError)) throw e;
      const row = await run(() => ({ action: "refund_failed", actor: system, note: e.message }));
      return row ? "refund_failed" : "moved_on";
    }
  }
  const patch: Updateable<ClaimsTable> =
    action === "return_shipment_timeout" ? { resolution: "return_not_shipped" } : action === "escalation_window_timeout" ? { resolution: "refusal_stands" } : {};
  const row = await run(() => ({ action, actor: system, patch }));
  return row ? "applied" : "moved_on";
}

/**
 * The payments module completed a refund (`order.refunded`): if it was a
 * claim's, the claim becomes refunded. Idempotent; a refund no claim asked
 * for is ignored.
 */
export async function settleClaimRefund(db: Db, p: { shopId: string; refundId: string }, opts: StepOptions = {}): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const claim = await selectClaimByRefund(trx, p.shopId, p.refundId);
    if (!claim || claim.status !== "refund_pending") return false;
    const row = await step(trx, claim, { action: "refund_succeeded", actor: { type: "system" }, patch: { resolution: "refunded" }, details: { refundId: p.refundId } }, opts);
    return row !== null;
  });
}

