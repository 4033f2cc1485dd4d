/**
 * SQL on `audit_log`. Rows are only ever inserted and read: nothing here
 * updates or deletes, so the log stays an honest history.
 */
import type { Insertable, Kysely } from "kysely";
import type { AuditEntry, AuditLogTable, Database } from "../../db/database";

export async function insertAuditEntry(db: Kysely<Database>, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto("audit_log").values(row).execute();
}

/** One shop's rows, newest first; `before` is an id cursor. */
export async function selectShopAuditPage(
  db: Kysely<Database>,
  shopId: string,
  page: { before?: string; limit: number },
): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit_log").selectAll().where("shop_id", "=", shopId);
  if (page.before) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}

/** Every row of the platform (shops and platform-wide), newest first; for reviewers only. */
export async function selectPlatformAuditPage(
  db: Kysely<Database>,
  page: { before?: string; limit: number },
): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit_log").selectAll();
  if (page.before) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}
