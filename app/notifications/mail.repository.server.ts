/**
 * SQL on `mail_outbox`: the record of every e-mail the platform wrote, and the
 * delivery state of each when SMTP is configured.
 */
import type { Insertable, Kysely, Transaction } from "kysely";
import type { Database, MailOutboxTable, MailRow } from "../../db/database";

export async function insertMail(db: Kysely<Database>, row: Insertable<MailOutboxTable>): Promise<void> {
  await db.insertInto("mail_outbox").values(row).execute();
}

/** Newest first; `before` is an id cursor. */
export async function selectMailPage(db: Kysely<Database>, page: { before?: string; limit: number }): Promise<MailRow[]> {
  let q = db.selectFrom("mail_outbox").selectAll();
  if (page.before) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}

/** Ids of mails still waiting to be sent that were written after `since`, oldest first. */
export async function selectKeptMailIds(db: Kysely<Database>, since: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("mail_outbox")
    .select("id")
    .where("status", "=", "kept")
    .where("created_at", ">=", since)
    .orderBy("id", "asc")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Locks one mail for delivery. SKIP LOCKED: if another worker holds it, this
 * one gets nothing and leaves the mail to it rather than waiting (and then
 * possibly sending it again).
 */
export async function lockMailForDelivery(trx: Transaction<Database>, id: string): Promise<MailRow | undefined> {
  return trx.selectFrom("mail_outbox").selectAll().where("id", "=", id).forUpdate().skipLocked().executeTakeFirst();
}

export async function markMailSent(trx: Transaction<Database>, id: string, at: Date): Promise<void> {
  await trx.updateTable("mail_outbox").set({ status: "sent", sent_at: at, error: null }).where("id", "=", id).execute();
}

export async function markMailFailed(trx: Transaction<Database>, id: string, error: string): Promise<void> {
  await trx.updateTable("mail_outbox").set({ status: "failed", error }).where("id", "=", id).execute();
}

/** Keeps the last delivery error on a mail that will be retried (shown on the mailbox page). */
export async function recordMailError(trx: Transaction<Database>, id: string, error: string): Promise<void> {
  await trx.updateTable("mail_outbox").set({ error }).where("id", "=", id).where("status", "=", "kept").execute();
}
