/**
 * Webhook delivery end to end: events from the outbox, through the relay and
 * the delivery jobs, to a real local HTTP receiver that verifies every
 * request with standardwebhooks' `Webhook.verify`. The retry schedule and the
 * timeout are shortened through config.webhooks; DNS is injected to play
 * hosts that resolve where a test wants (DNS rebinding included).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { startWorkers } from "../app/jobs/workers.server";
import { installExtension, uninstall, type InstallView } from "../app/marketplace/index.server";
import { newId } from "../app/lib/ids";
import {
  attemptDelivery,
  createEndpoint,
  createWebhookJobs,
  deleteEndpoint,
  listEndpoints,
  redeliver,
  rotateEndpointSecret,
  pruneDeliveryLog,
  sweepOverdueDeliveries,
  webhookDeliveriesConsumer,
  type Resolver,
} from "../app/webhooks/index.server";
import { decryptSecret } from "../app/webhooks/secrets.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, type TestShop } from "./support/storefront-fixtures";
import { createMarketplace, publishVersion, type Marketplace } from "./extensions-fixtures";
import { attemptsOf, deliveriesOf, publishEvent, startReceiver, waitFor, type Receiver } from "./webhooks-fixtures";

let platform: TestPlatform;
let receiver: Receiver;
let m: Marketplace;
let extensionId: string;
let shops: TestShop[];
/** installs in shops[0] and shops[1] with every scope; shops[2] granted read_products only; shops[3] has none */
let installs: InstallView[];
let stopWorkers: () => Promise<void>;
const dev = () => ({ type: "user" as const, id: m.developerId });

/** The DNS the delivery jobs see (connect time); other names do not resolve. */
const connectDns = new Map<string, string>();
const connectResolver: Resolver = async (host) => {
  const a = connectDns.get(host);
  if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return [{ address: a, family: a.includes(":") ? 6 : 4 }];
};
/** The DNS the registration check sees. */
const registrationResolver: Resolver = async (host) => {
  const table: Record<string, string> = { "loopback.test": "127.0.0.1", "private.test": "192.168.1.20", "public.test": "93.184.216.34", "rebind.test": "93.184.216.34", "metadata.test": "169.254.169.254" };
  if (!table[host]) throw new Error(`ENOTFOUND ${host}`);
  return [{ address: table[host], family: 4 }];
};

const BASE = { allowLoopback: true, allowHttp: true, timeoutMs: 5_000, retryScheduleMs: [0, 1_100, 1_100] as number[] };
function settings(overrides: Partial<typeof BASE>) {
  platform.config.webhooks = { ...BASE, ...overrides };
}

function verify(secret: string, r: { body: string; headers: Record<string, string> }) {
  return new Webhook(secret).verify(r.body, { "webhook-id": r.headers["webhook-id"], "webhook-timestamp": r.headers["webhook-timestamp"], "webhook-signature": r.headers["webhook-signature"] });
}

beforeAll(async () => {
  platform = await createTestPlatform({ webhooks: BASE });
  receiver = await startReceiver();
  m = await createMarketplace(platform);
  shops = [];
  for (let i = 0; i < 4; i++) shops.push((await createMerchantShop(platform)).shop);
  const v = await publishVersion(platform, m, { hooks: ["order.paid"], scopes: ["read_orders", "read_products"], source: `{ "order.paid": async () => null }` });
  extensionId = v.extensionId;
  installs = [
    await installExtension(platform.db, { type: "user", id: shops[0].ownerId }, { shopId: shops[0].id, versionId: v.versionId }),
    await installExtension(platform.db, { type: "user", id: shops[1].ownerId }, { shopId: shops[1].id, versionId: v.versionId }),
    await installExtension(platform.db, { type: "user", id: shops[2].ownerId }, { shopId: shops[2].id, versionId: v.versionId, grantedScopes: ["read_products"] }),
  ];
  stopWorkers = await startWorkers(platform, { consumers: [webhookDeliveriesConsumer], jobs: createWebhookJobs({ resolve: connectResolver }), relayIntervalMs: 50 });
}, 120_000);

afterEach(async () => {
  settings({});
  for (const e of await listEndpoints(platform.db, extensionId)) await deleteEndpoint(platform, dev(), extensionId, e.id);
});

afterAll(async () => {
  await stopWorkers?.();
  await receiver?.close();
  await platform?.close();
});

describe("signing and retries", () => {
  it("keeps webhook-id across retries, signs each attempt with a fresh timestamp, follows the schedule to the final attempt, then fails", async () => {
    const { secret } = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/fail"), topics: ["order.paid"] });
    receiver.script("/fail", [{ status: 500, body: "boom" }]);
    const eventId = await publishEvent(platform, shops[0].id, "order.paid", { orderId: "ord_retry" });
    await waitFor("the delivery to fail", async () => (await deliveriesOf(platform, eventId))[0]?.status === "failed");

    const [delivery] = await deliveriesOf(platform, eventId);
    const reqs = receiver.received("/fail");
    expect(reqs).toHaveLength(3);
    expect(reqs.map((r) => r.headers["webhook-id"])).toEqual([delivery.id, delivery.id, delivery.id]);
    const stamps = reqs.map((r) => Number(r.headers["webhook-timestamp"]));
    expect(stamps[1]).toBeGreaterThan(stamps[0]);
    expect(stamps[2]).toBeGreaterThan(stamps[1]);
    expect(new Set(reqs.map((r) => r.headers["webhook-signature"])).size).toBe(3);
    for (const r of reqs) expect(verify(secret, r)).toMatchObject({ type: "order.paid", shop_id: shops[0].id, install_id: installs[0].installId, data: { orderId: "ord_retry" } });
    // what a receiver checks: the signature covers the id, the timestamp and the exact body
    const r0 = reqs[0];
    expect(() => verify(secret, { ...r0, body: r0.body.replace("ord_retry", "ord_other") })).toThrow();
    expect(() => verify(secret, { ...r0, headers: { ...r0.headers, "webhook-id": "msg_swapped" } })).toThrow();
    expect(() => verify(secret, { ...r0, headers: { ...r0.headers, "webhook-timestamp": String(stamps[0] - 600) } })).toThrow();
    // the schedule's delays (1.1 s) separate the attempts
    expect(reqs[1].at - reqs[0].at).toBeGreaterThanOrEqual(1_000);
    expect(reqs[2].at - reqs[1].at).toBeGreaterThanOrEqual(1_000);

    const attempts = await attemptsOf(platform, delivery.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.response_excerpt])).toEqual([
      [1, "failed", 500, "boom"],
      [2, "failed", 500, "boom"],
      [3, "failed", 500, "boom"],
    ]);
    expect(delivery).toMatchObject({ attempt_count: 3, max_attempts: 3, last_status_code: 500, last_error: "HTTP 500" });
  });

  it("signs with a different secret per endpoint, stored encrypted; a rotated secret signs alongside the new one", async () => {
    const a = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/a"), topics: ["product.created"] });
    const b = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/b"), topics: ["product.created"] });
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a.secret).not.toBe(b.secret);
    const row = await platform.db.selectFrom("webhook_endpoints").select("secret_ciphertext").where("id", "=", a.endpoint.id).executeTakeFirstOrThrow();
    expect(row.secret_ciphertext).not.toContain(a.secret.slice(6, 20));
    expect(decryptSecret(platform.config.sessionSecret, a.endpoint.id, row.secret_ciphertext)).toBe(a.secret);
    expect(() => decryptSecret(platform.config.sessionSecret, b.endpoint.id, row.secret_ciphertext)).toThrow();

    const eventId = await publishEvent(platform, shops[1].id, "product.created", { productId: "prd_1" });
    await waitFor("both deliveries", async () => (await deliveriesOf(platform, eventId)).filter((d) => d.status === "succeeded").length === 2);
    const [ra] = receiver.received("/a");
    const [rb] = receiver.received("/b");
    expect(verify(a.secret, ra)).toMatchObject({ type: "product.created" });
    expect(verify(b.secret, rb)).toMatchObject({ type: "product.created" });
    expect(() => verify(b.secret, ra)).toThrow();
    expect(() => verify(a.secret, rb)).toThrow();
    expect(ra.headers["webhook-id"]).not.toBe(rb.headers["webhook-id"]);

    const rotated = await rotateEndpointSecret(platform, dev(), extensionId, a.endpoint.id);
    expect(rotated.secret).not.toBe(a.secret);
    const second = await publishEvent(platform, shops[1].id, "product.created", { productId: "prd_2" });
    await waitFor("the delivery after rotation", async () => (await deliveriesOf(platform, second)).filter((d) => d.status === "succeeded").length === 2);
    const after = receiver.received("/a")[1];
    expect(after.headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(verify(rotated.secret, after)).toMatchObject({ data: { productId: "prd_2" } });
    expect(verify(a.secret, after)).toMatchObject({ data: { productId: "prd_2" } });
  });

  it("a 410 disables the endpoint, notifies the developer, and nothing more is sent to it", async () => {
    const gone = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/gone"), topics: ["order.shipped"] });
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/sentinel"), topics: ["order.shipped"] });
    receiver.script("/gone", [{ status: 410, body: "gone" }]);
    const first = await publishEvent(platform, shops[0].id, "order.shipped", { orderId: "ord_g1" });
    await waitFor("the 410 to be handled", async () => (await deliveriesOf(platform, first)).every((d) => d.status !== "pending") && (await deliveriesOf(platform, first)).length === 2);
    const d = (await deliveriesOf(platform, first)).find((x) => x.endpoint_id === gone.endpoint.id)!;
    expect(d).toMatchObject({ status: "failed", attempt_count: 1, last_status_code: 410 });
    expect((await attemptsOf(platform, d.id)).map((a) => a.outcome)).toEqual(["gone"]);
    const ep = (await listEndpoints(platform.db, extensionId)).find((e) => e.id === gone.endpoint.id)!;
    expect(ep).toMatchObject({ status: "disabled", statusReason: "the endpoint answered 410 Gone" });
    const notes = await platform.db.selectFrom("notifications").select(["kind", "link"]).where("user_id", "=", m.developerId).execute();
    expect(notes).toContainEqual({ kind: "webhook.endpoint_disabled", link: `/developer/extensions/${extensionId}/webhooks` });
    const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_type"]).where("target_id", "=", gone.endpoint.id).execute();
    expect(audit).toContainEqual({ action: "webhook.endpoint_disabled", actor_type: "system" });

    const second = await publishEvent(platform, shops[0].id, "order.shipped", { orderId: "ord_g2" });
    await waitFor("the sentinel's delivery", async () => (await deliveriesOf(platform, second)).some((x) => x.status === "succeeded"));
    expect((await deliveriesOf(platform, second)).map((x) => x.endpoint_id)).not.toContain(gone.endpoint.id);
    expect(receiver.received("/gone")).toHaveLength(1);
    // redelivering to a disabled endpoint is refused
    await expect(redeliver(platform, dev(), extensionId, d.id)).rejects.toMatchObject({ kind: "unprocessable" });
  });

  it("a timeout is a failed attempt, then the next attempt goes out", async () => {
    settings({ timeoutMs: 2_000, retryScheduleMs: [0, 200] });
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/slow"), topics: ["order.completed"] });
    receiver.script("/slow", ["hang", { status: 204 }]);
    const eventId = await publishEvent(platform, shops[0].id, "order.completed", { orderId: "ord_slow" });
    await waitFor("the delivery to succeed", async () => (await deliveriesOf(platform, eventId))[0]?.status === "succeeded");
    const [d] = await deliveriesOf(platform, eventId);
    const attempts = await attemptsOf(platform, d.id);
    expect(attempts.map((a) => [a.outcome, a.status_code])).toEqual([
      ["timeout", null],
      ["succeeded", 204],
    ]);
    expect(attempts[0].error).toContain("timed out after 2000 ms");
    expect(attempts[0].duration_ms).toBeGreaterThanOrEqual(1_950);
  });

  it("a 429 with Retry-After holds the next attempt back at least that long", async () => {
    settings({ retryScheduleMs: [0, 100, 100] });
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/busy"), topics: ["order.closed"] });
    receiver.script("/busy", [{ status: 429, headers: { "retry-after": "2" }, body: "slow down" }, { status: 200 }]);
    const eventId = await publishEvent(platform, shops[0].id, "order.closed", { orderId: "ord_busy" });
    await waitFor("the delivery to succeed", async () => (await deliveriesOf(platform, eventId))[0]?.status === "succeeded");
    const [d] = await deliveriesOf(platform, eventId);
    expect((await attemptsOf(platform, d.id)).map((a) => a.outcome)).toEqual(["throttled", "succeeded"]);
    const [r1, r2] = receiver.received("/busy");
    expect(r2.at - r1.at).toBeGreaterThanOrEqual(1_900);
  });

  it("does not follow redirects", async () => {
    settings({ retryScheduleMs: [0] });
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/moved"), topics: ["order.refunded"] });
    receiver.script("/moved", [{ status: 302, headers: { location: receiver.url("/internal") } }]);
    const eventId = await publishEvent(platform, shops[0].id, "order.refunded", { orderId: "ord_moved" });
    await waitFor("the delivery to fail", async () => (await deliveriesOf(platform, eventId))[0]?.status === "failed");
    const [d] = await deliveriesOf(platform, eventId);
    const [a] = await attemptsOf(platform, d.id);
    expect(a).toMatchObject({ outcome: "failed", status_code: 302, error: "HTTP 302: redirects are not followed" });
    expect(receiver.received("/internal")).toHaveLength(0);
  });

  it("logs at most 1 KB of the response, cut on a character boundary", async () => {
    settings({ retryScheduleMs: [0] });
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/chatty"), topics: ["order.paid"] });
    receiver.script("/chatty", [{ status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "é".repeat(5_000) }]);
    const eventId = await publishEvent(platform, shops[0].id, "order.paid", { orderId: "ord_chatty" });
    await waitFor("the delivery", async () => (await deliveriesOf(platform, eventId))[0]?.status === "succeeded");
    const [a] = await attemptsOf(platform, (await deliveriesOf(platform, eventId))[0].id);
    expect(Buffer.byteLength(a.response_excerpt!)).toBe(1024);
    expect(a.response_excerpt).toBe("é".repeat(512));
  });

  it("redelivers a finished delivery with the same webhook-id", async () => {
    settings({ retryScheduleMs: [0] });
    const { secret } = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/flaky"), topics: ["order.created"] });
    receiver.script("/flaky", [{ status: 503 }, { status: 200 }]);
    const eventId = await publishEvent(platform, shops[0].id, "order.created", { orderId: "ord_again" });
    await waitFor("the delivery to fail", async () => (await deliveriesOf(platform, eventId))[0]?.status === "failed");
    const [d] = await deliveriesOf(platform, eventId);
    await redeliver(platform, dev(), extensionId, d.id);
    await waitFor("the redelivery to succeed", async () => (await deliveriesOf(platform, eventId))[0]?.status === "succeeded");
    const reqs = receiver.received("/flaky");
    expect(reqs.map((r) => r.headers["webhook-id"])).toEqual([d.id, d.id]);
    for (const r of reqs) verify(secret, r);
    expect((await attemptsOf(platform, d.id)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    const audit = await platform.db.selectFrom("audit_log").select("action").where("target_id", "=", d.id).execute();
    expect(audit.map((a) => a.action)).toEqual(["webhook.redelivered"]);
  });
});

describe("exactly one sender per attempt, and nothing lost", () => {
  async function pendingDelivery(endpointId: string, eventId: string, dueAt: Date): Promise<string> {
    const id = newId("msg");
    await platform.db
      .insertInto("webhook_deliveries")
      .values({
        id,
        endpoint_id: endpointId,
        extension_id: extensionId,
        install_id: installs[0].installId,
        shop_id: shops[0].id,
        event_id: eventId,
        topic: "order.paid",
        body: JSON.stringify({ type: "order.paid", data: { eventId } }),
        max_attempts: 3,
        next_attempt_at: dueAt,
        updated_at: new Date(),
      })
      .execute();
    return id;
  }

  it("two jobs for the same attempt send it once", async () => {
    const { endpoint } = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/once"), topics: ["order.paid"] });
    const id = await pendingDelivery(endpoint.id, "999001", new Date(Date.now() + 3600_000));
    const results = await Promise.all([attemptDelivery(platform, { deliveryId: id, attempt: 1 }), attemptDelivery(platform, { deliveryId: id, attempt: 1 })]);
    expect(results.sort()).toEqual(["stale", "succeeded"]);
    expect(receiver.received("/once")).toHaveLength(1);
    expect(await attemptDelivery(platform, { deliveryId: id, attempt: 2 })).toBe("stale");
  });

  it("the sweeper re-enqueues a delivery whose job was lost", async () => {
    const { endpoint } = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/lost"), topics: ["order.paid"] });
    const id = await pendingDelivery(endpoint.id, "999002", new Date(Date.now() - 120_000));
    expect(await sweepOverdueDeliveries(platform)).toBeGreaterThanOrEqual(1);
    await waitFor("the swept delivery", async () => (await platform.db.selectFrom("webhook_deliveries").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status === "succeeded");
    expect(receiver.received("/lost").map((r) => r.headers["webhook-id"])).toEqual([id]);
  });
});

describe("the log's retention", () => {
  it("drops finished deliveries (with their attempts) after 30 days, keeps newer and pending ones", async () => {
    const { endpoint } = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/old"), topics: ["order.paid"] });
    const mk = async (eventId: string, status: "succeeded" | "pending", completedDaysAgo: number | null) => {
      const id = newId("msg");
      await platform.db
        .insertInto("webhook_deliveries")
        .values({
          id,
          endpoint_id: endpoint.id,
          extension_id: extensionId,
          install_id: installs[0].installId,
          shop_id: shops[0].id,
          event_id: eventId,
          topic: "order.paid",
          body: "{}",
          status,
          max_attempts: 1,
          next_attempt_at: status === "pending" ? new Date(Date.now() + 3600_000) : null,
          completed_at: completedDaysAgo === null ? null : new Date(Date.now() - completedDaysAgo * 86_400_000),
          updated_at: new Date(),
        })
        .execute();
      await platform.db.insertInto("webhook_attempts").values({ id: newId("wha"), delivery_id: id, attempt: 1, started_at: new Date(), duration_ms: 5, status_code: 200, outcome: "succeeded", response_excerpt: null, error: null }).execute();
      return id;
    };
    const old = await mk("999101", "succeeded", 31);
    const recent = await mk("999102", "succeeded", 29);
    const pending = await mk("999103", "pending", null);
    expect(await pruneDeliveryLog(platform)).toBeGreaterThanOrEqual(1);
    const left = (await platform.db.selectFrom("webhook_deliveries").select("id").where("id", "in", [old, recent, pending]).execute()).map((r) => r.id).sort();
    expect(left).toEqual([recent, pending].sort());
    expect(await attemptsOf(platform, old)).toHaveLength(0);
  });
});

describe("who gets what", () => {
  it("only installs of the event's shop that hold the topic's scope get a delivery", async () => {
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/orders"), topics: ["order.paid", "product.updated"] });
    const noScope = await publishEvent(platform, shops[2].id, "order.paid", { orderId: "ord_noscope" });
    const notInstalled = await publishEvent(platform, shops[3].id, "order.paid", { orderId: "ord_other" });
    const withScope = await publishEvent(platform, shops[2].id, "product.updated", { productId: "prd_ok" });
    const shop1 = await publishEvent(platform, shops[1].id, "order.paid", { orderId: "ord_shop1" });
    await waitFor("the last event's delivery", async () => (await deliveriesOf(platform, shop1))[0]?.status === "succeeded");
    await waitFor("the product event's delivery", async () => (await deliveriesOf(platform, withScope))[0]?.status === "succeeded");
    expect(await deliveriesOf(platform, noScope)).toHaveLength(0);
    expect(await deliveriesOf(platform, notInstalled)).toHaveLength(0);
    expect((await deliveriesOf(platform, shop1)).map((d) => [d.shop_id, d.install_id])).toEqual([[shops[1].id, installs[1].installId]]);
    expect((await deliveriesOf(platform, withScope)).map((d) => [d.shop_id, d.install_id])).toEqual([[shops[2].id, installs[2].installId]]);
    const bodies = receiver.received("/orders").map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.type, b.shop_id]).sort()).toEqual([
      ["order.paid", shops[1].id],
      ["product.updated", shops[2].id],
    ]);
  });

  it("refuses topics whose scope the extension does not request, or the install was not granted (422 naming the topic)", async () => {
    await expect(createEndpoint(platform, dev(), extensionId, { url: receiver.url("/c"), topics: ["order.paid", "customer.created"] })).rejects.toMatchObject({
      kind: "unprocessable",
      message: expect.stringContaining("customer.created needs the read_customers scope"),
      fieldErrors: { topics: ["customer.created needs read_customers"] },
    });
    await expect(createEndpoint(platform, dev(), extensionId, { url: receiver.url("/c"), topics: ["order.paid"] }, { installId: installs[2].installId })).rejects.toMatchObject({
      kind: "unprocessable",
      message: expect.stringContaining("order.paid needs the read_orders scope, which the install was not granted"),
    });
    const ok = await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/c"), topics: ["product.created", "app.uninstalled"] }, { installId: installs[2].installId });
    expect(ok.endpoint).toMatchObject({ installId: installs[2].installId, topics: ["product.created", "app.uninstalled"] });
    await expect(createEndpoint(platform, dev(), extensionId, { url: receiver.url("/c"), topics: ["nope.nope"] })).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { "topics.0": ["Unknown topic"] } });
    await expect(createEndpoint(platform, dev(), extensionId, { url: receiver.url("/c"), topics: [] })).rejects.toMatchObject({ kind: "bad_request", fieldErrors: { topics: expect.any(Array) } });
  });

  it("delivers app.uninstalled to the install that left, though it is no longer active", async () => {
    await createEndpoint(platform, dev(), extensionId, { url: receiver.url("/bye"), topics: ["app.uninstalled"] });
    await uninstall(platform.db, { type: "user", id: shops[1].ownerId }, { shopId: shops[1].id, installId: installs[1].installId });
    await waitFor("the app.uninstalled delivery", () => receiver.received("/bye").length === 1);
    const body = JSON.parse(receiver.received("/bye")[0].body);
    expect(body).toMatchObject({ type: "app.uninstalled", shop_id: shops[1].id, install_id: installs[1].installId, data: { installId: installs[1].installId } });
  });
});

describe("SSRF", () => {
  it("refuses private, loopback, link-local and metadata targets at registration", async () => {
    settings({ allowLoopback: false, allowHttp: false });
    const refused = [
      "https://127.0.0.1/hook",
      "https://10.0.0.1/hook",
      "https://172.16.5.4/hook",
      "https://192.168.0.10/hook",
      "https://100.64.1.1/hook",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/hook",
      "https://[fd00:ec2::254]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://0.0.0.0/hook",
      "https://224.0.0.1/hook",
      "https://loopback.test/hook",
      "https://private.test/hook",
      "https://metadata.test/hook",
      "https://nowhere.test/hook",
      "http://public.test/hook",
      "https://user:pw@public.test/hook",
    ];
    for (const url of refused) {
      await expect(createEndpoint(platform, dev(), extensionId, { url, topics: ["order.paid"] }, { resolve: registrationResolver }), url).rejects.toMatchObject({
        kind: "unprocessable",
        fieldErrors: { url: expect.any(Array) },
      });
    }
    // the real resolver: localhost is loopback
    await expect(createEndpoint(platform, dev(), extensionId, { url: "https://localhost/hook", topics: ["order.paid"] })).rejects.toMatchObject({ kind: "unprocessable" });
    const ok = await createEndpoint(platform, dev(), extensionId, { url: "https://public.test/hook", topics: ["order.paid"] }, { resolve: registrationResolver });
    expect(ok.endpoint.url).toBe("https://public.test/hook");
    expect(await platform.db.selectFrom("webhook_endpoints").select("id").where("url", "=", "https://127.0.0.1/hook").execute()).toHaveLength(0);
  });

  it("re-checks at connect time: a host that passed registration and then resolves to a private or loopback address is not contacted", async () => {
    settings({ allowLoopback: false, allowHttp: true, retryScheduleMs: [0] });
    const port = new URL(receiver.url("/")).port;
    const { endpoint } = await createEndpoint(platform, dev(), extensionId, { url: `http://rebind.test:${port}/rebound`, topics: ["stock.changed"] }, { resolve: registrationResolver });
    expect(endpoint.status).toBe("active");
    // the attacker's DNS now answers with the receiver's own loopback address
    connectDns.set("rebind.test", "127.0.0.1");
    const first = await publishEvent(platform, shops[0].id, "stock.changed", { skuId: "sku_1" });
    await waitFor("the attempt to be refused", async () => (await deliveriesOf(platform, first))[0]?.status === "failed");
    const [a] = await attemptsOf(platform, (await deliveriesOf(platform, first))[0].id);
    expect(a).toMatchObject({ outcome: "blocked", status_code: null });
    expect(a.error).toContain("127.0.0.1 is a loopback address");
    expect(receiver.received("/rebound")).toHaveLength(0);

    connectDns.set("rebind.test", "10.0.0.1");
    const second = await publishEvent(platform, shops[0].id, "stock.changed", { skuId: "sku_2" });
    await waitFor("the attempt to be refused", async () => (await deliveriesOf(platform, second))[0]?.status === "failed");
    const [b] = await attemptsOf(platform, (await deliveriesOf(platform, second))[0].id);
    expect(b).toMatchObject({ outcome: "blocked" });
    expect(b.error).toContain("10.0.0.1 is a private address");
  });
});
