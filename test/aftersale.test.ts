/**
 * After-sale claims through the service, on real orders (checkout → payment
 * → shipping → completion) and real refunds:
 * - the state machine, table-driven: every (status, action) pair — allowed
 *   ones succeed once, write one timeline row and one `aftersale.updated`;
 *   forbidden manual ones answer 409, forbidden timer/payment ones do
 *   nothing; and nothing is written for either;
 * - the windows: 15 days after completion (16 → refused), 7 days to
 *   escalate a refusal (after → refused), 7 days to send a return;
 * - opening: amount bounds, lines priced like a per-line refund, one open
 *   claim per order, photos checked by content;
 * - refunds: agreeing requests a claim refund (restock as chosen), the
 *   provider's success makes the claim refunded and puts stock back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import {
  BASE_DURATIONS_MS,
  CLAIM_ACTIONS,
  CLAIM_STATUSES,
  TRANSITIONS,
  allowedActions,
  answerClaim,
  decideClaim,
  deadlineJobId,
  escalateClaim,
  findTransition,
  fireDeadline,
  openClaim,
  settleClaimRefund,
  shipReturn,
  withdrawClaim,
  DEADLINE_OF,
  type ClaimAction,
  type ClaimKind,
  type ClaimStatus,
  type DeadlineKind,
} from "../app/aftersale/index.server";
import { minorToDecimal } from "../app/catalog/index.server";
import { getOrder, refundOrder } from "../app/orders/index.server";
import { listRefunds } from "../app/payments/index.server";
import { buyerWithOrder, completeRefund, createSeller, type Seller } from "./aftersale-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

let platform: TestPlatform;
let seller: Seller;

beforeAll(async () => {
  platform = await createTestPlatform();
  seller = await createSeller(platform);
});
afterAll(async () => {
  await platform?.close();
});

const DAY = 86_400_000;

async function claimRow(id: string) {
  return platform.db.selectFrom("claims").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}
async function counts(id: string) {
  const events = await platform.db.selectFrom("claim_events").select("action").where("claim_id", "=", id).orderBy("id").execute();
  const outbox = await platform.db.selectFrom("outbox").select(["name", "payload"]).where("subject_id", "=", id).where("name", "like", "aftersale.%").orderBy("id").execute();
  return { events: events.map((e) => e.action), outbox };
}

const refundOnlyForm = (amount = "10.00") => ({ kind: "refund_only", reason: "damaged", description: "The lid arrived cracked.", amount });

/** A new order and a claim of `kind` on it, opened by its buyer. */
async function openOn(kind: ClaimKind, state: "paid" | "shipped" | "completed" = "completed") {
  const { buyer, orderId, order } = await buyerWithOrder(platform, seller, state);
  const lines = order.lines.map((l, i) => ({ lineId: l.id, quantity: i === 0 ? 1 : 0 }));
  const form =
    kind === "complaint"
      ? { kind, reason: "service", description: "The shop never answered my messages." }
      : kind === "return_refund"
        ? { kind, reason: "not_as_described", description: "The colour is different.", lines }
        : refundOnlyForm();
  const claimId = await openClaim(platform, { userId: buyer.id, orderId, form });
  return { buyer, orderId, order, claimId };
}

const merchant = () => ({ type: "merchant" as const, id: seller.owner.id });
let reviewerId: string;

/** The way each kind of claim reaches a refund: the shop agrees, receives the return, or a reviewer decides. */
async function toRefundPending(id: string, buyerId: string, kind: ClaimKind) {
  const m = { shopId: seller.shop.id, actor: merchant() };
  if (kind === "refund_only") return answerClaim(platform.db, { ...m, claimId: id, form: { intent: "agree" } });
  if (kind === "return_refund") {
    await answerClaim(platform.db, { ...m, claimId: id, form: { intent: "agree" } });
    await shipReturn(platform.db, { claimId: id, userId: buyerId, form: { carrier: "SF", trackingNumber: "SF7" } });
    return answerClaim(platform.db, { ...m, claimId: id, form: { intent: "confirm_return" } });
  }
  await answerClaim(platform.db, { ...m, claimId: id, form: { intent: "refuse", reason: "We answered every message." } });
  await escalateClaim(platform.db, { claimId: id, userId: buyerId });
  return decideClaim(platform.db, { claimId: id, actor: { type: "reviewer", id: reviewerId }, form: { decision: "refund", amount: "5.00", reason: "The shop did not answer in time." } });
}

/** Takes a new claim (of `kindHint`, or a return for the return statuses) to `status` through the real steps. */
async function claimIn(status: ClaimStatus, kindHint: ClaimKind = "refund_only") {
  const m = { shopId: seller.shop.id, actor: merchant() };
  const needsReturn = status === "awaiting_return_shipment" || status === "awaiting_return_receipt";
  if (needsReturn) kindHint = "return_refund";
  const c = await openOn(kindHint);
  const id = c.claimId;
  switch (status) {
    case "awaiting_merchant":
      break;
    case "awaiting_return_shipment":
      await answerClaim(platform.db, { ...m, claimId: id, form: { intent: "agree", restock: "on" } });
      break;
    case "awaiting_return_receipt":
      await answerClaim(platform.db, { ...m, claimId: id, form: { intent: "agree", restock: "on" } });
      await shipReturn(platform.db, { claimId: id, userId: c.buyer.id, form: { carrier: "SF", trackingNumber: "SF999" } });
      break;
    case "refused":
      await answerClaim(platform.db, { ...m, claimId: id, form: { intent: "refuse", reason: "Damage is from use." } });
      break;
    case "escalated":
      await answerClaim(platform.db, { ...m, claimId: id, form: { intent: "refuse", reason: "Damage is from use." } });
      await escalateClaim(platform.db, { claimId: id, userId: c.buyer.id });
      break;
    case "refund_pending":
      await toRefundPending(id, c.buyer.id, kindHint);
      break;
    case "refunded": {
      await toRefundPending(id, c.buyer.id, kindHint);
      const { refund_id } = await claimRow(id);
      await completeRefund(platform, seller.shop.id, c.orderId, refund_id!);
      await settleClaimRefund(platform.db, { shopId: seller.shop.id, refundId: refund_id! });
      break;
    }
    case "closed":
      await withdrawClaim(platform.db, { claimId: id, userId: c.buyer.id });
      break;
  }
  expect((await claimRow(id)).status).toBe(status);
  return c;
}

const TIMER_KIND: Partial<Record<ClaimAction, DeadlineKind>> = Object.fromEntries(
  Object.values(DEADLINE_OF).map((d) => [d!.action, d!.kind]),
) as Partial<Record<ClaimAction, DeadlineKind>>;

/**
 * Performs `action` on the claim the way its party would: the service call
 * for manual steps; the deadline job (with the claim's current deadline id
 * when it has that kind of deadline) for timers; the payment system for the
 * refund outcome. Resolves to "ok", "conflict" (409) or "noop".
 */
async function perform(action: ClaimAction, c: Awaited<ReturnType<typeof claimIn>>): Promise<"ok" | "conflict" | "noop"> {
  const id = c.claimId;
  const m = { shopId: seller.shop.id, actor: merchant() };
  const manual = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return "ok" as const;
    } catch (e: any) {
      if (e?.kind === "conflict") return "conflict" as const;
      throw e;
    }
  };
  const row = await claimRow(id);
  const timerKind = action === "refund_failed" ? "return_receipt" : TIMER_KIND[action];
  if (timerKind) {
    if (action === "refund_failed" && row.status === "awaiting_return_receipt") {
      // The shop refunded the whole order by hand, so the automatic refund can't be made.
      const order = (await getOrder(platform.db, seller.shop.id, c.orderId))!;
      await refundOrder(platform.db, { shopId: seller.shop.id, orderId: c.orderId, actor: merchant(), form: { mode: "full", reason: "By hand", idempotencyKey: `manual-${id}` } });
      expect(order.status).toBe("completed");
    }
    const deadlineId = row.deadline_kind === timerKind ? row.deadline_id! : deadlineJobId(id, timerKind, row.deadline_seq);
    const out = await fireDeadline(platform.db, { claimId: id, shopId: seller.shop.id, deadlineId, kind: timerKind });
    if (action === "refund_failed") return out === "refund_failed" ? "ok" : out === "applied" ? "conflict" : "noop";
    return out === "applied" ? "ok" : "noop";
  }
  switch (action) {
    case "agree_refund":
    case "agree_return":
    case "resolve_complaint":
      return manual(() => answerClaim(platform.db, { ...m, claimId: id, form: { intent: "agree", restock: "on" } }));
    case "refuse":
      return manual(() => answerClaim(platform.db, { ...m, claimId: id, form: { intent: "refuse", reason: "Not our fault." } }));
    case "confirm_return":
      return manual(() => answerClaim(platform.db, { ...m, claimId: id, form: { intent: "confirm_return", restock: "on" } }));
    case "ship_return":
      return manual(() => shipReturn(platform.db, { claimId: id, userId: c.buyer.id, form: { carrier: "SF", trackingNumber: "SF123" } }));
    case "escalate":
      return manual(() => escalateClaim(platform.db, { claimId: id, userId: c.buyer.id }));
    case "withdraw":
      return manual(() => withdrawClaim(platform.db, { claimId: id, userId: c.buyer.id }));
    case "decide_refund":
      return manual(() =>
        decideClaim(platform.db, { claimId: id, actor: { type: "reviewer", id: reviewerId }, form: { decision: "refund", amount: minorToDecimal(row.amount || 100, "CNY"), reason: "The photos show the damage." } }),
      );
    case "decide_reject":
      return manual(() => decideClaim(platform.db, { claimId: id, actor: { type: "reviewer", id: reviewerId }, form: { decision: "reject", reason: "No evidence of a defect." } }));
    case "refund_succeeded": {
      if (row.status === "refund_pending" && row.refund_id) await completeRefund(platform, seller.shop.id, c.orderId, row.refund_id);
      return (await settleClaimRefund(platform.db, { shopId: seller.shop.id, refundId: row.refund_id ?? "rfd_00000000000000000000000000" })) ? "ok" : "noop";
    }
  }
  throw new Error(`no way to perform ${action}`);
}

/** The kind of claim a pair is tried on: the merchant's "agree" is one action per kind. */
function kindFor(action: ClaimAction): ClaimKind {
  return action === "agree_return" ? "return_refund" : action === "resolve_complaint" ? "complaint" : "refund_only";
}

const MANUAL = new Set<ClaimAction>(TRANSITIONS.filter((t) => t.by !== "system").map((t) => t.action));
/** Every allowed pair, each tried on a claim of its own. */
const ALLOWED = TRANSITIONS.map((t) => ({ status: t.from, action: t.action, to: t.to, kind: t.kinds?.[0] ?? "refund_only" }));
/** Every forbidden pair, grouped by the claim (status and kind) they can all be tried on, since none may change it. */
const FORBIDDEN = CLAIM_STATUSES.flatMap((status) => {
  const actions = CLAIM_ACTIONS.filter((a) => !findTransition(status, a, kindFor(a)));
  const kinds = [...new Set(actions.map(kindFor))];
  return kinds.map((kind) => ({ status, kind, actions: actions.filter((a) => kindFor(a) === kind) }));
});

describe("the claim state machine (every status × action)", () => {
  beforeAll(async () => {
    const { createUser } = await import("./support/storefront-fixtures");
    const { grantReviewer } = await import("../app/accounts/index.server");
    reviewerId = (await createUser(platform)).id;
    await grantReviewer(platform.db, reviewerId);
  });

  it("the table has one row per (status, action) and only open statuses have moves", () => {
    const keys = TRANSITIONS.map((t) => `${t.from}/${t.action}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of TRANSITIONS) expect(["refunded", "closed"]).not.toContain(t.from);
    // The merchant's agree is kind-specific: a refund-only claim cannot be "agreed to a return".
    expect(findTransition("awaiting_merchant", "agree_return", "refund_only")).toBeNull();
    expect(findTransition("awaiting_merchant", "agree_refund", "return_refund")).toBeNull();
    expect(findTransition("awaiting_merchant", "resolve_complaint", "refund_only")).toBeNull();
    expect(allowedActions("awaiting_merchant", "return_refund", "merchant")).toEqual(["agree_return", "refuse"]);
    expect(allowedActions("refused", "refund_only", "buyer")).toEqual(["escalate", "withdraw"]);
    expect(allowedActions("escalated", "complaint", "reviewer")).toEqual(["decide_refund", "decide_reject"]);
  });

  it("covers every (status, action) pair", () => {
    const n = ALLOWED.length + FORBIDDEN.reduce((a, g) => a + g.actions.length, 0);
    expect(n).toBe(CLAIM_STATUSES.length * CLAIM_ACTIONS.length);
  });

  it.each(ALLOWED)("allowed: $status × $action → $to, once, with one timeline row and one event", async ({ status, action, to, kind }) => {
    const c = await claimIn(status, kind);
    const before = await counts(c.claimId);
    expect(await perform(action, c)).toBe("ok");
    const after = await counts(c.claimId);
    expect((await claimRow(c.claimId)).status).toBe(to);
    expect(after.events).toEqual([...before.events, action]);
    expect(after.outbox.length).toBe(before.outbox.length + 1);
    expect(after.outbox[after.outbox.length - 1]).toMatchObject({ name: "aftersale.updated", payload: { claimId: c.claimId, action, status: to, previousStatus: status } });
    // The same step again: a manual one is refused (409), a timer or payment outcome does nothing.
    expect(await perform(action, c)).toBe(MANUAL.has(action) ? "conflict" : "noop");
    expect(await counts(c.claimId)).toEqual(after);
  });

  it.each(FORBIDDEN)("forbidden from $status ($kind claim): $actions", async ({ status, kind, actions }) => {
    const c = await claimIn(status, kind);
    const before = await counts(c.claimId);
    for (const action of actions) {
      expect(await perform(action, c), action).toBe(MANUAL.has(action) ? "conflict" : "noop");
      expect((await claimRow(c.claimId)).status, action).toBe(status);
      expect(await counts(c.claimId), action).toEqual(before);
    }
  });
});

describe("windows", () => {
  it("a claim 16 days after completion is refused (422); at 14 days it opens", async () => {
    const { buyer, orderId, order } = await buyerWithOrder(platform, seller, "completed");
    const completedAt = new Date(order.completedAt!).getTime();
    const late = openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm() }, { now: new Date(completedAt + 16 * DAY) });
    await expect(late).rejects.toMatchObject({ kind: "unprocessable", code: "window_closed" });
    expect(await platform.db.selectFrom("claims").select("id").where("order_id", "=", orderId).execute()).toEqual([]);
    const id = await openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm() }, { now: new Date(completedAt + 14 * DAY) });
    expect((await claimRow(id)).status).toBe("awaiting_merchant");
  });

  it("while paid or shipped there is no end to the window; a return needs the order shipped", async () => {
    const paid = await buyerWithOrder(platform, seller, "paid");
    const far = { now: new Date(Date.now() + 90 * DAY) };
    const returnTooEarly = openClaim(platform, { userId: paid.buyer.id, orderId: paid.orderId, form: { kind: "return_refund", reason: "damaged", description: "Broken.", lines: [{ lineId: paid.order.lines[0].id, quantity: 1 }] } });
    await expect(returnTooEarly).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { kind: [expect.any(String)] } });
    expect(await openClaim(platform, { userId: paid.buyer.id, orderId: paid.orderId, form: refundOnlyForm() }, far)).toMatch(/^clm_/);
    const shipped = await buyerWithOrder(platform, seller, "shipped");
    const form = { kind: "return_refund", reason: "damaged", description: "Broken.", lines: [{ lineId: shipped.order.lines[0].id, quantity: 1 }] };
    expect(await openClaim(platform, { userId: shipped.buyer.id, orderId: shipped.orderId, form }, far)).toMatch(/^clm_/);
  });

  it("escalating a refusal after 7 days is refused (422); within 7 days it goes to a reviewer", async () => {
    const late = await claimIn("refused");
    const refusedAt = (await claimRow(late.claimId)).updated_at.getTime();
    const after = escalateClaim(platform.db, { claimId: late.claimId, userId: late.buyer.id }, { now: new Date(refusedAt + 7 * DAY + 60_000) });
    await expect(after).rejects.toMatchObject({ kind: "unprocessable", code: "window_closed" });
    expect((await claimRow(late.claimId)).status).toBe("refused");

    const inTime = await claimIn("refused");
    const at = (await claimRow(inTime.claimId)).updated_at.getTime();
    await escalateClaim(platform.db, { claimId: inTime.claimId, userId: inTime.buyer.id, note: "Please look at the photos." }, { now: new Date(at + 6 * DAY) });
    expect((await claimRow(inTime.claimId)).status).toBe("escalated");
  });

  it("a return tracking number after 7 days is refused (422)", async () => {
    const c = await claimIn("awaiting_return_shipment");
    const agreedAt = (await claimRow(c.claimId)).updated_at.getTime();
    const late = shipReturn(platform.db, { claimId: c.claimId, userId: c.buyer.id, form: { carrier: "SF", trackingNumber: "SF1" } }, { now: new Date(agreedAt + 8 * DAY) });
    await expect(late).rejects.toMatchObject({ kind: "unprocessable", code: "window_closed" });
  });

  it("deadlines are 48 hours, 7, 10 and 7 days at time scale 1", async () => {
    expect(BASE_DURATIONS_MS).toMatchObject({ merchant_answer: 2 * DAY, return_shipment: 7 * DAY, return_receipt: 10 * DAY, escalation_window: 7 * DAY, claim_window: 15 * DAY });
    const c = await openOn("refund_only");
    const row = await claimRow(c.claimId);
    expect(row.deadline_at!.getTime() - row.created_at.getTime()).toBe(2 * DAY);
    expect(row.deadline_id).toBe(`claim-${c.claimId}-merchant_answer-1`);
  });
});

describe("opening a claim", () => {
  it("refuses an amount above what is left, a second open claim on the order, and another buyer's order", async () => {
    const { buyer, orderId, order } = await buyerWithOrder(platform, seller, "shipped");
    const tooMuch = openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm(minorToDecimal(order.total + 1, "CNY")) });
    await expect(tooMuch).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { amount: [expect.stringMatching(/more than is left/)] } });
    await openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm() });
    await expect(openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm() })).rejects.toMatchObject({ kind: "conflict", code: "claim_open" });
    const other = await buyerWithOrder(platform, seller, "shipped");
    await expect(openClaim(platform, { userId: other.buyer.id, orderId, form: refundOnlyForm() })).rejects.toMatchObject({ kind: "not_found" });
  });

  it("prices chosen lines like a per-line refund and takes that as the amount", async () => {
    const { buyer, orderId, order } = await buyerWithOrder(platform, seller, "completed");
    const small = order.lines.find((l) => l.quantity === 2)!;
    const id = await openClaim(platform, { userId: buyer.id, orderId, form: { kind: "return_refund", reason: "wrong_item", description: "Wrong size sent.", lines: [{ lineId: small.id, quantity: 1 }] } });
    const row = await claimRow(id);
    expect(row.amount).toBe(Math.floor(small.total / 2));
    const lines = await platform.db.selectFrom("claim_lines").selectAll().where("claim_id", "=", id).execute();
    expect(lines).toMatchObject([{ line_id: small.id, quantity: 1, amount: Math.floor(small.total / 2) }]);
  });

  it("stores up to 6 photos checked by content, and refuses a text file or a seventh photo", async () => {
    const { buyer, orderId } = await buyerWithOrder(platform, seller, "completed");
    const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: "#c33" } }).png().toBuffer());
    const fake = new TextEncoder().encode("not an image at all");
    await expect(openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm(), photos: [fake] })).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { photos: [expect.stringMatching(/Photo 1/)] } });
    await expect(openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm(), photos: Array(7).fill(png) })).rejects.toMatchObject({ fieldErrors: { photos: [expect.any(String)] } });
    const id = await openClaim(platform, { userId: buyer.id, orderId, form: refundOnlyForm(), photos: [png] });
    expect(await platform.db.selectFrom("claim_photos").select("image_id").where("claim_id", "=", id).execute()).toHaveLength(1);
  });

  it("writes the opened row, aftersale.opened with the deadline, an audit row and a notification to the shop", async () => {
    const c = await openOn("refund_only");
    const { events, outbox } = await counts(c.claimId);
    expect(events).toEqual(["opened"]);
    expect(outbox).toMatchObject([{ name: "aftersale.opened", payload: { claimId: c.claimId, status: "awaiting_merchant", deadline: { kind: "merchant_answer", id: `claim-${c.claimId}-merchant_answer-1` } } }]);
    const audit = await platform.db.selectFrom("audit_log").select("action").where("target_id", "=", c.claimId).execute();
    expect(audit.map((a) => a.action)).toEqual(["claim.opened"]);
    const notes = await platform.db.selectFrom("notifications").select(["kind", "link"]).where("user_id", "=", seller.owner.id).where("kind", "=", "aftersale.opened").execute();
    expect(notes).toContainEqual({ kind: "aftersale.opened", link: `/admin/shops/${seller.shop.id}/claims/${c.claimId}` });
  });
});

describe("refunds", () => {
  it("agreeing requests a claim refund; the provider's success makes the claim refunded and restocks as chosen", async () => {
    const c = await openOn("return_refund");
    const m = { shopId: seller.shop.id, actor: merchant() };
    await answerClaim(platform.db, { ...m, claimId: c.claimId, form: { intent: "agree", restock: "on" } });
    await shipReturn(platform.db, { claimId: c.claimId, userId: c.buyer.id, form: { carrier: "YTO", trackingNumber: "YT42" } });
    const stockBefore = await platform.db.selectFrom("skus").select("stock").where("id", "=", seller.skuIds[0]).executeTakeFirstOrThrow();
    await answerClaim(platform.db, { ...m, claimId: c.claimId, form: { intent: "confirm_return", restock: "on" } });
    const row = await claimRow(c.claimId);
    expect(row.status).toBe("refund_pending");
    const refunds = await listRefunds(platform.db, seller.shop.id, c.orderId);
    expect(refunds).toMatchObject([{ id: row.refund_id, source: "claim", sourceId: c.claimId, amount: row.amount, restock: true, status: "pending", lines: [{ quantity: 1 }] }]);

    await completeRefund(platform, seller.shop.id, c.orderId, row.refund_id!);
    expect(await settleClaimRefund(platform.db, { shopId: seller.shop.id, refundId: row.refund_id! })).toBe(true);
    expect(await claimRow(c.claimId)).toMatchObject({ status: "refunded", resolution: "refunded" });
    const stockAfter = await platform.db.selectFrom("skus").select("stock").where("id", "=", seller.skuIds[0]).executeTakeFirstOrThrow();
    expect(stockAfter.stock).toBe(stockBefore.stock + 1);
    expect((await getOrder(platform.db, seller.shop.id, c.orderId))!.refundedTotal).toBe(row.amount);
    // Settling again (a redelivered order.refunded) changes nothing.
    expect(await settleClaimRefund(platform.db, { shopId: seller.shop.id, refundId: row.refund_id! })).toBe(false);
  });

  it("a reviewer's refund is capped at what is left on the order and needs a written reason", async () => {
    const c = await claimIn("escalated");
    const order = (await getOrder(platform.db, seller.shop.id, c.orderId))!;
    const decide = (form: Record<string, string>) => decideClaim(platform.db, { claimId: c.claimId, actor: { type: "reviewer", id: reviewerId }, form });
    await expect(decide({ decision: "refund", amount: minorToDecimal(order.total + 1, "CNY"), reason: "Photos show the damage clearly." })).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { amount: [expect.any(String)] } });
    await expect(decide({ decision: "refund", amount: "5.00", reason: "ok" })).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { reason: [expect.any(String)] } });
    await decide({ decision: "refund", amount: "5.00", reason: "Photos show the damage clearly.", restock: "" });
    expect(await claimRow(c.claimId)).toMatchObject({ status: "refund_pending", refund_amount: 500, decision_reason: "Photos show the damage clearly." });
  });
});
