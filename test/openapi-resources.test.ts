/**
 * The open API's resources through HTTP: each call changes the platform's
 * state through the modules' services, with the install as the actor on
 * the order timeline and in the audit log, and the domain events published;
 * lists paginate with opaque cursors; bad input is a 422 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProduct } from "../app/catalog/index.server";
import { getShopClaim } from "../app/aftersale/index.server";
import { getOrder } from "../app/orders/index.server";
import { setInstallRateLimit } from "../app/openapi/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { buyerWithOrder } from "./aftersale-fixtures";
import { call, createApiShop, createMarketplace, startApiServer, TestTokens, type ApiServer, type ApiShop } from "./openapi-fixtures";

let platform: TestPlatform;
let server: ApiServer;
let shop: ApiShop;
let token: string;
const tokens = new TestTokens();

beforeAll(async () => {
  platform = await createTestPlatform();
  const m = await createMarketplace(platform);
  shop = await createApiShop(platform, m);
  await setInstallRateLimit(platform.db, { shopId: shop.install.shopId, installId: shop.install.installId }, { burst: 10_000, perSecond: 1_000 });
  server = await startApiServer(platform, tokens.verify);
  token = tokens.issue(shop.install);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

const installActor = () => ({ actor_type: "extension", actor_id: shop.install.installId });

async function auditOf(action: string, targetId: string) {
  return platform.db.selectFrom("audit_log").selectAll().where("action", "=", action).where("target_id", "=", targetId).execute();
}

async function outboxOf(name: string, subjectId: string) {
  return platform.db.selectFrom("outbox").selectAll().where("name", "=", name).where("subject_id", "=", subjectId).execute();
}

describe("orders", () => {
  it("ships a paid order: status, shipment, the timeline and the audit name the install, order.shipped is published", async () => {
    const res = await call(server, token, "POST", `/orders/${shop.paidOrderId}/ship`, { body: { carrier: "SF", trackingNumber: "SF900" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: shop.paidOrderId, status: "shipped", shipment: { carrier: "SF", trackingNumber: "SF900" } });
    expect(res.body).not.toHaveProperty("address");
    const order = await getOrder(platform.db, shop.seller.shop.id, shop.paidOrderId);
    expect(order!.status).toBe("shipped");
    expect(order!.events.find((e) => e.type === "shipped")).toMatchObject({ actorType: "extension", actorId: shop.install.installId });
    expect(await auditOf("order.shipped", shop.paidOrderId)).toEqual([expect.objectContaining(installActor())]);
    expect(await outboxOf("order.shipped", shop.paidOrderId)).toHaveLength(1);

    const again = await call(server, token, "POST", `/orders/${shop.paidOrderId}/ship`, { body: { carrier: "YTO", trackingNumber: "Y1" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_transition");
  });

  it("refunds an order in full: a pending refund, the order event and the audit row, by the install", async () => {
    const { orderId, order } = await buyerWithOrder(platform, shop.seller, "shipped");
    const res = await call(server, token, "POST", `/orders/${orderId}/refunds`, { body: { mode: "full", reason: "Damaged in transit", restock: false } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ refundId: expect.stringMatching(/^rfd_/), amount: order.total });
    const refund = await platform.db.selectFrom("refunds").selectAll().where("id", "=", res.body.refundId).executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ order_id: orderId, amount: order.total, status: "pending" });
    const after = await getOrder(platform.db, shop.seller.shop.id, orderId);
    expect(after!.events.find((e) => e.type === "refund_requested")).toMatchObject({ actorType: "extension", actorId: shop.install.installId });
    expect(await auditOf("order.refund_requested", orderId)).toEqual([expect.objectContaining(installActor())]);

    const nothingLeft = await call(server, token, "POST", `/orders/${orderId}/refunds`, { body: { mode: "full", reason: "Again" } });
    expect(nothingLeft.status, JSON.stringify(nothingLeft.body)).toBe(422);
    expect(nothingLeft.body.error.code).toBe("over_refund");
  });

  it("a per-line refund with a bad quantity is a 422 naming lines.0.quantity", async () => {
    const res = await call(server, token, "POST", `/orders/${shop.completedOrderId}/refunds`, {
      body: { mode: "lines", reason: "x", lines: [{ lineId: "oln_00000000000000000000000000", quantity: 0 }] },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "validation_failed", field: "lines.0.quantity" });
  });

  it("cancels a paid order: a refund is requested and the order waits for it", async () => {
    const { orderId } = await buyerWithOrder(platform, shop.seller, "paid");
    const res = await call(server, token, "POST", `/orders/${orderId}/cancel`, { body: { reason: "Out of stock" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ outcome: "refund_requested", order: { id: orderId, status: "paid", cancelRequestedAt: expect.any(String) } });
    expect(await auditOf("order.cancel_requested", orderId)).toEqual([expect.objectContaining(installActor())]);
  });

  it("reads an order and pages through the list", async () => {
    const one = await call(server, token, "GET", `/orders/${shop.completedOrderId}`);
    expect(one.status).toBe(200);
    expect(one.body.lines.length).toBeGreaterThan(0);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(server, token, "GET", `/orders?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((o: { id: string }) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await platform.db.selectFrom("orders").select("id").where("shop_id", "=", shop.seller.shop.id).orderBy("id", "desc").execute();
    expect(seen).toEqual(all.map((o) => o.id));
  });
});

describe("products, stock and categories", () => {
  it("pages through products across the catalog's own page size, newest first, with no repeats", async () => {
    for (let i = 0; i < 27; i++) {
      await createProduct(platform.db, shop.seller.shop.id, { type: "user", id: shop.seller.owner.id }, { title: `Bulk ${i}`, price: 100 + i, stock: 1 });
    }
    const all = await platform.db.selectFrom("products").select("id").where("shop_id", "=", shop.seller.shop.id).orderBy("id", "desc").execute();
    expect(all.length).toBeGreaterThanOrEqual(28);

    const whole = await call(server, token, "GET", "/products?limit=100");
    expect(whole.body.data.map((p: { id: string }) => p.id)).toEqual(all.map((p) => p.id));
    expect(whole.body.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await call(server, token, "GET", `/products?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all.map((p) => p.id));
    expect(pages).toBe(Math.ceil(all.length / 7));
  });

  it("refuses a limit over 100, a limit of 0 and a cursor of another list with 422 naming the field", async () => {
    expect((await call(server, token, "GET", "/products?limit=101")).body.error).toMatchObject({ code: "validation_failed", field: "limit" });
    expect((await call(server, token, "GET", "/products?limit=0")).status).toBe(422);
    const ordersPage = await call(server, token, "GET", "/orders?limit=1");
    const foreign = await call(server, token, "GET", `/products?cursor=${encodeURIComponent(ordersPage.body.nextCursor)}`);
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.field).toBe("cursor");
    expect((await call(server, token, "GET", "/products?cursor=garbage")).body.error.field).toBe("cursor");
    expect((await call(server, token, "GET", "/products?status=sold")).body.error.field).toBe("status");
  });

  it("creates a product (201) with the install as the actor; bad fields are 422 naming them", async () => {
    const res = await call(server, token, "POST", "/products", {
      body: { title: "Oolong", price: 2500, stock: 4, status: "on_sale", specs: [{ name: "Size", values: ["50g", "100g"] }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.skus).toHaveLength(2);
    expect(res.body.skus.every((s: { stock: number; productId: string }) => s.stock === 4 && s.productId === res.body.id)).toBe(true);
    expect(await auditOf("product.created", res.body.id)).toEqual([expect.objectContaining(installActor())]);
    expect(await outboxOf("product.created", res.body.id)).toHaveLength(1);

    const empty = await call(server, token, "POST", "/products", { body: { title: "", price: 1 } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.field).toBe("title");
    const badPrice = await call(server, token, "POST", "/products", { body: { title: "x", price: "12.00" } });
    expect(badPrice.body.error).toMatchObject({ code: "validation_failed", field: "price" });
    const badSpec = await call(server, token, "POST", "/products", { body: { title: "x", specs: [{ name: "Size", values: [] }] } });
    expect(badSpec.body.error.field).toBe("specs.0.values");
    const badCategory = await call(server, token, "POST", "/products", { body: { title: "x", categoryId: "cat_00000000000000000000000000" } });
    expect(badCategory.status).toBe(422);
    expect(badCategory.body.error.field).toBe("categoryId");
  });

  it("updates a product and a SKU, and puts it off sale", async () => {
    const patch = await call(server, token, "PATCH", `/products/${shop.productId}`, { body: { title: "Teapot (API)" } });
    expect(patch.status).toBe(200);
    expect(patch.body.title).toBe("Teapot (API)");
    const sku = await call(server, token, "PATCH", `/products/${shop.productId}/skus/${shop.skuIds[0]}`, { body: { price: 4200, compareAtPrice: 5000 } });
    expect(sku.status, JSON.stringify(sku.body)).toBe(200);
    expect(sku.body).toMatchObject({ id: shop.skuIds[0], price: 4200, compareAtPrice: 5000 });
    const badCompare = await call(server, token, "PATCH", `/products/${shop.productId}/skus/${shop.skuIds[0]}`, { body: { compareAtPrice: 100 } });
    expect(badCompare.status).toBe(422);
    expect(badCompare.body.error.field).toBe("compareAtPrice");
    const status = await call(server, token, "POST", `/products/${shop.productId}/status`, { body: { status: "off_sale" } });
    expect(status.body.status).toBe("off_sale");
    const audits = await auditOf("product.status_changed", shop.productId);
    expect(audits.at(-1)).toMatchObject(installActor());
    const skus = await call(server, token, "GET", `/products/${shop.productId}/skus?limit=1`);
    expect(skus.body.data).toHaveLength(1);
    const rest = await call(server, token, "GET", `/products/${shop.productId}/skus?cursor=${encodeURIComponent(skus.body.nextCursor)}`);
    expect(rest.body.data.map((s: { id: string }) => s.id)).toEqual([shop.skuIds[1]]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it("adjusts stock: a ledger row with the note, the audit names the install; stock never goes below zero", async () => {
    const skuId = shop.skuIds[1];
    const before = (await platform.db.selectFrom("skus").select("stock").where("id", "=", skuId).executeTakeFirstOrThrow()).stock;
    const res = await call(server, token, "POST", `/products/${shop.productId}/skus/${skuId}/stock-adjustments`, { body: { delta: -3, note: "Broken in storage" } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ skuId, stock: before - 3, delta: -3 });
    const ledger = await platform.db.selectFrom("stock_ledger").selectAll().where("sku_id", "=", skuId).orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(ledger).toMatchObject({ delta: -3, balance_after: before - 3, reason: "manual_adjust", note: "Broken in storage", actor_id: shop.install.installId });
    expect((await auditOf("product.stock_adjusted", shop.productId)).at(-1)).toMatchObject(installActor());

    const set = await call(server, token, "POST", `/products/${shop.productId}/skus/${skuId}/stock-adjustments`, { body: { set: 7, note: "Count" } });
    expect(set.body).toMatchObject({ stock: 7 });
    const tooMany = await call(server, token, "POST", `/products/${shop.productId}/skus/${skuId}/stock-adjustments`, { body: { delta: -8, note: "Oops" } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.field).toBe("delta");
    const both = await call(server, token, "POST", `/products/${shop.productId}/skus/${skuId}/stock-adjustments`, { body: { delta: 1, set: 1, note: "x" } });
    expect(both.body.error.field).toBe("delta");
    const ledgerPage = await call(server, token, "GET", `/products/${shop.productId}/skus/${skuId}/stock-adjustments?limit=2`);
    expect(ledgerPage.body.data.map((e: { delta: number }) => e.delta)).toEqual([7 - (before - 3), -3]);
    // a SKU of another product of the shop is as unknown as a missing one
    const other = await call(server, token, "POST", `/products/${shop.productId}/skus/${shop.skuIds[0].replace(/.$/, "0")}/stock-adjustments`, { body: { delta: 1, note: "x" } });
    expect(other.status).toBe(404);
  });

  it("creates and lists categories", async () => {
    const parent = await call(server, token, "POST", "/categories", { body: { name: "Tea" } });
    expect(parent.status, JSON.stringify(parent.body)).toBe(201);
    const child = await call(server, token, "POST", "/categories", { body: { name: "Green", parentId: parent.body.id } });
    expect(child.body).toMatchObject({ name: "Green", parentId: parent.body.id, depth: 1 });
    const dup = await call(server, token, "POST", "/categories", { body: { name: "Tea" } });
    expect(dup.status).toBe(422);
    const list = await call(server, token, "GET", "/categories");
    expect(list.body.data.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(["Tea", "Green"]));
    expect((await auditOf("category.created", parent.body.id))[0]).toMatchObject(installActor());
  });
});

describe("shelves, customers, claims and the install's records", () => {
  it("publishes a shelf: a new immutable version, audited with the install as the actor", async () => {
    const res = await call(server, token, "POST", `/shelves/${shop.shelfId}/publish`, { body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ shelfId: shop.shelfId, version: 1, versionId: expect.stringMatching(/^shv_/) });
    const version = await platform.db.selectFrom("shelf_versions").selectAll().where("id", "=", res.body.versionId).executeTakeFirstOrThrow();
    expect(version).toMatchObject({ shelf_id: shop.shelfId, version: 1, published_by: shop.install.installId });
    expect((await auditOf("shelf.published", shop.shelfId))[0]).toMatchObject(installActor());
    const list = await call(server, token, "GET", "/shelves");
    expect(list.body.data.find((s: { id: string }) => s.id === shop.shelfId)).toMatchObject({ publishedVersion: 1, isHome: true });
    const draft = await call(server, token, "GET", `/shelves/${shop.shelfId}`);
    expect(draft.body.sections).toEqual([]);
  });

  it("reads customers", async () => {
    const one = await call(server, token, "GET", `/customers/${shop.customerId}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: shop.customerId, email: expect.stringContaining("@") });
    const page = await call(server, token, "GET", "/customers?limit=1");
    expect(page.body.data).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it("answers a claim: the claim moves on, and the audit names the install", async () => {
    const list = await call(server, token, "GET", "/claims?status=open");
    expect(list.body.data.map((c: { id: string }) => c.id)).toContain(shop.claimId);
    const res = await call(server, token, "POST", `/claims/${shop.claimId}/responses`, { body: { intent: "refuse", reason: "The photos show no damage" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: shop.claimId, status: "refused", refusalReason: "The photos show no damage" });
    expect((await getShopClaim(platform.db, shop.seller.shop.id, shop.claimId))!.claim.status).toBe("refused");
    expect(await auditOf("api.claim_answered", shop.claimId)).toEqual([expect.objectContaining(installActor())]);
    const short = await call(server, token, "POST", `/claims/${shop.claimId}/responses`, { body: { intent: "refuse", reason: "no" } });
    expect(short.status).toBe(422);
    expect(short.body.error.field).toBe("reason");
    const again = await call(server, token, "POST", `/claims/${shop.claimId}/responses`, { body: { intent: "agree" } });
    expect(again.status).toBe(409);
  });

  it("writes, reads, lists and deletes the install's storage; the quota holds", async () => {
    const put = await call(server, token, "PUT", "/extension/storage/member%3A42", { body: { value: { tier: "gold", points: 120 } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await call(server, token, "GET", "/extension/storage/member%3A42")).body).toEqual({ key: "member:42", value: { tier: "gold", points: 120 } });
    await call(server, token, "PUT", "/extension/storage/member%3A43", { body: { value: 1 } });
    const page1 = await call(server, token, "GET", "/extension/storage?prefix=member%3A&limit=1");
    expect(page1.body.data).toEqual([{ key: "member:42", value: { tier: "gold", points: 120 } }]);
    const page2 = await call(server, token, "GET", `/extension/storage?prefix=member%3A&limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
    expect(page2.body).toEqual({ data: [{ key: "member:43", value: 1 }], nextCursor: null });
    const big = await call(server, token, "PUT", "/extension/storage/big", { body: { value: "x".repeat(20_000) } });
    expect(big.status).toBe(422);
    expect(big.body.error.field).toBe("value");
    expect((await call(server, token, "DELETE", "/extension/storage/member%3A42")).status).toBe(200);
    expect((await call(server, token, "GET", "/extension/storage/member%3A42")).status).toBe(404);
    expect((await call(server, token, "GET", "/extension/counters/visits")).body).toEqual({ key: "visits", value: 0 });
    const written = await platform.db.selectFrom("audit_log").select("action").where("actor_id", "=", shop.install.installId).where("action", "like", "extension.storage_%").execute();
    expect(written.map((w) => w.action)).toEqual(expect.arrayContaining(["extension.storage_written", "extension.storage_deleted"]));
  });
});
