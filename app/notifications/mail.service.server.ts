/**
 * E-mail: written in the caller's transaction, delivered after it commits.
 *
 * ## Why mail is written first and sent later
 *
 * `sendMail` runs inside whatever transaction the caller is in (placing an
 * order, resetting a password). Sending over SMTP there would be wrong both
 * ways: a rolled-back transaction would still have sent its mail, and a
 * committed one could lose its mail if the process died before the send. And
 * enqueueing a job from inside the transaction is no better, because the queue
 * (Redis in services mode) does not take part in the database transaction.
 *
 * So `sendMail` only inserts a `mail_outbox` row with status `kept` — it
 * commits or rolls back with the caller's work — and returns its id. Delivery
 * happens afterwards:
 *
 * - **No SMTP configured** (`mailer.mode === "kept"`): nothing more happens.
 *   The mail stays `kept` and the development mailbox (/dev/mailbox) shows it.
 * - **SMTP configured**: the repeatable `notifications.mail_sweep` job (every
 *   few seconds) enqueues one `notifications.send_mail` job per kept mail
 *   written in the last {@link SWEEP_WINDOW_MS}. The job id *is* the mail id,
 *   so however many sweeps see the same mail, the queue holds one job for it.
 *   A caller that wants the mail out sooner may call
 *   {@link enqueueMailDelivery} after its transaction commits; it is the same
 *   idempotent enqueue.
 *
 * ## Why a mail is not sent twice
 *
 * {@link deliverMail} locks the row (`FOR UPDATE SKIP LOCKED`), sends only if
 * it is still `kept`, and marks it `sent` in the same transaction. A second
 * job for the same mail (a re-enqueue after the queue forgot the first, or a
 * stalled job re-run while the first is still going) either skips the locked
 * row or finds it `sent`. The one window left is inherent to SMTP, which is not
 * transactional: the server accepted the mail but the process died (or the
 * database failed) before the commit. Then the mail is sent again on retry —
 * at least once, never silently dropped.
 *
 * ## Why a mail is not lost
 *
 * Until a delivery commits `sent` (or `failed`, after {@link MAIL_SEND_ATTEMPTS}
 * tries with exponential backoff), the row stays `kept` and the sweep offers it
 * again, so a queue that lost its jobs (Redis flushed) still delivers. Mails
 * older than the sweep window are left alone on purpose: switching SMTP on must
 * not mail out weeks of development mail, and a mail that could not be sent for
 * a day (password resets, sign-in links) is stale anyway. Such mails stay
 * visible as `kept` in the outbox.
 *
 * The cost of the row lock: the transaction stays open during the SMTP
 * conversation, so the mailer bounds it with timeouts (see mailer.server.ts).
 * On PGlite, where all queries share one connection, that pause is felt by
 * every request; the embedded mode normally runs without SMTP.
 */
import type { Kysely } from "kysely";
import type { Database, MailRow } from "../../db/database";
import type { Config } from "../config.server";
import type { JobQueue } from "../jobs/jobs.types";
import { newId } from "../lib/ids";
import type { Mailer } from "./mailer.server";
import {
  insertMail,
  lockMailForDelivery,
  markMailFailed,
  markMailSent,
  recordMailError,
  selectKeptMailIds,
  selectMailPage,
} from "./mail.repository.server";

export const SEND_MAIL_JOB = "notifications.send_mail";
export const MAIL_SWEEP_JOB = "notifications.mail_sweep";
/** How often the sweep runs when scheduled. */
export const MAIL_SWEEP_EVERY_MS = 5_000;
/** Kept mails older than this are not offered for delivery (see the module comment). */
export const SWEEP_WINDOW_MS = 24 * 3600_000;
/** At most this many mails are enqueued per sweep; the next sweep takes the rest. */
export const SWEEP_BATCH = 500;
export const MAIL_SEND_ATTEMPTS = 5;
export const MAIL_SEND_BACKOFF_MS = 30_000;

const MAX_SUBJECT = 300;
const MAX_TEXT = 100_000;

/** What delivery needs from the platform (a narrow slice, so tests can swap the mailer). */
export type MailDeliveryDeps = { db: Kysely<Database>; jobs: JobQueue; mailer: Mailer };

export type MailInput = {
  to: string;
  subject: string;
  text: string;
  /** the in-app notification this mail repeats, if any */
  notificationId?: string | null;
};

export type OutboxMail = {
  id: string;
  to: string;
  subject: string;
  text: string;
  status: MailRow["status"];
  /** the last delivery error (SMTP mode) */
  error: string | null;
  notificationId: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

export type Page<T> = { items: T[]; /** the cursor of the next (older) page, or null on the last page */ nextBefore: string | null };

/**
 * Writes an e-mail to the outbox in the caller's transaction and returns its
 * id. It is delivered after commit when SMTP is configured, else kept for the
 * development mailbox (see the module comment).
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await resetPassword(trx, user);
 *   await sendMail(trx, { to: user.email, subject: "Reset your password", text: `Open ${url}` });
 * });
 */
export async function sendMail(db: Kysely<Database>, mail: MailInput): Promise<string> {
  const to = mail.to.trim();
  // Header injection: a subject or address with a line break could add headers.
  if (!to || /[\r\n]/.test(to)) throw new Error("sendMail: invalid recipient");
  const id = newId("mail");
  await insertMail(db, {
    id,
    notification_id: mail.notificationId ?? null,
    to_email: to,
    subject: oneLine(mail.subject).slice(0, MAX_SUBJECT),
    text_body: mail.text.slice(0, MAX_TEXT),
    status: "kept",
  });
  return id;
}

/** Every mail in the outbox, newest first (the development mailbox). */
export async function listMailbox(db: Kysely<Database>, page: { before?: string; limit: number }): Promise<Page<OutboxMail>> {
  const rows = await selectMailPage(db, { before: page.before, limit: page.limit + 1 });
  const items = rows.slice(0, page.limit).map(toOutboxMail);
  return { items, nextBefore: rows.length > page.limit ? items[items.length - 1].id : null };
}

/**
 * The development mailbox (/dev/mailbox) shows every mail in the outbox, with
 * its full text — password-reset links included — to anyone who can reach the
 * site. So it is available in development and test and never when
 * `NODE_ENV=production`, whether or not SMTP is configured: one rule that
 * cannot be switched on by accident in production.
 */
export function isDevMailboxAvailable(config: Pick<Config, "env">): boolean {
  return config.env !== "production";
}

/**
 * Enqueues delivery of one mail. Idempotent (the job id is the mail id), and
 * safe only after the transaction that wrote the mail has committed — before
 * that the job could run, find no row, and finish without sending.
 */
export async function enqueueMailDelivery(jobs: JobQueue, mailId: string): Promise<void> {
  await jobs.enqueue(
    SEND_MAIL_JOB,
    { mailId },
    { jobId: mailId, attempts: MAIL_SEND_ATTEMPTS, backoff: { type: "exponential", delayMs: MAIL_SEND_BACKOFF_MS } },
  );
}

/**
 * The sweep: offers every recent kept mail for delivery. Does nothing when no
 * SMTP is configured (kept mail is the end state then). Returns how many mails
 * it offered.
 */
export async function sweepKeptMail(deps: MailDeliveryDeps, now = new Date()): Promise<number> {
  if (deps.mailer.mode !== "smtp") return 0;
  const ids = await selectKeptMailIds(deps.db, new Date(now.getTime() - SWEEP_WINDOW_MS), SWEEP_BATCH);
  for (const id of ids) await enqueueMailDelivery(deps.jobs, id);
  return ids.length;
}

export type DeliveryOutcome = "sent" | "skipped";

/**
 * Sends one kept mail and marks it sent, under a row lock (see the module
 * comment). On a send error it keeps the error on the row and throws, so the
 * queue retries; on the last attempt it marks the mail `failed` first.
 * Returns "skipped" when there is nothing to do: the mail is already sent or
 * failed, another worker holds it, it does not exist, or SMTP is off.
 */
export async function deliverMail(deps: MailDeliveryDeps, mailId: string, attempt: number): Promise<DeliveryOutcome> {
  if (deps.mailer.mode !== "smtp") return "skipped";
  const result = await deps.db.transaction().execute(async (trx) => {
    const mail = await lockMailForDelivery(trx, mailId);
    if (!mail || mail.status !== "kept") return { outcome: "skipped" as const };
    try {
      await deps.mailer.send({ to: mail.to_email, subject: mail.subject, text: mail.text_body });
    } catch (e) {
      const message = errorMessage(e);
      if (attempt >= MAIL_SEND_ATTEMPTS) await markMailFailed(trx, mailId, message);
      else await recordMailError(trx, mailId, message);
      // Returned, not thrown: throwing here would roll back the error we just recorded.
      return { outcome: "error" as const, error: e };
    }
    await markMailSent(trx, mailId, new Date());
    return { outcome: "sent" as const };
  });
  if (result.outcome === "error") throw result.error;
  return result.outcome;
}

function toOutboxMail(row: MailRow): OutboxMail {
  return {
    id: row.id,
    to: row.to_email,
    subject: row.subject,
    text: row.text_body,
    status: row.status,
    error: row.error,
    notificationId: row.notification_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ").trim();
}

function errorMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.slice(0, 1000);
}
