/**
 * The checkout's offers form sets cart attributes that extensions read
 * (`coupon`, `usePoints`): kept alongside other attributes, an empty code
 * removes the coupon, a bad code is a 400 naming the field, and a buyer
 * without a cart gets 404.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart, getCartAttributes, setCartAttributes } from "../app/cart/index.server";
import { isAppError } from "../app/lib/errors";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, createTestProduct, createUser } from "./support/storefront-fixtures";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

describe("setCartAttributes", () => {
  it("sets the coupon and points choice, keeps other attributes, and refuses a bad code naming the field", async () => {
    const { shop } = await createMerchantShop(platform);
    const product = await createTestProduct(platform, shop, { price: 1000, stock: 5 });
    const buyer = await createUser(platform);
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: product.skus[0].id, quantity: 1 });
    await platform.db.updateTable("carts").set({ attributes: JSON.stringify({ giftNote: "for mum" }) }).where("user_id", "=", buyer.id).execute();

    await setCartAttributes(platform.db, shop.id, buyer.id, { coupon: " WELCOME10 ", usePoints: "on" });
    expect(await getCartAttributes(platform.db, shop.id, buyer.id)).toEqual({ giftNote: "for mum", coupon: "WELCOME10", usePoints: true });

    await setCartAttributes(platform.db, shop.id, buyer.id, { coupon: "" });
    expect(await getCartAttributes(platform.db, shop.id, buyer.id)).toEqual({ giftNote: "for mum", usePoints: false });

    const bad = await setCartAttributes(platform.db, shop.id, buyer.id, { coupon: "<script>" }).catch((e) => e);
    expect(isAppError(bad) && bad.status).toBe(400);
    expect(Object.keys(bad.fieldErrors ?? {})).toEqual(["coupon"]);
    expect(await getCartAttributes(platform.db, shop.id, buyer.id)).toEqual({ giftNote: "for mum", usePoints: false });

    const nobody = await createUser(platform);
    const none = await setCartAttributes(platform.db, shop.id, nobody.id, { usePoints: "on" }).catch((e) => e);
    expect(isAppError(none) && none.status).toBe(404);
  });
});
