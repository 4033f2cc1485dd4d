import nodemailer from "nodemailer";
import type { Config } from "../config.server";

export type OutgoingMail = { to: string; subject: string; text: string };

/**
 * Sends e-mail over SMTP when `SMTP_URL` is set; otherwise `deliver` is null
 * and mail is only kept in the database (the development mailbox shows it).
 */
export type Mailer = {
  readonly mode: "smtp" | "kept";
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
};

export function createMailer(config: Pick<Config, "smtpUrl" | "mailFrom">): Mailer {
  if (!config.smtpUrl) {
    return { mode: "kept", async send() {}, async close() {} };
  }
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    mode: "smtp",
    async send(mail) {
      await transport.sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text });
    },
    async close() {
      transport.close();
    },
  };
}
