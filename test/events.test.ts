/**
 * The outbox and its relay: what a consumer sees, in what order, how often,
 * and that a transaction committing late is not skipped. Each test uses event
 * names of its own (`<noun>.<verb>`) and consumers subscribed to them, so the
 * tests share one database without seeing each other's events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { createRelay, publish, relayOnce, type EventConsumer, type OutboxEvent } from "../app/events/index.server";
import type { Platform } from "../app/platform.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { allowConsoleError } from "./support/setup-file";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * The relay passes only events below the cluster's snapshot horizon, and on
 * PostgreSQL that horizon is shared by every database of the cluster: another
 * test file's open transaction holds it back. Wait until it has passed this
 * database's newest event, so one relay tick sees everything committed here.
 */
async function settled(timeoutMs = 30_000): Promise<void> {
  await waitFor("the snapshot horizon to pass the newest event", async () => {
    const { rows } = await sql<{ passed: boolean }>`
      SELECT coalesce((SELECT max(txid) FROM outbox) < pg_snapshot_xmin(pg_current_snapshot()), true) AS passed`.execute(p.db);
    return rows[0].passed;
  }, timeoutMs);
}

/** A consumer that records what it is handed, batch by batch. */
function recorder(name: string, topics: EventConsumer["topics"]) {
  const batches: OutboxEvent[][] = [];
  const consumer: EventConsumer = {
    name,
    topics,
    async handle(_platform: Platform, events: OutboxEvent[]) {
      batches.push(events);
    },
  };
  return { consumer, batches, seen: () => batches.flat() };
}

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

describe("publish", () => {
  it("refuses a name that is not noun.verb and a payload that is not an object", async () => {
    await expect(publish(p.db, { name: "Order.Paid", payload: {} })).rejects.toThrow(/invalid event name/);
    await expect(publish(p.db, { name: "order", payload: {} })).rejects.toThrow(/invalid event name/);
    await expect(publish(p.db, { name: "order.paid.twice", payload: {} })).rejects.toThrow(/invalid event name/);
    await expect(publish(p.db, { name: "order.paid", payload: [1, 2] })).rejects.toThrow(/JSON object/);
  });
});

describe("the relay", () => {
  it("relays nothing from a transaction that rolled back", async () => {
    const r = recorder("ev-rollback", ["rolled.back"]);
    await expect(
      p.db.transaction().execute(async (trx) => {
        await publish(trx, { name: "rolled.back", payload: { n: 1 } });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const [result] = await relayOnce(p, [r.consumer]);
    expect(result).toMatchObject({ consumer: "ev-rollback", delivered: 0 });
    expect(r.seen()).toEqual([]);
    const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM outbox WHERE name = 'rolled.back'`.execute(p.db);
    expect(rows[0].n).toBe("0");
  });

  it("hands a committed event to a consumer once, with its fields", async () => {
    const r = recorder("ev-once", ["once.created"]);
    const id = await p.db.transaction().execute((trx) =>
      publish(trx, { name: "once.created", shopId: "shop_1", subjectId: "ord_1", payload: { orderId: "ord_1", total: 1999 } }),
    );
    await settled();
    await relayOnce(p, [r.consumer]);
    await relayOnce(p, [r.consumer]);
    expect(r.seen()).toHaveLength(1);
    const [event] = r.seen();
    expect(event).toMatchObject({
      id,
      name: "once.created",
      shopId: "shop_1",
      subjectId: "ord_1",
      payload: { orderId: "ord_1", total: 1999 },
    });
    expect(event.txid).toMatch(/^\d+$/);
    expect(event.createdAt).toBeInstanceOf(Date);
  });

  it("keeps a cursor per consumer: each sees every event, and one failing holds up only itself", async () => {
    allowConsoleError(); // the relay logs the failing consumer
    const a = recorder("ev-pair-a", ["pair.made"]);
    const bSeen: OutboxEvent[] = [];
    let bFails = true;
    const b: EventConsumer = {
      name: "ev-pair-b",
      topics: ["pair.made"],
      async handle(_platform, events) {
        if (bFails) {
          bFails = false;
          throw new Error("b is down");
        }
        bSeen.push(...events);
      },
    };
    for (const n of [1, 2, 3]) await publish(p.db, { name: "pair.made", payload: { n } });

    // b first, to show its failure does not stop a
    await settled();
    const first = await relayOnce(p, [b, a.consumer]);
    expect(first.find((x) => x.consumer === "ev-pair-b")?.error?.message).toBe("b is down");
    expect(a.seen().map((e) => e.payload.n)).toEqual([1, 2, 3]);
    expect(bSeen).toEqual([]);

    const second = await relayOnce(p, [b, a.consumer]);
    expect(second.every((x) => !x.error)).toBe(true);
    expect(bSeen.map((e) => e.payload.n)).toEqual([1, 2, 3]);
    expect(a.seen()).toHaveLength(3); // nothing again for a
  });

  it("delivers in commit order across batches, and filters by topic while moving past the rest", async () => {
    const all = recorder("ev-order-all", ["ordered.*"]);
    const some = recorder("ev-order-some", ["ordered.updated"]);
    await publish(p.db, { name: "ordered.created", payload: { n: 1 } });
    await p.db.transaction().execute(async (trx) => {
      await publish(trx, { name: "ordered.updated", payload: { n: 2 } });
      await publish(trx, { name: "ordered.created", payload: { n: 3 } });
    });
    await publish(p.db, { name: "ordered.updated", payload: { n: 4 } });
    await publish(p.db, { name: "ordered.created", payload: { n: 5 } });

    await settled();
    const results = await relayOnce(p, [all.consumer, some.consumer], { batchSize: 2 });
    expect(all.seen().map((e) => e.payload.n)).toEqual([1, 2, 3, 4, 5]);
    expect(all.batches.map((b) => b.length)).toEqual([2, 2, 1]); // drained in one tick
    expect(some.seen().map((e) => e.payload.n)).toEqual([2, 4]);
    // A new cursor starts at the beginning: it moved past the other tests' events too.
    expect(results.find((x) => x.consumer === "ev-order-some")?.advanced).toBeGreaterThanOrEqual(5);

    const again = await relayOnce(p, [all.consumer, some.consumer], { batchSize: 2 });
    expect(again.map((x) => x.advanced)).toEqual([0, 0]);
  });

  it("feeds the job queue without deadlocking, and a redelivered batch enqueues no second job", async () => {
    const ran: string[] = [];
    await p.jobs.work("events_test.deliver", async (data: { eventId: string }) => {
      ran.push(data.eventId);
    });
    const consumer: EventConsumer = {
      name: "ev-jobs",
      topics: ["queued.thing"],
      async handle(platform, events) {
        for (const e of events) {
          await platform.jobs.enqueue("events_test.deliver", { eventId: e.id }, { jobId: `ev-jobs-${e.id}` });
        }
      },
    };
    const ids = [
      await publish(p.db, { name: "queued.thing", payload: {} }),
      await publish(p.db, { name: "queued.thing", payload: {} }),
    ];
    await settled();
    await relayOnce(p, [consumer]);
    // As if the process died before moving the cursor: the batch comes again.
    await sql`UPDATE event_consumers SET last_txid = '0'::xid8, last_id = 0 WHERE name = 'ev-jobs'`.execute(p.db);
    const [again] = await relayOnce(p, [consumer]);
    expect(again.delivered).toBe(2);
    await waitFor("both jobs", () => ran.length === 2);
    await sleep(700); // longer than a polling interval
    expect([...ran].sort()).toEqual([...ids].sort());
  });

  it("runs on its own when started, and stop() waits for the tick in progress", async () => {
    let started = false;
    let finished = false;
    const seen: OutboxEvent[] = [];
    const slow: EventConsumer = {
      name: "ev-loop",
      topics: ["looped.thing"],
      async handle(_platform, events) {
        started = true;
        await sleep(300);
        seen.push(...events);
        finished = true;
      },
    };
    const relay = createRelay(p, [slow], { intervalMs: 50 });
    relay.start();
    relay.start(); // idempotent
    try {
      await publish(p.db, { name: "looped.thing", payload: { n: 1 } });
      await waitFor("the loop to pick it up", () => started);
    } finally {
      await relay.stop();
    }
    expect(finished).toBe(true);
    expect(seen.map((e) => e.payload.n)).toEqual([1]);
    // Stopped: a new event is not picked up.
    await publish(p.db, { name: "looped.thing", payload: { n: 2 } });
    await sleep(200);
    expect(seen).toHaveLength(1);
  });
});

// A transaction that has to stay open while others commit needs concurrent
// connections, which PGlite does not have.
describe.skipIf(!process.env.DATABASE_URL)("the relay and a transaction that commits late (PostgreSQL)", () => {
  it("does not skip an event from a transaction that started earlier and committed later", async () => {
    const r = recorder("ev-late", ["late.commit"]);
    const early = await p.db.startTransaction().execute();
    try {
      await publish(early, { name: "late.commit", payload: { n: 1 } }); // takes the lower transaction id
      await p.db.transaction().execute((trx) => publish(trx, { name: "late.commit", payload: { n: 2 } }));
      await relayOnce(p, [r.consumer]);
      // n=2 is committed but sits behind the running transaction: held back, not passed.
      expect(r.seen()).toEqual([]);
      await early.commit().execute();
    } catch (e) {
      await early.rollback().execute().catch(() => {});
      throw e;
    }
    await settled();
    await relayOnce(p, [r.consumer]);
    expect(r.seen().map((e) => e.payload.n)).toEqual([1, 2]);
  });

  it("lets only one relay hold a consumer's cursor at a time", async () => {
    const r = recorder("ev-turns", ["turns.taken"]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const blocking: EventConsumer = {
      name: "ev-turns",
      topics: ["turns.taken"],
      async handle(platform, events) {
        calls++;
        await gate;
        await r.consumer.handle(platform, events);
      },
    };
    await publish(p.db, { name: "turns.taken", payload: { n: 1 } });
    await settled();
    const first = relayOnce(p, [blocking]);
    await waitFor("the first relay to hold the cursor", () => calls === 1);
    const [second] = await relayOnce(p, [blocking]);
    expect(second).toMatchObject({ skipped: true, delivered: 0 });
    release();
    await first;
    expect(calls).toBe(1);
    expect(r.seen().map((e) => e.payload.n)).toEqual([1]);
  });
});
