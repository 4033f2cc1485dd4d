/**
 * The reviewer console's rules: decisions need a reason the developer is
 * notified of, every decision is audited, queues are oldest first and
 * paginated, and a version's review page shows what changed since the
 * previous approved version (new scopes first).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import { isAppError } from "../app/lib/errors";
import {
  createVendor,
  decideVendorReview,
  decideVersionReview,
  diffManifests,
  getVersion,
  getVersionReview,
  lineDiff,
  setVersionStatus,
  vendorQueue,
  versionQueue,
  QUEUE_PAGE_SIZE,
} from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { auditRows, createMarketplace, publishVersion, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMarketplace(platform);
});
afterAll(async () => {
  await platform?.close();
});

async function expectAppError(p: Promise<unknown>, kind: string, code?: string) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(isAppError(e), String(e)).toBe(true);
  expect(e.kind).toBe(kind);
  if (code) expect(e.code).toBe(code);
  return e;
}

const SOURCE = `{ "checkout.discounts": async () => null }`;

async function inReview(o: { handle?: string; version?: string; scopes?: ("read_customers" | "read_orders")[] } = {}) {
  const v = await publishVersion(platform, m, { hooks: ["checkout.discounts"], source: SOURCE, status: "submitted", ...o });
  await setVersionStatus(platform.db, { type: "system" }, v.versionId, "checks_passed");
  return v;
}

async function notificationsOf(userId: string, kind: string) {
  return platform.db.selectFrom("notifications").selectAll().where("user_id", "=", userId).where("kind", "=", kind).orderBy("id").execute();
}

describe("version decisions", () => {
  it("approve and reject require a reason; the developer is notified of it and every decision is audited", async () => {
    const a = await inReview();
    for (const reason of [undefined, "", "  ", "ok"]) {
      const e = await expectAppError(decideVersionReview(platform, { id: m.reviewerId }, { versionId: a.versionId, decision: "approve", reason }), "bad_request");
      expect(e.fieldErrors?.reason?.length).toBeGreaterThan(0);
    }
    expect((await getVersion(platform.db, a.versionId))!.status).toBe("checks_passed");

    const approved = await decideVersionReview(platform, { id: m.reviewerId }, { versionId: a.versionId, decision: "approve", reason: "Scopes justified; checks pass." });
    expect(approved.status).toBe("approved");
    const view = (await getVersion(platform.db, a.versionId))!;
    expect(view.statusReason).toBe("Scopes justified; checks pass.");
    const note = (await notificationsOf(m.developerId, "extension_version.approved")).at(-1)!;
    expect(note.body).toContain("Scopes justified; checks pass.");
    const audit = (await auditRows(platform, "extension_version.approved")).filter((r) => r.target_id === a.versionId);
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_type).toBe("reviewer");
    expect(audit[0].actor_id).toBe(m.reviewerId);
    expect(JSON.stringify(audit[0].details)).toContain("Scopes justified");

    // a decided version cannot be decided again
    await expectAppError(decideVersionReview(platform, { id: m.reviewerId }, { versionId: a.versionId, decision: "reject", reason: "Changed my mind" }), "conflict");

    const b = await inReview();
    await expectAppError(decideVersionReview(platform, { id: m.reviewerId }, { versionId: b.versionId, decision: "reject" }), "bad_request");
    const rejected = await decideVersionReview(platform, { id: m.reviewerId }, { versionId: b.versionId, decision: "reject", reason: "The discount ignores the merchant's cap." });
    expect(rejected.status).toBe("rejected");
    expect((await notificationsOf(m.developerId, "extension_version.rejected")).at(-1)!.body).toContain("ignores the merchant's cap");
    expect((await auditRows(platform, "extension_version.rejected")).filter((r) => r.target_id === b.versionId)).toHaveLength(1);
  });

  it("a version whose checks failed cannot be approved", async () => {
    const v = await publishVersion(platform, m, { hooks: ["checkout.discounts"], source: SOURCE, status: "submitted" });
    await setVersionStatus(platform.db, { type: "system" }, v.versionId, "checks_failed", "hooks_run: threw");
    await expectAppError(decideVersionReview(platform, { id: m.reviewerId }, { versionId: v.versionId, decision: "approve", reason: "Looks fine to me" }), "unprocessable", "checks_failed");
    expect((await getVersion(platform.db, v.versionId))!.status).toBe("checks_failed");
  });
});

describe("vendor decisions", () => {
  it("need a reason; the vendor's members are notified; decisions are audited", async () => {
    const dev = await createUserAccount(platform.db, { email: "vendor-decisions@example.test", name: "V D", password: "correct horse battery", intent: "developer" });
    const vendor = await createVendor(platform.db, dev, { name: "Decided Labs", slug: "decided-labs", contactEmail: "vd@example.test" });
    await expectAppError(decideVendorReview(platform, { id: m.reviewerId }, { vendorId: vendor.id, decision: "verify", reason: "" }), "bad_request");
    expect(await decideVendorReview(platform, { id: m.reviewerId }, { vendorId: vendor.id, decision: "verify", reason: "Registration number checked." })).toBe("verified");
    const notes = await platform.db.selectFrom("notifications").selectAll().where("user_id", "=", dev.id).where("kind", "=", "vendor.verified").execute();
    expect(notes).toHaveLength(1);
    expect(notes[0].body).toContain("Registration number checked.");
    // verified → rejected is not a transition
    await expectAppError(decideVendorReview(platform, { id: m.reviewerId }, { vendorId: vendor.id, decision: "reject", reason: "Too late for that" }), "conflict");
    const audit = (await auditRows(platform, "vendor.verified")).filter((r) => r.target_id === vendor.id);
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(m.reviewerId);
  });
});

describe("queues", () => {
  it("vendors awaiting verification: oldest first, paginated with a cursor, each with its age", async () => {
    const before = (await vendorQueue(platform.db, {})).counts.pending ?? 0;
    const owner = await createUserAccount(platform.db, { email: "queue-owner@example.test", name: "Q", password: "correct horse battery", intent: "developer" });
    const created: string[] = [];
    for (let i = 0; i < QUEUE_PAGE_SIZE + 3; i++) {
      created.push((await createVendor(platform.db, owner, { name: `Queue ${i}`, slug: `queue-${i}`, contactEmail: `q${i}@example.test` })).id);
    }
    // make the first one the oldest by a day, whatever the clock did
    await platform.db.updateTable("vendors").set({ created_at: new Date(Date.now() - 86_400_000) } as never).where("id", "=", created[0]).execute();
    const first = await vendorQueue(platform.db, {});
    expect(first.items).toHaveLength(QUEUE_PAGE_SIZE);
    expect(first.items[0].id).toBe(created[0]);
    expect(first.items[0].age.hours).toBeGreaterThanOrEqual(23);
    expect(first.items[0].age.label).toMatch(/h|days/);
    const times = first.items.map((v) => v.createdAt);
    expect([...times].sort()).toEqual(times);
    expect(first.next).not.toBeNull();
    const second = await vendorQueue(platform.db, { after: first.next! });
    const seen = [...first.items, ...second.items].map((v) => v.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(before + created.length);
    for (const id of created) expect(seen).toContain(id);
    expect(second.next).toBeNull();
    // a bad cursor is ignored, not a 500
    expect((await vendorQueue(platform.db, { after: "nonsense" })).items[0].id).toBe(created[0]);
  });

  it("versions in review: oldest submission first", async () => {
    const a = await inReview();
    const b = await inReview();
    const page = await versionQueue(platform.db, {});
    const ids = page.items.map((v) => v.id);
    expect(ids.indexOf(a.versionId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(a.versionId)).toBeLessThan(ids.indexOf(b.versionId));
    expect(page.items.every((v) => v.age.label.length > 0)).toBe(true);
    const failed = await versionQueue(platform.db, { status: "checks_failed" });
    expect(failed.items.every((v) => !ids.includes(v.id))).toBe(true);
  });
});

describe("the version page's diff", () => {
  it("against the previous approved version: new scopes highlighted, hooks and settings changes, a line diff", async () => {
    const handle = `diff.ext-${Date.now().toString(36)}`;
    const v1 = await publishVersion(platform, m, { handle, version: "1.0.0", hooks: ["checkout.discounts"], source: SOURCE, scopes: ["read_orders"] });
    const v2 = await publishVersion(platform, m, {
      handle,
      version: "1.1.0",
      hooks: ["checkout.discounts", "storefront.blocks"],
      source: `{ "checkout.discounts": async () => null, "storefront.blocks": async () => null }`,
      scopes: ["read_orders", "read_customers"],
      settings: [{ key: "percent", label: "Percent", type: "integer", min: 1, max: 50, default: 5 }],
      status: "submitted",
    });
    void v1;
    const review = await getVersionReview(platform.db, v2.versionId);
    expect(review.diff.previousVersion).toBe("1.0.0");
    expect(review.diff.scopes[0]).toMatchObject({ scope: "read_customers", change: "added" });
    expect(review.diff.scopes.find((s) => s.scope === "read_orders")!.change).toBe("kept");
    expect(review.diff.hooks).toContainEqual({ hook: "storefront.blocks", change: "added" });
    expect(review.diff.settings).toEqual([{ key: "percent", change: "added" }]);
    expect(review.diff.lines.some((l) => l.op === "+" && l.text.includes('"read_customers"'))).toBe(true);
    expect(review.diff.lines.some((l) => l.op === "-" && l.text.includes('"1.0.0"'))).toBe(true);
    expect(review.manifestText).toContain('"1.1.0"');

    // the first version of an extension: everything is new
    const first = await getVersionReview(platform.db, v1.versionId);
    expect(first.diff.previousVersion).toBeNull();
    expect(first.diff.scopes.every((s) => s.change === "added")).toBe(true);
  });

  it("lineDiff keeps common lines and orders removals before additions", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc")).toEqual([
      { op: " ", text: "a" },
      { op: "-", text: "b" },
      { op: "+", text: "x" },
      { op: " ", text: "c" },
    ]);
    const d = diffManifests(null, { id: "a.b", name: "n", version: "1.0.0", apiVersion: "2026-11", hooks: ["order.paid"], scopes: [], settings: [], retentionDays: 3 });
    expect(d.retentionDays).toEqual({ from: null, to: 3 });
  });
});
