/**
 * Asynchronous hooks through the outbox relay, the queue and the real runner:
 * delivered at least once with a stable idempotency key; a redelivered
 * event is deduplicated by the job id; a re-run delivery (an acknowledgement
 * lost after the hook ran) has no double effect when the plugin uses the key,
 * and declarative counter effects apply once per key whatever the plugin does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensionHooksConsumer, extensionJobs, hookJobData, hookJobId } from "../app/extensions/index.server";
import type { OutboxEvent } from "../app/events/index.server";
import { startWorkers } from "../app/jobs/workers.server";
import { suspendInstall } from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createBuyer, orderFor, payOrder, shopWithProducts } from "./orders-fixtures";
import { createMarketplace, installTestExtension, invocationsOf, useTestHost, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let stopWorkers: (() => Promise<void>) | null = null;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await stopWorkers?.();
  await platform?.close();
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function outboxEvent(name: string, subjectId: string): Promise<OutboxEvent & { shopId: string }> {
  const row = await platform.db.selectFrom("outbox").selectAll().where("name", "=", name).where("subject_id", "=", subjectId).executeTakeFirstOrThrow();
  return { id: String(row.id), txid: String(row.txid), name: row.name, shopId: row.shop_id!, subjectId: row.subject_id, payload: row.payload, createdAt: new Date(row.created_at) };
}

const storageOf = async (installId: string) =>
  Object.fromEntries((await platform.db.selectFrom("extension_storage").select(["key", "value"]).where("install_id", "=", installId).execute()).map((r) => [r.key, r.value]));
const counterOf = async (installId: string, key: string) =>
  (await platform.db.selectFrom("extension_counters").select("value").where("install_id", "=", installId).where("key", "=", key).executeTakeFirst())?.value ?? null;

describe("order.paid", () => {
  it("is delivered at least once with a stable idempotency key, and a replay has no double effect", async () => {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 2000, stock: 10 }]);
    // uses the key itself: remembers each delivery it applied
    const keyed = await installTestExtension(platform, m, shop, {
      hooks: ["order.paid"],
      scopes: ["read_orders"],
      source: `{ "order.paid": async (input, ctx) => {
        if (await ctx.storage.get("seen:" + input.idempotencyKey)) return null;
        const order = await ctx.orders.get(input.order.id);
        const key = "points:" + input.order.customerId;
        await ctx.storage.set(key, ((await ctx.storage.get(key)) ?? 0) + Math.floor(order.total / 100));
        let other = "read";
        try { await ctx.orders.get("ord_00000000000000000000000000"); } catch (e) { other = e.name; }
        await ctx.storage.set("other-order", other);
        await ctx.storage.set("seen:" + input.idempotencyKey, true);
        return null;
      } }`,
    });
    // declares its effect; the host applies it once per key
    const declarative = await installTestExtension(platform, m, shop, {
      hooks: ["order.paid"],
      source: `{ "order.paid": async (input) => ({ counters: [{ key: "points:" + input.order.customerId, delta: Math.floor(input.order.total / 100), min: 0 }] }) }`,
    });

    const buyer = await createBuyer(platform);
    const { orderId, total } = await orderFor(platform, shop.id, buyer, [{ skuId: skus[0], quantity: 1 }]);
    await payOrder(platform, shop.id, orderId);
    const event = await outboxEvent("order.paid", orderId);
    // order.paid carries the payment, not the buyer: the host reads the order itself
    const customerId = (await platform.db.selectFrom("orders").select("customer_id").where("id", "=", orderId).executeTakeFirstOrThrow()).customer_id;
    expect(customerId).toMatch(/\S+/);

    stopWorkers = await startWorkers(platform, { consumers: [extensionHooksConsumer], jobs: extensionJobs, relayIntervalMs: 50 });
    const delivered = async (installId: string) =>
      (await platform.db.selectFrom("extension_hook_deliveries").select("status").where("install_id", "=", installId).where("event_id", "=", event.id).executeTakeFirst())?.status === "done";
    await eventually(async () => (await delivered(keyed.installId)) && (await delivered(declarative.installId)));

    const key = hookJobId(keyed.installId, event.id);
    expect(key).toBe(`hook-${keyed.installId}-${event.id}`);
    expect(await platform.jobs.getState("extensions.run_hook", key)).toBe("completed");
    const first = await invocationsOf(platform, keyed.installId);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ hook: "order.paid", outcome: "ok", idempotency_key: key, subject_type: "order", subject_id: orderId });
    expect(await storageOf(keyed.installId)).toMatchObject({ [`points:${customerId}`]: total / 100, "other-order": "ScopeError", [`seen:${key}`]: true });
    expect(await counterOf(declarative.installId, `points:${customerId}`)).toBe(total / 100);

    // the relay hands the same event over again: the job id dedupes it
    await extensionHooksConsumer.handle(platform, [event]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await invocationsOf(platform, keyed.installId)).toHaveLength(1);

    // the hook ran but its acknowledgement was lost: the delivery runs again, with the same key
    await platform.db.updateTable("extension_hook_deliveries").set({ status: "pending" }).where("event_id", "=", event.id).execute();
    for (const install of [keyed, declarative]) {
      const again = await platform.extensions.runAsyncHook(hookJobData(install.installId, event));
      expect(again).toMatchObject({ status: "done", outcome: "ok", idempotencyKey: hookJobId(install.installId, event.id) });
    }
    const both = await invocationsOf(platform, keyed.installId);
    expect(both.map((r) => r.idempotency_key)).toEqual([key, key]);
    expect((await storageOf(keyed.installId))[`points:${customerId}`]).toBe(total / 100);
    expect(await counterOf(declarative.installId, `points:${customerId}`)).toBe(total / 100);
    const replayed = (await invocationsOf(platform, declarative.installId))[1];
    expect(replayed.summary).toEqual({ counters: [{ key: `points:${customerId}`, delta: total / 100, applied: false, duplicate: true, value: total / 100 }] });

    // a delivery already done is not run again by the queue
    expect((await platform.extensions.runAsyncHook(hookJobData(keyed.installId, event))).outcome).toBeNull();
    expect(await invocationsOf(platform, keyed.installId)).toHaveLength(2);
  });
});

describe("other asynchronous hooks", () => {
  it("customer.created may read that customer (read_customers) and order.refunded carries the refund", async () => {
    const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 1 }]);
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["customer.created", "order.refunded"],
      scopes: ["read_customers"],
      source: `{
        "customer.created": async (input, ctx) => { const c = await ctx.customers.get(input.customer.id); await ctx.storage.set("welcomed", c.name); },
        "order.refunded": async (input, ctx) => { await ctx.storage.set("refund", input.refund); },
      }`,
    });
    const buyer = await createBuyer(platform);
    const customer = await platform.db
      .insertInto("shop_customers")
      .values({ id: "cus_01aaaaaaaaaaaaaaaaaaaaaaaa", shop_id: shop.id, user_id: buyer.id, email: buyer.email, name: buyer.name })
      .returning("id")
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const r1 = await platform.extensions.runAsyncHook({
      installId: install.installId,
      hook: "customer.created",
      event: { id: "7001", name: "customer.created", shopId: shop.id, subjectId: customer.id, payload: { customerId: customer.id }, createdAt: now },
    });
    expect(r1.status).toBe("done");
    const r2 = await platform.extensions.runAsyncHook({
      installId: install.installId,
      hook: "order.refunded",
      event: { id: "7002", name: "order.refunded", shopId: shop.id, subjectId: "ord_x", payload: { orderId: "ord_x", customerId: customer.id, refundId: "rfd_1", amount: 500, refundedTotal: 500, full: false, total: 1000, currency: "CNY", status: "paid" }, createdAt: now },
    });
    expect(r2.status).toBe("done");
    expect(await storageOf(install.installId)).toEqual({ welcomed: buyer.name, refund: { id: "rfd_1", amount: 500, refundedTotal: 500, full: false } });
  });

  it("a faulting hook is retried, recorded and finally failed, without touching another install's delivery; a suspended install is skipped", async () => {
    const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 1 }]);
    const bad = await installTestExtension(platform, m, shop, { hooks: ["order.completed"], source: `{ "order.completed": async () => { throw new Error("down"); } }` });
    const good = await installTestExtension(platform, m, shop, { hooks: ["order.completed"], source: `{ "order.completed": async (input, ctx) => { await ctx.storage.set("done", input.order.id); } }` });
    const event = { id: "8001", name: "order.completed", shopId: shop.id, subjectId: "ord_y", payload: { orderId: "ord_y", customerId: null, total: 1, currency: "CNY", status: "completed" }, createdAt: new Date().toISOString() };
    expect((await platform.extensions.runAsyncHook({ installId: bad.installId, hook: "order.completed", event })).status).toBe("retry");
    expect((await platform.extensions.runAsyncHook({ installId: good.installId, hook: "order.completed", event })).status).toBe("done");
    expect((await platform.extensions.runAsyncHook({ installId: bad.installId, hook: "order.completed", event })).status).toBe("retry");
    expect((await platform.extensions.runAsyncHook({ installId: bad.installId, hook: "order.completed", event })).status).toBe("failed");
    expect((await invocationsOf(platform, bad.installId)).map((r) => r.outcome)).toEqual(["error", "error", "error"]);
    expect(await storageOf(good.installId)).toEqual({ done: "ord_y" });

    await suspendInstall(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, installId: good.installId, reason: "merchant" });
    const skipped = await platform.extensions.runAsyncHook({ installId: good.installId, hook: "order.completed", event: { ...event, id: "8002" } });
    expect(skipped.status).toBe("skipped");
  });
});
