/**
 * The notifications module's jobs, for the worker list in
 * app/jobs/workers.server.ts. See mail.service.server.ts for why mail is
 * delivered by a sweep plus one idempotent job per mail.
 */
import { z } from "zod";
import type { JobDefinition } from "../jobs/index.server";
import { MailId } from "./notifications.schema";
import { deliverMail, MAIL_SWEEP_EVERY_MS, MAIL_SWEEP_JOB, SEND_MAIL_JOB, sweepKeptMail } from "./mail.service.server";

const SendMailData = z.object({ mailId: MailId });

/**
 * - `notifications.send_mail` `{ mailId }`: sends one kept mail over SMTP and
 *   marks it sent; enqueued with the mail id as job id, 5 attempts,
 *   exponential backoff; marks the mail failed on the last attempt.
 * - `notifications.mail_sweep`: every {@link MAIL_SWEEP_EVERY_MS} ms, enqueues
 *   `send_mail` for recent kept mails; a no-op without SMTP.
 */
export const notificationJobs: JobDefinition[] = [
  {
    name: SEND_MAIL_JOB,
    // Each delivery holds a database connection for its SMTP conversation.
    concurrency: 4,
    handler: (platform) => async (data, job) => {
      const { mailId } = SendMailData.parse(data);
      await deliverMail(platform, mailId, job.attempt);
    },
  },
  {
    name: MAIL_SWEEP_JOB,
    concurrency: 1,
    schedule: { everyMs: MAIL_SWEEP_EVERY_MS },
    handler: (platform) => async () => {
      await sweepKeptMail(platform);
    },
  },
];
