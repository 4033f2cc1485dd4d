import os from "node:os";
import path from "node:path";
import { openPglite } from "../db/connect";
import { migrateToLatest } from "../db/migrate";
import { loadConfig } from "../app/config.server";
import { createPlatform } from "../app/platform.server";
import { seedDemo } from "../db/seed";
import { activeInstalls } from "../app/marketplace/index.server";
import { ensureShopCustomer, getShopByHandle } from "../app/shops/index.server";
import * as repo from "../app/extensions/extensions.repository.server";

const handle = await openPglite();
await migrateToLatest(handle.db);
const config = loadConfig({ NODE_ENV: "production", DATA_DIR: path.join(os.tmpdir(), "bz-prof"), SESSION_SECRET: "b".repeat(43), SEED_DEMO: "0", RUN_WORKERS: "0" });
const platform = await createPlatform(config, { database: handle, migrate: false });
await seedDemo(platform.db);
const shop = (await getShopByHandle(platform.db, "demo"))!;
const buyer = await platform.db.selectFrom("users").select(["id", "email", "name"]).where("email", "=", "buyer@demo.bazaar").executeTakeFirstOrThrow();
const cust = await ensureShopCustomer(platform.db, shop.id, buyer);
const input = { shop: { id: shop.id, currency: "CNY" }, buyer: { userId: buyer.id, customerId: cust.id }, lines: [{ lineId: "oln_1", skuId: "s", productId: "p", categoryId: null, quantity: 1, unitPrice: 30000, lineTotal: 30000 }], subtotal: 30000, attributes: { coupon: "WELCOME10", usePoints: true } };
const t = async (name: string, fn: () => Promise<unknown>, n = 100) => {
  for (let i = 0; i < 10; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); await fn(); xs.push(performance.now() - s); }
  xs.sort((a, b) => a - b);
  console.log(name, "p50", xs[Math.floor(n * 0.5)].toFixed(2), "p99", xs[Math.floor(n * 0.99)].toFixed(2));
};
await t("activeInstalls", () => activeInstalls(platform.db, shop.id, "checkout.discounts"));
await t("counter get", () => repo.selectCounter(platform.db, "ins_x", "k"));
await t("collectDiscounts", () => platform.extensions.collectDiscounts(input as never));
const rows = await platform.db.selectFrom("extension_invocations").select(["bridge_calls", "reads", "wall_ms", "host_wait_ms"]).orderBy("id", "desc").limit(3).execute();
console.log(JSON.stringify(rows, null, 0));
await platform.close();
