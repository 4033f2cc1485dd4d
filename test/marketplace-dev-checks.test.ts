/**
 * The automated checks, in the real runner: a reference example passes every
 * line; bad candidates fail on the right line (too big, throws,
 * non-deterministic, invalid output, unknown scope, missing justification);
 * the job path — submit → outbox → job → lines stored and the version moved
 * to "In review" or "Checks failed"; the rules page lists the same checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExample } from "../plugins-sdk/src/build";
import { createHarness, type Harness } from "../plugins-sdk/src/harness";
import { CHECK_RULES, getVersionDetail, runChecks, submitVersion, versionCheckJobs, versionChecksConsumer, type VersionCheckLine } from "../app/marketplace/index.server";
import { startWorkers } from "../app/jobs/workers.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { bundleOf, createMarketplace, TEST_LIMITS, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let harness: Harness;
let good: { bundle: string; manifest: Record<string, unknown> };

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMarketplace(platform);
  harness = createHarness({ runners: 1 });
  const built = await buildExample("points", { write: false });
  good = { bundle: built.bundle, manifest: JSON.parse(JSON.stringify(built.manifest)) };
}, 120_000);
afterAll(async () => {
  await harness?.stop();
  await platform?.close();
});

// Limits generous for a loaded machine: these tests are about the checks' verdicts, not the limits.
const run = (candidate: { manifest: unknown; bundle: string }) => runChecks(candidate, { harness, limits: TEST_LIMITS });

const failing = (lines: VersionCheckLine[]) => lines.filter((l) => !l.passed);
const names = (lines: VersionCheckLine[]) => [...new Set(failing(lines).map((l) => l.name))];

const smallManifest = (over: Record<string, unknown> = {}) => ({
  id: "checks.bad-one",
  name: "Bad one",
  version: "1.0.0",
  apiVersion: "2026-11",
  hooks: ["checkout.discounts"],
  scopes: [],
  settings: [],
  retentionDays: 0,
  ...over,
});

describe("runChecks", () => {
  it("passes every line for a reference extension, each hook on every fixture", async () => {
    const lines = await run(good);
    expect(failing(lines)).toEqual([]);
    expect(lines.map((l) => l.name)).toEqual(expect.arrayContaining(CHECK_RULES.map((r) => r.name)));
    // points declares four hooks; the 200-line cart is among the fixtures
    expect(lines.filter((l) => l.name === "hooks_run").map((l) => l.detail.split(":")[0])).toEqual(
      expect.arrayContaining(["checkout.discounts · small cart", "checkout.discounts · 200-line cart", "order.paid · paid order", "order.refunded · full refund", "storefront.blocks · product page, visitor"]),
    );
  }, 120_000);

  it("a bundle over 256 KB fails bundle_size (and the hooks are not run)", async () => {
    const lines = await run({ manifest: good.manifest, bundle: `${good.bundle}\n/*${"x".repeat(256 * 1024)}*/` });
    expect(lines.find((l) => l.name === "bundle_size")).toMatchObject({ passed: false, detail: expect.stringContaining("too big") });
    expect(lines.find((l) => l.name === "hooks_run")).toMatchObject({ passed: false, detail: expect.stringContaining("not run") });
  });

  it("a hook that throws fails hooks_run naming the hook, the fixture and the error", async () => {
    const lines = await run({ manifest: smallManifest(), bundle: bundleOf(`{ "checkout.discounts": (input) => { if (input.lines.length > 100) throw new Error("too many lines"); return null; } }`) });
    expect(names(lines)).toEqual(["hooks_run"]);
    expect(failing(lines)[0].detail).toMatch(/checkout\.discounts · 200-line cart: error.*too many lines/);
  });

  it("a hook that never returns fails hooks_run with a timeout under the production limits", async () => {
    const lines = await runChecks({ manifest: smallManifest(), bundle: bundleOf(`{ "checkout.discounts": () => { for (;;) {} } }`) }, { harness });
    expect(names(lines)).toEqual(["hooks_run"]);
    expect(failing(lines).map((l) => l.detail)).toEqual([expect.stringMatching(/small cart: timeout/), expect.stringMatching(/200-line cart: timeout/)]);
  }, 60_000);

  it("an output that depends on the call's time fails hooks_deterministic", async () => {
    const lines = await run({ manifest: smallManifest(), bundle: bundleOf(`{ "checkout.discounts": () => ({ discounts: [{ lineId: null, amount: 1, label: "at " + Date.now() }] }) }`) });
    expect(names(lines)).toEqual(["hooks_deterministic"]);
    expect(failing(lines)[0].detail).toContain("different output");
  });

  it("an output the platform would drop fails hooks_output", async () => {
    const lines = await run({ manifest: smallManifest(), bundle: bundleOf(`{ "checkout.discounts": () => ({ discounts: [{ lineId: "no-such-line", amount: 5, label: "x" }] }) }`) });
    expect(names(lines)).toEqual(["hooks_output"]);
    expect(failing(lines)[0].detail).toContain("unknown line");
    const blocks = await run({
      manifest: smallManifest({ hooks: ["storefront.blocks"] }),
      bundle: bundleOf(`{ "storefront.blocks": () => ({ blocks: [{ type: "html", html: "<script>" }] }) }`),
    });
    expect(names(blocks)).toEqual(["hooks_output"]);
  });

  it("an unknown scope or a missing justification fails the scopes line", async () => {
    const bundle = bundleOf(`{ "checkout.discounts": () => null }`);
    const unknown = await run({ manifest: smallManifest({ scopes: [{ scope: "read_everything", justification: "We need to read everything to work well." }] }), bundle });
    expect(names(unknown)).toEqual(["scopes"]);
    expect(failing(unknown)[0].detail).toContain("read_everything: not a scope of the platform");
    const missing = await run({ manifest: smallManifest({ scopes: [{ scope: "read_orders" }] }), bundle });
    expect(names(missing)).toEqual(["scopes"]);
    expect(failing(missing)[0].detail).toContain("read_orders: needs a justification");
    const short = await run({ manifest: smallManifest({ scopes: [{ scope: "read_orders", justification: "points" }] }), bundle });
    expect(names(short)).toEqual(["scopes"]);
  });

  it("a manifest that is not valid fails the manifest line", async () => {
    const lines = await run({ manifest: smallManifest({ version: "one", hooks: ["checkout.discounts", "order.shipped"] }), bundle: bundleOf(`{}`) });
    expect(lines.find((l) => l.name === "manifest")).toMatchObject({ passed: false, detail: expect.stringContaining("version") });
  });
});

describe("the checks job", () => {
  it("submitting a version starts its checks from the outbox; the lines are stored and the version moves on", async () => {
    const stop = await startWorkers(platform, { jobs: versionCheckJobs as never, consumers: [versionChecksConsumer], relayIntervalMs: 100 });
    try {
      const ok = await submitVersion(platform.db, { id: m.developerId }, { vendorId: m.vendorId, manifest: { ...good.manifest, id: "checks.points-copy" }, bundle: good.bundle });
      const bad = await submitVersion(platform.db, { id: m.developerId }, {
        vendorId: m.vendorId,
        manifest: smallManifest({ id: "checks.thrower" }),
        bundle: bundleOf(`{ "checkout.discounts": () => { throw new Error("boom"); } }`),
      });
      const settled = async (id: string) => {
        for (let i = 0; i < 600; i++) {
          const d = await getVersionDetail(platform.db, id);
          if (d && d.status !== "submitted") return d;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`checks of ${id} did not finish`);
      };
      const okDetail = await settled(ok.id);
      expect(okDetail.status).toBe("checks_passed");
      expect(okDetail.statusLabel).toBe("In review");
      expect(okDetail.checks.length).toBeGreaterThan(10);
      expect(okDetail.checks.every((c) => c.passed)).toBe(true);
      const badDetail = await settled(bad.id);
      expect(badDetail.status).toBe("checks_failed");
      expect(badDetail.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(["hooks_run", "hooks_run"]);
      expect(badDetail.statusReason).toContain("boom");
      // the developer was told
      const notes = await platform.db.selectFrom("notifications").select("kind").where("user_id", "=", m.developerId).execute();
      expect(notes.map((n) => n.kind)).toEqual(expect.arrayContaining(["extension_version.checks_passed", "extension_version.checks_failed"]));
    } finally {
      await stop();
    }
  }, 180_000);
});
