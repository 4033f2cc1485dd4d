/**
 * One contract for the queue port, run against every adapter this machine can
 * run in the same `vitest run`:
 * - the database adapter (pg-boss) on PGlite — always;
 * - the database adapter on PostgreSQL — when DATABASE_URL is set;
 * - the BullMQ adapter — when REDIS_URL is set (required with REQUIRE_SERVICES=1).
 * Plus, for the database adapter, durability across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createJobQueue, type JobContext, type JobQueue } from "../app/jobs/index.server";
import { isAppError } from "../app/lib/errors";
import { openPglite, type DatabaseHandle } from "../db/connect";
import { PGLITE_TEMPLATE } from "./support/paths";
import { createTestPlatform } from "./support/platform";

const REDIS_URL = process.env.REDIS_URL;
const DATABASE_URL = process.env.DATABASE_URL;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

async function expectBadRequest(p: Promise<unknown>): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isAppError(e) && e.kind === "bad_request", `expected AppError(bad_request), got ${String(e)}`).toBe(true);
}

const uniquePrefix = () => `bzt${randomBytes(5).toString("hex")}`;

/** A PGlite database for pg-boss: loaded from the migrated dump when there is one (much faster than a fresh initdb). */
async function openTestPglite(dataDir?: string): Promise<DatabaseHandle> {
  const loadDataDir = existsSync(PGLITE_TEMPLATE) ? new Blob([readFileSync(PGLITE_TEMPLATE)]) : undefined;
  return openPglite({ dataDir, loadDataDir });
}

type Backend = { queue: JobQueue; close(): Promise<void> };

/** The contract every adapter passes. */
function contract(open: () => Promise<Backend>): void {
  let backend: Backend;
  let q: JobQueue;
  beforeAll(async () => {
    backend = await open();
    q = backend.queue;
  });
  afterAll(async () => {
    await backend?.close();
  });

  it("runs an immediate job with its data, and reports it completed", async () => {
    expect(await q.ping()).toBe(true);
    const seen: { data: unknown; job: JobContext }[] = [];
    await q.work("t.immediate", async (data, job) => {
      seen.push({ data, job });
    });
    const data = { a: 1, nested: { list: [1, "two", null, { three: 3 }] }, text: "ü ✓" };
    const id = await q.enqueue("t.immediate", data);
    // A top-level array must survive too (the pg driver would make it a Postgres array).
    const arrayId = await q.enqueue("t.immediate", [1, 2, 3]);
    await waitFor("both jobs to run", () => seen.length === 2);
    const byId = new Map(seen.map((s) => [s.job.id, s]));
    expect(byId.get(id)).toEqual({ data, job: { id, name: "t.immediate", attempt: 1 } });
    expect(byId.get(arrayId)?.data).toEqual([1, 2, 3]);
    await waitFor("completed state", async () => (await q.getState("t.immediate", id)) === "completed");
    expect(await q.getState("t.immediate", "no-such-job")).toBe("unknown");
  });

  it("does not run a delayed job before its delay, and runs it after", async () => {
    const ranAt: number[] = [];
    await q.work("t.delayed", async () => {
      ranAt.push(Date.now());
    });
    const enqueuedAt = Date.now();
    const id = await q.enqueue("t.delayed", { x: 1 }, { delayMs: 1200 });
    expect(await q.getState("t.delayed", id)).toBe("delayed");
    await sleep(800);
    expect(ranAt).toEqual([]);
    await waitFor("the delayed job", () => ranAt.length === 1);
    expect(ranAt[0] - enqueuedAt).toBeGreaterThanOrEqual(1200 - 30);
  });

  it("retries with a fixed backoff until the job succeeds, numbering the attempts", async () => {
    const tries: { attempt: number; at: number }[] = [];
    await q.work("t.retry", async (_data, job) => {
      tries.push({ attempt: job.attempt, at: Date.now() });
      if (job.attempt < 3) throw new Error(`try ${job.attempt} fails`);
    });
    const id = await q.enqueue("t.retry", {}, { attempts: 3, backoff: { type: "fixed", delayMs: 300 } });
    await waitFor("three attempts", () => tries.length === 3);
    expect(tries.map((t) => t.attempt)).toEqual([1, 2, 3]);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(300 - 30);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(300 - 30);
    await waitFor("completed state", async () => (await q.getState("t.retry", id)) === "completed");
    await sleep(300);
    expect(tries).toHaveLength(3);
  });

  it("waits at least the first exponential delay before a retry", async () => {
    const at: number[] = [];
    await q.work("t.retry_exp", async () => {
      at.push(Date.now());
      if (at.length === 1) throw new Error("first try fails");
    });
    await q.enqueue("t.retry_exp", {}, { attempts: 2, backoff: { type: "exponential", delayMs: 200 } });
    await waitFor("the retry", () => at.length === 2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(200 - 30);
  });

  it("dedupes by jobId: the same id enqueued again (before or after it ran) runs once", async () => {
    const runs: { data: unknown; id: string }[] = [];
    await q.work("t.dedupe", async (data, job) => {
      runs.push({ data, id: job.id });
    });
    expect(await q.enqueue("t.dedupe", { n: 1 }, { jobId: "order-42" })).toBe("order-42");
    expect(await q.enqueue("t.dedupe", { n: 2 }, { jobId: "order-42" })).toBe("order-42");
    await waitFor("completed state", async () => (await q.getState("t.dedupe", "order-42")) === "completed");
    expect(await q.enqueue("t.dedupe", { n: 3 }, { jobId: "order-42" })).toBe("order-42");
    // The same id under another job name is another job.
    const other: unknown[] = [];
    await q.work("t.dedupe_other", async (data) => {
      other.push(data);
    });
    await q.enqueue("t.dedupe_other", { n: 4 }, { jobId: "order-42" });
    await waitFor("the other job", () => other.length === 1);
    await sleep(700); // more than a polling interval
    expect(runs).toEqual([{ data: { n: 1 }, id: "order-42" }]);
  });

  it("records a job that used up its attempts as failed, with its error", async () => {
    await q.work("t.fail", async (_data, job) => {
      throw new Error(`boom on attempt ${job.attempt}`);
    });
    const before = Date.now();
    const id = await q.enqueue("t.fail", { k: "v" }, { attempts: 2, jobId: "fail-1" });
    expect(id).toBe("fail-1");
    await waitFor("failed state", async () => (await q.getState("t.fail", id)) === "failed");
    const failed = await q.listFailed({ name: "t.fail" });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id: "fail-1", name: "t.fail", data: { k: "v" }, error: "boom on attempt 2", attempts: 2 });
    expect(failed[0].failedAt).toBeInstanceOf(Date);
    expect(failed[0].failedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Without a name filter it is listed too; paging past it gives nothing more from this queue.
    expect((await q.listFailed()).some((f) => f.id === "fail-1" && f.name === "t.fail")).toBe(true);
    expect(await q.listFailed({ name: "t.fail", offset: 1 })).toEqual([]);
  });

  it("refuses invalid names, job ids and options with AppError(bad_request)", async () => {
    await expectBadRequest(q.enqueue("t.bad", {}, { jobId: "shop:1" }));
    await expectBadRequest(q.enqueue("t.bad", {}, { jobId: "42" }));
    await expectBadRequest(q.enqueue("t.bad", {}, { jobId: "" }));
    await expectBadRequest(q.enqueue("Bad Name", {}));
    await expectBadRequest(q.enqueue("t.bad", {}, { attempts: 0 }));
    await expectBadRequest(q.enqueue("t.bad", {}, { delayMs: -1 }));
    await expectBadRequest(q.work("t:bad", async () => {}));
    await expectBadRequest(q.schedule("key:1", "t.bad", { everyMs: 1000 }));
    await expectBadRequest(q.schedule("key-1", "t.bad", { everyMs: 5 }));
  });

  it("fires a schedule repeatedly, and unschedule stops it", async () => {
    const seen: unknown[] = [];
    await q.work("t.tick", async (data) => {
      seen.push(data);
    });
    await q.schedule("tick-every", "t.tick", { everyMs: 300 }, { hello: "world" });
    await waitFor("two runs", () => seen.length >= 2);
    await q.unschedule("tick-every", "t.tick");
    // A run enqueued just before may still come: wait for a quiet second.
    let last = seen.length;
    let quietSince = Date.now();
    await waitFor("the schedule to go quiet", () => {
      if (seen.length !== last) [last, quietSince] = [seen.length, Date.now()];
      return Date.now() - quietSince >= 1000;
    });
    await sleep(1200); // four more periods
    expect(seen.length).toBe(last);
    expect(seen[0]).toEqual({ hello: "world" });
  });
}

describe("JobQueue contract: database adapter (pg-boss) on PGlite", () => {
  let database: DatabaseHandle;
  let queue: JobQueue;
  contract(async () => {
    database = await openTestPglite();
    queue = await createJobQueue({}, database, { prefix: uniquePrefix() });
    expect(queue.kind).toBe("database");
    return {
      queue,
      async close() {
        await queue.stop();
        await database.close();
      },
    };
  });

  // PGlite is one session. A queue statement run in the middle of an
  // application transaction would commit or roll back with it.
  it("runs no queue statement inside an application transaction (PGlite's one connection)", async () => {
    await sql`CREATE TABLE probe (x int)`.execute(database.db);
    const ran: unknown[] = [];
    await queue.work("t.probe", async (data) => {
      ran.push(data);
    });
    let pending: Promise<string> | undefined;
    let enqueued = false;
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO probe VALUES (1)`.execute(trx);
        // Something else in the process enqueues meanwhile, e.g. the relay.
        pending = queue.enqueue("t.probe", { n: 1 }).finally(() => (enqueued = true));
        await sleep(150);
        expect(enqueued, "the enqueue waits for the transaction to end").toBe(false);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await pending;
    await waitFor("the job, which must survive the rollback", () => ran.length === 1);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM probe`.execute(database.db);
    expect(rows[0].n).toBe(0);
  });
});

describe.skipIf(!DATABASE_URL)("JobQueue contract: database adapter (pg-boss) on PostgreSQL", () => {
  contract(async () => {
    const platform = await createTestPlatform();
    const queue = await createJobQueue({}, platform.database, { prefix: uniquePrefix() });
    expect(queue.kind).toBe("database");
    return {
      queue,
      async close() {
        await queue.stop();
        await platform.close();
      },
    };
  });
});

describe.skipIf(!REDIS_URL)("JobQueue contract: BullMQ adapter", () => {
  contract(async () => {
    const platform = await createTestPlatform(); // REDIS_URL set: its queue is BullMQ under a prefix of its own
    expect(platform.jobs.kind).toBe("bullmq");
    return { queue: platform.jobs, close: () => platform.close() };
  });
});

describe.runIf(process.env.REQUIRE_SERVICES === "1")("with REQUIRE_SERVICES=1", () => {
  it("has REDIS_URL, so the BullMQ suite ran", () => {
    expect(REDIS_URL, "REDIS_URL must be set when REQUIRE_SERVICES=1").toBeTruthy();
  });
});

describe("the database adapter is durable", () => {
  it("runs a job enqueued before a restart (PGlite data folder closed and reopened)", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-jobs-restart-"));
    try {
      const prefix = uniquePrefix();
      const db1 = await openTestPglite(dataDir);
      const q1 = await createJobQueue({}, db1, { prefix });
      const enqueuedAt = Date.now();
      await q1.enqueue("t.durable", { orderId: "ord_1" }, { delayMs: 1000, jobId: "close-ord_1" });
      await q1.stop();
      expect(await q1.ping()).toBe(false);
      await db1.close();

      const db2 = await openPglite({ dataDir });
      const q2 = await createJobQueue({}, db2, { prefix });
      try {
        const ran: { data: unknown; id: string; at: number }[] = [];
        await q2.work("t.durable", async (data, job) => {
          ran.push({ data, id: job.id, at: Date.now() });
        });
        await waitFor("the job from before the restart", () => ran.length === 1);
        expect(ran[0]).toMatchObject({ data: { orderId: "ord_1" }, id: "close-ord_1" });
        expect(ran[0].at - enqueuedAt).toBeGreaterThanOrEqual(1000 - 30);
      } finally {
        await q2.stop();
        await db2.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!DATABASE_URL)("runs a job enqueued before a restart (PostgreSQL, new queue instance)", async () => {
    const platform = await createTestPlatform();
    try {
      const prefix = uniquePrefix();
      const q1 = await createJobQueue({}, platform.database, { prefix });
      const enqueuedAt = Date.now();
      await q1.enqueue("t.durable", { orderId: "ord_2" }, { delayMs: 1000 });
      await q1.stop();
      const q2 = await createJobQueue({}, platform.database, { prefix });
      try {
        const ran: { data: unknown; at: number }[] = [];
        await q2.work("t.durable", async (data) => {
          ran.push({ data, at: Date.now() });
        });
        await waitFor("the job from before the restart", () => ran.length === 1);
        expect(ran[0].data).toEqual({ orderId: "ord_2" });
        expect(ran[0].at - enqueuedAt).toBeGreaterThanOrEqual(1000 - 30);
      } finally {
        await q2.stop();
      }
    } finally {
      await platform.close();
    }
  });
});
