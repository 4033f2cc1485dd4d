import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The payment simulator's own state (app/payments/simulator): what a real
 * provider keeps on its side, kept apart from the platform's tables — the
 * platform never reads these, it asks the simulator through the provider
 * interface as it would ask WeChat Pay.
 *
 * - `sim_trades`: a trade per `out_trade_no`, `NOTPAY → SUCCESS | CLOSED`
 *   (`SUCCESS → REFUND` once refunded); the simulator refuses to close a paid
 *   trade and to pay a closed one.
 * - `sim_refunds`: per `out_refund_no`, `PROCESSING → SUCCESS | ABNORMAL`.
 * - `sim_notifications`: one per event, with its body fixed at creation (the
 *   same id on every attempt); `sim_notification_attempts` logs each
 *   delivery attempt with the nonce, timestamp and signature it carried.
 * - `sim_settings`: one row — the time scale of the retry schedule, the
 *   outcome of refunds, and where to deliver relative notify URLs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE sim_settings (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      time_scale double precision NOT NULL DEFAULT 1 CHECK (time_scale > 0 AND time_scale <= 1),
      refund_outcome text NOT NULL DEFAULT 'SUCCESS' CHECK (refund_outcome IN ('SUCCESS', 'ABNORMAL')),
      notify_base_url text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO sim_settings (id) VALUES (true);
    CREATE TABLE sim_trades (
      out_trade_no text PRIMARY KEY,
      mchid text NOT NULL,
      appid text NOT NULL,
      prepay_id text NOT NULL UNIQUE,
      transaction_id text UNIQUE,
      description text NOT NULL,
      amount integer NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL,
      notify_url text NOT NULL,
      trade_state text NOT NULL DEFAULT 'NOTPAY' CHECK (trade_state IN ('NOTPAY', 'SUCCESS', 'CLOSED', 'REFUND')),
      refunded integer NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
      success_time timestamptz,
      closed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE sim_refunds (
      out_refund_no text PRIMARY KEY,
      refund_id text NOT NULL UNIQUE,
      out_trade_no text NOT NULL REFERENCES sim_trades(out_trade_no),
      amount integer NOT NULL CHECK (amount > 0),
      total integer NOT NULL,
      status text NOT NULL DEFAULT 'PROCESSING' CHECK (status IN ('PROCESSING', 'SUCCESS', 'ABNORMAL')),
      reason text NOT NULL DEFAULT '',
      notify_url text NOT NULL,
      success_time timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sim_refunds_trade_idx ON sim_refunds (out_trade_no);
    CREATE TABLE sim_notifications (
      id text PRIMARY KEY,
      event_type text NOT NULL,
      subject text NOT NULL,
      notify_url text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'gave_up')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      acknowledged_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sim_notifications_due_idx ON sim_notifications (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX sim_notifications_subject_idx ON sim_notifications (subject);
    CREATE TABLE sim_notification_attempts (
      id bigserial PRIMARY KEY,
      notification_id text NOT NULL REFERENCES sim_notifications(id),
      attempt integer NOT NULL,
      wechatpay_timestamp text NOT NULL,
      wechatpay_nonce text NOT NULL,
      wechatpay_signature text NOT NULL,
      http_status integer,
      error text,
      duration_ms integer NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (notification_id, attempt)
    )
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE sim_notification_attempts, sim_notifications, sim_refunds, sim_trades, sim_settings`);
}
