/**
 * Reading claims: one claim with its lines, photos and timeline — for its
 * buyer, for a member of its shop, or for a reviewer, each lookup scoped so
 * the wrong party gets null (→ 404) — and the three queues.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { ClaimRow, ClaimStatusColumn } from "../../db/tables/aftersale";
import { AppError, fieldErrorsFromZod } from "../lib/errors";
import { getOrder, type OrderDetail } from "../orders/index.server";
import { listRefunds } from "../payments/index.server";
import {
  CLAIM_PAGE_SIZE,
  ClaimId,
  ClaimQueueQuery,
  ReviewQueueQuery,
  type ClaimPage,
  type ClaimSummary,
  type ClaimView,
} from "./aftersale.schema";
import { OPEN_STATUSES, type ClaimParty, type ClaimStatus, type DeadlineKind } from "./claim-machine";
import {
  selectBuyerClaim,
  selectBuyerClaimsOfOrder,
  selectClaim,
  selectClaimEvents,
  selectClaimForReview,
  selectClaimLines,
  selectClaimPhotoIds,
  selectClaimsOfOrder,
  selectEscalatedQueue,
  selectShopQueue,
  type QueueCursor,
} from "./claims.repository.server";

type Db = Kysely<Database>;
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function deadlineOf(c: ClaimRow): ClaimSummary["deadline"] {
  return c.deadline_kind && c.deadline_at ? { kind: c.deadline_kind, at: iso(c.deadline_at)! } : null;
}

function toSummary(c: ClaimRow): ClaimSummary {
  return {
    id: c.id,
    shopId: c.shop_id,
    orderId: c.order_id,
    kind: c.kind,
    status: c.status,
    reason: c.reason,
    currency: c.currency,
    amount: c.amount,
    deadline: deadlineOf(c),
    escalatedAt: iso(c.escalated_at),
    createdAt: iso(c.created_at)!,
  };
}

async function toView(db: Db, c: ClaimRow, order: OrderDetail | null): Promise<ClaimView> {
  const [lines, photoIds, events, refunds] = await Promise.all([
    selectClaimLines(db, c.shop_id, c.id),
    selectClaimPhotoIds(db, c.shop_id, c.id),
    selectClaimEvents(db, c.shop_id, c.id),
    c.refund_id ? listRefunds(db, c.shop_id, c.order_id) : Promise.resolve([]),
  ]);
  const refund = refunds.find((r) => r.id === c.refund_id);
  const orderLines = new Map((order?.lines ?? []).map((l) => [l.id, l]));
  return {
    ...toSummary(c),
    userId: c.user_id,
    description: c.description,
    refundAmount: c.refund_amount,
    restock: c.restock,
    refundId: c.refund_id,
    refund: refund ? { status: refund.status, amount: refund.amount, failureReason: refund.failureReason } : null,
    returnCarrier: c.return_carrier,
    returnTracking: c.return_tracking,
    refusalReason: c.refusal_reason,
    decisionReason: c.decision_reason,
    resolution: c.resolution,
    updatedAt: iso(c.updated_at)!,
    closedAt: iso(c.closed_at),
    lines: lines.map((l) => {
      const ol = orderLines.get(l.line_id);
      return { lineId: l.line_id, title: ol?.title ?? "", specLabel: ol?.specLabel ?? "", imageId: ol?.imageId ?? null, quantity: l.quantity, amount: l.amount };
    }),
    photoIds,
    timeline: events.map((e) => ({
      action: e.action,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      actor: e.actor_type as ClaimParty,
      note: e.note,
      details: e.details ?? {},
      deadline: e.deadline_kind && e.deadline_at ? { kind: e.deadline_kind as DeadlineKind, at: iso(e.deadline_at)! } : null,
      createdAt: iso(e.created_at)!,
    })),
  };
}

export type ClaimWithOrder = { claim: ClaimView; order: OrderDetail };

async function withOrder(db: Db, row: ClaimRow | undefined): Promise<ClaimWithOrder | null> {
  if (!row) return null;
  const order = await getOrder(db, row.shop_id, row.order_id);
  if (!order) return null;
  return { claim: await toView(db, row, order), order };
}

/** The buyer's own claim with its order, or null (another buyer's claim is as unknown as a missing one). */
export async function getBuyerClaim(db: Db, userId: string, claimId: string): Promise<ClaimWithOrder | null> {
  if (!ClaimId.safeParse(claimId).success) return null;
  return withOrder(db, await selectBuyerClaim(db, userId, claimId));
}

/** A claim of the shop with its order, or null (another shop's claim is as unknown as a missing one). */
export async function getShopClaim(db: Db, shopId: string, claimId: string): Promise<ClaimWithOrder | null> {
  if (!ClaimId.safeParse(claimId).success) return null;
  return withOrder(db, await selectClaim(db, shopId, claimId));
}

/** Any claim, for a platform reviewer. */
export async function getClaimForReview(db: Db, claimId: string): Promise<ClaimWithOrder | null> {
  if (!ClaimId.safeParse(claimId).success) return null;
  return withOrder(db, await selectClaimForReview(db, claimId));
}

/** The buyer's claims on one of their orders, newest first (for the order page's claim link). */
export async function listBuyerClaimsOfOrder(db: Db, userId: string, orderId: string): Promise<ClaimSummary[]> {
  return (await selectBuyerClaimsOfOrder(db, userId, orderId)).map(toSummary);
}

/** The shop's claims on one order, newest first (for the merchant's order page). */
export async function listShopClaimsOfOrder(db: Db, shopId: string, orderId: string): Promise<ClaimSummary[]> {
  return (await selectClaimsOfOrder(db, shopId, orderId)).map(toSummary);
}

// ---- queues -------------------------------------------------------------------------------------

function encodeCursor(at: Date | string | null, id: string): string {
  return `${at === null ? "inf" : new Date(at).getTime().toString(36)}~${id}`;
}

function decodeCursor(text: string | undefined): QueueCursor | undefined {
  if (!text) return undefined;
  const m = /^(inf|[0-9a-z]{1,12})~(clm_[0-9a-z]{26})$/.exec(text);
  if (!m) throw new AppError("bad_request", "Not a valid page cursor", { fieldErrors: { after: ["Not a valid page cursor"] } });
  const at = m[1] === "inf" ? "infinity" : new Date(parseInt(m[1], 36)).toISOString();
  return { at, id: m[2] };
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, v: unknown): T {
  const r = schema.safeParse(v ?? {});
  if (!r.success) throw new AppError("bad_request", "Invalid filter", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return r.data;
}

/**
 * The merchant's claims queue: nearest deadline first (claims with no
 * deadline — with a reviewer, refund in progress, final — after), 20 a
 * page. `status`: "open" (default), "all", or one status.
 *
 * @example const page = await listShopClaims(db, shop.id, Object.fromEntries(url.searchParams));
 */
export async function listShopClaims(db: Db, shopId: string, query: unknown): Promise<ClaimPage & { query: ClaimQueueQuery }> {
  const q = parse(ClaimQueueQuery, query);
  const statuses: readonly ClaimStatusColumn[] = q.status === "all" ? [] : q.status === "open" ? OPEN_STATUSES : [q.status as ClaimStatus];
  const rows = await selectShopQueue(db, shopId, { statuses, after: decodeCursor(q.after), limit: CLAIM_PAGE_SIZE + 1 });
  const page = rows.slice(0, CLAIM_PAGE_SIZE);
  const last = page[page.length - 1];
  return { claims: page.map(toSummary), next: rows.length > CLAIM_PAGE_SIZE ? encodeCursor(last.deadline_at, last.id) : null, query: q };
}

/** The reviewers' arbitration queue: escalated claims of every shop, oldest escalation first, 20 a page. */
export async function listEscalatedClaims(db: Db, query: unknown): Promise<ClaimPage> {
  const q = parse(ReviewQueueQuery, query);
  const after = decodeCursor(q.after);
  if (after?.at === "infinity") throw new AppError("bad_request", "Not a valid page cursor");
  const rows = await selectEscalatedQueue(db, { after, limit: CLAIM_PAGE_SIZE + 1 });
  const page = rows.slice(0, CLAIM_PAGE_SIZE);
  const last = page[page.length - 1];
  return { claims: page.map(toSummary), next: rows.length > CLAIM_PAGE_SIZE ? encodeCursor(last.escalated_at, last.id) : null };
}
