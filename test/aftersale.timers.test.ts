/**
 * Claim deadlines as delayed jobs on the harness's real queue (pg-boss on
 * PGlite, BullMQ when REDIS_URL is set), with the workers and the outbox
 * relay started by `startWorkers(platform)` and the deadlines shortened by
 * the after-sale time scale:
 * - the shop does not answer in 48 hours → the claim goes to a reviewer;
 * - the buyer does not send the return in 7 days → the claim closes;
 * - the shop does not confirm the return in 10 days → the refund is
 *   requested automatically, the simulator pays it back, and the claim
 *   becomes refunded (through `order.refunded`);
 * - a deadline firing after a manual step does nothing: its job runs and
 *   completes, and the claim and its timeline are unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerClaim, DEADLINE_JOB, openClaim, setAftersaleTimeScale, shipReturn } from "../app/aftersale/index.server";
import { startWorkers } from "../app/jobs/workers.server";
import { getOrder } from "../app/orders/index.server";
import { listRefunds } from "../app/payments/index.server";
import { buyerWithOrder, createSeller, sleep, startNotifyEndpoint, waitFor, type Seller } from "./aftersale-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let platform: TestPlatform;
let seller: Seller;
let stopWorkers: () => Promise<void>;
let endpoint: { close(): Promise<void> };

beforeAll(async () => {
  platform = await createTestPlatform();
  endpoint = await startNotifyEndpoint(platform);
  stopWorkers = await startWorkers(platform, { relayIntervalMs: 100 });
  seller = await createSeller(platform);
});
afterAll(async () => {
  await stopWorkers?.();
  await platform?.close();
  await endpoint?.close();
});

const claim = (id: string) => platform.db.selectFrom("claims").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const timeline = async (id: string) =>
  (await platform.db.selectFrom("claim_events").select(["action", "actor_type"]).where("claim_id", "=", id).orderBy("id").execute()).map((e) => `${e.actor_type}:${e.action}`);
const updates = async (id: string) =>
  (await platform.db.selectFrom("outbox").select("payload").where("subject_id", "=", id).where("name", "=", "aftersale.updated").orderBy("id").execute()).map((r) => r.payload.action);
/** A scale at which `base` lasts `ms`. */
const scaleFor = (base: number, ms: number) => ms / base;
const merchant = () => ({ shopId: seller.shop.id, actor: { type: "merchant" as const, id: seller.owner.id } });

async function openRefundClaim(kind: "refund_only" | "return_refund" = "refund_only", payVia: "applied" | "simulator" = "applied") {
  const { buyer, orderId, order } = await buyerWithOrder(platform, seller, "completed", { payVia });
  const form =
    kind === "return_refund"
      ? { kind, reason: "wrong_item", description: "Wrong size sent.", lines: [{ lineId: order.lines[0].id, quantity: 1 }] }
      : { kind, reason: "damaged", description: "Cracked lid.", amount: "12.00" };
  const claimId = await openClaim(platform, { userId: buyer.id, orderId, form });
  return { buyer, orderId, claimId };
}

describe(`claim deadlines on the ${process.env.REDIS_URL ? "BullMQ" : "database (pg-boss)"} queue`, () => {
  it("the shop does not answer within 48 hours: the claim goes to a reviewer", async () => {
    await setAftersaleTimeScale(platform, scaleFor(48 * HOUR, 1_000));
    const { claimId } = await openRefundClaim();
    const row = await waitFor("the escalation", async () => {
      const c = await claim(claimId);
      return c.status === "escalated" ? c : null;
    });
    expect(row).toMatchObject({ deadline_id: null, deadline_kind: null });
    expect(row.escalated_at).not.toBeNull();
    expect(await timeline(claimId)).toEqual(["buyer:opened", "system:merchant_timeout"]);
    expect(await updates(claimId)).toEqual(["merchant_timeout"]);
    expect(await platform.jobs.getState(DEADLINE_JOB, `claim-${claimId}-merchant_answer-1`)).toBe("completed");
  });

  it("the buyer does not send the return within 7 days: the claim closes", async () => {
    await setAftersaleTimeScale(platform, 1);
    const { claimId } = await openRefundClaim("return_refund");
    await setAftersaleTimeScale(platform, scaleFor(7 * DAY, 1_000));
    await answerClaim(platform.db, { ...merchant(), claimId, form: { intent: "agree", restock: "on" } });
    const row = await waitFor("the close", async () => {
      const c = await claim(claimId);
      return c.status === "closed" ? c : null;
    });
    expect(row.resolution).toBe("return_not_shipped");
    expect(await timeline(claimId)).toEqual(["buyer:opened", "merchant:agree_return", "system:return_shipment_timeout"]);
    expect(await updates(claimId)).toEqual(["agree_return", "return_shipment_timeout"]);
  });

  it("the shop does not confirm the return within 10 days: the refund goes out automatically and completes", async () => {
    await setAftersaleTimeScale(platform, 1);
    const { buyer, orderId, claimId } = await openRefundClaim("return_refund", "simulator");
    await answerClaim(platform.db, { ...merchant(), claimId, form: { intent: "agree", restock: "on" } });
    await setAftersaleTimeScale(platform, scaleFor(10 * DAY, 1_000));
    await shipReturn(platform.db, { claimId, userId: buyer.id, form: { carrier: "SF", trackingNumber: "SF2026" } });

    const pending = await waitFor("the automatic refund", async () => {
      const c = await claim(claimId);
      return c.status === "refund_pending" || c.status === "refunded" ? c : null;
    });
    const refunds = await listRefunds(platform.db, seller.shop.id, orderId);
    expect(refunds).toMatchObject([{ id: pending.refund_id, source: "claim", sourceId: claimId, amount: pending.amount, restock: true }]);
    // The simulator refunds the trade and notifies; order.refunded tells the claim.
    const done = await waitFor("the refund to complete", async () => {
      const c = await claim(claimId);
      return c.status === "refunded" ? c : null;
    });
    expect(done.resolution).toBe("refunded");
    expect((await getOrder(platform.db, seller.shop.id, orderId))!.refundedTotal).toBe(pending.amount);
    expect(await timeline(claimId)).toEqual(["buyer:opened", "merchant:agree_return", "buyer:ship_return", "system:return_receipt_timeout", "system:refund_succeeded"]);
  });

  it("a deadline that fires after the shop answered does nothing", async () => {
    await setAftersaleTimeScale(platform, scaleFor(48 * HOUR, 5_000));
    const { claimId } = await openRefundClaim();
    // The answer comes in time; its own deadline (7 days to escalate) is at full length.
    await setAftersaleTimeScale(platform, 1);
    await answerClaim(platform.db, { ...merchant(), claimId, form: { intent: "refuse", reason: "The damage is from use." } });
    const jobId = `claim-${claimId}-merchant_answer-1`;
    await waitFor("the stale deadline job to run", async () => (await platform.jobs.getState(DEADLINE_JOB, jobId)) === "completed");
    await sleep(300);
    const row = await claim(claimId);
    expect(row.status).toBe("refused");
    expect(row.deadline_id).toBe(`claim-${claimId}-escalation_window-2`);
    expect(await timeline(claimId)).toEqual(["buyer:opened", "merchant:refuse"]);
    expect(await updates(claimId)).toEqual(["refuse"]);
  });
});
