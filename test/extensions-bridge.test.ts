/**
 * The bridge policy, through the real sandbox runner: scopes, subjects,
 * write rules and quotas are enforced by the host on every call, a refusal
 * reaches the plugin as a typed error (ScopeError …) and is audited, and
 * every call lands in the invocation log with what it read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMerchantShop } from "./support/storefront-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import {
  auditRows,
  createCustomer,
  createMarketplace,
  installTestExtension,
  invocationsOf,
  quoteInput,
  useTestHost,
  type Marketplace,
} from "./extensions-fixtures";
import type { TestShop } from "./support/storefront-fixtures";

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

/** A checkout.discounts hook that runs `body` (which sets `label`) and returns one order-wide discount of 1 with that label. */
function probe(body: string): string {
  return `{ "checkout.discounts": async (input, ctx) => {
    let label = "";
    const note = (s) => { label += (label ? " | " : "") + s; };
    ${body}
    return { discounts: [{ lineId: null, amount: 1, label: label.slice(0, 80) || "none" }] };
  } }`;
}

describe("scopes and subjects", () => {
  it("a capability without its scope throws ScopeError in the plugin and writes an audit row", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      scopes: [],
      source: probe(`try { await ctx.customers.get(input.buyer.customerId); note("read"); } catch (e) { note(e.name + ":" + (e instanceof ctx.errors.ScopeError)); }`),
    });
    const buyer = await createCustomer(platform, shop.id);
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, buyer));
    const mine = offers.find((o) => o.installId === install.installId)!;
    expect(mine.lines[0].label).toBe("ScopeError:true");

    const denied = (await auditRows(platform, "extension.scope_denied")).filter((r) => r.actor_id === install.installId);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ actor_type: "extension", shop_id: shop.id, target_type: "install", target_id: install.installId });
    expect(denied[0].details).toMatchObject({ method: "customers.get", target: buyer.customerId, reason: "scope", hook: "checkout.discounts" });

    const [inv] = await invocationsOf(platform, install.installId);
    expect(inv.outcome).toBe("ok");
    expect(inv.reads).toEqual([{ method: "customers.get", target: buyer.customerId, result: "denied", reason: "scope" }]);
  });

  it("a checkout call for buyer X reads buyer X and is refused another buyer's record", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      scopes: ["read_customers"],
      source: probe(`
        const me = await ctx.customers.get(input.buyer.customerId); note("me:" + me.email);
        try { await ctx.customers.get(input.attributes.peek); note("peeked"); } catch (e) { note(e.name); }`),
    });
    const buyer = await createCustomer(platform, shop.id);
    const other = await createCustomer(platform, shop.id);
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, buyer, { peek: other.customerId }));
    expect(offers.find((o) => o.installId === install.installId)!.lines[0].label).toBe(`me:${buyer.email} | ScopeError`);

    const denied = (await auditRows(platform, "extension.scope_denied")).filter((r) => r.actor_id === install.installId);
    expect(denied).toHaveLength(1);
    expect(denied[0].details).toMatchObject({ method: "customers.get", target: other.customerId, reason: "subject" });
    const reads = (await auditRows(platform, "extension.customer_read")).filter((r) => r.actor_id === install.installId);
    expect(reads.map((r) => r.target_id)).toEqual([buyer.customerId]);

    const [inv] = await invocationsOf(platform, install.installId);
    expect(inv.reads).toEqual([
      { method: "customers.get", target: buyer.customerId, result: "ok", read: `customer ${buyer.customerId} (id, name, email, createdAt)` },
      { method: "customers.get", target: other.customerId, result: "denied", reason: "subject" },
    ]);
  });

  it("a buyer without a customer record yet can be read by nobody, and orders are out of a checkout's reach", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      scopes: ["read_customers", "read_orders"],
      source: probe(`
        try { await ctx.customers.get("cus_00000000000000000000000000"); } catch (e) { note(e.name); }
        try { await ctx.orders.get("ord_00000000000000000000000000"); } catch (e) { note(e.name); }`),
    });
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
    expect(offers.find((o) => o.installId === install.installId)!.lines[0].label).toBe("ScopeError | ScopeError");
  });
});

describe("settings, storage and counters", () => {
  it("settings.get returns the install's validated settings with defaults filled in", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      settings: [
        { key: "percent", label: "Percent", type: "integer", min: 0, max: 90, default: 10 },
        { key: "label", label: "Label", type: "string", max: 40, default: "Sale" },
      ],
      values: { percent: 15 },
      source: probe(`const s = await ctx.settings.get(); note(s.label + " " + s.percent);`),
    });
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
    expect(offers.find((o) => o.installId === install.installId)!.lines[0].label).toBe("Sale 15");
  });

  it("storage writes are refused in a synchronous hook (ScopeError, audited) and reads see the install's own data only", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      source: probe(`
        try { await ctx.storage.set("k", 1); note("wrote"); } catch (e) { note(e.name); }
        note("get:" + JSON.stringify(await ctx.storage.get("k")));
        note("counter:" + (await ctx.counters.get("uses")));`),
    });
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
    expect(offers.find((o) => o.installId === install.installId)!.lines[0].label).toBe("ScopeError | get:null | counter:0");
    const denied = (await auditRows(platform, "extension.scope_denied")).filter((r) => r.actor_id === install.installId);
    expect(denied[0].details).toMatchObject({ method: "storage.set", reason: "hook" });
  });

  it("an asynchronous hook writes storage within the quota; an oversized value is a LimitError", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["order.paid"],
      source: `{ "order.paid": async (input, ctx) => {
        await ctx.storage.set("last", input.order.id);
        let big = "";
        try { await ctx.storage.set("big", "x".repeat(20000)); } catch (e) { big = e.name; }
        await ctx.storage.set("result", big);
      } }`,
    });
    const result = await platform.extensions.runAsyncHook({
      installId: install.installId,
      hook: "order.paid",
      event: { id: "9001", name: "order.paid", shopId: shop.id, subjectId: "ord_x", payload: { orderId: "ord_x", customerId: null, total: 100, currency: "CNY", status: "paid" }, createdAt: new Date().toISOString() },
    });
    expect(result).toMatchObject({ status: "done", outcome: "ok", idempotencyKey: `hook-${install.installId}-9001` });
    const rows = await platform.db.selectFrom("extension_storage").select(["key", "value"]).where("install_id", "=", install.installId).orderBy("key").execute();
    expect(rows).toEqual([
      { key: "last", value: "ord_x" },
      { key: "result", value: "LimitError" },
    ]);
  });

  it("the bridge call limit (20 per call) ends in LimitError", async () => {
    const install = await installTestExtension(platform, m, shop, {
      hooks: ["checkout.discounts"],
      source: probe(`let n = 0; try { for (let i = 0; i < 25; i++) { await ctx.counters.get("c"); n++; } } catch (e) { note(e.name); } note(String(n));`),
    });
    const offers = await platform.extensions.collectDiscounts(quoteInput(shop.id, { userId: "usr_x", customerId: null }));
    expect(offers.find((o) => o.installId === install.installId)!.lines[0].label).toBe("LimitError | 20");
  });
});
