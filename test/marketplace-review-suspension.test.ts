/**
 * A reviewer's suspension reaches every shop at once, in every process:
 * nothing caches whether an install may run, so the next quote (served here,
 * or by a separate platform process on the same PostgreSQL database) and the
 * next asynchronous delivery (a worker's path) skip it. The affected shops'
 * owners are notified; merchants cannot resume it; reinstating an extension
 * resumes its installs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import readline from "node:readline";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "../app/cart/index.server";
import { createQuote } from "../app/checkout/index.server";
import { isAppError } from "../app/lib/errors";
import { createVendor, decideExtensionReview, decideVendorReview, decideVersionReview, getInstall, installExtension, resumeInstall, searchListings } from "../app/marketplace/index.server";
import { createUserAccount } from "../app/accounts/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { ROOT } from "./support/paths";
import { createBuyer, shopWithProducts, type TestBuyer } from "./orders-fixtures";
import { auditRows, createMarketplace, publishVersion, useTestHost, type Marketplace } from "./extensions-fixtures";
import type { TestShop } from "./support/storefront-fixtures";

let platform: TestPlatform;
let m: Marketplace;

beforeAll(async () => {
  platform = await createTestPlatform();
  useTestHost(platform);
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await platform?.close();
});

const SOURCE = `{
  "checkout.discounts": async (input) => ({ discounts: [{ lineId: null, amount: 100, label: "Reviewed promo" }] }),
  "order.paid": async (input) => ({ counters: [{ key: "paid", delta: 1 }] })
}`;

type Fixture = { shops: { shop: TestShop; buyer: TestBuyer; installId: string }[]; versionId: string; extensionId: string };

/** One approved version installed in two shops, each with a buyer whose cart is ready for a quote. */
async function installedInTwoShops(name: string): Promise<Fixture> {
  const { versionId, extensionId } = await publishVersion(platform, m, { name, hooks: ["checkout.discounts", "order.paid"], source: SOURCE });
  const shops: Fixture["shops"] = [];
  for (let i = 0; i < 2; i++) {
    const { shop, skus } = await shopWithProducts(platform, [{ price: 1000, stock: 50 }]);
    const install = await installExtension(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, versionId });
    const buyer = await createBuyer(platform);
    await addToCart(platform.db, shop.id, { userId: buyer.id }, { skuId: skus[0], quantity: 1 });
    shops.push({ shop, buyer, installId: install.installId });
  }
  return { shops, versionId, extensionId };
}

const paidJob = (shopId: string, installId: string) => ({
  installId,
  hook: "order.paid" as const,
  event: { id: String(Math.floor(Math.random() * 1e9)), name: "order.paid", shopId, subjectId: null, payload: {}, createdAt: new Date().toISOString() },
});

async function discountSources(shopId: string, buyer: TestBuyer): Promise<string[]> {
  const q = await createQuote(platform, { shopId, user: buyer });
  return q.adjustments.filter((a) => a.kind === "discount").map((a) => (a as { source?: { installId?: string } }).source?.installId ?? "");
}

describe("suspending a version", () => {
  it("stops its hooks in every shop at once, notifies the owners, and the merchant cannot resume it", async () => {
    const f = await installedInTwoShops("Suspended promo");
    for (const s of f.shops) expect(await discountSources(s.shop.id, s.buyer)).toEqual([s.installId]);

    const r = await decideVersionReview(platform, { id: m.reviewerId }, { versionId: f.versionId, decision: "suspend", reason: "Applies discounts to excluded products." });
    expect(r).toMatchObject({ status: "suspended", shopsAffected: 2 });

    for (const s of f.shops) {
      expect(await discountSources(s.shop.id, s.buyer)).toEqual([]);
      expect((await platform.extensions.runAsyncHook(paidJob(s.shop.id, s.installId))).status).toBe("skipped");
      const install = (await getInstall(platform.db, s.shop.id, s.installId))!;
      expect(install).toMatchObject({ status: "suspended", statusReason: "reviewer" });
      const notes = await platform.db.selectFrom("notifications").selectAll().where("user_id", "=", s.shop.ownerId).where("kind", "=", "extension.suspended").execute();
      expect(notes).toHaveLength(1);
      expect(notes[0].body).toContain("Applies discounts to excluded products.");
      const e = await resumeInstall(platform.db, { type: "user", id: s.shop.ownerId }, { shopId: s.shop.id, installId: s.installId }).catch((err) => err);
      expect(isAppError(e) && e.kind).toBe("forbidden");
    }
    const perShop = (await auditRows(platform, "extension.suspended")).filter((a) => f.shops.some((s) => s.installId === a.target_id));
    expect(perShop.map((a) => a.shop_id).sort()).toEqual(f.shops.map((s) => s.shop.id).sort());
    expect(perShop.every((a) => a.actor_type === "reviewer")).toBe(true);
    expect((await auditRows(platform, "extension_version.suspended")).filter((a) => a.target_id === f.versionId)).toHaveLength(1);
  });

  it("an install still marked active (one that raced the fan-out) does not run once its version or extension is suspended", async () => {
    const f = await installedInTwoShops("Raced promo");
    const [s] = f.shops;
    await platform.db.updateTable("extension_versions").set({ status: "suspended" }).where("id", "=", f.versionId).execute();
    expect((await getInstall(platform.db, s.shop.id, s.installId))!.status).toBe("active");
    expect(await discountSources(s.shop.id, s.buyer)).toEqual([]);
    await platform.db.updateTable("extension_versions").set({ status: "approved" }).where("id", "=", f.versionId).execute();
    expect(await discountSources(s.shop.id, s.buyer)).toEqual([s.installId]);
    await platform.db.updateTable("extensions").set({ suspended_at: new Date() }).where("id", "=", f.extensionId).execute();
    expect(await discountSources(s.shop.id, s.buyer)).toEqual([]);
  });

  it("needs a reason", async () => {
    const { versionId } = await publishVersion(platform, m, { hooks: ["checkout.discounts"], source: SOURCE.split(",\n")[0] + "}" });
    const e = await decideVersionReview(platform, { id: m.reviewerId }, { versionId, decision: "suspend", reason: " " }).catch((err) => err);
    expect(isAppError(e) && e.kind).toBe("bad_request");
  });
});

describe("suspending a whole extension", () => {
  it("stops it everywhere and removes it from the store; reinstating resumes the installs", async () => {
    const f = await installedInTwoShops("Whole promo");
    const listed = async () => (await searchListings(platform.db, { q: "Whole promo" })).items.length;
    expect(await listed()).toBe(1);

    const r = await decideExtensionReview(platform, { id: m.reviewerId }, { extensionId: f.extensionId, decision: "suspend", reason: "Vendor reported a data leak." });
    expect(r).toEqual({ suspended: true, shopsAffected: 2 });
    for (const s of f.shops) expect(await discountSources(s.shop.id, s.buyer)).toEqual([]);
    expect(await listed()).toBe(0);
    // installing it again is refused while suspended
    const { shop } = await shopWithProducts(platform, [{ price: 100, stock: 1 }]);
    const e = await installExtension(platform.db, { type: "user", id: shop.ownerId }, { shopId: shop.id, versionId: f.versionId }).catch((err) => err);
    expect(isAppError(e)).toBe(true);

    await decideExtensionReview(platform, { id: m.reviewerId }, { extensionId: f.extensionId, decision: "reinstate", reason: "Leak fixed and verified." });
    for (const s of f.shops) expect(await discountSources(s.shop.id, s.buyer)).toEqual([s.installId]);
    expect(await listed()).toBe(1);
    expect((await auditRows(platform, "extension_listing.suspended")).filter((a) => a.target_id === f.extensionId)).toHaveLength(1);
    expect((await auditRows(platform, "extension_listing.reinstated")).filter((a) => a.target_id === f.extensionId)).toHaveLength(1);
  });
});

describe("suspending a vendor", () => {
  it("suspends every extension of the vendor in every shop", async () => {
    const dev = await createUserAccount(platform.db, { email: "susp-vendor@example.test", name: "SV", password: "correct horse battery", intent: "developer" });
    const vendor = await createVendor(platform.db, dev, { name: "Shady Labs", slug: "shady-labs", contactEmail: "sv@example.test" });
    await decideVendorReview(platform, { id: m.reviewerId }, { vendorId: vendor.id, decision: "verify", reason: "Looked fine at first." });
    const own: Marketplace = { ...m, developerId: dev.id, vendorId: vendor.id };
    const saved = m;
    m = own;
    let f: Fixture;
    try {
      f = await installedInTwoShops("Shady promo");
    } finally {
      m = saved;
    }
    for (const s of f.shops) expect(await discountSources(s.shop.id, s.buyer)).toEqual([s.installId]);
    expect(await decideVendorReview(platform, { id: m.reviewerId }, { vendorId: vendor.id, decision: "suspend", reason: "Fraud reports confirmed." })).toBe("suspended");
    for (const s of f.shops) {
      expect(await discountSources(s.shop.id, s.buyer)).toEqual([]);
      expect((await getInstall(platform.db, s.shop.id, s.installId))!.statusReason).toBe("reviewer");
    }
    expect((await auditRows(platform, "extension_listing.suspended")).filter((a) => a.target_id === f.extensionId)).toHaveLength(1);
  });
});

/** A second platform process (test/marketplace-review-peer.ts) on the same database. */
class Peer {
  private child: ChildProcessWithoutNullStreams;
  private waiting = new Map<number, (msg: any) => void>();
  private seq = 0;
  readonly ready: Promise<{ pid: number }>;

  constructor(databaseUrl: string, queuePrefix: string) {
    this.child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", path.join(ROOT, "test/marketplace-review-peer.ts")], {
      cwd: ROOT,
      env: { ...process.env, PEER_DATABASE_URL: databaseUrl, PEER_QUEUE_PREFIX: queuePrefix, NODE_ENV: "test" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    this.child.stderr.on("data", (d) => (stderr += String(d)));
    const lines = readline.createInterface({ input: this.child.stdout });
    this.ready = new Promise((resolve, reject) => {
      this.child.once("exit", (code) => reject(new Error(`peer exited ${code}: ${stderr.slice(-2000)}`)));
      lines.on("line", (line) => {
        let msg: any;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg.ready) resolve({ pid: msg.pid });
        else this.waiting.get(msg.id)?.(msg);
      });
    });
  }

  request(body: Record<string, unknown>): Promise<any> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.stdin.write(`${JSON.stringify({ op: "exit" })}\n`);
    this.child.stdin.end();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

describe.skipIf(!process.env.DATABASE_URL)("in a separate process (PostgreSQL)", () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = new Peer(platform.reopenInfo.databaseUrl!, platform.reopenInfo.queuePrefix);
    await peer.ready;
  }, 120_000);
  afterAll(async () => {
    await peer?.stop();
  });

  it("a checkout and a hook delivery served by another process stop the moment the reviewer suspends", async () => {
    const f = await installedInTwoShops("Cross-process promo");
    // the peer serves both shops first: its runner has the version compiled and warm
    for (const s of f.shops) {
      const r = await peer.request({ op: "quote", shopId: s.shop.id, user: s.buyer });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, sources: [s.installId] });
      expect(r.pid).not.toBe(process.pid);
      const h = await peer.request({ op: "hook", job: paidJob(s.shop.id, s.installId) });
      expect(h).toMatchObject({ ok: true, status: "done" });
    }

    await decideVersionReview(platform, { id: m.reviewerId }, { versionId: f.versionId, decision: "suspend", reason: "Suspended while the peer is serving." });

    // no waiting: the very next request in the other process already sees it
    for (const s of f.shops) {
      const r = await peer.request({ op: "quote", shopId: s.shop.id, user: s.buyer });
      expect(r).toMatchObject({ ok: true, sources: [], discountTotal: 0 });
      const h = await peer.request({ op: "hook", job: paidJob(s.shop.id, s.installId) });
      expect(h).toMatchObject({ ok: true, status: "skipped" });
    }
  });
});
