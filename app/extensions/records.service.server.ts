/**
 * An install's own extension records (storage and counters) as its vendor's
 * backend reaches them through the open API (`/api/v1/extension/...`): the
 * same rows and the same quota as `ctx.storage` / `ctx.counters` in the
 * sandbox. Writes are audited with the install as the actor.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError } from "../lib/errors";
import { STORAGE_LIMITS } from "./hooks.config";
import { deleteStorageValue, selectCounter, selectStorageKeys, selectStorageValue, upsertStorageValue } from "./extensions.repository.server";

type InstallRef = { shopId: string; installId: string };
type Actor = { type: "extension"; id: string };

/** A page of the install's storage, by key (`after`: the last key of the previous page). */
export async function listInstallStorage(
  db: Kysely<Database>,
  installId: string,
  page: { prefix: string; after: string | null; limit: number },
): Promise<{ records: { key: string; value: unknown }[]; next: string | null }> {
  const limit = Math.min(Math.max(1, page.limit), STORAGE_LIMITS.listPage);
  const keys = await selectStorageKeys(db, installId, { prefix: page.prefix, after: page.after, limit: limit + 1 });
  const shown = keys.slice(0, limit);
  const records: { key: string; value: unknown }[] = [];
  for (const key of shown) {
    const row = await selectStorageValue(db, installId, key);
    if (row) records.push({ key, value: row.value });
  }
  return { records, next: keys.length > limit ? shown[shown.length - 1] : null };
}

export async function getInstallStorage(db: Kysely<Database>, installId: string, key: string): Promise<{ value: unknown } | null> {
  return (await selectStorageValue(db, installId, key)) ?? null;
}

/** Writes a key within the install's quota; a value too large or a full quota is a 422 on `value`. */
export async function putInstallStorage(db: Kysely<Database>, install: InstallRef, actor: Actor, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > STORAGE_LIMITS.valueBytes) {
    throw new AppError("unprocessable", `A stored value may be at most ${STORAGE_LIMITS.valueBytes} bytes`, { code: "limit_exceeded", fieldErrors: { value: ["Too large"] } });
  }
  const run = async (trx: Kysely<Database>) => {
    const stored = await upsertStorageValue(trx, install.installId, key, json, bytes, { bytes: STORAGE_LIMITS.installBytes, keys: STORAGE_LIMITS.installKeys });
    if (!stored) {
      throw new AppError("unprocessable", `Storage quota exceeded (${STORAGE_LIMITS.installBytes} bytes, ${STORAGE_LIMITS.installKeys} keys per install)`, {
        code: "limit_exceeded",
        fieldErrors: { value: ["Storage quota exceeded"] },
      });
    }
    await record(trx, actor, "extension.storage_written", { shopId: install.shopId, type: "install", id: install.installId }, { key, bytes, via: "api" });
  };
  await (db.isTransaction ? run(db) : db.transaction().execute(run));
}

export async function deleteInstallStorage(db: Kysely<Database>, install: InstallRef, actor: Actor, key: string): Promise<void> {
  const run = async (trx: Kysely<Database>) => {
    await deleteStorageValue(trx, install.installId, key);
    await record(trx, actor, "extension.storage_deleted", { shopId: install.shopId, type: "install", id: install.installId }, { key, via: "api" });
  };
  await (db.isTransaction ? run(db) : db.transaction().execute(run));
}

export async function getInstallCounter(db: Kysely<Database>, installId: string, key: string): Promise<number> {
  return selectCounter(db, installId, key);
}
