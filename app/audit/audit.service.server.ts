/**
 * The audit log: who did what to which thing, written in the same
 * transaction as the change it describes, so a change and its record commit
 * or roll back together.
 */
import type { Kysely } from "kysely";
import type { AuditEntry, Database } from "../../db/database";
import { AppError } from "../lib/errors";
import { insertAuditEntry, selectPlatformAuditPage, selectShopAuditPage } from "./audit.repository.server";
import { AUDIT_PAGE_SIZE, AuditAction, type AuditActor, type AuditEntryView, type AuditTarget } from "./audit.schema";

/**
 * Records one action. Pass the transaction that makes the change.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await insertShop(trx, shop);
 *   await record(trx, { type: "user", id: userId }, "shop.created", { shopId: shop.id, type: "shop", id: shop.id }, { handle });
 * });
 */
export async function record(
  trx: Kysely<Database>,
  actor: AuditActor,
  action: string,
  target: AuditTarget = {},
  details: Record<string, unknown> = {},
): Promise<void> {
  // A malformed action name is a programming error; failing loudly keeps the log searchable.
  if (!AuditAction.safeParse(action).success) throw new Error(`audit: bad action name "${action}"`);
  await insertAuditEntry(trx, {
    shop_id: target.shopId ?? null,
    actor_type: actor.type,
    actor_id: actor.id ?? null,
    action,
    target_type: target.type ?? null,
    target_id: target.id ?? null,
    details: JSON.stringify(details),
  });
}

export type AuditPage = {
  entries: AuditEntryView[];
  /** the cursor of the next (older) page, or null on the last page */
  nextBefore: string | null;
};

function toView(row: AuditEntry): AuditEntryView {
  return {
    id: String(row.id),
    shopId: row.shop_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: row.details ?? {},
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function clampLimit(limit: number | undefined): number {
  const n = limit ?? AUDIT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new AppError("bad_request", "limit must be 1–200");
  return n;
}

function toPage(rows: AuditEntry[], limit: number): AuditPage {
  // One extra row was asked for: its presence is how we know an older page exists.
  const hasMore = rows.length > limit;
  const entries = rows.slice(0, limit).map(toView);
  return { entries, nextBefore: hasMore ? entries[entries.length - 1].id : null };
}

/**
 * One page of a shop's audit log, newest first.
 *
 * @example
 * const { entries, nextBefore } = await listShopAudit(db, shopId, { before: url.searchParams.get("before") ?? undefined, limit: 50 });
 */
export async function listShopAudit(
  db: Kysely<Database>,
  shopId: string,
  page: { before?: string; limit?: number } = {},
): Promise<AuditPage> {
  const limit = clampLimit(page.limit);
  const rows = await selectShopAuditPage(db, shopId, { before: page.before, limit: limit + 1 });
  return toPage(rows, limit);
}

/**
 * One page of the whole platform's audit log (every shop and the platform
 * itself), newest first. Only reviewer pages call this.
 */
export async function listPlatformAudit(db: Kysely<Database>, page: { before?: string; limit?: number } = {}): Promise<AuditPage> {
  const limit = clampLimit(page.limit);
  const rows = await selectPlatformAuditPage(db, { before: page.before, limit: limit + 1 });
  return toPage(rows, limit);
}
