/**
 * The notifications module's public surface: in-app notifications and
 * e-mail. Other modules import from here only.
 *
 * - {@link notify} / {@link sendMail} write in the caller's transaction;
 *   e-mail is delivered after commit (see mail.service.server.ts).
 * - The jobs that deliver mail are in ./jobs.server.ts (`notificationJobs`).
 */
export {
  notify,
  listNotifications,
  unreadCount,
  markRead,
  type NotifyInput,
  type NotificationView,
} from "./notifications.service.server";
export {
  sendMail,
  listMailbox,
  enqueueMailDelivery,
  sweepKeptMail,
  isDevMailboxAvailable,
  deliverMail,
  SEND_MAIL_JOB,
  MAIL_SWEEP_JOB,
  MAIL_SEND_ATTEMPTS,
  type MailInput,
  type OutboxMail,
  type Page,
  type DeliveryOutcome,
} from "./mail.service.server";
export { createMailer, type Mailer, type OutgoingMail } from "./mailer.server";
export { notificationJobs } from "./jobs.server";
export { PAGE_SIZE, MarkReadForm, NotificationId, MailId, readCursor } from "./notifications.schema";
