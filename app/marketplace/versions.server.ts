/**
 * Versions, the reviewer's decision and the developer's view: `decideVersion`
 * is the one entry point the review console uses to approve, reject or
 * suspend a version along VERSION_TRANSITIONS (workflows.schema.ts), with a
 * required reason the developers see. Approval is refused for a version
 * whose automated checks failed. The moves themselves (conditional UPDATE …
 * WHERE status IN (from), audit row) are `setVersionStatus`'s.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { VersionStatus } from "../../db/tables/marketplace";
import { AppError, notFound } from "../lib/errors";
import { notify } from "../notifications/index.server";
import { getVersion, setVersionStatus, suspendInstall, type VersionView } from "./marketplace.service.server";
import { selectExtension, selectVersion, selectVersionsOfExtension } from "./marketplace.repository.server";
import { countFailedChecks, selectActiveInstallsOfVersion, selectCheckLines, selectVendorMembers } from "./workflows.repository.server";
import { DecisionReason, VERSION_DECISIONS, VERSION_STATUS_LABELS, VersionDecisionName, type VersionDecision } from "./workflows.schema";

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** A version after a reviewer's decision; a suspension lists the installs it stopped (to notify their merchants). */
export type DecidedVersion = VersionView & { suspendedInstalls: { shopId: string; installId: string }[] };

/**
 * A reviewer's decision on a version: `approve` or `reject` one whose checks
 * passed (status `checks_passed`, "In review"), `suspend` an approved one —
 * which also suspends every active install of it (reason `reviewer`) in the
 * same transaction, so its hooks stop in every shop. The reason is required
 * and the vendor's members are notified.
 *
 * Errors: 400 without a reason; 404 unknown version; 422 `checks_failed`
 * when approving a version whose checks failed; 409 `version_status` for any
 * other move the state machine does not allow.
 *
 * @example
 * await decideVersion(db, reviewer, { versionId, decision: "approve", reason: "Scopes match what it does." });
 */
export async function decideVersion(
  db: Kysely<Database>,
  reviewer: { id: string },
  input: { versionId: string; decision: VersionDecision; reason: string },
): Promise<DecidedVersion> {
  const decision = VersionDecisionName.safeParse(input.decision);
  if (!decision.success) throw new AppError("bad_request", "Unknown decision.", { fieldErrors: { decision: ["Choose approve, reject or suspend"] } });
  const reason = DecisionReason.safeParse(input.reason);
  if (!reason.success) throw new AppError("bad_request", "A reason is required.", { fieldErrors: { reason: reason.error.issues.map((i) => i.message) } });
  const to = VERSION_DECISIONS[decision.data];
  return inTransaction(db, async (trx) => {
    const before = await selectVersion(trx, input.versionId);
    if (!before) throw notFound("Version not found");
    if (to === "approved" && (before.status === "checks_failed" || (await countFailedChecks(trx, before.id)) > 0)) {
      throw new AppError("unprocessable", "A version whose automated checks failed cannot be approved.", { code: "checks_failed" });
    }
    await setVersionStatus(trx, { type: "reviewer", id: reviewer.id }, before.id, to, reason.data);
    const suspendedInstalls: DecidedVersion["suspendedInstalls"] = [];
    if (to === "suspended") {
      for (const install of await selectActiveInstallsOfVersion(trx, before.id)) {
        const done = await suspendInstall(trx, { type: "reviewer", id: reviewer.id }, { shopId: install.shop_id, installId: install.id, reason: "reviewer", detail: reason.data });
        if (done) suspendedInstalls.push({ shopId: install.shop_id, installId: install.id });
      }
    }
    const extension = (await selectExtension(trx, before.extension_id))!;
    for (const m of await selectVendorMembers(trx, extension.vendor_id)) {
      await notify(trx, {
        userId: m.userId,
        kind: `extension_version.${to}`,
        title: `${extension.name} ${before.version}: ${VERSION_STATUS_LABELS[to].toLowerCase()}`,
        body: `Reason from the Bazaar reviewer: ${reason.data}`,
        link: `/developer/extensions/${extension.id}/versions/${before.id}`,
        data: { versionId: before.id, extensionId: extension.id },
      });
    }
    return { ...(await getVersion(trx, before.id))!, suspendedInstalls };
  });
}

/** One line of a version's automated checks. */
export type CheckLineView = { seq: number; name: string; passed: boolean; detail: string };

/** A version with its check lines, as the developer (and the reviewer) see it. */
export type VersionDetail = VersionView & {
  statusLabel: string;
  checks: CheckLineView[];
  checksStartedAt: string | null;
  checksFinishedAt: string | null;
  reviewedAt: string | null;
};

/** A version with its check lines (null if unknown). Callers check who may see it. */
export async function getVersionDetail(db: Kysely<Database>, versionId: string): Promise<VersionDetail | null> {
  const [view, row] = await Promise.all([getVersion(db, versionId), selectVersion(db, versionId)]);
  if (!view || !row) return null;
  const lines = await selectCheckLines(db, versionId);
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    ...view,
    statusLabel: VERSION_STATUS_LABELS[view.status],
    checks: lines.map((l) => ({ seq: l.seq, name: l.name, passed: l.passed, detail: l.detail })),
    checksStartedAt: iso(row.checks_started_at),
    checksFinishedAt: iso(row.checks_finished_at),
    reviewedAt: iso(row.reviewed_at),
  };
}

/** The versions of an extension, newest first, with their status labels (at most 100). */
export async function listVersionSummaries(db: Kysely<Database>, extensionId: string): Promise<{ id: string; version: string; status: VersionStatus; statusLabel: string; statusReason: string | null; createdAt: string }[]> {
  return (await selectVersionsOfExtension(db, extensionId)).slice(0, 100).map((r) => ({
    id: r.id,
    version: r.version,
    status: r.status,
    statusLabel: VERSION_STATUS_LABELS[r.status],
    statusReason: r.status_reason,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
