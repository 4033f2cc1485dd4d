/**
 * The retention jobs (docs/decisions/0017): the invocation log past 30 days,
 * outbox events every consumer has passed, and unused expired quotes — each
 * deleted in batches, each registered as a repeatable schedule in the worker
 * list, each keeping what must stay.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQuote } from "../app/checkout/index.server";
import { pruneExpiredQuotes, QUOTE_CLEANUP } from "../app/checkout/index.server";
import { OUTBOX_RETENTION, publish, pruneOutbox, relayOnce, type EventConsumer, type OutboxEvent } from "../app/events/index.server";
import { INVOCATION_RETENTION } from "../app/extensions/hooks.config";
import { pruneInvocations } from "../app/extensions/invocations.service.server";
import { addToCart } from "../app/cart/index.server";
import { jobDefinitions } from "../app/jobs/workers.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createBuyer, orderFor, shopWithProducts } from "./orders-fixtures";
import { createCustomer, createMarketplace, installTestExtension, invocationsOf, quoteInput, useTestHost, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await platform?.close();
});

const DAY = 86_400_000;

/** Ticks the relay until `done` holds (generous: other sessions' transactions can delay what it may read). */
async function relayUntil(consumers: EventConsumer[], done: () => boolean, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    await relayOnce(platform, consumers, { batchSize: 100 });
    if (done()) return;
    if (Date.now() - start > timeoutMs) throw new Error("the relay did not deliver in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}
/** Backdates invocation rows (created_at is not updatable through the typed builder). */
const backdateInvocations = (ids: string[], daysAgo: number) =>
  sql`UPDATE extension_invocations SET created_at = ${new Date(Date.now() - daysAgo * DAY)} WHERE id IN (${sql.join(ids)})`.execute(platform.db);
const runJob = async (name: string) => {
  const def = jobDefinitions.find((j) => j.name === name)!;
  await def.handler(platform)(undefined as never, { id: `test-${name}`, name, attempt: 1 });
};

describe("the worker list", () => {
  it("schedules the three retention jobs as repeatable jobs", () => {
    for (const name of [INVOCATION_RETENTION.job, OUTBOX_RETENTION.job, QUOTE_CLEANUP.job]) {
      const def = jobDefinitions.find((j) => j.name === name);
      expect(def, name).toBeDefined();
      expect(def!.schedule).toEqual({ everyMs: 60 * 60_000 });
    }
  });
});

describe("invocation log retention", () => {
  it("deletes rows older than 30 days in batches and keeps the recent ones", async () => {
    const { shop } = await shopWithProducts(platform, [{ price: 1000, stock: 5 }]);
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      source: `{ "checkout.discounts": (input) => ({ discounts: [{ lineId: input.lines[0].lineId, amount: 100, label: "Ten" }] }) }`,
    });
    const buyer = await createCustomer(platform, shop.id);
    for (let i = 0; i < 7; i++) {
      const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: buyer.userId, customerId: buyer.customerId }));
      expect(offers).toHaveLength(1);
    }
    const rows = await invocationsOf(platform, install.installId);
    expect(rows).toHaveLength(7);
    const old = rows.slice(0, 5).map((r) => r.id);
    await backdateInvocations(old, 31);
    // one row just inside the retention stays
    await backdateInvocations([rows[5].id], 29);

    // two rows per batch, one batch per run: the backlog drains over runs
    expect(await pruneInvocations(platform.db, { batchSize: 2, maxBatches: 1 })).toEqual({ deleted: 2, more: true });
    expect(await pruneInvocations(platform.db, { batchSize: 2, maxBatches: 5 })).toEqual({ deleted: 3, more: false });
    const left = (await invocationsOf(platform, install.installId)).map((r) => r.id).sort();
    expect(left).toEqual([rows[5].id, rows[6].id].sort());

    // the scheduled job runs the same pruning
    await backdateInvocations([rows[6].id], 40);
    await runJob(INVOCATION_RETENTION.job);
    expect((await invocationsOf(platform, install.installId)).map((r) => r.id)).toEqual([rows[5].id]);
  });
});

describe("outbox pruning", () => {
  it("deletes only events every listed consumer has passed, old enough; the slow consumer still gets the rest", async () => {
    const tag = `t${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(await platform.db.transaction().execute((trx) => publish(trx, { name: "retention.tested", shopId: null, subjectId: `${tag}-${i}`, payload: { i } })));
    }
    const mine = (e: OutboxEvent) => e.subjectId?.startsWith(tag) ?? false;
    const seenByFast: string[] = [];
    const seenBySlow: string[] = [];
    const fast: EventConsumer = { name: `fast-${tag}`, topics: "*", handle: async (_p, events) => void seenByFast.push(...events.filter(mine).map((e) => e.id)) };
    const slow: EventConsumer = { name: `slow-${tag}`, topics: "*", handle: async (_p, events) => void seenBySlow.push(...events.filter(mine).map((e) => e.id)) };
    // on a shared PostgreSQL server another session's open transaction can hold the relay back (0004): wait
    await relayUntil([fast, slow], () => seenByFast.length >= ids.length);
    expect(seenByFast).toEqual(ids);
    // the slow consumer lags: its cursor is back at our third event (as if its handler had failed since)
    await sql`UPDATE event_consumers SET (last_txid, last_id) = (SELECT txid, id FROM outbox WHERE id = ${ids[2]}::bigint) WHERE name = ${slow.name}`.execute(platform.db);
    seenBySlow.length = 0;

    const outboxIds = async () => (await sql<{ id: string }>`SELECT id::text AS id FROM outbox WHERE subject_id LIKE ${tag + "%"} ORDER BY id`.execute(platform.db)).rows.map((r) => r.id);
    // too recent: kept whatever the cursors say
    expect(await pruneOutbox(platform.db, { consumers: [fast.name, slow.name] })).toMatchObject({ deleted: 0 });
    expect(await outboxIds()).toEqual(ids);

    await sql`UPDATE outbox SET created_at = now() - interval '8 days' WHERE subject_id LIKE ${tag + "%"}`.execute(platform.db);
    // a listed consumer without a cursor (never ran) blocks pruning
    expect(await pruneOutbox(platform.db, { consumers: [fast.name, slow.name, `new-${tag}`] })).toMatchObject({ deleted: 0, blockedBy: expect.stringContaining(`new-${tag}`) });
    expect(await outboxIds()).toEqual(ids);

    // behind both cursors and old: our first three events
    const r = await pruneOutbox(platform.db, { consumers: [fast.name, slow.name], batchSize: 2 });
    expect(r.more).toBe(false);
    expect(await outboxIds()).toEqual(ids.slice(3));

    // the slow consumer resumes from its cursor and loses nothing
    await relayUntil([fast, slow], () => seenBySlow.length >= 3);
    expect(seenBySlow).toEqual(ids.slice(3));
    expect(seenByFast).toEqual(ids);

    // once both passed everything (and it is old), the rest goes too
    await sql`UPDATE outbox SET created_at = now() - interval '8 days' WHERE subject_id LIKE ${tag + "%"}`.execute(platform.db);
    await pruneOutbox(platform.db, { consumers: [fast.name, slow.name] });
    expect(await outboxIds()).toEqual([]);
  });
});

describe("expired quote cleanup", () => {
  it("deletes unused quotes a day after they expired and keeps quotes that became orders", async () => {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 1500, stock: 50 }]);
    const buyer = await createBuyer(platform);
    const { orderId } = await orderFor(platform, shop.id, buyer, [{ skuId: skus[0], quantity: 1 }]);
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[0], quantity: 1 });
    const unused = [await createQuote(platform, { shopId: shop.id, user: buyer }), await createQuote(platform, { shopId: shop.id, user: buyer }), await createQuote(platform, { shopId: shop.id, user: buyer })];
    const quotes = () => platform.db.selectFrom("checkout_quotes").select(["id", "order_id"]).where("shop_id", "=", shop.id).orderBy("id").execute();
    const all = await quotes();
    expect(all.filter((q) => q.order_id === orderId)).toHaveLength(1);

    // everything expired two days ago, except the newest unused quote (expired an hour ago: within the grace)
    await platform.db.updateTable("checkout_quotes").set({ expires_at: new Date(Date.now() - 2 * DAY) }).where("shop_id", "=", shop.id).execute();
    await platform.db.updateTable("checkout_quotes").set({ expires_at: new Date(Date.now() - 3_600_000) }).where("id", "=", unused[2].id).execute();

    expect(await pruneExpiredQuotes(platform.db, { batchSize: 1, maxBatches: 1 })).toEqual({ deleted: 1, more: true });
    await runJob(QUOTE_CLEANUP.job);
    const left = await quotes();
    expect(left.map((q) => q.id).sort()).toEqual([all.find((q) => q.order_id === orderId)!.id, unused[2].id].sort());
  });
});
