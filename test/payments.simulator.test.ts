/**
 * The payment simulator end to end, with the real workers (queue and outbox
 * relay) and the production express app: the cashier page, signed
 * notifications delivered and retried on WeChat Pay's (scaled) schedule,
 * refunds completed by REFUND.* notifications, closing at the provider, and
 * reconciliation by query. The simulator's output is checked with the tests'
 * own textbook WeChat Pay verifier (payments-fixtures.ts).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../app/jobs/workers.server";
import {
  closePaymentAtProvider,
  getSimSettings,
  listSimNotifications,
  loadWechatPayKeys,
  MAX_DELIVERY_ATTEMPTS,
  paymentJobs,
  reconcilePendingPayments,
  refundSubmissionConsumer,
  requestRefund,
  retryDelayMs,
  RETRY_SCHEDULE_SECONDS,
  setSimSettings,
  simulatePayment,
} from "../app/payments/index.server";
import * as cashierRoute from "../app/routes/pay.$paymentId";
import * as simulatorRoute from "../app/routes/dev.payments";
import { TestClient } from "./accounts-helpers";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createClient, startTestServer, type TestServer } from "./support/server";
import { createPendingPayment, readProviderKeys, signHeaders, snapshot, textbookOpen, waitFor, type ProviderKeys } from "./payments-fixtures";

let platform: TestPlatform;
let server: TestServer;
let stopWorkers: () => Promise<void>;
let keys: ProviderKeys;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  keys = readProviderKeys(platform);
  await setSimSettings(platform.db, { notifyBaseUrl: server.url, timeScale: 0.01 });
  stopWorkers = await startWorkers(platform, { jobs: paymentJobs, consumers: [refundSubmissionConsumer], relayIntervalMs: 100 });
});

afterAll(async () => {
  await stopWorkers?.();
  await server?.close();
  await platform?.close();
});

/** The simulator's signing keys, as the cashier gets them. */
const simKeys = () => loadWechatPayKeys(platform.config);

async function orderRow(orderId: string) {
  return platform.db.selectFrom("orders").select(["status", "refunded_total", "total"]).where("id", "=", orderId).executeTakeFirstOrThrow();
}

describe("the retry schedule", () => {
  it("is WeChat Pay's: 15 retries over 24 h 4 min, scaled by the time scale", () => {
    expect([...RETRY_SCHEDULE_SECONDS]).toEqual([15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]);
    expect(RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0)).toBe(24 * 3600 + 4 * 60);
    expect(MAX_DELIVERY_ATTEMPTS).toBe(16);
    expect(retryDelayMs(1, 1)).toBe(15_000);
    expect(retryDelayMs(4, 0.01)).toBe(1_800);
    expect(retryDelayMs(15, 0.001)).toBe(21_600);
    expect(() => retryDelayMs(16, 1)).toThrow();
  });
});

describe("the cashier", () => {
  it("shows the shop and the total, needs the CSRF token to pay, then sends the buyer to the order", async () => {
    const p = await createPendingPayment(platform, { total: 2590 });
    const browser = createClient(server.url);
    const page = await browser.get(p.cashierUrl);
    expect(page.status).toBe(200);
    expect(page.body).toContain("¥25.90");
    expect(page.body).toMatch(/Pay <!-- -->¥25.90|Pay ¥25.90/);

    const client = new TestClient(platform);
    const noToken = await client.post(cashierRoute, p.cashierUrl, {}, { params: { paymentId: p.paymentId }, csrf: false });
    expect(noToken.status).toBe(403);
    expect((await platform.db.selectFrom("sim_trades").select("trade_state").where("out_trade_no", "=", p.paymentId).executeTakeFirstOrThrow()).trade_state).toBe("NOTPAY");

    const paid = await client.post(cashierRoute, p.cashierUrl, {}, { params: { paymentId: p.paymentId } });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`/orders/${p.orderId}`);
    await waitFor("the order to be paid", async () => (await orderRow(p.orderId)).status === "paid");
    const [n] = await waitFor("the notification to be acknowledged", async () => {
      const ns = await listSimNotifications(platform.db, p.paymentId);
      return ns.length === 1 && ns[0].status === "acknowledged" ? ns : null;
    });
    expect(n.attemptLog.map((a) => a.http_status)).toEqual([204]);
    expect(await snapshot(platform, p)).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], notifications: 1, orderPaidEvents: 1 });

    // What the simulator sent is a WeChat Pay v3 notification by the textbook.
    const a = n.attemptLog[0];
    const resource = textbookOpen(keys, { "wechatpay-timestamp": a.wechatpay_timestamp, "wechatpay-nonce": a.wechatpay_nonce, "wechatpay-signature": a.wechatpay_signature }, n.body);
    expect(resource).toMatchObject({ out_trade_no: p.paymentId, trade_state: "SUCCESS", amount: { total: 2590, currency: "CNY" } });
    expect(resource.transaction_id).toMatch(/^4200\d{24}$/);
    expect(JSON.parse(n.body)).toMatchObject({ event_type: "TRANSACTION.SUCCESS", resource_type: "encrypt-resource", resource: { algorithm: "AEAD_AES_256_GCM", original_type: "transaction" } });

    // Paying again is a no-op that sends the buyer back.
    const again = await client.post(cashierRoute, p.cashierUrl, {}, { params: { paymentId: p.paymentId } });
    expect(again.status).toBe(303);
    expect(await listSimNotifications(platform.db, p.paymentId)).toHaveLength(1);
  });

  it("is 404 for an unknown payment", async () => {
    const res = await new TestClient(platform).get(cashierRoute, "/pay/pay_00000000000000000000000000", { paymentId: "pay_00000000000000000000000000" });
    expect(res.status).toBe(404);
  });
});

describe("delivery retries", () => {
  it("follow the scaled schedule, signed afresh each attempt, until acknowledged", async () => {
    const received: { at: number; headers: http.IncomingHttpHeaders; body: string; status: number }[] = [];
    // The provider's view of the merchant: down for three attempts, then the real endpoint.
    const flaky = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const entry = { at: Date.now(), headers: req.headers, body, status: 500 };
        received.push(entry);
        if (received.length <= 3) {
          res.writeHead(500, { "content-type": "application/json" }).end('{"code":"FAIL","message":"down"}');
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (k.startsWith("wechatpay-") || k === "content-type") headers[k] = String(v);
        const real = await fetch(`${server.url}${req.url}`, { method: "POST", headers, body });
        entry.status = real.status;
        res.writeHead(real.status).end(await real.text());
      });
    });
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", () => r()));
    const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    try {
      await setSimSettings(platform.db, { notifyBaseUrl: flakyUrl, timeScale: 0.01 });
      const p = await createPendingPayment(platform);
      const client = new TestClient(platform);
      expect((await client.post(cashierRoute, p.cashierUrl, {}, { params: { paymentId: p.paymentId } })).status).toBe(303);
      await waitFor("the fourth attempt to be acknowledged", async () => {
        const ns = await listSimNotifications(platform.db, p.paymentId);
        return ns[0]?.status === "acknowledged";
      });
      expect(received.map((r) => r.status)).toEqual([500, 500, 500, 204]);
      // Gaps: 15 s, 15 s, 30 s at a scale of 0.01 (never sooner; later only by queue latency).
      const gaps = received.slice(1).map((r, i) => r.at - received[i].at);
      const expected = [150, 150, 300];
      gaps.forEach((g, i) => {
        expect(g).toBeGreaterThanOrEqual(expected[i] - 10);
        expect(g).toBeLessThan(expected[i] + 5_000);
      });
      // One body, four fresh signatures, each valid by the textbook.
      expect(new Set(received.map((r) => r.body)).size).toBe(1);
      expect(new Set(received.map((r) => r.headers["wechatpay-nonce"])).size).toBe(4);
      expect(new Set(received.map((r) => r.headers["wechatpay-signature"])).size).toBe(4);
      for (const r of received) {
        const h = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
        expect(h["wechatpay-serial"]).toBe(keys.serial);
        expect(Math.abs(Number(h["wechatpay-timestamp"]) - r.at / 1000)).toBeLessThan(5);
        expect(textbookOpen(keys, h, r.body)).toMatchObject({ out_trade_no: p.paymentId, trade_state: "SUCCESS" });
      }
      const [n] = await listSimNotifications(platform.db, p.paymentId);
      expect(n.attemptLog.map((a) => [a.attempt, a.http_status])).toEqual([
        [1, 500],
        [2, 500],
        [3, 500],
        [4, 204],
      ]);
      expect(await snapshot(platform, p)).toMatchObject({ orderStatus: "paid", notifications: 1, orderPaidEvents: 1 });
    } finally {
      flaky.close();
      await setSimSettings(platform.db, { notifyBaseUrl: server.url, timeScale: 0.01 });
    }
  });

  it("stop after 16 attempts (the first and 15 retries) when never acknowledged", async () => {
    let hits = 0;
    const down = http.createServer((_req, res) => {
      hits++;
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => down.listen(0, "127.0.0.1", () => r()));
    try {
      // 6 h × 1e-6 = 21.6 ms: the whole day of retries in well under a second of schedule.
      await setSimSettings(platform.db, { notifyBaseUrl: `http://127.0.0.1:${(down.address() as AddressInfo).port}`, timeScale: 0.000001 });
      const p = await createPendingPayment(platform);
      expect(await simulatePayment({ db: platform.db, jobs: platform.jobs, keys: simKeys }, p.paymentId)).toBe("paid");
      const [n] = await waitFor(
        "the simulator to give up",
        async () => {
          const ns = await listSimNotifications(platform.db, p.paymentId);
          return ns[0]?.status === "gave_up" ? ns : null;
        },
        60_000,
      );
      expect(n.attempts).toBe(16);
      expect(n.attemptLog.map((a) => a.attempt)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      expect(hits).toBe(16);
      expect((await orderRow(p.orderId)).status).toBe("pending_payment");
    } finally {
      down.close();
      await setSimSettings(platform.db, { notifyBaseUrl: server.url, timeScale: 0.01 });
    }
  });
});

describe("refunds through the simulator", () => {
  it("are submitted after commit and completed by REFUND.SUCCESS, applied to the order once", async () => {
    const p = await createPendingPayment(platform, { total: 5000 });
    expect(await simulatePayment({ db: platform.db, jobs: platform.jobs, keys: simKeys }, p.paymentId)).toBe("paid");
    await waitFor("paid", async () => (await orderRow(p.orderId)).status === "paid");

    const refund = await requestRefund(platform.db, {
      shopId: p.shopId,
      orderId: p.orderId,
      amount: 1200,
      lines: [{ lineId: p.lineId, quantity: 1, amount: 1200 }],
      reason: "Scratched lid",
      source: "merchant",
      restock: false,
      idempotencyKey: "refund-1",
      actor: { type: "user", id: p.ownerId },
    });
    expect(refund.status).toBe("pending");
    const done = await waitFor("the refund to succeed", async () => {
      const r = await platform.db.selectFrom("refunds").selectAll().where("id", "=", refund.id).executeTakeFirstOrThrow();
      return r.status === "succeeded" ? r : null;
    });
    expect(done.provider_refund_id).toMatch(/^50\d{27}$/);
    expect(done.submitted_at).not.toBeNull();
    const order = await orderRow(p.orderId);
    expect(order).toMatchObject({ status: "paid", refunded_total: 1200 });
    const refundedEvents = await platform.db.selectFrom("order_events").select("id").where("order_id", "=", p.orderId).where("type", "=", "refunded").execute();
    expect(refundedEvents).toHaveLength(1);

    // The simulator's REFUND.SUCCESS, by the textbook; and its replay changes nothing.
    const [n] = await waitFor("the refund notification to be acknowledged", async () => {
      const ns = await listSimNotifications(platform.db, refund.id);
      return ns[0]?.status === "acknowledged" ? ns : null;
    });
    const a = n.attemptLog[n.attemptLog.length - 1];
    const headers = { "content-type": "application/json", "wechatpay-timestamp": String(Math.floor(Date.now() / 1000)), "wechatpay-nonce": a.wechatpay_nonce, "wechatpay-serial": keys.serial, "wechatpay-signature": a.wechatpay_signature };
    expect(textbookOpen(keys, { ...headers, "wechatpay-timestamp": a.wechatpay_timestamp }, n.body)).toMatchObject({
      out_refund_no: refund.id,
      out_trade_no: p.paymentId,
      refund_status: "SUCCESS",
      amount: { refund: 1200, total: 5000 },
    });
    const replay = await fetch(`${server.url}/payments/notify/wechatpay`, { method: "POST", headers: signHeaders(keys, n.body), body: n.body });
    expect(replay.status).toBe(204);
    expect(await orderRow(p.orderId)).toMatchObject({ refunded_total: 1200 });
    expect(await platform.db.selectFrom("order_events").select("id").where("order_id", "=", p.orderId).where("type", "=", "refunded").execute()).toHaveLength(1);
  });

  it("fail on REFUND.ABNORMAL without touching the order", async () => {
    const p = await createPendingPayment(platform, { total: 3000 });
    expect(await simulatePayment({ db: platform.db, jobs: platform.jobs, keys: simKeys }, p.paymentId)).toBe("paid");
    await waitFor("paid", async () => (await orderRow(p.orderId)).status === "paid");
    await setSimSettings(platform.db, { refundOutcome: "ABNORMAL" });
    try {
      const refund = await requestRefund(platform.db, {
        shopId: p.shopId,
        orderId: p.orderId,
        amount: 3000,
        reason: "Card closed",
        source: "merchant",
        restock: false,
        idempotencyKey: "refund-abnormal",
        actor: { type: "user", id: p.ownerId },
      });
      const failed = await waitFor("the refund to fail", async () => {
        const r = await platform.db.selectFrom("refunds").selectAll().where("id", "=", refund.id).executeTakeFirstOrThrow();
        return r.status === "failed" ? r : null;
      });
      expect(failed.failure_reason).toBe("ABNORMAL");
      expect(await orderRow(p.orderId)).toMatchObject({ status: "paid", refunded_total: 0 });
    } finally {
      await setSimSettings(platform.db, { refundOutcome: "SUCCESS" });
    }
  });
});

describe("closing at the provider", () => {
  it("closes an unpaid trade, after which the cashier refuses to take the money", async () => {
    const p = await createPendingPayment(platform);
    expect(await closePaymentAtProvider(platform.db, p.shopId, p.orderId)).toEqual({ closed: true });
    expect((await platform.db.selectFrom("sim_trades").select("trade_state").where("out_trade_no", "=", p.paymentId).executeTakeFirstOrThrow()).trade_state).toBe("CLOSED");
    expect((await snapshot(platform, p)).paymentStatuses).toEqual(["closed"]);
    const res = await new TestClient(platform).post(cashierRoute, p.cashierUrl, {}, { params: { paymentId: p.paymentId } });
    expect(res.status).toBe(409);
    expect(await listSimNotifications(platform.db, p.paymentId)).toHaveLength(0);
    // Closing again is still closed.
    expect(await closePaymentAtProvider(platform.db, p.shopId, p.orderId)).toEqual({ closed: true });
  });

  it("refuses a trade the buyer has paid, and applies that payment at once; the late notification dedupes", async () => {
    await setSimSettings(platform.db, { notifyBaseUrl: "http://127.0.0.1:9" }); // the notification cannot get through yet
    try {
      const p = await createPendingPayment(platform);
      expect(await simulatePayment({ db: platform.db, jobs: platform.jobs, keys: simKeys }, p.paymentId)).toBe("paid");
      expect(await closePaymentAtProvider(platform.db, p.shopId, p.orderId)).toEqual({ closed: false, reason: "paid" });
      const s = await snapshot(platform, p);
      expect(s).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], notifications: 1, orderPaidEvents: 1 });
      const ids = await platform.db.selectFrom("payment_notifications").select("id").where("payment_id", "=", p.paymentId).execute();
      expect(ids[0].id).toMatch(/^query:4200\d{24}$/);

      await setSimSettings(platform.db, { notifyBaseUrl: server.url });
      await waitFor("the real notification to be acknowledged", async () => (await listSimNotifications(platform.db, p.paymentId))[0]?.status === "acknowledged", 30_000);
      expect(await snapshot(platform, p)).toEqual(s);
    } finally {
      await setSimSettings(platform.db, { notifyBaseUrl: server.url });
    }
  });
});

describe("reconciliation", () => {
  it("applies a payment the provider has but never reported, through the same exactly-once path", async () => {
    await setSimSettings(platform.db, { notifyBaseUrl: "http://127.0.0.1:9" });
    try {
      const p = await createPendingPayment(platform);
      expect(await simulatePayment({ db: platform.db, jobs: platform.jobs, keys: simKeys }, p.paymentId)).toBe("paid");
      expect((await orderRow(p.orderId)).status).toBe("pending_payment");
      const r = await reconcilePendingPayments(platform, { olderThanMs: 0 });
      expect(r.applied).toBeGreaterThanOrEqual(1);
      const s = await snapshot(platform, p);
      expect(s).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], notifications: 1, orderPaidEvents: 1 });
      // A second pass finds nothing to do.
      await reconcilePendingPayments(platform, { olderThanMs: 0 });
      await setSimSettings(platform.db, { notifyBaseUrl: server.url });
      await waitFor("the real notification to be acknowledged", async () => (await listSimNotifications(platform.db, p.paymentId))[0]?.status === "acknowledged", 30_000);
      expect(await snapshot(platform, p)).toEqual(s);
      expect((await getSimSettings(platform.db)).notifyBaseUrl).toBe(server.url);
    } finally {
      await setSimSettings(platform.db, { notifyBaseUrl: server.url });
    }
  });
});

describe("the simulator page", () => {
  it("shows trades and notifications, saves its settings, and does not exist in production", async () => {
    const browser = createClient(server.url);
    const page = await browser.get("/dev/payments");
    expect(page.status).toBe(200);
    expect(page.body).toContain("Payment simulator");
    expect(page.body).toContain("TRANSACTION.SUCCESS");

    const client = new TestClient(platform);
    const bad = await client.post(simulatorRoute, "/dev/payments", { timeScale: "2", refundOutcome: "SUCCESS", notifyBaseUrl: "" });
    expect(bad.status).toBe(400);
    const saved = await client.post(simulatorRoute, "/dev/payments", { timeScale: "0.5", refundOutcome: "ABNORMAL", notifyBaseUrl: server.url });
    expect(saved.status).toBe(303);
    expect(await getSimSettings(platform.db)).toEqual({ timeScale: 0.5, refundOutcome: "ABNORMAL", notifyBaseUrl: server.url });
    await setSimSettings(platform.db, { timeScale: 0.01, refundOutcome: "SUCCESS" });

    const production = new TestClient(Object.assign(Object.create(platform), { config: { ...platform.config, env: "production" } }));
    expect((await production.get(simulatorRoute, "/dev/payments")).status).toBe(404);
    expect((await production.get(cashierRoute, "/pay/x", { paymentId: "pay_00000000000000000000000000" })).status).toBe(404);
  });
});
