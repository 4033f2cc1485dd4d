/**
 * SQL for the simulator's own tables (`sim_*`). The platform's code never
 * reads these; only the simulator (playing the provider) does.
 */
import type { Insertable, Kysely } from "kysely";
import type { Database } from "../../../db/database";
import type {
  SimNotificationAttemptRow,
  SimNotificationRow,
  SimNotificationsTable,
  SimRefundRow,
  SimRefundsTable,
  SimTradeRow,
  SimTradesTable,
} from "../../../db/tables/payments";

type Db = Kysely<Database>;

export type SimSettings = { timeScale: number; refundOutcome: "SUCCESS" | "ABNORMAL"; notifyBaseUrl: string | null };

export async function selectSettings(db: Db): Promise<SimSettings> {
  const r = await db.selectFrom("sim_settings").selectAll().executeTakeFirst();
  return {
    timeScale: r ? Number(r.time_scale) : 1,
    refundOutcome: r?.refund_outcome ?? "SUCCESS",
    notifyBaseUrl: r?.notify_base_url ?? null,
  };
}

export async function updateSettings(db: Db, s: Partial<SimSettings>): Promise<void> {
  await db
    .updateTable("sim_settings")
    .set({
      ...(s.timeScale !== undefined ? { time_scale: s.timeScale } : {}),
      ...(s.refundOutcome !== undefined ? { refund_outcome: s.refundOutcome } : {}),
      ...(s.notifyBaseUrl !== undefined ? { notify_base_url: s.notifyBaseUrl } : {}),
      updated_at: new Date(),
    })
    .where("id", "=", true)
    .execute();
}

/** A new trade; resolves to its prepay id, or undefined when the trade already existed. */
export async function insertTrade(db: Db, row: Insertable<SimTradesTable>): Promise<string | undefined> {
  const r = await db.insertInto("sim_trades").values(row).onConflict((oc) => oc.column("out_trade_no").doNothing()).returning("prepay_id").executeTakeFirst();
  return r?.prepay_id;
}

export async function selectTrade(db: Db, outTradeNo: string): Promise<SimTradeRow | undefined> {
  return db.selectFrom("sim_trades").selectAll().where("out_trade_no", "=", outTradeNo).executeTakeFirst();
}

export async function selectTradeForUpdate(db: Db, outTradeNo: string): Promise<SimTradeRow | undefined> {
  return db.selectFrom("sim_trades").selectAll().where("out_trade_no", "=", outTradeNo).forUpdate().executeTakeFirst();
}

export async function updateTrade(
  db: Db,
  outTradeNo: string,
  set: Partial<Pick<SimTradeRow, "trade_state" | "transaction_id" | "success_time" | "closed_at" | "refunded">>,
): Promise<void> {
  await db
    .updateTable("sim_trades")
    .set({ ...set, updated_at: new Date() })
    .where("out_trade_no", "=", outTradeNo)
    .execute();
}

export async function selectRefund(db: Db, outRefundNo: string): Promise<SimRefundRow | undefined> {
  return db.selectFrom("sim_refunds").selectAll().where("out_refund_no", "=", outRefundNo).executeTakeFirst();
}

export async function insertRefund(db: Db, row: Insertable<SimRefundsTable>): Promise<void> {
  await db.insertInto("sim_refunds").values(row).execute();
}

export async function finishRefund(db: Db, outRefundNo: string, status: "SUCCESS" | "ABNORMAL", at: Date): Promise<void> {
  await db
    .updateTable("sim_refunds")
    .set({ status, success_time: status === "SUCCESS" ? at : null })
    .where("out_refund_no", "=", outRefundNo)
    .execute();
}

export async function insertNotification(db: Db, row: Insertable<SimNotificationsTable>): Promise<void> {
  await db.insertInto("sim_notifications").values(row).execute();
}

export async function selectNotification(db: Db, id: string): Promise<SimNotificationRow | undefined> {
  return db.selectFrom("sim_notifications").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Takes attempt number `attempt` of a pending notification: only if the
 * previous attempt was the last one made, so two workers (a job and the
 * sweeper's copy) never send the same attempt twice. While the attempt is in
 * flight `next_attempt_at` is a lease the sweeper leaves alone.
 */
export async function claimAttempt(db: Db, id: string, attempt: number, leaseUntil: Date): Promise<SimNotificationRow | undefined> {
  return db
    .updateTable("sim_notifications")
    .set({ attempts: attempt, next_attempt_at: leaseUntil })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where("attempts", "=", attempt - 1)
    .returningAll()
    .executeTakeFirst();
}

export async function insertAttempt(
  db: Db,
  row: {
    notificationId: string;
    attempt: number;
    timestamp: string;
    nonce: string;
    signature: string;
    httpStatus: number | null;
    error: string | null;
    durationMs: number;
    sentAt: Date;
  },
): Promise<void> {
  await db
    .insertInto("sim_notification_attempts")
    .values({
      notification_id: row.notificationId,
      attempt: row.attempt,
      wechatpay_timestamp: row.timestamp,
      wechatpay_nonce: row.nonce,
      wechatpay_signature: row.signature,
      http_status: row.httpStatus,
      error: row.error,
      duration_ms: row.durationMs,
      sent_at: row.sentAt,
    })
    .onConflict((oc) => oc.columns(["notification_id", "attempt"]).doNothing())
    .execute();
}

export async function markAcknowledged(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable("sim_notifications").set({ status: "acknowledged", acknowledged_at: at }).where("id", "=", id).execute();
}

export async function scheduleNext(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable("sim_notifications").set({ next_attempt_at: at }).where("id", "=", id).where("status", "=", "pending").execute();
}

export async function markGaveUp(db: Db, id: string): Promise<void> {
  await db.updateTable("sim_notifications").set({ status: "gave_up" }).where("id", "=", id).execute();
}

/** Pending notifications whose next attempt is overdue (the sweeper's work list). */
export async function selectOverdueNotifications(db: Db, before: Date, maxAttempts: number, limit: number): Promise<SimNotificationRow[]> {
  return db
    .selectFrom("sim_notifications")
    .selectAll()
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", before)
    .where("attempts", "<", maxAttempts)
    .orderBy("next_attempt_at")
    .limit(limit)
    .execute();
}

export async function selectNotificationsFor(db: Db, subject: string): Promise<SimNotificationRow[]> {
  return db.selectFrom("sim_notifications").selectAll().where("subject", "=", subject).orderBy("created_at").execute();
}

export async function selectAttempts(db: Db, notificationId: string): Promise<SimNotificationAttemptRow[]> {
  return db.selectFrom("sim_notification_attempts").selectAll().where("notification_id", "=", notificationId).orderBy("attempt").execute();
}

export async function selectRecentTrades(db: Db, limit: number): Promise<SimTradeRow[]> {
  return db.selectFrom("sim_trades").selectAll().orderBy("created_at", "desc").limit(limit).execute();
}

export async function selectRecentNotifications(db: Db, limit: number): Promise<SimNotificationRow[]> {
  return db.selectFrom("sim_notifications").selectAll().orderBy("created_at", "desc").limit(limit).execute();
}
