import nodemailer from "nodemailer";
import type { Config } from "../config.server";

export type OutgoingMail = { to: string; subject: string; text: string };

/**
 * Sends e-mail over SMTP when `SMTP_URL` is set (`mode: "smtp"`); otherwise
 * `mode` is "kept", `send` does nothing, and mail is only kept in the database
 * (the development mailbox shows it).
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
  // Bounded timeouts: delivery holds a row lock while it talks to the server
  // (mail.service.server.ts), and nodemailer's default socket timeout is an hour.
  // Values in the URL's query string still win.
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
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
