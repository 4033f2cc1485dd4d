/**
 * The pages: the merchant's Extensions list (order, status, owner actions)
 * and "What this extension did" (invocations with the data read, paginated),
 * and the developer's metrics page — each behind its guard.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { addShopMember } from "../app/accounts/index.server";
import * as extensionsPage from "../app/routes/admin.shops.$shopId.extensions._index";
import * as installPage from "../app/routes/admin.shops.$shopId.extensions.$installId";
import * as metricsPage from "../app/routes/developer_.extensions.$extensionId";
import * as devListPage from "../app/routes/developer_.extensions._index";
import { bodyOf, TestClient } from "./accounts-helpers";
import { createClient, startTestServer } from "./support/server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, createUser, type TestShop } from "./support/storefront-fixtures";
import { createCustomer, createMarketplace, installTestExtension, quoteInput, useTestHost, type Marketplace } from "./extensions-fixtures";
import type { InstallView } from "../app/marketplace/index.server";

let platform: TestPlatform;
let m: Marketplace;
let shop: TestShop;
let first: InstallView;
let second: InstallView;
let ip = 1;

async function clientFor(userId: string): Promise<TestClient> {
  const c = new TestClient(platform, `10.9.0.${ip++}`);
  const session = await createSession(platform.db, userId);
  c.cookies.set(SESSION_COOKIE, session.token);
  return c;
}

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
  ({ shop } = await createMerchantShop(platform));
  first = await installTestExtension(platform, m, shop, {
    name: "Reader",
    hooks: ["checkout.discounts"],
    scopes: ["read_customers"],
    source: `{ "checkout.discounts": async (input, ctx) => { const c = await ctx.customers.get(input.buyer.customerId); console.log("hello", c.name); return { discounts: [{ lineId: null, amount: 100, label: "Hi " + c.name }] }; } }`,
  });
  second = await installTestExtension(platform, m, shop, { name: "Quiet", hooks: ["order.paid"], source: `{ "order.paid": async () => null }` });
});
afterAll(async () => {
  await platform?.close();
});

describe("the merchant's Extensions page", () => {
  it("lists installs in order with status and granted access; the owner reorders and suspends; staff only look", async () => {
    const owner = await clientFor(shop.ownerId);
    const path = `/admin/shops/${shop.id}/extensions`;
    let res = await owner.get(extensionsPage, path, { shopId: shop.id });
    expect(res.status).toBe(200);
    let data = await bodyOf(res);
    expect(data.installs.map((i: { name: string }) => i.name)).toEqual(["Reader", "Quiet"]);
    expect(data.installs[0]).toMatchObject({ status: "active", scopes: [{ scope: "read_customers", label: "See customers' names and e-mail addresses" }] });

    res = await owner.post(extensionsPage, path, { intent: "move", installId: second.installId, direction: "up" }, { params: { shopId: shop.id } });
    expect(res.status).toBe(200);
    res = await owner.post(extensionsPage, path, { intent: "suspend", installId: first.installId }, { params: { shopId: shop.id } });
    expect(res.status).toBe(200);
    data = await bodyOf(await owner.get(extensionsPage, path, { shopId: shop.id }));
    expect(data.installs.map((i: { name: string; status: string }) => [i.name, i.status])).toEqual([
      ["Quiet", "active"],
      ["Reader", "suspended"],
    ]);
    res = await owner.post(extensionsPage, path, { intent: "resume", installId: first.installId }, { params: { shopId: shop.id } });
    expect(res.status).toBe(200);

    const staffUser = await createUser(platform);
    await addShopMember(platform.db, { shopId: shop.id, userId: staffUser.id, role: "staff" });
    const staff = await clientFor(staffUser.id);
    expect((await staff.get(extensionsPage, path, { shopId: shop.id })).status).toBe(200);
    expect((await staff.post(extensionsPage, path, { intent: "suspend", installId: first.installId }, { params: { shopId: shop.id } })).status).toBe(403);

    const stranger = await clientFor((await createUser(platform)).id);
    expect((await stranger.get(extensionsPage, path, { shopId: shop.id })).status).toBe(404);
  });

  it("'What this extension did' shows each call with the data it read, its outcome and logs, paginated", async () => {
    const buyer = await createCustomer(platform, shop.id);
    for (let i = 0; i < 27; i++) await platform.extensions.collectDiscounts(quoteInput(shop.id, buyer));
    const owner = await clientFor(shop.ownerId);
    const path = `/admin/shops/${shop.id}/extensions/${first.installId}`;
    const res = await owner.get(installPage, path, { shopId: shop.id, installId: first.installId });
    expect(res.status).toBe(200);
    const page = await bodyOf(res);
    expect(page.items).toHaveLength(25);
    expect(page.items[0]).toMatchObject({
      hook: "checkout.discounts",
      outcome: "ok",
      subject: { type: "customer", id: buyer.customerId },
      reads: [{ method: "customers.get", target: buyer.customerId, result: "ok", read: `customer ${buyer.customerId} (id, name, email, createdAt)` }],
      logs: [`hello ${buyer.name}`],
    });
    expect(page.items[0].summary.discounts[0].label).toBe(`Hi ${buyer.name}`);
    const older = await bodyOf(await owner.get(installPage, `${path}?before=${page.nextBefore}`, { shopId: shop.id, installId: first.installId }));
    expect(older.items).toHaveLength(2);
    expect(older.nextBefore).toBeNull();

    // another shop's install is not reachable through this shop
    const { shop: otherShop } = await createMerchantShop(platform);
    const otherOwner = await clientFor(otherShop.ownerId);
    expect((await otherOwner.get(installPage, `/admin/shops/${otherShop.id}/extensions/${first.installId}`, { shopId: otherShop.id, installId: first.installId })).status).toBe(404);
  });
});

describe("the developer's metrics page", () => {
  it("shows calls, latency percentiles and error rate over time to the vendor's members only", async () => {
    const dev = await clientFor(m.developerId);
    const list = await bodyOf(await dev.get(devListPage, "/developer/extensions"));
    expect(list.extensions.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(["Reader", "Quiet"]));

    const path = `/developer/extensions/${first.extensionId}`;
    const res = await dev.get(metricsPage, path, { extensionId: first.extensionId });
    expect(res.status).toBe(200);
    const data = await bodyOf(res);
    expect(data.metrics.totals.calls).toBeGreaterThanOrEqual(27);
    expect(data.metrics.totals.p50Ms).toBeGreaterThan(0);
    expect(data.metrics.totals.p95Ms).toBeGreaterThanOrEqual(data.metrics.totals.p50Ms);
    expect(data.metrics.bucketSeconds).toBe(3600);
    expect(data.metrics.buckets.length).toBeGreaterThanOrEqual(24);
    expect(data.metrics.buckets.reduce((a: number, b: { calls: number }) => a + b.calls, 0)).toBe(data.metrics.totals.calls);

    const stranger = await clientFor((await createUser(platform)).id);
    expect((await stranger.get(metricsPage, path, { extensionId: first.extensionId })).status).toBe(404);
  });
});

describe("rendered over HTTP", () => {
  it("the pages render: the Extensions list, an install's activity, and the metrics charts as inline SVG", async () => {
    const server = await startTestServer(platform);
    try {
      const browse = async (userId: string) => {
        const c = createClient(server.url);
        c.cookies.set(SESSION_COOKIE, (await createSession(platform.db, userId)).token);
        return c;
      };
      const owner = await browse(shop.ownerId);
      const list = await owner.get(`/admin/shops/${shop.id}/extensions`);
      expect(list.status).toBe(200);
      expect(list.body).toContain("Reader");
      expect(list.body).toContain("What it did");
      const activity = await owner.get(`/admin/shops/${shop.id}/extensions/${first.installId}`);
      expect(activity.status).toBe(200);
      expect(activity.body).toContain("What Reader did");
      expect(activity.body).toContain("customers.get");
      const dev = await browse(m.developerId);
      const metrics = await dev.get(`/developer/extensions/${first.extensionId}?hours=2`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain("<svg");
      expect(metrics.body).toContain("Latency (blue: p50, orange: p95)");
    } finally {
      await server.close();
    }
  });
});
