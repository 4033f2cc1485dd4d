/**
 * The demo marketplace: a verified vendor "Bazaar Labs" owned by
 * developer@demo.bazaar, whose three reference extensions (membership,
 * points, promotions — plugins-sdk/examples) are submitted, pass their
 * checks, are approved by the demo reviewer and installed in the demo shop
 * with settings that fit the demo catalog.
 *
 * The bundles come from each example's `dist/` (`npm run build:examples`)
 * when it is there, else they are built in memory with the SDK's
 * `buildExample`. If neither works the step is skipped with a warning: the
 * demo shop is still useful without extensions.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Kysely } from "kysely";
import type { Database } from "./database";
import type { SeedContext, SeedStep } from "./seed";
import { listAdminProducts, listCategories } from "../app/catalog/index.server";
import { ensureShopCustomer } from "../app/shops/index.server";
import { createVendor, HostManifest, installExtension, saveListing, setVendorStatus, setVersionStatus, submitVersion } from "../app/marketplace/index.server";

const EXAMPLES_DIR = fileURLToPath(new URL("../plugins-sdk/examples/", import.meta.url));

/** The reference extensions, in the merchant's order of installs (discounts apply in this order). */
export const DEMO_EXTENSIONS = ["membership", "promotions", "points"] as const;

type Example = { manifest: unknown; bundle: string };

/** The reference extensions' store listings (the developer portal's listing editor writes the same fields). */
const DEMO_LISTINGS: Record<(typeof DEMO_EXTENSIONS)[number], { tagline: string; description: string; category: "membership" | "points" | "promotions"; pricingLabel: string; supportContact: string }> = {
  membership: {
    tagline: "Member tiers by spend, with a discount for each tier",
    description: "Buyers move up **Silver**, **Gold** and **Platinum** tiers as their paid spend grows, and get the tier's discount at checkout.\n\n- Thresholds and percentages are yours to set\n- Refunds bring the spend (and the tier) back down\n- A storefront card shows each buyer their tier and progress",
    category: "membership",
    pricingLabel: "Free",
    supportContact: "developer@demo.bazaar",
  },
  points: {
    tagline: "Earn points on every order, spend them at checkout",
    description: "Buyers earn points for every unit of currency they pay and redeem them at checkout when they tick *use my points*.\n\n- Earning is reversed on refunds, once per order\n- Redemption is capped by a percentage you choose\n- A storefront card shows the balance",
    category: "points",
    pricingLabel: "Free",
    supportContact: "developer@demo.bazaar",
  },
  promotions: {
    tagline: "Spend thresholds, category sales, buy X get Y, coupons",
    description: "The promotions a shop runs most, in one extension: **20 off every 200**, a percentage off a category, buy X get Y free, and coupon codes with total and per-customer limits.",
    category: "promotions",
    pricingLabel: "Free",
    supportContact: "developer@demo.bazaar",
  },
};

async function loadExample(name: string): Promise<Example> {
  const dist = path.join(EXAMPLES_DIR, name, "dist");
  const bundleFile = path.join(dist, "bundle.js");
  const manifestFile = path.join(dist, "manifest.json");
  if (existsSync(bundleFile) && existsSync(manifestFile)) {
    return { bundle: readFileSync(bundleFile, "utf8"), manifest: JSON.parse(readFileSync(manifestFile, "utf8")) };
  }
  const { buildExample } = await import("../plugins-sdk/src/build");
  const built = await buildExample(name as "membership" | "points" | "promotions", { write: false });
  return { bundle: built.bundle, manifest: built.manifest };
}

/** Settings that fit the demo catalog: reachable tiers, a sale on teaware, buy-2-get-1 seeds, a welcome coupon. */
async function demoSettings(db: Kysely<Database>, shopId: string): Promise<Record<string, Record<string, unknown>>> {
  const categories = await listCategories(db, shopId);
  const teaware = categories.find((c) => c.name === "Teaware");
  const seeds = (await listAdminProducts(db, shopId, { q: "Watermelon Seeds" })).items[0];
  return {
    membership: { silverSpend: 20_000, silverPercent: 2, goldSpend: 100_000, goldPercent: 5, platinumSpend: 500_000, platinumPercent: 8 },
    points: { pointsPerUnit: 1, pointValue: 1, maxRedeemPercent: 50 },
    promotions: {
      spendEvery: 20_000,
      spendOff: 2_000,
      ...(teaware ? { categoryId: teaware.id, categoryName: "Teaware", categoryPercent: 10 } : {}),
      ...(seeds ? { bxgyProductId: seeds.id, bxgyProductName: "Watermelon Seeds", bxgyBuy: 2, bxgyGet: 1 } : {}),
      couponCodes: "WELCOME10",
      couponKind: "amount",
      couponValue: 1_000,
      couponMinSubtotal: 5_000,
      couponTotalUses: 100,
      couponPerCustomerUses: 1,
    },
  };
}

/** Keeps only the settings the example's manifest declares (an example may have dropped one). */
function declared(manifest: unknown, values: Record<string, unknown> | undefined): Record<string, unknown> {
  const parsed = HostManifest.safeParse(manifest);
  if (!parsed.success || !values) return {};
  const keys = new Set(parsed.data.settings.map((f) => f.key));
  return Object.fromEntries(Object.entries(values).filter(([k]) => keys.has(k)));
}

export async function seedDemoExtensions({ trx, users, shopId }: SeedContext): Promise<void> {
  let examples: { name: string; example: Example }[];
  try {
    examples = [];
    for (const name of DEMO_EXTENSIONS) examples.push({ name, example: await loadExample(name) });
  } catch (e) {
    console.warn(`[seed] the reference extensions could not be loaded, so the demo shop has none: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const vendor = await createVendor(trx, { id: users.developer }, {
    name: "Bazaar Labs",
    slug: "bazaar-labs",
    legalName: "Bazaar Labs (demo)",
    description: "Bazaar's own reference extensions, built on the public SDK.",
    contactEmail: "developer@demo.bazaar",
    website: "https://bazaar.example/labs",
  });
  await setVendorStatus(trx, { id: users.reviewer }, vendor.id, "verified", "Bazaar's own reference extensions");
  const settings = await demoSettings(trx, shopId);
  const installIds: Record<string, string> = {};
  for (const { name, example } of examples) {
    const summary = typeof (example.manifest as { description?: unknown }).description === "string" ? ((example.manifest as { description: string }).description) : "";
    const version = await submitVersion(trx, { id: users.developer }, { vendorId: vendor.id, manifest: example.manifest, bundle: example.bundle, summary });
    await setVersionStatus(trx, { type: "system" }, version.id, "checks_passed");
    await setVersionStatus(trx, { type: "reviewer", id: users.reviewer }, version.id, "approved", "Reference extension, reviewed with the SDK.");
    const install = await installExtension(trx, { type: "user", id: users.merchant }, { shopId, versionId: version.id, settings: declared(example.manifest, settings[name]) });
    installIds[name] = install.installId;
    await saveListing(trx, { id: users.developer }, version.extensionId, { ...DEMO_LISTINGS[name as keyof typeof DEMO_LISTINGS], name: (example.manifest as { name?: string }).name ?? name });
  }
  await seedBuyerHistory(trx, shopId, users.buyer, installIds);
}

/**
 * The demo buyer's history with the shop, so a first visit already shows what
 * the extensions do: a returning customer with ¥250 of paid spend (Silver,
 * 2 % member price) and 800 points. These are the extensions' own records
 * (membership `spend:<customer>`, points `balance:<customer>`), as their
 * `order.paid` hooks would have left them.
 */
async function seedBuyerHistory(trx: SeedContext["trx"], shopId: string, buyerId: string | undefined, installIds: Record<string, string>): Promise<void> {
  if (!buyerId) return;
  const buyer = await trx.selectFrom("users").select(["id", "email", "name"]).where("id", "=", buyerId).executeTakeFirstOrThrow();
  const customer = await ensureShopCustomer(trx, shopId, buyer);
  const counters = [
    installIds.membership && { install_id: installIds.membership, key: `spend:${customer.id}`, value: 25_000, updated_at: new Date() },
    installIds.points && { install_id: installIds.points, key: `balance:${customer.id}`, value: 800, updated_at: new Date() },
  ].filter((c): c is { install_id: string; key: string; value: number; updated_at: Date } => Boolean(c));
  if (counters.length > 0) await trx.insertInto("extension_counters").values(counters).execute();
}

export const demoExtensionsStep: SeedStep = { name: "demo extensions (Bazaar Labs)", run: seedDemoExtensions };
