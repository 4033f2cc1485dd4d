/**
 * The claim pages, called through their loaders and actions with real
 * Requests (session and CSRF cookies) wrapped exactly as the server wraps
 * them:
 * - tenant isolation: a member of shop B gets 404 for shop A's claim, through
 *   B's URLs and A's, for the page and for every answer, and nothing of A's
 *   changes; a buyer gets 404 for another buyer's claim (page and actions);
 *   anyone but a reviewer gets 403 on the arbitration pages;
 * - the buyer opens a claim (multipart, with a photo) from the order and
 *   follows it; the shop's queue is sorted by deadline and filtered by
 *   status; the shop refuses (a reason is required: 400) and the buyer
 *   escalates; the reviewer's queue is oldest first, and the decision needs
 *   a reason; a step the claim no longer allows is a 409 for the form;
 * - every step leaves a timeline row and an `aftersale.*` outbox event.
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantReviewer } from "../app/accounts/index.server";
import { openClaim, setAftersaleTimeScale } from "../app/aftersale/index.server";
import * as shopClaimRoute from "../app/routes/admin.shops.$shopId.claims.$claimId";
import * as shopQueueRoute from "../app/routes/admin.shops.$shopId.claims._index";
import * as buyerClaimRoute from "../app/routes/claims.$claimId";
import * as openClaimRoute from "../app/routes/orders.$orderId_.claim";
import * as reviewClaimRoute from "../app/routes/review.claims.$claimId";
import * as reviewQueueRoute from "../app/routes/review.claims._index";
import { bodyOf } from "./accounts-helpers";
import { buyerWithOrder, createSeller, postMultipart, signedIn, type Seller } from "./aftersale-fixtures";
import { createUser } from "./support/storefront-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

let platform: TestPlatform;
let shopA: Seller;
let shopB: Seller;
let reviewerId: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  shopA = await createSeller(platform);
  shopB = await createSeller(platform);
  reviewerId = (await createUser(platform)).id;
  await grantReviewer(platform.db, reviewerId);
});
afterAll(async () => {
  await platform?.close();
});

const claimRow = (id: string) => platform.db.selectFrom("claims").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const trail = async (id: string) => ({
  events: (await platform.db.selectFrom("claim_events").select("action").where("claim_id", "=", id).orderBy("id").execute()).map((e) => e.action),
  outbox: (await platform.db.selectFrom("outbox").select("name").where("subject_id", "=", id).where("name", "like", "aftersale.%").orderBy("id").execute()).map((e) => e.name),
});
const refundForm = { kind: "refund_only", reason: "damaged", description: "The spout is chipped.", amount: "20.00" };

async function claimInA() {
  const { buyer, orderId } = await buyerWithOrder(platform, shopA, "completed");
  const claimId = await openClaim(platform, { userId: buyer.id, orderId, form: refundForm });
  return { buyer, orderId, claimId };
}

describe("tenant isolation", () => {
  it("a member of shop B gets 404 for shop A's claim, through either shop's URLs, and cannot answer it", async () => {
    const { claimId } = await claimInA();
    const b = await signedIn(platform, shopB.owner.id);
    const viaB = { shopId: shopB.shop.id, claimId };
    const viaA = { shopId: shopA.shop.id, claimId };
    expect((await b.get(shopClaimRoute, `/admin/shops/${shopB.shop.id}/claims/${claimId}`, viaB)).status).toBe(404);
    expect((await b.get(shopClaimRoute, `/admin/shops/${shopA.shop.id}/claims/${claimId}`, viaA)).status).toBe(404);
    expect((await b.get(shopQueueRoute, `/admin/shops/${shopA.shop.id}/claims`, { shopId: shopA.shop.id })).status).toBe(404);
    const queueB = await bodyOf(await b.get(shopQueueRoute, `/admin/shops/${shopB.shop.id}/claims?status=all`, { shopId: shopB.shop.id }));
    expect(queueB.claims.map((c: { id: string }) => c.id)).not.toContain(claimId);
    const answers: Record<string, string>[] = [{ intent: "agree", restock: "on" }, { intent: "refuse", reason: "Not ours to refund." }, { intent: "confirm_return" }];
    for (const form of answers) {
      expect((await b.post(shopClaimRoute, `/admin/shops/${shopB.shop.id}/claims/${claimId}`, form, { params: viaB })).status, form.intent).toBe(404);
      expect((await b.post(shopClaimRoute, `/admin/shops/${shopA.shop.id}/claims/${claimId}`, form, { params: viaA })).status, form.intent).toBe(404);
    }
    expect((await claimRow(claimId)).status).toBe("awaiting_merchant");
    expect((await trail(claimId)).events).toEqual(["opened"]);
  });

  it("a buyer gets 404 for another buyer's claim and cannot act on it", async () => {
    const { claimId } = await claimInA();
    const { buyer: other } = await buyerWithOrder(platform, shopA, "completed");
    const c = await signedIn(platform, other.id);
    expect((await c.get(buyerClaimRoute, `/claims/${claimId}`, { claimId })).status).toBe(404);
    const moves: Record<string, string>[] = [{ intent: "withdraw" }, { intent: "escalate" }, { intent: "ship_return", carrier: "SF", trackingNumber: "SF1" }];
    for (const form of moves) {
      expect((await c.post(buyerClaimRoute, `/claims/${claimId}`, form, { params: { claimId } })).status, form.intent).toBe(404);
    }
    expect((await claimRow(claimId)).status).toBe("awaiting_merchant");
  });

  it("a buyer cannot open a claim on someone else's order (404) and a shop member is not a reviewer (403)", async () => {
    const { orderId } = await buyerWithOrder(platform, shopA, "completed");
    const stranger = await signedIn(platform, (await createUser(platform)).id);
    expect((await stranger.get(openClaimRoute, `/orders/${orderId}/claim`, { orderId })).status).toBe(404);
    expect((await stranger.post(openClaimRoute, `/orders/${orderId}/claim`, refundForm, { params: { orderId } })).status).toBe(404);
    const merchant = await signedIn(platform, shopA.owner.id);
    expect((await merchant.get(reviewQueueRoute, "/review/claims", {})).status).toBe(403);
    const { claimId } = await claimInA();
    expect((await merchant.get(reviewClaimRoute, `/review/claims/${claimId}`, { claimId })).status).toBe(403);
    expect((await merchant.post(reviewClaimRoute, `/review/claims/${claimId}`, { decision: "reject", reason: "I am the shop, so no." }, { params: { claimId } })).status).toBe(403);
  });
});

describe("the buyer", () => {
  it("opens a claim with a photo from the order, is sent to it, and follows it; the order's claim page then redirects there", async () => {
    const { buyer, orderId, order } = await buyerWithOrder(platform, shopA, "shipped");
    const c = await signedIn(platform, buyer.id);
    const page = await bodyOf(await c.get(openClaimRoute, `/orders/${orderId}/claim`, { orderId }));
    expect(page.kinds).toEqual(["refund_only", "return_refund", "complaint"]);

    const form = new FormData();
    form.set("kind", "return_refund");
    form.set("reason", "not_as_described");
    form.set("description", "Listed as blue, it is green.");
    form.set("lines.0.lineId", order.lines[0].id);
    form.set("lines.0.quantity", "1");
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#3a6" } }).png().toBuffer();
    form.append("photos", new File([new Uint8Array(png)], "photo.png", { type: "image/png" }));
    form.append("photos", new File([], "", { type: "application/octet-stream" })); // an empty file input
    const res = await postMultipart(c, openClaimRoute, `/orders/${orderId}/claim`, form, { orderId });
    expect(res.status).toBe(303);
    const claimId = res.headers.get("location")!.replace("/claims/", "");
    expect(claimId).toMatch(/^clm_/);

    const view = await bodyOf(await c.get(buyerClaimRoute, `/claims/${claimId}`, { claimId }));
    expect(view.claim).toMatchObject({ kind: "return_refund", status: "awaiting_merchant", deadline: { kind: "merchant_answer" } });
    expect(view.claim.photoIds).toHaveLength(1);
    expect(view.claim.lines).toMatchObject([{ lineId: order.lines[0].id, quantity: 1, title: order.lines[0].title }]);
    expect(view.actions).toEqual(["withdraw"]);
    const again = await c.get(openClaimRoute, `/orders/${orderId}/claim`, { orderId });
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe(`/claims/${claimId}`);
    expect(await trail(claimId)).toEqual({ events: ["opened"], outbox: ["aftersale.opened"] });
  });

  it("gets the form's errors back as 400 with field errors (no amount, a GIF as a photo)", async () => {
    const { buyer, orderId } = await buyerWithOrder(platform, shopA, "completed");
    const c = await signedIn(platform, buyer.id);
    const noAmount = await c.post(openClaimRoute, `/orders/${orderId}/claim`, { kind: "refund_only", reason: "damaged", description: "Broken handle." }, { params: { orderId } });
    expect(noAmount.status).toBe(400);
    expect(await noAmount.json()).toMatchObject({ fieldErrors: { amount: [expect.any(String)] } });
    const form = new FormData();
    for (const [k, v] of Object.entries(refundForm)) form.set(k, v);
    form.append("photos", new File([new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])], "x.gif", { type: "image/gif" }));
    const gif = await postMultipart(c, openClaimRoute, `/orders/${orderId}/claim`, form, { orderId });
    expect(gif.status).toBe(400);
    expect(await gif.json()).toMatchObject({ fieldErrors: { photos: [expect.stringMatching(/GIF/)] } });
    expect(await platform.db.selectFrom("claims").select("id").where("order_id", "=", orderId).execute()).toEqual([]);
  });
});

describe("the shop, the buyer and the reviewer, through the pages", () => {
  it("queue sorted by deadline, filtered by status; refuse needs a reason; escalate; the reviewer decides with a reason", async () => {
    // Three claims whose answer deadlines are 48 h, 24 h and 12 h away: the queue shows the nearest first.
    const ids: string[] = [];
    for (const scale of [1, 0.5, 0.25]) {
      await setAftersaleTimeScale(platform, scale);
      ids.push((await claimInA()).claimId);
    }
    await setAftersaleTimeScale(platform, 1);
    const m = await signedIn(platform, shopA.owner.id);
    const base = `/admin/shops/${shopA.shop.id}/claims`;
    const queue = await bodyOf(await m.get(shopQueueRoute, base, { shopId: shopA.shop.id }));
    const order = queue.claims.map((c: { id: string }) => c.id).filter((id: string) => ids.includes(id));
    expect(order).toEqual([ids[2], ids[1], ids[0]]);
    const deadlines = queue.claims.map((c: { deadline: { at: string } | null }) => c.deadline?.at ?? "~");
    expect([...deadlines].sort()).toEqual(deadlines);

    // The shop refuses the nearest one: without a reason, 400; with one, 303.
    const target = ids[2];
    const params = { shopId: shopA.shop.id, claimId: target };
    const noReason = await m.post(shopClaimRoute, `${base}/${target}`, { intent: "refuse", reason: "" }, { params });
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ fieldErrors: { reason: [expect.any(String)] } });
    expect((await m.post(shopClaimRoute, `${base}/${target}`, { intent: "refuse", reason: "The chip is from use." }, { params })).status).toBe(303);
    const refused = await bodyOf(await m.get(shopQueueRoute, `${base}?status=refused`, { shopId: shopA.shop.id }));
    expect(refused.claims.map((c: { id: string; status: string }) => [c.id, c.status])).toContainEqual([target, "refused"]);
    // Answering again is a 409 the form shows.
    const twice = await m.post(shopClaimRoute, `${base}/${target}`, { intent: "agree" }, { params });
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ ok: false, code: "invalid_transition" });

    // The buyer escalates.
    const { user_id: buyerId } = await claimRow(target);
    const buyer = await signedIn(platform, buyerId);
    const page = await bodyOf(await buyer.get(buyerClaimRoute, `/claims/${target}`, { claimId: target }));
    expect(page.actions).toEqual(["escalate", "withdraw"]);
    expect(page.claim.deadline).toMatchObject({ kind: "escalation_window" });
    expect((await buyer.post(buyerClaimRoute, `/claims/${target}`, { intent: "escalate", note: "See the photos." }, { params: { claimId: target } })).status).toBe(303);

    // The reviewer: the queue shows it; a decision without a reason is a 400; with one it is final.
    const r = await signedIn(platform, reviewerId);
    const rq = await bodyOf(await r.get(reviewQueueRoute, "/review/claims", {}));
    expect(rq.claims.map((c: { id: string }) => c.id)).toContain(target);
    const at = rq.claims.map((c: { escalatedAt: string }) => c.escalatedAt);
    expect([...at].sort()).toEqual(at);
    const rp = { claimId: target };
    const short = await r.post(reviewClaimRoute, `/review/claims/${target}`, { decision: "refund", amount: "20.00", reason: "" }, { params: rp });
    expect(short.status).toBe(400);
    expect((await r.post(reviewClaimRoute, `/review/claims/${target}`, { decision: "refund", amount: "15.00", reason: "The photos show a chip from transport." }, { params: rp })).status).toBe(303);
    expect(await claimRow(target)).toMatchObject({ status: "refund_pending", refund_amount: 1500, decision_reason: "The photos show a chip from transport." });
    const final = await r.post(reviewClaimRoute, `/review/claims/${target}`, { decision: "reject", reason: "Changing my mind is not allowed." }, { params: rp });
    expect(final.status).toBe(409);

    // Every step is on the timeline and in the outbox; both sides see the same timeline.
    expect(await trail(target)).toEqual({
      events: ["opened", "refuse", "escalate", "decide_refund"],
      outbox: ["aftersale.opened", "aftersale.updated", "aftersale.updated", "aftersale.updated"],
    });
    const shopView = await bodyOf(await m.get(shopClaimRoute, `${base}/${target}`, { shopId: shopA.shop.id, claimId: target }));
    const buyerView = await bodyOf(await buyer.get(buyerClaimRoute, `/claims/${target}`, { claimId: target }));
    expect(shopView.claim.timeline).toEqual(buyerView.claim.timeline);
    expect(buyerView.claim.timeline.map((e: { actor: string }) => e.actor)).toEqual(["buyer", "merchant", "buyer", "reviewer"]);
  });
});
