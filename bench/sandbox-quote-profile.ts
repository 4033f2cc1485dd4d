/**
 * Where a checkout quote's extension time goes, host side: `npm run bench -- sandbox-quote-profile [n]`.
 * Times, per quote with the 3 reference extensions on PGlite: the whole quote, the
 * `collectDiscounts` call, and inside it each database query the host makes and
 * each bridge call (wrapping the platform's Kysely executor). Prints medians.
 */
import os from "node:os";
import path from "node:path";

const n = Number(process.argv[2]) || 100;

async function main() {
  const { openPglite } = await import("../db/connect");
  const { migrateToLatest } = await import("../db/migrate");
  const { loadConfig } = await import("../app/config.server");
  const { createPlatform } = await import("../app/platform.server");
  const { seedDemo } = await import("../db/seed");
  const { createQuote } = await import("../app/checkout/index.server");
  const { addToCart } = await import("../app/cart/index.server");
  const { ensureShopCustomer, getShopByHandle } = await import("../app/shops/index.server");
  const { createExtensionHost } = await import("../app/extensions/host.server");
  const handle = await openPglite();
  await migrateToLatest(handle.db);
  const config = loadConfig({ NODE_ENV: "production", DATA_DIR: path.join(os.tmpdir(), `bazaar-prof-${process.pid}`), SESSION_SECRET: "b".repeat(43), SEED_DEMO: "0", RUN_WORKERS: "0" });
  const platform = await createPlatform(config, { database: handle, migrate: false });
  platform.extensions = createExtensionHost(platform, { limits: { "checkout.discounts": { wallMs: 2000 } } });
  await seedDemo(platform.db);
  const shop = (await getShopByHandle(platform.db, "demo"))!;
  const buyer = await platform.db.selectFrom("users").select(["id", "email", "name"]).where("email", "=", "buyer@demo.bazaar").executeTakeFirstOrThrow();
  await ensureShopCustomer(platform.db, shop.id, buyer);
  const skus = await platform.db.selectFrom("skus").select("id").where("shop_id", "=", shop.id).where("stock", ">", 10).orderBy("price", "desc").limit(3).execute();
  for (const s of skus) await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: s.id, quantity: 1 });
  await platform.db.updateTable("carts").set({ attributes: JSON.stringify({ coupon: "WELCOME10", usePoints: true }) }).where("shop_id", "=", shop.id).where("user_id", "=", buyer.id).execute();

  // time every query by its first words
  const queries = new Map<string, number[]>();
  const host = platform.extensions!;
  const orig = host.collectDiscounts;
  const collect: number[] = [];
  let inCollect = false;
  host.collectDiscounts = async (input) => {
    const t = performance.now();
    inCollect = true;
    try {
      return await orig(input);
    } finally {
      inCollect = false;
      collect.push(performance.now() - t);
    }
  };
  const pg = (handle as any).pglite ?? (handle as any).client;
  if (pg?.query) {
    const q = pg.query.bind(pg);
    pg.query = async (text: string, ...rest: unknown[]) => {
      const t = performance.now();
      try {
        return await q(text, ...rest);
      } finally {
        const key = (inCollect ? "[ext] " : "") + String(text).replace(/\s+/g, " ").slice(0, 90);
        (queries.get(key) ?? queries.set(key, []).get(key)!).push(performance.now() - t);
      }
    };
  } else console.log("no pglite handle to wrap; keys:", Object.keys(handle));
  for (let i = 0; i < 20; i++) await createQuote(platform, { shopId: shop.id, user: buyer });
  queries.clear();
  collect.length = 0;
  const total: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await createQuote(platform, { shopId: shop.id, user: buyer });
    total.push(performance.now() - t);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" / ")}`);
  console.log(`quote median ${med(total).toFixed(2)} ms; collectDiscounts median ${med(collect).toFixed(2)} ms`);
  for (const [k, v] of [...queries].sort((a, b) => med(b[1]) * b[1].length - med(a[1]) * a[1].length)) {
    console.log(`${(v.length / n).toFixed(1)}×/quote  median ${med(v).toFixed(2)} ms  ${k}`);
  }
  await platform.close();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
