/**
 * The payment notification endpoint over real HTTP (the production express
 * app): what is accepted, what is rejected, and that a rejection changes
 * nothing — no notification row, the payment still pending, the order still
 * awaiting payment, no `order.paid`. Notifications here are built by the
 * tests' own WeChat Pay v3 implementation (payments-fixtures.ts), not by the
 * simulator, so the endpoint is checked against the published format.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { cancelOrder } from "../app/orders/index.server";
import * as reviewRoute from "../app/routes/review.payments";
import { TestClient } from "./accounts-helpers";
import { createUser } from "./support/storefront-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import {
  buildNotification,
  createPendingPayment,
  newTransactionId,
  notificationCount,
  post,
  readProviderKeys,
  signHeaders,
  snapshot,
  transactionResource,
  type ProviderKeys,
} from "./payments-fixtures";

let platform: TestPlatform;
let server: TestServer;
let keys: ProviderKeys & { mode: number };
let notifyUrl: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  keys = readProviderKeys(platform);
  notifyUrl = `${server.url}/payments/notify/wechatpay`;
});

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

const UNTOUCHED = { orderStatus: "pending_payment", paymentStatuses: ["pending"], notifications: 0, orderPaidEvents: 0, refunds: [], refundRequestedEvents: 0 };

describe("the generated keys", () => {
  it("are kept under the data folder, readable by the owner only", () => {
    expect(keys.mode).toBe(0o600);
    expect(keys.apiV3Key.length).toBe(32);
    expect(keys.serial).toMatch(/^PUB_KEY_ID_/);
  });
});

describe("a genuine payment notification", () => {
  it("pays the order once: 204 after commit, one notification, one order.paid; replays change nothing", async () => {
    const p = await createPendingPayment(platform);
    const txn = newTransactionId();
    const n = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: txn, amount: p.total }));

    const first = await post(notifyUrl, n);
    expect(first.status).toBe(204);
    expect(first.body).toBe("");
    const after = await snapshot(platform, p);
    expect(after).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], notifications: 1, orderPaidEvents: 1, refunds: [] });
    const payment = await platform.db.selectFrom("payments").selectAll().where("id", "=", p.paymentId).executeTakeFirstOrThrow();
    expect(payment.transaction_id).toBe(txn);
    expect(payment.late).toBe(false);

    // The identical request again (a replay), the same body signed afresh (a
    // provider retry), and another notification id for the same transaction.
    expect((await post(notifyUrl, n)).status).toBe(204);
    expect((await post(notifyUrl, { body: n.body, headers: signHeaders(keys, n.body) })).status).toBe(204);
    const other = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: txn, amount: p.total }));
    expect((await post(notifyUrl, other)).status).toBe(204);
    expect(await snapshot(platform, p)).toEqual(after);
    expect(await notificationCount(platform)).toBeGreaterThanOrEqual(1);
    const rows = await platform.db.selectFrom("payment_notifications").select(["id", "outcome"]).where("payment_id", "=", p.paymentId).execute();
    expect(rows).toEqual([{ id: n.id, outcome: "applied" }]);
  });
});

describe("rejected notifications change nothing", () => {
  type Case = { name: string; status: number; build: (p: { paymentId: string; total: number }) => { headers: Record<string, string>; body: string }; anomaly?: string };
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const resource = (p: { paymentId: string; total: number }, over: Partial<Parameters<typeof transactionResource>[0]> = {}) =>
    transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total, ...over });

  const cases: Case[] = [
    {
      name: "a bad signature (signed with another key)",
      status: 401,
      build: (p) => buildNotification(keys, resource(p), { signWith: other.privateKey }),
    },
    {
      name: "a body changed after signing",
      status: 401,
      build: (p) => {
        const n = buildNotification(keys, resource(p));
        return { headers: n.headers, body: n.body.replace('"summary":"支付成功"', '"summary":"支付成功 "') };
      },
    },
    { name: "an unknown serial", status: 401, build: (p) => buildNotification(keys, resource(p), { serial: "PUB_KEY_ID_0000000000000000000000000000000" }) },
    { name: "a stale timestamp (6 minutes old)", status: 401, build: (p) => buildNotification(keys, resource(p), { timestamp: Math.floor(Date.now() / 1000) - 360 }) },
    { name: "a timestamp 6 minutes ahead", status: 401, build: (p) => buildNotification(keys, resource(p), { timestamp: Math.floor(Date.now() / 1000) + 360 }) },
    { name: "tampered ciphertext (the GCM tag)", status: 401, build: (p) => buildNotification(keys, resource(p), { tamperTag: true }) },
    {
      name: "wrong associated data",
      status: 401,
      build: (p) => buildNotification(keys, resource(p), { associatedData: "transaction", aadForEncryption: "refund" }),
    },
    {
      name: "missing signature headers",
      status: 401,
      build: (p) => {
        const n = buildNotification(keys, resource(p));
        const { ["wechatpay-signature"]: _gone, ...headers } = n.headers;
        return { headers, body: n.body };
      },
    },
    { name: "a trade_state other than SUCCESS", status: 400, build: (p) => buildNotification(keys, resource(p, { trade_state: "NOTPAY" })) },
    { name: "a wrong amount", status: 500, anomaly: "amount_mismatch", build: (p) => buildNotification(keys, resource(p, { amount: p.total - 1 })) },
    { name: "a wrong currency", status: 500, anomaly: "currency_mismatch", build: (p) => buildNotification(keys, resource(p, { currency: "USD" })) },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const p = await createPendingPayment(platform);
      const before = await notificationCount(platform);
      const res = await post(notifyUrl, c.build(p));
      expect(res.status).toBe(c.status);
      expect(JSON.parse(res.body)).toMatchObject({ code: "FAIL" });
      expect(await notificationCount(platform)).toBe(before);
      const s = await snapshot(platform, p);
      expect(s).toMatchObject(UNTOUCHED);
      expect(s.anomalies).toEqual(c.anomaly ? [{ kind: c.anomaly, occurrences: 1 }] : []);
    });
  }

  it("an unknown out_trade_no (no such payment or order) → 500, recorded for review, nothing else", async () => {
    const before = await notificationCount(platform);
    const n = buildNotification(keys, transactionResource({ out_trade_no: "pay_00000000000000000000000000", transaction_id: newTransactionId(), amount: 100 }));
    const res = await post(notifyUrl, n);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toMatchObject({ code: "FAIL" });
    expect(await notificationCount(platform)).toBe(before);
    // The provider retries the same notification: still one anomaly row, counted twice.
    expect((await post(notifyUrl, { body: n.body, headers: signHeaders(keys, n.body) })).status).toBe(500);
    const rows = await platform.db.selectFrom("payment_anomalies").select(["kind", "occurrences"]).where("notification_id", "=", n.id).execute();
    expect(rows).toEqual([{ kind: "unknown_trade", occurrences: 2 }]);
  });

  it("a wrong amount is never acknowledged however often it comes, and the right one later still applies", async () => {
    const p = await createPendingPayment(platform);
    const txn = newTransactionId();
    const bad = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: txn, amount: p.total + 100 }));
    for (let i = 0; i < 3; i++) expect((await post(notifyUrl, { body: bad.body, headers: signHeaders(keys, bad.body) })).status).toBe(500);
    expect((await snapshot(platform, p)).anomalies).toEqual([{ kind: "amount_mismatch", occurrences: 3 }]);
    const good = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: txn, amount: p.total }));
    expect((await post(notifyUrl, good)).status).toBe(204);
    expect(await snapshot(platform, p)).toMatchObject({ orderStatus: "paid", paymentStatuses: ["succeeded"], notifications: 1, orderPaidEvents: 1 });
  });

  it("a refund notification for no refund of ours → 500, recorded", async () => {
    const n = buildNotification(
      keys,
      {
        mchid: "1900000109",
        out_trade_no: "pay_00000000000000000000000000",
        transaction_id: newTransactionId(),
        out_refund_no: "rfd_00000000000000000000000000",
        refund_id: "50000000000000000000000000000",
        refund_status: "SUCCESS",
        success_time: "2026-11-25T17:40:00+08:00",
        amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100 },
      },
      { eventType: "REFUND.SUCCESS", originalType: "refund" },
    );
    const res = await post(notifyUrl, n);
    expect(res.status).toBe(500);
    const rows = await platform.db.selectFrom("payment_anomalies").select(["kind"]).where("notification_id", "=", n.id).execute();
    expect(rows).toEqual([{ kind: "unknown_refund" }]);
  });

  it("an unknown provider → 404; a body that is not a notification → 401 before it is even parsed", async () => {
    const p = await createPendingPayment(platform);
    const n = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total }));
    expect((await post(`${server.url}/payments/notify/alipay`, n)).status).toBe(404);
    expect((await post(notifyUrl, { headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
    expect(await snapshot(platform, p)).toMatchObject(UNTOUCHED);
  });
});

describe("a payment for an order that already closed", () => {
  it("is recorded and acknowledged, and refunded automatically, once", async () => {
    const p = await createPendingPayment(platform);
    // The buyer cancels: the payment closes at the provider, then the order closes.
    await cancelOrder(platform, { shopId: p.shopId, orderId: p.orderId, actor: { type: "buyer", id: p.userId } });
    expect((await snapshot(platform, p)).orderStatus).toBe("closed");
    // …and yet the provider reports the money taken (its close raced the buyer's payment).
    const n = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total }));
    expect((await post(notifyUrl, n)).status).toBe(204);
    const after = await snapshot(platform, p);
    expect(after).toMatchObject({
      orderStatus: "closed",
      paymentStatuses: ["succeeded"],
      notifications: 1,
      orderPaidEvents: 0,
      refunds: [{ source: "late_payment", status: "pending", amount: p.total }],
      refundRequestedEvents: 1,
    });
    const payment = await platform.db.selectFrom("payments").select(["late"]).where("id", "=", p.paymentId).executeTakeFirstOrThrow();
    expect(payment.late).toBe(true);
    // Retries and replays do not refund it again.
    expect((await post(notifyUrl, { body: n.body, headers: signHeaders(keys, n.body) })).status).toBe(204);
    expect(await snapshot(platform, p)).toEqual(after);
  });
});

describe("the reviewers' anomaly page", () => {
  it("is for reviewers only, lists open anomalies, and resolves one with an audited note", async () => {
    const p = await createPendingPayment(platform);
    const bad = buildNotification(keys, transactionResource({ out_trade_no: p.paymentId, transaction_id: newTransactionId(), amount: p.total + 1 }));
    expect((await post(notifyUrl, bad)).status).toBe(500);

    const someone = await createUser(platform);
    const client = new TestClient(platform);
    client.cookies.set(SESSION_COOKIE, (await createSession(platform.db, someone.id)).token);
    expect((await client.get(reviewRoute, "/review/payments")).status).toBe(403);

    const reviewer = await createUser(platform);
    await platform.db.updateTable("users").set({ is_reviewer: true }).where("id", "=", reviewer.id).execute();
    const rc = new TestClient(platform);
    rc.cookies.set(SESSION_COOKIE, (await createSession(platform.db, reviewer.id)).token);
    const page = await rc.get(reviewRoute, "/review/payments");
    expect(page.status).toBe(200);
    const { anomalies } = (await page.json()) as { anomalies: { id: string; kind: string; paymentId: string }[] };
    const mine = anomalies.find((a) => a.paymentId === p.paymentId)!;
    expect(mine.kind).toBe("amount_mismatch");

    expect((await rc.post(reviewRoute, "/review/payments", { anomalyId: mine.id, note: "" })).status).toBe(400);
    const done = await rc.post(reviewRoute, "/review/payments", { anomalyId: mine.id, note: "Provider confirmed a test charge; refunded by hand" });
    expect(done.status).toBe(303);
    const after = (await (await rc.get(reviewRoute, "/review/payments")).json()) as { anomalies: { id: string }[] };
    expect(after.anomalies.map((a) => a.id)).not.toContain(mine.id);
    const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", mine.id).execute();
    expect(audit).toEqual([{ action: "payment.anomaly_resolved", actor_id: reviewer.id }]);
  });
});
