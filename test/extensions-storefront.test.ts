/**
 * storefront.blocks through the real runner: valid declarative blocks come
 * back under the extension's name and render as text (markup in a block is
 * shown, never interpreted); invalid blocks drop that install's output.
 * Also the bridge methods the sandbox does not forward yet (`counters.add`,
 * `storage.list`), called on the host policy directly.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtensionBlocks } from "../app/components/extension-blocks";
import { serveBridge, type InvocationMeta } from "../app/extensions/bridge.server";
import { storefrontBlocks } from "../app/extensions/index.server";
import { getInstall } from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop, type TestShop } from "./support/storefront-fixtures";
import { auditRows, createCustomer, createMarketplace, installTestExtension, invocationsOf, useTestHost, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let shop: TestShop;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
  ({ shop } = await createMerchantShop(platform));
});
afterAll(async () => {
  await platform?.close();
});

describe("storefront.blocks", () => {
  it("returns valid blocks per install, drops invalid ones, and renders text only", async () => {
    const card = await installTestExtension(platform, m, shop, {
      name: "Members",
      hooks: ["storefront.blocks"],
      scopes: ["read_customers"],
      source: `{ "storefront.blocks": async (input, ctx) => {
        if (!input.buyer) return { blocks: [{ type: "text", text: "Join to earn rewards" }] };
        const me = await ctx.customers.get(input.buyer.customerId);
        return { blocks: [
          { type: "badge", label: "Gold", tone: "success" },
          { type: "text", text: "Hello <img src=x onerror=alert(1)> " + me.name },
          { type: "progress", label: "To Platinum", value: 300, max: 1000, caption: "700 to go" },
          { type: "list", title: "Perks", items: ["5% off", "Free shipping"] },
        ] };
      } }`,
    });
    const html = await installTestExtension(platform, m, shop, {
      name: "Sneaky",
      hooks: ["storefront.blocks"],
      source: `{ "storefront.blocks": async () => ({ blocks: [{ type: "html", html: "<script>alert(1)</script>" }] }) }`,
    });
    const buyer = await createCustomer(platform, shop.id);

    const groups = await storefrontBlocks(platform, shop.id, { userId: buyer.userId }, { page: "home" });
    expect(groups.map((g) => g.extensionName)).toEqual(["Members"]);
    expect(groups[0].blocks).toHaveLength(4);
    expect((await invocationsOf(platform, html.installId))[0]).toMatchObject({ outcome: "invalid_output", charged: true });
    expect((await invocationsOf(platform, card.installId))[0]).toMatchObject({ outcome: "ok", subject_type: "customer", subject_id: buyer.customerId });

    const markup = renderToStaticMarkup(createElement(ExtensionBlocks, { groups }));
    expect(markup).toContain("Hello &lt;img src=x onerror=alert(1)&gt; " + buyer.name);
    expect(markup).not.toContain("<img");
    expect(markup).toContain('role="progressbar"');
    expect(markup).toContain("by Members");

    const visitor = await storefrontBlocks(platform, shop.id, null);
    expect(visitor[0].blocks).toEqual([{ type: "text", text: "Join to earn rewards", tone: "neutral" }]);
  });
});

describe("bridge methods not forwarded by the sandbox yet", () => {
  async function metaFor(mode: "sync" | "async", idempotencyKey: string | null): Promise<InvocationMeta> {
    const i = await installTestExtension(platform, m, shop, { hooks: ["order.paid"], source: `{ "order.paid": async () => null }` });
    const install = (await getInstall(platform.db, shop.id, i.installId))!;
    return { invocationId: "inv_test", shopId: shop.id, install, hook: mode === "async" ? "order.paid" : "checkout.discounts", mode, subject: { customerIds: [], orderIds: [] }, idempotencyKey, reads: [] };
  }

  it("counters.add applies once per delivery within its bound, and is refused outside asynchronous hooks", async () => {
    const meta = await metaFor("async", "hook-x-1");
    expect(await serveBridge(platform.db, meta, "counters.add", ["points:cus_1", 50, { min: 0 }])).toEqual({ ok: true, value: { applied: true, duplicate: false, value: 50 } });
    // a replay of the same delivery changes nothing
    expect(await serveBridge(platform.db, meta, "counters.add", ["points:cus_1", 50, { min: 0 }])).toEqual({ ok: true, value: { applied: false, duplicate: true, value: 50 } });
    // another delivery, bound does not hold: nothing changes, and a later try may apply
    const next = { ...meta, idempotencyKey: "hook-x-2", reads: [] };
    expect(await serveBridge(platform.db, next, "counters.add", ["points:cus_1", -80, { min: 0 }])).toEqual({ ok: true, value: { applied: false, duplicate: false, value: 50 } });
    expect(await serveBridge(platform.db, next, "counters.add", ["points:cus_1", -30, { min: 0 }])).toEqual({ ok: true, value: { applied: true, duplicate: false, value: 20 } });
    expect(await serveBridge(platform.db, next, "counters.add", ["points:cus_1", 1.5])).toMatchObject({ ok: false, error: { code: "invalid" } });

    const sync = await metaFor("sync", null);
    expect(await serveBridge(platform.db, sync, "counters.add", ["uses", 1])).toMatchObject({ ok: false, error: { code: "scope" } });
    const denied = (await auditRows(platform, "extension.scope_denied")).filter((r) => r.actor_id === sync.install.installId);
    expect(denied[0].details).toMatchObject({ method: "counters.add", reason: "hook" });
  });

  it("storage.list pages the install's keys by prefix", async () => {
    const meta = await metaFor("async", "hook-y-1");
    for (const k of ["member:a", "member:b", "member:c", "other"]) expect((await serveBridge(platform.db, meta, "storage.set", [k, 1])).ok).toBe(true);
    expect(await serveBridge(platform.db, meta, "storage.list", ["member:", { limit: 2 }])).toEqual({ ok: true, value: { keys: ["member:a", "member:b"], next: "member:b" } });
    expect(await serveBridge(platform.db, meta, "storage.list", ["member:", { limit: 2, after: "member:b" }])).toEqual({ ok: true, value: { keys: ["member:c"], next: null } });
    expect(await serveBridge(platform.db, meta, "unknown.method", [])).toMatchObject({ ok: false, error: { code: "invalid" } });
  });
});
