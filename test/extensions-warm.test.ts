/**
 * A freshly started sandbox loads the versions active installs called in the
 * last hour before their next call (docs/decisions/0017), in the real runner.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExtensionHost, type ExtensionHost } from "../app/extensions/host.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { shopWithProducts } from "./orders-fixtures";
import { TEST_LIMITS, createCustomer, createMarketplace, installTestExtension, quoteInput, useTestHost, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let second: ExtensionHost | null = null;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await second?.stop();
  await platform?.close();
});

async function eventually(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const source = (label: string) => `{ "checkout.discounts": (input) => ({ discounts: [{ lineId: input.lines[0].lineId, amount: 100, label: ${JSON.stringify(label)} }] }) }`;

describe("warming on start", () => {
  it("a new sandbox loads the recently called versions of active installs, and not the others", async () => {
    const a = await shopWithProducts(platform, [{ price: 1000, stock: 5 }]);
    const b = await shopWithProducts(platform, [{ price: 1000, stock: 5 }]);
    const busy = await installTestExtension(platform, m, a.shop, { hooks: ["checkout.discounts"], source: source("Busy") });
    const idle = await installTestExtension(platform, m, a.shop, { hooks: ["checkout.discounts"], source: source("Idle") });
    const other = await installTestExtension(platform, m, b.shop, { hooks: ["checkout.discounts"], source: source("Other") });
    const buyerA = await createCustomer(platform, a.shop.id);
    const buyerB = await createCustomer(platform, b.shop.id);
    // shop A's two installs run on the platform's host: both versions now have recent invocations
    expect(await platform.extensions.collectDiscounts(quoteInput(a.shop.id, buyerA))).toHaveLength(2);
    // the idle one is suspended afterwards: not worth loading
    await platform.db.updateTable("installs").set({ status: "suspended" }).where("id", "=", idle.installId).execute();

    // a second host (a restarted process) starts its sandbox with shop B's call
    second = createExtensionHost(platform, { runners: 1, limits: { "checkout.discounts": TEST_LIMITS } });
    expect(await second.collectDiscounts(quoteInput(b.shop.id, buyerB))).toHaveLength(1);
    await eventually(() => (second!.stats().runners[0]?.versions ?? []).includes(busy.bundleHash));
    expect(second.stats().runners[0].versions).toContain(other.bundleHash);
    expect(second.stats().runners[0].versions).not.toContain(idle.bundleHash);
    // and the warmed version answers its first call here
    const offers = await second.collectDiscounts(quoteInput(a.shop.id, buyerA));
    expect(offers.map((o) => o.installId)).toEqual([busy.installId]);
  });
});
