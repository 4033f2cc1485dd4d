import type { Kysely } from "kysely";
import { runStatements } from "./statements";

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE notifications (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL,
      title text NOT NULL,
      body text NOT NULL,
      link text,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      read_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
    CREATE TABLE mail_outbox (
      id text PRIMARY KEY,
      notification_id text REFERENCES notifications(id) ON DELETE SET NULL,
      to_email text NOT NULL,
      subject text NOT NULL,
      text_body text NOT NULL,
      status text NOT NULL CHECK (status IN ('kept', 'sent', 'failed')),
      error text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX mail_outbox_created_idx ON mail_outbox (id DESC);
    CREATE INDEX mail_outbox_kept_idx ON mail_outbox (created_at) WHERE status = 'kept';
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE mail_outbox, notifications;`);
}
