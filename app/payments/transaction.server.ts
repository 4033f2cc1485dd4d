import type { Kysely } from "kysely";
import type { Database } from "../../db/database";

/**
 * Runs `fn` in a transaction: the caller's, when `db` already is one (so a
 * service can join the transaction of the module that calls it), else a new
 * one.
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
