/**
 * The demo seed: on the first start in embedded mode (or with SEED_DEMO=1) a
 * demo shop (handle `demo`, CNY) and four accounts. Each step is idempotent
 * and the whole seed runs in one transaction, so a crash mid-seed leaves
 * nothing half-written. Later issues append steps (catalog, shelves,
 * extensions).
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./database";
import type { Platform } from "../app/platform.server";
import { createUserAccount } from "../app/accounts/index.server";
import { createShop } from "../app/shops/index.server";
import { demoCatalogStep } from "./seed-demo-catalog";
import { demoExtensionsStep } from "./seed-demo-extensions";

export const DEMO_PASSWORD = "bazaar-demo-2026";

export const DEMO_ACCOUNTS = [
  { key: "merchant", email: "merchant@demo.bazaar", name: "Mei (demo merchant)", intent: "merchant", isReviewer: false },
  { key: "buyer", email: "buyer@demo.bazaar", name: "Bo (demo buyer)", intent: "buyer", isReviewer: false },
  { key: "developer", email: "developer@demo.bazaar", name: "Dev (demo developer)", intent: "developer", isReviewer: false },
  { key: "reviewer", email: "reviewer@demo.bazaar", name: "Rui (platform reviewer)", intent: "buyer", isReviewer: true },
] as const;

export type SeedContext = { trx: Transaction<Database>; users: Record<string, string>; shopId: string };
export type SeedStep = { name: string; run(ctx: SeedContext): Promise<void> };

/** Steps after the accounts and the shop exist; later modules append theirs here. */
export const seedSteps: SeedStep[] = [demoCatalogStep, demoExtensionsStep];

export async function seedIfEmpty(platform: Pick<Platform, "db">): Promise<boolean> {
  return seedDemo(platform.db);
}

export async function seedDemo(db: Kysely<Database>): Promise<boolean> {
  const existing = await db.selectFrom("shops").select("id").where("handle", "=", "demo").executeTakeFirst();
  if (existing) return false;
  await db.transaction().execute(async (trx) => {
    const users: Record<string, string> = {};
    for (const a of DEMO_ACCOUNTS) {
      const user = await createUserAccount(trx, {
        email: a.email,
        name: a.name,
        password: DEMO_PASSWORD,
        intent: a.intent,
        isReviewer: a.isReviewer,
      });
      users[a.key] = user.id;
    }
    const shop = await createShop(trx, {
      ownerId: users.merchant,
      name: "Bazaar Demo Store",
      handle: "demo",
      currency: "CNY",
    });
    for (const step of seedSteps) await step.run({ trx, users, shopId: shop.id });
  });
  console.log("Seeded the demo shop /s/demo and the demo accounts (see README).");
  return true;
}
