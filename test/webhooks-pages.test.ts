/**
 * The developer's webhook pages: endpoints (add with the secret shown once,
 * rotate, disable/enable, delete), the delivery log with its status filter
 * and pages, a delivery's attempts, and "Send again" — through the route
 * modules' loaders and actions (TestClient, production wrapBuild with CSRF),
 * then rendered over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { startWorkers } from "../app/jobs/workers.server";
import { createWebhookJobs, listDeliveries, webhookDeliveriesConsumer } from "../app/webhooks/index.server";
import * as webhooksPage from "../app/routes/developer_.extensions.$extensionId_.webhooks";
import * as deliveryPage from "../app/routes/developer_.extensions.$extensionId_.webhooks_.deliveries.$deliveryId";
import { auditActions, bodyOf, TestClient } from "./accounts-helpers";
import { createClient, startTestServer } from "./support/server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, createUser, type TestShop } from "./support/storefront-fixtures";
import { createMarketplace, installTestExtension, type Marketplace } from "./extensions-fixtures";
import { deliveriesOf, publishEvent, startReceiver, waitFor, type Receiver } from "./webhooks-fixtures";

let platform: TestPlatform;
let receiver: Receiver;
let m: Marketplace;
let shop: TestShop;
let extensionId: string;
let stopWorkers: () => Promise<void>;
let ip = 1;

async function clientFor(userId: string): Promise<TestClient> {
  const c = new TestClient(platform, `10.8.0.${ip++}`);
  c.cookies.set(SESSION_COOKIE, (await createSession(platform.db, userId)).token);
  return c;
}

beforeAll(async () => {
  platform = await createTestPlatform({ webhooks: { allowLoopback: true, allowHttp: true, timeoutMs: 5_000, retryScheduleMs: [0] } });
  receiver = await startReceiver();
  m = await createMarketplace(platform);
  ({ shop } = await createMerchantShop(platform));
  const install = await installTestExtension(platform, m, shop, { hooks: ["order.paid"], scopes: ["read_orders"], source: `{ "order.paid": async () => null }` });
  extensionId = install.extensionId;
  stopWorkers = await startWorkers(platform, { consumers: [webhookDeliveriesConsumer], jobs: createWebhookJobs(), relayIntervalMs: 50 });
}, 120_000);

afterAll(async () => {
  await stopWorkers?.();
  await receiver?.close();
  await platform?.close();
});

describe("the developer's webhook pages", () => {
  it("manage endpoints, read the delivery log and attempts, send again; strangers get 404; every change is audited", async () => {
    const dev = await clientFor(m.developerId);
    const path = `/developer/extensions/${extensionId}/webhooks`;
    const params = { extensionId };
    let res = await dev.get(webhooksPage, path, params);
    expect(res.status).toBe(200);
    let page = await bodyOf(res);
    expect(page.endpoints).toEqual([]);
    expect(page.topics).toContainEqual({ topic: "order.paid", scope: "read_orders", label: "See orders (lines and amounts, not addresses)" });

    // refused: an internal address, and a topic whose scope the extension does not ask for
    res = await dev.post(webhooksPage, path, { intent: "create", url: "https://10.0.0.1/hook", topics: "order.paid" }, { params });
    expect(res.status).toBe(422);
    expect(await bodyOf(res)).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringContaining("10.0.0.1 is a private address")] } });
    res = await dev.post(webhooksPage, path, { intent: "create", url: receiver.url("/p"), topics: "customer.created" }, { params });
    expect(res.status).toBe(422);
    expect((await bodyOf(res)).formError).toContain("customer.created");
    res = await dev.post(webhooksPage, path, { intent: "create", url: "not a url", topics: "order.paid" }, { params });
    expect(res.status).toBe(400);
    expect((await bodyOf(res)).fieldErrors.url).toBeDefined();

    // added: the secret comes back once, and only in this answer
    res = await dev.post(webhooksPage, path, { intent: "create", url: receiver.url("/p"), topics: "order.paid" }, { params });
    expect(res.status).toBe(200);
    const created = await bodyOf(res);
    expect(created.secret.value).toMatch(/^whsec_/);
    const endpointId = created.secret.endpointId;
    res = await dev.get(webhooksPage, path, params);
    const text = await res.text();
    expect(text).not.toContain(created.secret.value);
    page = JSON.parse(text);
    expect(page.endpoints).toMatchObject([{ id: endpointId, url: receiver.url("/p"), topics: ["order.paid"], status: "active" }]);

    res = await dev.post(webhooksPage, path, { intent: "rotate", endpointId }, { params });
    const rotated = await bodyOf(res);
    expect(rotated.secret.value).toMatch(/^whsec_/);
    expect(rotated.secret.value).not.toBe(created.secret.value);

    // without the CSRF token nothing changes
    expect((await dev.post(webhooksPage, path, { intent: "delete", endpointId }, { params, csrf: false })).status).toBe(403);

    // a stranger sees nothing and changes nothing
    const stranger = await clientFor((await createUser(platform)).id);
    expect((await stranger.get(webhooksPage, path, params)).status).toBe(404);
    expect((await stranger.post(webhooksPage, path, { intent: "delete", endpointId }, { params })).status).toBe(404);

    // two deliveries: one fails, one succeeds
    receiver.script("/p", [{ status: 500, body: "not now" }, { status: 200 }]);
    const failedEvent = await publishEvent(platform, shop.id, "order.paid", { orderId: "ord_p1" });
    await waitFor("the first delivery to fail", async () => (await deliveriesOf(platform, failedEvent))[0]?.status === "failed");
    const okEvent = await publishEvent(platform, shop.id, "order.paid", { orderId: "ord_p2" });
    await waitFor("the second delivery to succeed", async () => (await deliveriesOf(platform, okEvent))[0]?.status === "succeeded");
    const [failed] = await deliveriesOf(platform, failedEvent);

    page = await bodyOf(await dev.get(webhooksPage, `${path}?status=failed`, params));
    expect(page.deliveries.map((d: { id: string }) => d.id)).toEqual([failed.id]);
    expect(page.deliveries[0]).toMatchObject({ topic: "order.paid", status: "failed", attempts: 1, lastStatusCode: 500 });
    page = await bodyOf(await dev.get(webhooksPage, `${path}?status=succeeded`, params));
    expect(page.deliveries).toHaveLength(1);
    page = await bodyOf(await dev.get(webhooksPage, path, params));
    expect(page.deliveries).toHaveLength(2);
    expect((await dev.get(webhooksPage, `${path}?status=bogus`, params)).status).toBe(400);
    // pages, newest first
    const first = await listDeliveries(platform.db, extensionId, { limit: 1 });
    expect(first.nextBefore).not.toBeNull();
    const second = await listDeliveries(platform.db, extensionId, { limit: 1, before: first.nextBefore });
    expect([...first.deliveries, ...second.deliveries].map((d) => d.id)).toEqual(page.deliveries.map((d: { id: string }) => d.id));
    expect(second.nextBefore).toBeNull();

    // the delivery's attempts, then "Send again"
    const detailPath = `${path}/deliveries/${failed.id}`;
    const detailParams = { extensionId, deliveryId: failed.id };
    let detail = await bodyOf(await dev.get(deliveryPage, detailPath, detailParams));
    expect(detail.delivery.attemptLog).toMatchObject([{ attempt: 1, outcome: "failed", statusCode: 500, responseExcerpt: "not now" }]);
    expect(JSON.parse(detail.delivery.body)).toMatchObject({ type: "order.paid", shop_id: shop.id, data: { orderId: "ord_p1" } });
    res = await dev.post(deliveryPage, detailPath, { intent: "redeliver" }, { params: detailParams });
    expect(res.status).toBe(200);
    await waitFor("the redelivery", async () => (await deliveriesOf(platform, failedEvent))[0]?.status === "succeeded");
    detail = await bodyOf(await dev.get(deliveryPage, detailPath, detailParams));
    expect(detail.delivery.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(["failed", "succeeded"]);
    expect(receiver.received("/p").filter((r) => r.headers["webhook-id"] === failed.id)).toHaveLength(2);
    expect((await stranger.get(deliveryPage, detailPath, detailParams)).status).toBe(404);

    // disable, enable, delete
    expect((await dev.post(webhooksPage, path, { intent: "disable", endpointId }, { params })).status).toBe(200);
    expect((await dev.post(webhooksPage, path, { intent: "disable", endpointId }, { params })).status).toBe(409);
    expect((await dev.post(webhooksPage, path, { intent: "enable", endpointId }, { params })).status).toBe(200);
    expect((await dev.post(webhooksPage, path, { intent: "update", endpointId, url: receiver.url("/q"), topics: "order.shipped" }, { params })).status).toBe(200);
    page = await bodyOf(await dev.get(webhooksPage, path, params));
    expect(page.endpoints).toMatchObject([{ url: receiver.url("/q"), topics: ["order.shipped"] }]);
    expect((await dev.post(webhooksPage, path, { intent: "delete", endpointId }, { params })).status).toBe(200);
    page = await bodyOf(await dev.get(webhooksPage, path, params));
    expect(page.endpoints).toEqual([]);
    expect(page.deliveries).toHaveLength(2); // the log outlives the endpoint

    expect(await auditActions(platform, { targetId: endpointId })).toEqual([
      "webhook.endpoint_created",
      "webhook.secret_rotated",
      "webhook.endpoint_disabled",
      "webhook.endpoint_enabled",
      "webhook.endpoint_updated",
      "webhook.endpoint_deleted",
    ]);
    expect(await auditActions(platform, { targetId: failed.id })).toEqual(["webhook.redelivered"]);
  });

  it("render over HTTP, linked from the extension's page", async () => {
    const server = await startTestServer(platform);
    try {
      const c = createClient(server.url);
      c.cookies.set(SESSION_COOKIE, (await createSession(platform.db, m.developerId)).token);
      const metrics = await c.get(`/developer/extensions/${extensionId}`);
      expect(metrics.body).toContain(`/developer/extensions/${extensionId}/webhooks`);
      const list = await c.get(`/developer/extensions/${extensionId}/webhooks`);
      expect(list.status).toBe(200);
      expect(list.body).toContain("Add an endpoint");
      expect(list.body).toContain("order.paid");
      const { deliveries } = await listDeliveries(platform.db, extensionId);
      const detail = await c.get(`/developer/extensions/${extensionId}/webhooks/deliveries/${deliveries[0].id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toContain("Attempts");
      expect(detail.body).toContain(deliveries[0].id);
    } finally {
      await server.close();
    }
  });
});
