/**
 * The vendor and version state machines, through the reviewer's entry
 * points (`decideVendor`, `decideVersion`) and the checks' moves
 * (`setVersionStatus` as system): every allowed move from every state, every
 * forbidden one refused with nothing changed; an unverified vendor cannot
 * submit; a version whose checks failed cannot be approved; suspending a
 * version stops its installs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import { isAppError } from "../app/lib/errors";
import {
  VENDOR_DECISIONS,
  VERSION_DECISIONS,
  VERSION_TRANSITIONS,
  decideVendor,
  decideVersion,
  installExtension,
  registerVendor,
  setVersionStatus,
  submitVersion,
  type VendorDecision,
  type VersionDecision,
} from "../app/marketplace/index.server";
import type { VendorStatus, VersionStatus } from "../db/tables/marketplace";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createMerchantShop } from "./support/storefront-fixtures";
import { bundleOf, createMarketplace, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let m: Marketplace;
let reviewer: { id: string };
let n = 0;

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMarketplace(platform);
  reviewer = { id: m.reviewerId };
});
afterAll(async () => {
  await platform?.close();
});

async function errorOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(isAppError(e), `expected an AppError, got ${String(e)}`).toBe(true);
  return e as { kind: string; code: string };
}

const VENDOR_STATES: VendorStatus[] = ["pending", "verified", "rejected", "suspended"];
const VERSION_STATES: VersionStatus[] = ["submitted", "checks_passed", "checks_failed", "approved", "rejected", "suspended"];

/** A vendor brought into `status` through allowed decisions only. */
async function vendorIn(status: VendorStatus): Promise<string> {
  const dev = await createUserAccount(platform.db, { email: `sm-dev-${++n}@example.test`, name: `Dev ${n}`, password: "correct horse battery", intent: "developer" });
  const v = await registerVendor(platform.db, dev, { name: `State ${n}`, slug: `state-${n}`, legalName: `State ${n} Ltd`, contactEmail: `s${n}@example.test` });
  const path: Record<VendorStatus, VendorDecision[]> = { pending: [], verified: ["verify"], rejected: ["reject"], suspended: ["verify", "suspend"] };
  for (const d of path[status]) await decideVendor(platform.db, reviewer, { vendorId: v.id, decision: d, reason: `because ${d}` });
  return v.id;
}

const manifest = (version = "1.0.0", id = `sm.ext-${++n}`) => ({
  id,
  name: "State machine test",
  version,
  apiVersion: "2026-11",
  hooks: ["checkout.discounts"],
  scopes: [],
  settings: [],
  retentionDays: 0,
});
const SOURCE = bundleOf(`{ "checkout.discounts": () => null }`);

/** A version brought into `status` along allowed moves only. */
async function versionIn(status: VersionStatus): Promise<string> {
  const v = await submitVersion(platform.db, { id: m.developerId }, { vendorId: m.vendorId, manifest: manifest(), bundle: SOURCE });
  const sys = { type: "system" as const };
  const path: Record<VersionStatus, (() => Promise<unknown>)[]> = {
    submitted: [],
    checks_passed: [() => setVersionStatus(platform.db, sys, v.id, "checks_passed")],
    checks_failed: [() => setVersionStatus(platform.db, sys, v.id, "checks_failed", "bundle too big")],
    approved: [() => setVersionStatus(platform.db, sys, v.id, "checks_passed"), () => decideVersion(platform.db, reviewer, { versionId: v.id, decision: "approve", reason: "fine" })],
    rejected: [() => setVersionStatus(platform.db, sys, v.id, "checks_passed"), () => decideVersion(platform.db, reviewer, { versionId: v.id, decision: "reject", reason: "not ok" })],
    suspended: [
      () => setVersionStatus(platform.db, sys, v.id, "checks_passed"),
      () => decideVersion(platform.db, reviewer, { versionId: v.id, decision: "approve", reason: "fine" }),
      () => decideVersion(platform.db, reviewer, { versionId: v.id, decision: "suspend", reason: "abuse" }),
    ],
  };
  for (const step of path[status]) await step();
  return v.id;
}

const vendorStatus = async (id: string) => (await platform.db.selectFrom("vendors").select(["status", "status_reason"]).where("id", "=", id).executeTakeFirstOrThrow());
const versionStatus = async (id: string) => (await platform.db.selectFrom("extension_versions").select(["status", "status_reason"]).where("id", "=", id).executeTakeFirstOrThrow());

describe("vendor state machine", () => {
  for (const from of VENDOR_STATES) {
    for (const decision of Object.keys(VENDOR_DECISIONS) as VendorDecision[]) {
      const rule = VENDOR_DECISIONS[decision];
      const allowed = (rule.from as readonly string[]).includes(from);
      it(`${from} --${decision}--> ${allowed ? rule.to : "refused"}`, async () => {
        const id = await vendorIn(from);
        if (allowed) {
          const v = await decideVendor(platform.db, reviewer, { vendorId: id, decision, reason: `reason for ${decision}` });
          expect(v.status).toBe(rule.to);
          expect(await vendorStatus(id)).toEqual({ status: rule.to, status_reason: `reason for ${decision}` });
          const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_type", "actor_id"]).where("target_id", "=", id).where("action", "=", `vendor.${rule.to}`).execute();
          expect(audit.at(-1)).toMatchObject({ actor_type: "reviewer", actor_id: reviewer.id });
        } else {
          const before = await vendorStatus(id);
          const e = await errorOf(decideVendor(platform.db, reviewer, { vendorId: id, decision, reason: "nope" }));
          expect([e.kind, e.code]).toEqual(["conflict", "vendor_status"]);
          expect(await vendorStatus(id)).toEqual(before);
        }
      });
    }
  }

  it("a decision needs a reason, and the vendor's members are told", async () => {
    const id = await vendorIn("pending");
    const e = await errorOf(decideVendor(platform.db, reviewer, { vendorId: id, decision: "verify", reason: " " }));
    expect(e.kind).toBe("bad_request");
    expect((await vendorStatus(id)).status).toBe("pending");
    await decideVendor(platform.db, reviewer, { vendorId: id, decision: "reject", reason: "Website does not match the legal name" });
    const owner = await platform.db.selectFrom("vendor_members").select("user_id").where("vendor_id", "=", id).executeTakeFirstOrThrow();
    const notes = await platform.db.selectFrom("notifications").select(["kind", "body"]).where("user_id", "=", owner.user_id).execute();
    expect(notes).toContainEqual({ kind: "vendor.rejected", body: expect.stringContaining("Website does not match the legal name") });
  });

  it("only a verified vendor submits versions", async () => {
    for (const status of ["pending", "rejected", "suspended"] as VendorStatus[]) {
      const id = await vendorIn(status);
      const owner = await platform.db.selectFrom("vendor_members").select("user_id").where("vendor_id", "=", id).executeTakeFirstOrThrow();
      const e = await errorOf(submitVersion(platform.db, { id: owner.user_id }, { vendorId: id, manifest: manifest(), bundle: SOURCE }));
      expect([status, e.kind, e.code]).toEqual([status, "unprocessable", "vendor_not_verified"]);
    }
    const ok = await vendorIn("verified");
    const owner = await platform.db.selectFrom("vendor_members").select("user_id").where("vendor_id", "=", ok).executeTakeFirstOrThrow();
    const v = await submitVersion(platform.db, { id: owner.user_id }, { vendorId: ok, manifest: manifest(), bundle: SOURCE });
    expect(v.status).toBe("submitted");
  });
});

describe("version state machine", () => {
  // the checks' moves (system)
  for (const from of VERSION_STATES) {
    for (const to of ["checks_passed", "checks_failed"] as const) {
      const allowed = (VERSION_TRANSITIONS[to].from as readonly string[]).includes(from);
      it(`${from} --checks--> ${to}: ${allowed ? "allowed" : "refused"}`, async () => {
        const id = await versionIn(from);
        if (allowed) {
          expect(await setVersionStatus(platform.db, { type: "system" }, id, to, "checked")).toBe(to);
        } else {
          const e = await errorOf(setVersionStatus(platform.db, { type: "system" }, id, to));
          expect([e.kind, e.code]).toEqual(["conflict", "version_status"]);
          expect((await versionStatus(id)).status).toBe(from);
        }
      });
    }
  }
  // the reviewer's decisions
  for (const from of VERSION_STATES) {
    for (const decision of Object.keys(VERSION_DECISIONS) as VersionDecision[]) {
      const to = VERSION_DECISIONS[decision];
      const allowed = (VERSION_TRANSITIONS[to].from as readonly string[]).includes(from);
      it(`${from} --${decision}--> ${allowed ? to : "refused"}`, async () => {
        const id = await versionIn(from);
        if (allowed) {
          const v = await decideVersion(platform.db, reviewer, { versionId: id, decision, reason: `why ${decision}` });
          expect(v.status).toBe(to);
          const row = await platform.db.selectFrom("extension_versions").select(["status", "status_reason", "reviewed_by"]).where("id", "=", id).executeTakeFirstOrThrow();
          expect(row).toEqual({ status: to, status_reason: `why ${decision}`, reviewed_by: reviewer.id });
        } else {
          const e = await errorOf(decideVersion(platform.db, reviewer, { versionId: id, decision, reason: "nope" }));
          if (decision === "approve" && from === "checks_failed") expect([e.kind, e.code]).toEqual(["unprocessable", "checks_failed"]);
          else expect([e.kind, e.code]).toEqual(["conflict", "version_status"]);
          expect((await versionStatus(id)).status).toBe(from);
        }
      });
    }
  }

  it("a version with a failed check line cannot be approved even if its status says in review", async () => {
    const id = await versionIn("checks_passed");
    await platform.db.insertInto("extension_version_checks").values({ version_id: id, seq: 1, name: "bundle_size", passed: false, detail: "too big" }).execute();
    const e = await errorOf(decideVersion(platform.db, reviewer, { versionId: id, decision: "approve", reason: "looks fine" }));
    expect([e.kind, e.code]).toEqual(["unprocessable", "checks_failed"]);
    expect((await versionStatus(id)).status).toBe("checks_passed");
  });

  it("suspending an approved version suspends its installs in every shop and names them", async () => {
    const id = await versionIn("approved");
    const a = await createMerchantShop(platform);
    const b = await createMerchantShop(platform);
    const ia = await installExtension(platform.db, { type: "user", id: a.shop.ownerId }, { shopId: a.shop.id, versionId: id });
    const ib = await installExtension(platform.db, { type: "user", id: b.shop.ownerId }, { shopId: b.shop.id, versionId: id });
    const v = await decideVersion(platform.db, reviewer, { versionId: id, decision: "suspend", reason: "mines data" });
    expect(v.suspendedInstalls.map((s) => s.installId).sort()).toEqual([ia.installId, ib.installId].sort());
    const rows = await platform.db.selectFrom("installs").select(["status", "status_reason"]).where("version_id", "=", id).execute();
    expect(rows).toEqual([
      { status: "suspended", status_reason: "reviewer" },
      { status: "suspended", status_reason: "reviewer" },
    ]);
  });
});
