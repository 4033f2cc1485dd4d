/**
 * SQL on `notifications`. Every query names the user, so one user can never
 * read or change another's rows.
 */
import type { Insertable, Kysely } from "kysely";
import type { Database, Notification, NotificationsTable } from "../../db/database";

export async function insertNotification(db: Kysely<Database>, row: Insertable<NotificationsTable>): Promise<void> {
  await db.insertInto("notifications").values(row).execute();
}

/** Newest first; `before` is an id cursor (ids sort by creation time). */
export async function selectNotificationsPage(
  db: Kysely<Database>,
  userId: string,
  page: { before?: string; limit: number },
): Promise<Notification[]> {
  let q = db.selectFrom("notifications").selectAll().where("user_id", "=", userId);
  if (page.before) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}

export async function countUnread(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks unread rows of this user read; `id` narrows it to one. Returns how many changed. */
export async function updateReadAt(db: Kysely<Database>, userId: string, id: string | null, at: Date): Promise<number> {
  let q = db.updateTable("notifications").set({ read_at: at }).where("user_id", "=", userId).where("read_at", "is", null);
  if (id !== null) q = q.where("id", "=", id);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}
