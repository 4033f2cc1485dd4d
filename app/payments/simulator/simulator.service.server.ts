/**
 * The payment simulator: plays WeChat Pay in development and tests, in the
 * same process, with its own state (`sim_*` tables) — the platform only ever
 * reaches it through the provider interface, as it would reach WeChat Pay.
 *
 * - As the **gateway** ({@link simulatorGateway}) it opens, closes, queries and
 *   refunds trades. It refuses to close a paid trade (ORDERPAID) and to pay a
 *   closed one, so "closed at the provider" really means "can no longer be
 *   paid".
 * - The **cashier** (`/pay/:paymentId`) pays a trade ({@link simulatePayment}):
 *   the trade becomes SUCCESS and a TRANSACTION.SUCCESS notification is
 *   written in the same transaction.
 * - **Delivery**: every notification (payments and refunds) is POSTed to its
 *   notify URL by `payments.sim_deliver` jobs, one job per attempt, each
 *   attempt signed afresh (new timestamp, nonce and signature over the same
 *   body), until a 2xx — on WeChat Pay's schedule ({@link RETRY_SCHEDULE_SECONDS})
 *   multiplied by the `time_scale` setting. The first attempt is enqueued
 *   after the simulator's transaction commits; the `payments.sim_sweep` job
 *   re-enqueues any attempt that is overdue (a process that died between
 *   commit and enqueue), with the same deterministic job id, so an attempt
 *   runs once.
 */
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import type { SimNotificationAttemptRow, SimNotificationRow, SimTradeRow } from "../../../db/tables/payments";
import type { Config } from "../../config.server";
import type { JobQueue } from "../../jobs/jobs.types";
import { inTransaction } from "../transaction.server";
import type { WechatPayKeys } from "../wechatpay/keys.server";
import { buildNotificationBody, rfc3339China, signNotification, type TransactionResource } from "../wechatpay/protocol.server";
import type { WechatPayGateway } from "../wechatpay/provider.server";
import * as repo from "./simulator.repository.server";

/** WeChat Pay's notification retry intervals, in seconds: 15 retries after the first attempt (24 h 4 min in all). */
export const RETRY_SCHEDULE_SECONDS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600] as const;
export const MAX_DELIVERY_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1;
export const SIM_DELIVER_JOB = "payments.sim_deliver";
export const SIM_SWEEP_JOB = "payments.sim_sweep";
export const SIM_SWEEP_EVERY_MS = 5_000;
/** How long one delivery may take (WeChat Pay allows a few seconds). */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** An attempt in flight holds off the sweeper this long. */
const ATTEMPT_LEASE_MS = 60_000;
const SWEEP_GRACE_MS = 2_000;

export type SimulatorDeps = {
  db: Kysely<Database>;
  /** to enqueue the first delivery after commit; without it the sweep delivers */
  jobs?: JobQueue;
  keys: () => WechatPayKeys;
};

export type SimSettings = repo.SimSettings;

/** The simulator runs wherever NODE_ENV is not production (like the development mailbox). */
export function isSimulatorAvailable(config: Pick<Config, "env">): boolean {
  return config.env !== "production";
}

/** The delay before attempt `attempt + 1`, after attempt `attempt` failed. */
export function retryDelayMs(attempt: number, timeScale: number): number {
  const s = RETRY_SCHEDULE_SECONDS[attempt - 1];
  if (s === undefined) throw new Error(`no retry after attempt ${attempt}`);
  return Math.max(1, Math.round(s * 1000 * timeScale));
}

export function deliveryJobId(notificationId: string, attempt: number): string {
  return `simnotify-${notificationId}-${attempt}`;
}

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

function signingKey(keys: WechatPayKeys): { serial: string; privateKey: import("node:crypto").KeyObject } {
  if (!keys.simulator) throw new Error("the payment simulator has no signing key (WeChat Pay keys come from the environment)");
  return keys.simulator;
}

function transactionResource(t: SimTradeRow): TransactionResource {
  const paid = t.trade_state === "SUCCESS" || t.trade_state === "REFUND";
  return {
    appid: t.appid,
    mchid: t.mchid,
    out_trade_no: t.out_trade_no,
    ...(paid && t.transaction_id ? { transaction_id: t.transaction_id } : {}),
    trade_type: "JSAPI",
    trade_state: t.trade_state,
    trade_state_desc: { NOTPAY: "未支付", SUCCESS: "支付成功", CLOSED: "已关闭", REFUND: "转入退款" }[t.trade_state],
    bank_type: paid ? "OTHERS" : "",
    attach: "",
    ...(paid && t.success_time ? { success_time: rfc3339China(new Date(t.success_time)) } : {}),
    payer: { openid: `o${t.appid.slice(-6)}simulated` },
    amount: paid
      ? { total: t.amount, payer_total: t.amount, currency: t.currency, payer_currency: t.currency }
      : { total: t.amount, currency: t.currency },
  };
}

async function writeNotification(
  trx: Kysely<Database>,
  keys: WechatPayKeys,
  n: { eventType: string; summary: string; originalType: "transaction" | "refund"; resource: object; subject: string; notifyUrl: string },
): Promise<string> {
  const { id, body } = buildNotificationBody({
    eventType: n.eventType,
    summary: n.summary,
    originalType: n.originalType,
    resource: n.resource,
    apiV3Key: keys.apiV3Key,
  });
  await repo.insertNotification(trx, { id, event_type: n.eventType, subject: n.subject, notify_url: n.notifyUrl, body });
  return id;
}

async function enqueueDelivery(jobs: JobQueue, notificationId: string, attempt: number, delayMs = 0): Promise<void> {
  await jobs.enqueue(
    SIM_DELIVER_JOB,
    { notificationId, attempt },
    { jobId: deliveryJobId(notificationId, attempt), delayMs, attempts: 3, backoff: { type: "fixed", delayMs: 1000 } },
  );
}

type RefundAnswer = { refund_id: string; out_refund_no: string; status: "PROCESSING" | "SUCCESS" | "ABNORMAL" };
const refused = (code: string, message: string) => ({ kind: "refused" as const, error: { code, message } });
const accepted = (refund: RefundAnswer, notificationId: string | null) => ({ kind: "accepted" as const, refund, notificationId });

/** The simulator as WeChat Pay's API (see {@link WechatPayGateway}). */
export function simulatorGateway(deps: SimulatorDeps): WechatPayGateway {
  const { db } = deps;
  return {
    async prepay(req) {
      const prepayId = `wx${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}${randomBytes(10).toString("hex")}`;
      const inserted = await repo.insertTrade(db, {
        out_trade_no: req.out_trade_no,
        mchid: req.mchid,
        appid: req.appid,
        prepay_id: prepayId,
        description: req.description,
        amount: req.amount.total,
        currency: req.amount.currency,
        notify_url: req.notify_url,
        updated_at: new Date(),
      });
      if (inserted) return { prepay_id: inserted };
      // A second prepay for the same out_trade_no returns the first's prepay id, as WeChat does.
      const t = await repo.selectTrade(db, req.out_trade_no);
      return { prepay_id: t!.prepay_id };
    },

    async close(outTradeNo) {
      return inTransaction(db, async (trx) => {
        const t = await repo.selectTradeForUpdate(trx, outTradeNo);
        if (!t || t.trade_state === "CLOSED") return { ok: true as const };
        if (t.trade_state !== "NOTPAY") return { ok: false as const, code: "ORDERPAID" as const };
        await repo.updateTrade(trx, outTradeNo, { trade_state: "CLOSED", closed_at: new Date() });
        return { ok: true as const };
      });
    },

    async query(outTradeNo) {
      const t = await repo.selectTrade(db, outTradeNo);
      return t ? transactionResource(t) : null;
    },

    async refund(req) {
      const keys = deps.keys();
      const out = await inTransaction(db, async (trx) => {
        const t = await repo.selectTradeForUpdate(trx, req.out_trade_no);
        if (!t) return refused("RESOURCE_NOT_EXISTS", "no such trade");
        const existing = await repo.selectRefund(trx, req.out_refund_no);
        if (existing) {
          return accepted({ refund_id: existing.refund_id, out_refund_no: existing.out_refund_no, status: existing.status }, null);
        }
        if (t.trade_state !== "SUCCESS" && t.trade_state !== "REFUND") return refused("TRADE_NOT_PAID", "the trade is not paid");
        if (req.amount.total !== t.amount || req.amount.currency !== t.currency) {
          return refused("PARAM_ERROR", "amount.total or currency does not match the trade");
        }
        if (req.amount.refund <= 0 || t.refunded + req.amount.refund > t.amount) {
          return refused("NOT_ENOUGH", "refund exceeds what is left of the trade");
        }
        const settings = await repo.selectSettings(trx);
        const refundId = `50${digits(27)}`;
        const now = new Date();
        await repo.insertRefund(trx, {
          out_refund_no: req.out_refund_no,
          refund_id: refundId,
          out_trade_no: t.out_trade_no,
          amount: req.amount.refund,
          total: t.amount,
          reason: req.reason,
          notify_url: req.notify_url,
        });
        // The simulator settles at once; the outcome still travels as a notification.
        const outcome = settings.refundOutcome;
        await repo.finishRefund(trx, req.out_refund_no, outcome, now);
        if (outcome === "SUCCESS") await repo.updateTrade(trx, t.out_trade_no, { trade_state: "REFUND", refunded: t.refunded + req.amount.refund });
        const notificationId = await writeNotification(trx, keys, {
          eventType: `REFUND.${outcome}`,
          summary: outcome === "SUCCESS" ? "退款成功" : "退款异常",
          originalType: "refund",
          subject: req.out_refund_no,
          notifyUrl: req.notify_url,
          resource: {
            mchid: t.mchid,
            out_trade_no: t.out_trade_no,
            transaction_id: t.transaction_id,
            out_refund_no: req.out_refund_no,
            refund_id: refundId,
            refund_status: outcome,
            ...(outcome === "SUCCESS" ? { success_time: rfc3339China(now) } : {}),
            user_received_account: "支付用户零钱",
            amount: { total: t.amount, refund: req.amount.refund, payer_total: t.amount, payer_refund: req.amount.refund },
          },
        });
        return accepted({ refund_id: refundId, out_refund_no: req.out_refund_no, status: "PROCESSING" }, notificationId);
      });
      if (out.kind === "refused") return out.error;
      if (out.notificationId && deps.jobs && !db.isTransaction) await enqueueDelivery(deps.jobs, out.notificationId, 1);
      return out.refund;
    },
  };
}

export type SimulatedPayResult = "paid" | "already_paid" | "closed" | "not_found";

/**
 * The buyer pays a trade at the cashier. Marks it paid and writes the
 * TRANSACTION.SUCCESS notification in one transaction, then enqueues its
 * first delivery. Call it outside any transaction.
 */
export async function simulatePayment(deps: SimulatorDeps, outTradeNo: string): Promise<SimulatedPayResult> {
  const keys = deps.keys();
  signingKey(keys);
  const out = await deps.db.transaction().execute(async (trx) => {
    const t = await repo.selectTradeForUpdate(trx, outTradeNo);
    if (!t) return { result: "not_found" as const };
    if (t.trade_state === "CLOSED") return { result: "closed" as const };
    if (t.trade_state !== "NOTPAY") return { result: "already_paid" as const };
    const paid: SimTradeRow = { ...t, trade_state: "SUCCESS", transaction_id: `4200${digits(24)}`, success_time: new Date() };
    await repo.updateTrade(trx, outTradeNo, { trade_state: "SUCCESS", transaction_id: paid.transaction_id, success_time: paid.success_time });
    const notificationId = await writeNotification(trx, keys, {
      eventType: "TRANSACTION.SUCCESS",
      summary: "支付成功",
      originalType: "transaction",
      subject: outTradeNo,
      notifyUrl: t.notify_url,
      resource: transactionResource(paid),
    });
    return { result: "paid" as const, notificationId };
  });
  if (out.result === "paid" && deps.jobs) await enqueueDelivery(deps.jobs, out.notificationId, 1);
  return out.result;
}

function resolveUrl(notifyUrl: string, base: string): string {
  return new URL(notifyUrl, base.endsWith("/") ? base : `${base}/`).toString();
}

/**
 * One delivery attempt (the `payments.sim_deliver` job): claims attempt
 * `attempt`, signs the stored body afresh, POSTs it, logs the attempt, and on
 * anything but a 2xx schedules the next attempt (or gives up after the last).
 * A stale or duplicate job finds nothing to claim and returns.
 */
export async function deliverSimNotification(
  deps: { db: Kysely<Database>; jobs: JobQueue; keys: () => WechatPayKeys; publicUrl: string },
  notificationId: string,
  attempt: number,
): Promise<void> {
  const { db } = deps;
  const key = signingKey(deps.keys());
  const n = await repo.claimAttempt(db, notificationId, attempt, new Date(Date.now() + ATTEMPT_LEASE_MS));
  if (!n) return;
  const settings = await repo.selectSettings(db);
  const headers = signNotification(n.body, key);
  const sentAt = new Date();
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(resolveUrl(n.notify_url, settings.notifyBaseUrl ?? deps.publicUrl), {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json", "user-agent": "Mozilla/4.0 (Bazaar WeChat Pay simulator)" },
      body: n.body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    httpStatus = res.status;
    await res.arrayBuffer().catch(() => undefined);
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  await repo.insertAttempt(db, {
    notificationId,
    attempt,
    timestamp: headers["Wechatpay-Timestamp"],
    nonce: headers["Wechatpay-Nonce"],
    signature: headers["Wechatpay-Signature"],
    httpStatus,
    error,
    durationMs: Date.now() - sentAt.getTime(),
    sentAt,
  });
  if (httpStatus !== null && httpStatus >= 200 && httpStatus < 300) {
    await repo.markAcknowledged(db, notificationId, new Date());
    return;
  }
  if (attempt >= MAX_DELIVERY_ATTEMPTS) {
    await repo.markGaveUp(db, notificationId);
    return;
  }
  const delayMs = retryDelayMs(attempt, settings.timeScale);
  await repo.scheduleNext(db, notificationId, new Date(Date.now() + delayMs));
  await enqueueDelivery(deps.jobs, notificationId, attempt + 1, delayMs);
}

/** Re-enqueues overdue attempts (the `payments.sim_sweep` job). Resolves to how many. */
export async function sweepSimNotifications(deps: { db: Kysely<Database>; jobs: JobQueue }): Promise<number> {
  const due = await repo.selectOverdueNotifications(deps.db, new Date(Date.now() - SWEEP_GRACE_MS), MAX_DELIVERY_ATTEMPTS, 200);
  for (const n of due) await enqueueDelivery(deps.jobs, n.id, n.attempts + 1);
  return due.length;
}

export async function getSimSettings(db: Kysely<Database>): Promise<SimSettings> {
  return repo.selectSettings(db);
}

/** Changes simulator settings (the simulator page; tests shorten the schedule with `timeScale`). */
export async function setSimSettings(db: Kysely<Database>, s: Partial<SimSettings>): Promise<void> {
  if (s.timeScale !== undefined && !(s.timeScale > 0 && s.timeScale <= 1)) throw new Error("timeScale must be in (0, 1]");
  if (s.notifyBaseUrl) new URL(s.notifyBaseUrl); // throws on a malformed URL
  await repo.updateSettings(db, s);
}

/** What the cashier shows of a trade. */
export async function getSimTrade(db: Kysely<Database>, outTradeNo: string): Promise<SimTradeRow | undefined> {
  return repo.selectTrade(db, outTradeNo);
}

export type SimNotificationView = SimNotificationRow & { attemptLog: SimNotificationAttemptRow[] };

/** A trade's or refund's notifications with every delivery attempt (tests and the simulator page). */
export async function listSimNotifications(db: Kysely<Database>, subject: string): Promise<SimNotificationView[]> {
  const ns = await repo.selectNotificationsFor(db, subject);
  return Promise.all(ns.map(async (n) => ({ ...n, attemptLog: await repo.selectAttempts(db, n.id) })));
}

/** Recent trades and notifications, newest first (the simulator page). */
export async function listSimActivity(db: Kysely<Database>, limit = 50): Promise<{ trades: SimTradeRow[]; notifications: SimNotificationRow[] }> {
  return { trades: await repo.selectRecentTrades(db, limit), notifications: await repo.selectRecentNotifications(db, limit) };
}
