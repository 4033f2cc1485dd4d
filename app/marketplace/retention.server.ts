/**
 * An extension's data after an uninstall: the merchant can export it (JSON)
 * while it is kept, and the `marketplace.purge_retained_data` job deletes it
 * once the manifest's `retentionDays` are over (`installs.data_retained_until`,
 * set by `uninstall`). The data is the install's `extension_storage` and
 * `extension_counters` rows (and the counter operations' dedupe keys); the
 * invocation log is the platform's record and stays.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record, type AuditActor } from "../audit/index.server";
import { defineJob } from "../jobs/index.server";
import { notFound, AppError } from "../lib/errors";
import { getInstall } from "./marketplace.service.server";
import { deleteInstallData, selectExpiredRetention, selectInstallCounters, selectInstallStorage } from "./store.repository.server";

/** What the merchant downloads. */
export type InstallDataExport = {
  exportedAt: string;
  shopId: string;
  install: { id: string; extension: string; extensionName: string; version: string; status: string; uninstalledAt: string | null; dataRetainedUntil: string | null };
  storage: { key: string; value: unknown; updatedAt: string }[];
  counters: { key: string; value: number; updatedAt: string }[];
};

/**
 * The install's data as JSON, for the shop's owner: while installed, and
 * after an uninstall until the retention job deleted it (then 410-like
 * `unprocessable`, code `data_deleted`). Audited as `extension.data_exported`.
 *
 * @example const file = await exportInstallData(db, { type: "user", id: owner.id }, shopId, installId);
 */
export async function exportInstallData(db: Kysely<Database>, actor: AuditActor, shopId: string, installId: string): Promise<InstallDataExport> {
  const install = await getInstall(db, shopId, installId);
  if (!install) throw notFound("Extension not found");
  const deleted = await db.selectFrom("installs").select("data_deleted_at").where("shop_id", "=", shopId).where("id", "=", installId).executeTakeFirst();
  if (deleted?.data_deleted_at) throw new AppError("unprocessable", "This extension's data was deleted when its retention period ended.", { code: "data_deleted" });
  const [storage, counters] = await Promise.all([selectInstallStorage(db, installId), selectInstallCounters(db, installId)]);
  await record(db, actor, "extension.data_exported", { shopId, type: "install", id: installId }, { storageKeys: storage.length, counters: counters.length });
  return {
    exportedAt: new Date().toISOString(),
    shopId,
    install: {
      id: install.installId,
      extension: install.extensionHandle,
      extensionName: install.extensionName,
      version: install.version,
      status: install.status,
      uninstalledAt: install.uninstalledAt,
      dataRetainedUntil: install.dataRetainedUntil,
    },
    storage: storage.map((r) => ({ key: r.key, value: r.value, updatedAt: new Date(r.updated_at).toISOString() })),
    counters: counters.map((r) => ({ key: r.key, value: Number(r.value), updatedAt: new Date(r.updated_at).toISOString() })),
  };
}

/**
 * Deletes the data of every uninstalled install whose retention ended by
 * `now`, one install per transaction (with its audit row), in batches.
 * Safe to run concurrently and again: an install's data is deleted once.
 *
 * @example await purgeExpiredInstallData(db, new Date()); // { installs: 3, storage: 12, counters: 4 }
 */
export async function purgeExpiredInstallData(db: Kysely<Database>, now: Date = new Date()): Promise<{ installs: number; storage: number; counters: number }> {
  const total = { installs: 0, storage: 0, counters: 0 };
  for (;;) {
    const batch = await selectExpiredRetention(db, now, 100);
    if (batch.length === 0) return total;
    let progressed = false;
    for (const i of batch) {
      const done = await db.transaction().execute(async (trx) => {
        const removed = await deleteInstallData(trx, i.shop_id, i.id, now);
        if (!removed) return null;
        await record(trx, { type: "system" }, "extension.data_deleted", { shopId: i.shop_id, type: "install", id: i.id }, { ...removed, retainedUntil: i.data_retained_until ? new Date(i.data_retained_until).toISOString() : null });
        return removed;
      });
      if (!done) continue;
      progressed = true;
      total.installs++;
      total.storage += done.storage;
      total.counters += done.counters;
    }
    if (!progressed) return total;
  }
}

/** How often the retention sweep runs (deletion is due by the day; an hour late is fine). */
export const RETENTION_SWEEP_EVERY_MS = 60 * 60_000;

export const purgeRetainedDataJob = defineJob<Record<string, never>>({
  name: "marketplace.purge_retained_data",
  concurrency: 1,
  schedule: { everyMs: RETENTION_SWEEP_EVERY_MS },
  handler: (platform) => async () => {
    const r = await purgeExpiredInstallData(platform.db);
    if (r.installs) console.info(`[marketplace] deleted the retained data of ${r.installs} uninstalled extension(s)`);
  },
});
