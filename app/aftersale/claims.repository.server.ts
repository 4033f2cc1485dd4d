/**
 * SQL on the after-sale tables. Every query on a claim names its shop,
 * except the two reads whose callers prove access another way: the buyer's
 * (by user id) and the reviewers' queue (platform-wide, reviewers only).
 *
 * A state change is one conditional UPDATE: `WHERE id AND shop_id AND
 * status = <expected>` (and, for a timer, `AND deadline_id = <its id>`), so
 * of two racing steps exactly one wins and the other finds 0 rows.
 */
import { sql, type Insertable, type Kysely, type Updateable } from "kysely";
import type { Database } from "../../db/database";
import type {
  ClaimEventRow,
  ClaimEventsTable,
  ClaimLineRow,
  ClaimLinesTable,
  ClaimRow,
  ClaimsTable,
  ClaimStatusColumn,
} from "../../db/tables/aftersale";

// ---- settings --------------------------------------------------------------------------------

export async function selectTimeScale(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom("aftersale_settings").select("time_scale").executeTakeFirst();
  return row ? Number(row.time_scale) : 1;
}

export async function updateTimeScale(db: Kysely<Database>, scale: number): Promise<void> {
  await db.updateTable("aftersale_settings").set({ time_scale: scale, updated_at: new Date() }).execute();
}

// ---- writes ------------------------------------------------------------------------------------

export async function insertClaim(trx: Kysely<Database>, row: Insertable<ClaimsTable>): Promise<void> {
  await trx.insertInto("claims").values(row).execute();
}

export async function insertClaimLines(trx: Kysely<Database>, rows: Insertable<ClaimLinesTable>[]): Promise<void> {
  if (rows.length) await trx.insertInto("claim_lines").values(rows).execute();
}

export async function insertClaimPhotos(trx: Kysely<Database>, rows: { claim_id: string; shop_id: string; image_id: string; position: number }[]): Promise<void> {
  if (rows.length) await trx.insertInto("claim_photos").values(rows).execute();
}

/** Appends a timeline entry; resolves to its id. */
export async function insertClaimEvent(trx: Kysely<Database>, row: Insertable<ClaimEventsTable>): Promise<string> {
  const r = await trx.insertInto("claim_events").values(row).returning(sql<string>`id::text`.as("id")).executeTakeFirstOrThrow();
  return r.id;
}

/**
 * The one conditional transition: applies `patch` only if the claim is in
 * `from` (and, for a timer, still has the deadline `deadlineId`). Resolves
 * to the updated row, or undefined when the claim had moved on.
 */
export async function transitionClaim(
  trx: Kysely<Database>,
  shopId: string,
  claimId: string,
  from: ClaimStatusColumn,
  patch: Updateable<ClaimsTable>,
  extra: { deadlineId?: string; userId?: string } = {},
): Promise<ClaimRow | undefined> {
  let q = trx.updateTable("claims").set(patch).where("id", "=", claimId).where("shop_id", "=", shopId).where("status", "=", from);
  if (extra.deadlineId !== undefined) q = q.where("deadline_id", "=", extra.deadlineId);
  if (extra.userId !== undefined) q = q.where("user_id", "=", extra.userId);
  return q.returningAll().executeTakeFirst();
}

/** Records the refund the payments module created for a claim (once). */
export async function updateClaimRefundId(db: Kysely<Database>, shopId: string, claimId: string, refundId: string): Promise<void> {
  await db
    .updateTable("claims")
    .set({ refund_id: refundId, updated_at: new Date() })
    .where("id", "=", claimId)
    .where("shop_id", "=", shopId)
    .where("status", "=", "refund_pending")
    .where((eb) => eb.or([eb("refund_id", "is", null), eb("refund_id", "=", refundId)]))
    .execute();
}

// ---- reads --------------------------------------------------------------------------------------

export async function selectClaim(db: Kysely<Database>, shopId: string, claimId: string): Promise<ClaimRow | undefined> {
  return db.selectFrom("claims").selectAll().where("shop_id", "=", shopId).where("id", "=", claimId).executeTakeFirst();
}

/** A buyer's own claim: the user id is part of the lookup, so another buyer's id finds nothing. */
export async function selectBuyerClaim(db: Kysely<Database>, userId: string, claimId: string): Promise<ClaimRow | undefined> {
  return db.selectFrom("claims").selectAll().where("user_id", "=", userId).where("id", "=", claimId).executeTakeFirst();
}

/** Any claim by id, for reviewers (platform-wide) only. */
export async function selectClaimForReview(db: Kysely<Database>, claimId: string): Promise<ClaimRow | undefined> {
  return db.selectFrom("claims").selectAll().where("id", "=", claimId).executeTakeFirst();
}

export async function selectOpenClaimOfOrder(db: Kysely<Database>, shopId: string, orderId: string): Promise<ClaimRow | undefined> {
  return db
    .selectFrom("claims")
    .selectAll()
    .where("shop_id", "=", shopId)
    .where("order_id", "=", orderId)
    .where("status", "not in", ["refunded", "closed"])
    .executeTakeFirst();
}

export async function selectClaimsOfOrder(db: Kysely<Database>, shopId: string, orderId: string): Promise<ClaimRow[]> {
  return db.selectFrom("claims").selectAll().where("shop_id", "=", shopId).where("order_id", "=", orderId).orderBy("id", "desc").execute();
}

export async function selectClaimLines(db: Kysely<Database>, shopId: string, claimId: string): Promise<ClaimLineRow[]> {
  return db.selectFrom("claim_lines").selectAll().where("shop_id", "=", shopId).where("claim_id", "=", claimId).execute();
}

export async function selectClaimPhotoIds(db: Kysely<Database>, shopId: string, claimId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("claim_photos")
    .select("image_id")
    .where("shop_id", "=", shopId)
    .where("claim_id", "=", claimId)
    .orderBy("position")
    .execute();
  return rows.map((r) => r.image_id);
}

export async function selectClaimEvents(db: Kysely<Database>, shopId: string, claimId: string): Promise<ClaimEventRow[]> {
  return db.selectFrom("claim_events").selectAll().where("shop_id", "=", shopId).where("claim_id", "=", claimId).orderBy("id", "asc").execute();
}

/** The claim a refund was made for (refund ids are unique across shops; the shop is named anyway). */
export async function selectClaimByRefund(db: Kysely<Database>, shopId: string, refundId: string): Promise<ClaimRow | undefined> {
  return db.selectFrom("claims").selectAll().where("shop_id", "=", shopId).where("refund_id", "=", refundId).executeTakeFirst();
}

/** A queue position: sort value (ISO time, or "infinity" for claims without a deadline) and id. */
export type QueueCursor = { at: string; id: string };

/**
 * A page of a shop's claims, nearest deadline first (claims without one
 * last), then by id. `statuses` empty = all.
 */
export async function selectShopQueue(
  db: Kysely<Database>,
  shopId: string,
  opts: { statuses: readonly ClaimStatusColumn[]; after?: QueueCursor; limit: number },
): Promise<ClaimRow[]> {
  const sortKey = sql<Date>`COALESCE(deadline_at, 'infinity'::timestamptz)`;
  let q = db.selectFrom("claims").selectAll().where("shop_id", "=", shopId);
  if (opts.statuses.length) q = q.where("status", "in", opts.statuses);
  if (opts.after) q = q.where(sql<boolean>`(COALESCE(deadline_at, 'infinity'::timestamptz), id) > (${opts.after.at}::timestamptz, ${opts.after.id})`);
  return q.orderBy(sortKey).orderBy("id").limit(opts.limit).execute();
}

/** A page of escalated claims across every shop, oldest escalation first. */
export async function selectEscalatedQueue(db: Kysely<Database>, opts: { after?: QueueCursor; limit: number }): Promise<ClaimRow[]> {
  let q = db.selectFrom("claims").selectAll().where("status", "=", "escalated");
  if (opts.after) q = q.where(sql<boolean>`(escalated_at, id) > (${opts.after.at}::timestamptz, ${opts.after.id})`);
  return q.orderBy("escalated_at").orderBy("id").limit(opts.limit).execute();
}

/** A buyer's claims (newest first), for their order pages. */
export async function selectBuyerClaimsOfOrder(db: Kysely<Database>, userId: string, orderId: string): Promise<ClaimRow[]> {
  return db.selectFrom("claims").selectAll().where("user_id", "=", userId).where("order_id", "=", orderId).orderBy("id", "desc").execute();
}
