/**
 * The order timers on whatever queue the harness gives (pg-boss on PGlite by
 * default, BullMQ with REDIS_URL), with the production worker and consumer
 * lists (`startWorkers`) and delays shortened through the shop's settings
 * (fractional minutes and days): an unpaid order closes and its stock comes
 * back; a shipped order completes; a timer that fires after the order has
 * moved on (paid, cancelled, confirmed) does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../app/jobs/workers.server";
import { AUTO_COMPLETE_JOB, CLOSE_UNPAID_JOB, cancelOrder, confirmReceipt, setOrderTimerSettings, shipOrder } from "../app/orders/index.server";
import { createBuyer, ledgerOf, orderFor, orderRow, payOrder, shopWithProducts, stockOf, timelineOf, type TestBuyer } from "./orders-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import type { TestShop, TestUser } from "./support/storefront-fixtures";

let platform: TestPlatform;
let stopRelay: () => Promise<void>;
let buyer: TestBuyer;
/** closes unpaid orders after 3 s */
let quick: { shop: TestShop; owner: TestUser; sku: string };
/** completes shipped orders after ~3.5 s (and leaves unpaid ones for 30 minutes) */
let completing: { shop: TestShop; owner: TestUser; sku: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const jobDone = (name: string, id: string) => async () => (await platform.jobs.getState(name, id)) === "completed";

beforeAll(async () => {
  platform = await createTestPlatform();
  buyer = await createBuyer(platform);
  {
    const { shop, owner, skus } = await shopWithProducts(platform, [{ price: 1200, stock: 20 }]);
    await setOrderTimerSettings(platform.db, { id: owner.id }, shop.id, { unpaidCloseMinutes: 0.05, autoCompleteDays: 10 });
    quick = { shop, owner, sku: skus[0] };
  }
  {
    const { shop, owner, skus } = await shopWithProducts(platform, [{ price: 800, stock: 20 }]);
    await setOrderTimerSettings(platform.db, { id: owner.id }, shop.id, { unpaidCloseMinutes: 30, autoCompleteDays: 0.00004 });
    completing = { shop, owner, sku: skus[0] };
  }
  stopRelay = await startWorkers(platform, { relayIntervalMs: 100 });
});

afterAll(async () => {
  await stopRelay?.();
  await platform?.close();
});

describe("the unpaid-close timer", () => {
  it("closes an order left unpaid, as the system, and puts its stock back", async () => {
    const before = await stockOf(platform, quick.sku);
    const placedAt = Date.now();
    const { orderId } = await orderFor(platform, quick.shop.id, buyer, [{ skuId: quick.sku, quantity: 3 }]);
    expect(await stockOf(platform, quick.sku)).toBe(before - 3);
    await waitFor("the order to close", async () => (await orderRow(platform, orderId)).status === "closed");
    // Not before the shop's 3 seconds were up.
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(2_900);
    const row = await orderRow(platform, orderId);
    expect(row.close_reason).toBe("unpaid_timeout");
    expect(await stockOf(platform, quick.sku)).toBe(before);
    expect((await ledgerOf(platform, quick.sku)).filter((r) => r.ref_id === orderId).map((r) => [r.delta, r.reason])).toEqual([
      [-3, "order_reserved"],
      [3, "order_released"],
    ]);
    const events = await platform.db.selectFrom("order_events").select(["type", "actor_type", "reason"]).where("order_id", "=", orderId).orderBy("id").execute();
    expect(events).toEqual([
      { type: "created", actor_type: "buyer", reason: null },
      { type: "closed", actor_type: "system", reason: "unpaid_timeout" },
    ]);
    await waitFor("the job to be recorded complete", jobDone(CLOSE_UNPAID_JOB, `close-unpaid-${orderId}`));
  });

  it("does nothing to an order paid before it fires", async () => {
    const { orderId } = await orderFor(platform, quick.shop.id, buyer, [{ skuId: quick.sku, quantity: 1 }]);
    await payOrder(platform, quick.shop.id, orderId);
    await waitFor("the close job to run", jobDone(CLOSE_UNPAID_JOB, `close-unpaid-${orderId}`));
    expect((await orderRow(platform, orderId)).status).toBe("paid");
    expect(await timelineOf(platform, orderId)).toEqual(["created", "paid"]);
  });

  it("does nothing to an order the buyer already cancelled (its stock comes back once)", async () => {
    const before = await stockOf(platform, quick.sku);
    const { orderId } = await orderFor(platform, quick.shop.id, buyer, [{ skuId: quick.sku, quantity: 2 }]);
    await cancelOrder(platform, { shopId: quick.shop.id, orderId, actor: { type: "buyer", id: buyer.id } });
    await waitFor("the close job to run", jobDone(CLOSE_UNPAID_JOB, `close-unpaid-${orderId}`));
    expect(await timelineOf(platform, orderId)).toEqual(["created", "closed"]);
    expect((await orderRow(platform, orderId)).close_reason).toBe("buyer_cancelled");
    expect(await stockOf(platform, quick.sku)).toBe(before);
  });
});

describe("the auto-complete timer", () => {
  it("completes a shipped order the buyer did not confirm", async () => {
    const { orderId } = await orderFor(platform, completing.shop.id, buyer, [{ skuId: completing.sku, quantity: 1 }]);
    await payOrder(platform, completing.shop.id, orderId);
    await shipOrder(platform.db, { shopId: completing.shop.id, orderId, actor: { type: "merchant", id: completing.owner.id }, form: { carrier: "SF", trackingNumber: "SF1" } });
    await waitFor("the order to complete", async () => (await orderRow(platform, orderId)).status === "completed");
    const events = await platform.db.selectFrom("order_events").select(["type", "actor_type", "reason"]).where("order_id", "=", orderId).orderBy("id").execute();
    expect(events.at(-1)).toEqual({ type: "completed", actor_type: "system", reason: "auto_complete" });
    expect(events.map((e) => e.type)).toEqual(["created", "paid", "shipped", "completed"]);
    await waitFor("the job to be recorded complete", jobDone(AUTO_COMPLETE_JOB, `auto-complete-${orderId}`));
    // The unpaid timer ran too (30 minutes away for this shop): it has not fired yet.
    expect(await platform.jobs.getState(CLOSE_UNPAID_JOB, `close-unpaid-${orderId}`)).toBe("delayed");
  });

  it("does nothing to an order the buyer confirmed first", async () => {
    const { orderId } = await orderFor(platform, completing.shop.id, buyer, [{ skuId: completing.sku, quantity: 1 }]);
    await payOrder(platform, completing.shop.id, orderId);
    await shipOrder(platform.db, { shopId: completing.shop.id, orderId, actor: { type: "merchant", id: completing.owner.id }, form: { carrier: "SF", trackingNumber: "SF2" } });
    await confirmReceipt(platform.db, { shopId: completing.shop.id, orderId, buyerId: buyer.id });
    await waitFor("the auto-complete job to run", jobDone(AUTO_COMPLETE_JOB, `auto-complete-${orderId}`));
    const events = await platform.db.selectFrom("order_events").select(["type", "actor_type"]).where("order_id", "=", orderId).orderBy("id").execute();
    expect(events).toEqual([
      { type: "created", actor_type: "buyer" },
      { type: "paid", actor_type: "system" },
      { type: "shipped", actor_type: "merchant" },
      { type: "completed", actor_type: "buyer" },
    ]);
  });
});
