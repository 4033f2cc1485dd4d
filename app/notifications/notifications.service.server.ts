/**
 * In-app notifications: what the platform tells one user (an order was paid,
 * an extension was suspended), listed on /notifications, optionally repeated
 * by e-mail through the outbox (mail.service.server.ts).
 */
import type { Kysely } from "kysely";
import type { Database, Notification } from "../../db/database";
import { findUserEmail } from "../accounts/index.server";
import { newId } from "../lib/ids";
import { sendMail, type Page } from "./mail.service.server";
import { NotificationKind, SitePath } from "./notifications.schema";
import { countUnread, insertNotification, selectNotificationsPage, updateReadAt } from "./notifications.repository.server";

const MAX_TITLE = 200;
const MAX_BODY = 5_000;

export type NotifyInput = {
  userId: string;
  /** what happened, dotted like event names: `order.paid`, `extension.suspended` */
  kind: string;
  title: string;
  body: string;
  /** a path on this site the notification opens, e.g. `/orders/ord_…` */
  link?: string | null;
  /** structured details for whoever renders the notification later */
  data?: Record<string, unknown>;
  /** also send it by e-mail to the user's address */
  email?: boolean;
  /**
   * The site origin (`config.publicUrl`), used to turn `link` into a full URL
   * in the e-mail. Without it the e-mail leaves the link out rather than
   * print a path the reader's mail client cannot open.
   */
  publicUrl?: string;
};

export type NotificationView = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  data: Record<string, unknown>;
  readAt: Date | null;
  createdAt: Date;
};

/**
 * Records a notification for one user, in the caller's transaction, and — when
 * `email` is set — writes the matching e-mail to the outbox in the same
 * transaction (its own when `db` is not one), so both exist or neither does.
 * Returns the ids.
 *
 * Title and body are cut to their maximum length rather than refused: they
 * often quote user-supplied text (a product name), and a notification must
 * never fail the work it reports. `kind` and `link` come from code, so a bad
 * one is a bug and throws.
 *
 * @example
 * await notify(trx, {
 *   userId: merchantId,
 *   kind: "order.paid",
 *   title: `Order ${order.number} was paid`,
 *   body: `${buyerName} paid ${formatMoney(order.total, shop.currency)}.`,
 *   link: `/admin/${shop.handle}/orders/${order.id}`,
 *   email: true,
 *   publicUrl: platform.config.publicUrl,
 * });
 */
export async function notify(
  db: Kysely<Database>,
  input: NotifyInput,
): Promise<{ notificationId: string; mailId: string | null }> {
  const kind = NotificationKind.parse(input.kind);
  const link = input.link == null ? null : SitePath.parse(input.link);
  const title = clip(input.title.trim(), MAX_TITLE);
  const body = clip(input.body.trim(), MAX_BODY);
  const notificationId = newId("ntf");
  const write = async (trx: Kysely<Database>) => {
    await insertNotification(trx, {
      id: notificationId,
      user_id: input.userId,
      kind,
      title,
      body,
      link,
      data: JSON.stringify(input.data ?? {}),
    });
    if (!input.email) return { notificationId, mailId: null };

    const to = await findUserEmail(trx, input.userId);
    // Unreachable in practice: the insert above already failed on an unknown user (foreign key).
    if (!to) throw new Error(`notify: user ${input.userId} not found`);
    const url = link && input.publicUrl ? `${input.publicUrl.replace(/\/$/, "")}${link}` : null;
    const text = [body, url ? `Open it on Bazaar: ${url}` : null].filter(Boolean).join("\n\n");
    const mailId = await sendMail(trx, { to, subject: title, text, notificationId });
    return { notificationId, mailId };
  };
  // Inside the caller's transaction when there is one; else a transaction of its own.
  return db.isTransaction ? write(db) : db.transaction().execute(write);
}

/** One page of a user's notifications, newest first. */
export async function listNotifications(
  db: Kysely<Database>,
  userId: string,
  page: { before?: string; limit: number },
): Promise<Page<NotificationView>> {
  const rows = await selectNotificationsPage(db, userId, { before: page.before, limit: page.limit + 1 });
  const items = rows.slice(0, page.limit).map(toView);
  return { items, nextBefore: rows.length > page.limit ? items[items.length - 1].id : null };
}

/** How many of the user's notifications are unread. */
export async function unreadCount(db: Kysely<Database>, userId: string): Promise<number> {
  return countUnread(db, userId);
}

/**
 * Marks one notification, or all of them, read — only ever the user's own: an
 * id that belongs to someone else changes nothing. Returns how many changed.
 */
export async function markRead(db: Kysely<Database>, userId: string, which: string | "all"): Promise<number> {
  return updateReadAt(db, userId, which === "all" ? null : which, new Date());
}

function toView(row: Notification): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    data: row.data,
    readAt: row.read_at,
    createdAt: row.created_at,
  };
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
