/**
 * The audit log: rows written with their change, pagination by id cursor,
 * shop isolation, and who may read which log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { TestClient, bodyOf } from "./accounts-helpers";
import * as loginRoute from "../app/routes/login";
import * as reviewAuditRoute from "../app/routes/review.audit";
import * as shopAuditRoute from "../app/routes/admin.shops.$shopId.audit";
import { createUserAccount } from "../app/accounts/index.server";
import { createShop } from "../app/shops/index.server";
import { listPlatformAudit, listShopAudit, record } from "../app/audit/index.server";

let platform: TestPlatform;
const PASSWORD = "correct horse battery";
let ipCounter = 1;

beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

async function signedIn(email: string, isReviewer = false) {
  const user = await createUserAccount(platform.db, { email, name: email.split("@")[0], password: PASSWORD, intent: "merchant", isReviewer });
  const c = new TestClient(platform, `10.3.0.${ipCounter++}`);
  expect((await c.post(loginRoute, "/login", { email, password: PASSWORD })).status).toBe(303);
  return { user, c };
}

describe("record", () => {
  it("writes actor, action, target and details, and rolls back with its transaction", async () => {
    await record(platform.db, { type: "extension", id: "ins_1" }, "loyalty.points_granted", { shopId: "shp_x", type: "customer", id: "cus_1" }, { points: 10 });
    const row = await platform.db.selectFrom("audit_log").selectAll().where("action", "=", "loyalty.points_granted").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ shop_id: "shp_x", actor_type: "extension", actor_id: "ins_1", target_type: "customer", target_id: "cus_1", details: { points: 10 } });

    await expect(
      platform.db.transaction().execute(async (trx) => {
        await record(trx, { type: "system" }, "test.rolled_back", {});
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await platform.db.selectFrom("audit_log").select("id").where("action", "=", "test.rolled_back").execute()).toEqual([]);
  });

  it("refuses a malformed action name", async () => {
    await expect(record(platform.db, { type: "system" }, "NotDotted", {})).rejects.toThrow(/bad action name/);
  });
});

describe("listing", () => {
  it("pages a shop's log newest first, 50 at a time, and never shows another shop's rows", async () => {
    const owner = await createUserAccount(platform.db, { email: "pager@example.com", name: "P", password: PASSWORD, intent: "merchant" });
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Pager", handle: "pager" });
    const other = await createShop(platform.db, { ownerId: owner.id, name: "Other", handle: "other-pager" });
    for (let i = 0; i < 119; i++) {
      await record(platform.db, { type: "user", id: owner.id }, "test.step", { shopId: i % 2 ? shop.id : shop.id, type: "step", id: String(i) });
      if (i % 10 === 0) await record(platform.db, { type: "user", id: owner.id }, "test.elsewhere", { shopId: other.id });
    }
    const p1 = await listShopAudit(platform.db, shop.id, { limit: 50 });
    const p2 = await listShopAudit(platform.db, shop.id, { before: p1.nextBefore!, limit: 50 });
    const p3 = await listShopAudit(platform.db, shop.id, { before: p2.nextBefore!, limit: 50 });
    expect([p1.entries.length, p2.entries.length, p3.entries.length]).toEqual([50, 50, 20]); // 119 steps + shop.created
    expect(p3.nextBefore).toBeNull();
    const all = [...p1.entries, ...p2.entries, ...p3.entries];
    expect(new Set(all.map((e) => e.id)).size).toBe(120);
    expect(all.every((e) => e.shopId === shop.id)).toBe(true);
    const ids = all.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id < ids[i - 1])).toBe(true);
    expect(p1.entries[0].targetId).toBe("118");
    expect(p3.entries[19].action).toBe("shop.created");

    const platformPage = await listPlatformAudit(platform.db, { limit: 5 });
    expect(platformPage.entries).toHaveLength(5);
    expect(platformPage.nextBefore).toBe(platformPage.entries[4].id);
  });
});

describe("pages", () => {
  it("the shop audit page is the owner's, paged through ?before=", async () => {
    const { user: owner, c } = await signedIn("audit-owner@example.com");
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Audited", handle: "audited" });
    for (let i = 0; i < 60; i++) await record(platform.db, { type: "user", id: owner.id }, "test.page", { shopId: shop.id });
    const path = `/admin/shops/${shop.id}/audit`;
    const first = await bodyOf(await c.get(shopAuditRoute, path, { shopId: shop.id }));
    expect(first.entries).toHaveLength(50);
    expect(first.isFirstPage).toBe(true);
    const second = await bodyOf(await c.get(shopAuditRoute, `${path}?before=${first.nextBefore}`, { shopId: shop.id }));
    expect(second.entries).toHaveLength(11);
    expect(second.nextBefore).toBeNull();
    expect(second.entries.at(-1).action).toBe("shop.created");
    expect((await c.get(shopAuditRoute, `${path}?before=abc`, { shopId: shop.id })).status).toBe(400);
  });

  it("the platform audit page is for reviewers only", async () => {
    const { c: plain } = await signedIn("not-reviewer@example.com");
    expect((await plain.get(reviewAuditRoute, "/review/audit")).status).toBe(403);
    const visitor = new TestClient(platform, "10.3.9.9");
    expect((await visitor.get(reviewAuditRoute, "/review/audit")).status).toBe(302);
    const { user: reviewer, c } = await signedIn("the-reviewer@example.com", true);
    const page = await bodyOf(await c.get(reviewAuditRoute, "/review/audit"));
    expect(page.entries.length).toBeGreaterThan(0);
    // Newest first: the reviewer's own log-in is at the top.
    expect(page.entries[0]).toMatchObject({ action: "user.logged_in", actorType: "user", actorId: reviewer.id });
  });

  it("sign-up, log-in, shop creation and invitations all leave rows", async () => {
    const rows = await platform.db.selectFrom("audit_log").select("action").distinct().execute();
    const actions = rows.map((r) => r.action);
    for (const a of ["user.created", "user.logged_in", "shop.created"]) expect(actions).toContain(a);
  });
});
