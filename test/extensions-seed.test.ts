/**
 * The demo seed's marketplace: Bazaar Labs is verified, its three reference
 * extensions (built from plugins-sdk/examples) are approved and installed in
 * the demo shop, and they answer a real checkout through the host without a
 * fault.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "../app/cart/index.server";
import { createQuote } from "../app/checkout/index.server";
import { listShopInstalls } from "../app/marketplace/index.server";
import { ensureShopCustomer, getShopByHandle } from "../app/shops/index.server";
import { DEMO_ACCOUNTS, seedDemo } from "../db/seed";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { useTestHost } from "./extensions-fixtures";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  await seedDemo(platform.db);
});
afterAll(async () => {
  await platform?.close();
});

describe("the demo seed", () => {
  it("installs Bazaar Labs' three approved reference extensions in the demo shop", async () => {
    const vendor = await platform.db.selectFrom("vendors").selectAll().where("slug", "=", "bazaar-labs").executeTakeFirstOrThrow();
    expect(vendor.status).toBe("verified");
    const developer = await platform.db.selectFrom("users").select("id").where("email", "=", DEMO_ACCOUNTS.find((a) => a.key === "developer")!.email).executeTakeFirstOrThrow();
    const member = await platform.db.selectFrom("vendor_members").selectAll().where("vendor_id", "=", vendor.id).executeTakeFirstOrThrow();
    expect(member).toMatchObject({ user_id: developer.id, role: "owner" });

    const shop = (await getShopByHandle(platform.db, "demo"))!;
    const installs = await listShopInstalls(platform.db, shop.id);
    expect(installs.map((i) => [i.extensionHandle, i.status])).toEqual([
      ["com.bazaar.membership", "active"],
      ["com.bazaar.promotions", "active"],
      ["com.bazaar.points", "active"],
    ]);
    const versions = await platform.db.selectFrom("extension_versions").select("status").execute();
    expect(versions.map((v) => v.status)).toEqual(["approved", "approved", "approved"]);
    const promotions = installs.find((i) => i.extensionHandle === "com.bazaar.promotions")!;
    expect(promotions.settings).toMatchObject({ couponCodes: "WELCOME10", couponValue: 1000 });
  });

  it("the demo buyer's quote runs all three without a fault, and the welcome coupon applies", async () => {
    const shop = (await getShopByHandle(platform.db, "demo"))!;
    const buyer = await platform.db.selectFrom("users").select(["id", "email", "name"]).where("email", "=", "buyer@demo.bazaar").executeTakeFirstOrThrow();
    const sku = await platform.db.selectFrom("skus").select("id").where("shop_id", "=", shop.id).where("price", ">=", 6000).where("stock", ">", 0).orderBy("price").executeTakeFirstOrThrow();
    await ensureShopCustomer(platform.db, shop.id, buyer);
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: sku.id, quantity: 1 });
    await platform.db.updateTable("carts").set({ attributes: JSON.stringify({ coupon: "WELCOME10" }) }).where("shop_id", "=", shop.id).where("user_id", "=", buyer.id).execute();
    const quote = await createQuote(platform, { shopId: shop.id, user: buyer });
    const outcomes = await platform.db.selectFrom("extension_invocations").select(["hook", "outcome", "error"]).where("shop_id", "=", shop.id).execute();
    expect(outcomes.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.filter((o) => o.outcome !== "ok")).toEqual([]);
    const labels = quote.adjustments.filter((a) => a.kind === "discount").map((a) => a.label);
    expect(labels.join(" | ")).toMatch(/WELCOME10/);
  });
});
