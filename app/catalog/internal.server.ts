/**
 * Small helpers the catalog's services share. Not exported from
 * index.server.ts.
 */
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database } from "../../db/database";
import type { AuditActor } from "../audit/index.server";
import { AppError, fieldErrorsFromZod, type FieldErrors } from "../lib/errors";

/** Who made a catalog change: a merchant (`{ type: "user", id }`), or the system (seed, orders). */
export type CatalogActor = AuditActor;

/**
 * Runs `fn` in a transaction, or in the caller's when `db` already is one
 * (Kysely cannot nest them). Every multi-row change goes through here, so a
 * caller that passes the root `db` still gets all-or-nothing.
 */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export const CHECK_FIELDS = "Please correct the highlighted fields.";

/** A 400 whose messages the form shows next to each field. */
export function invalid(fieldErrors: FieldErrors, message = CHECK_FIELDS): AppError {
  return new AppError("bad_request", message, { fieldErrors });
}

/** Parses `input` with `schema`, or throws a 400 with field errors keyed by path (prefixed with `prefix.` when given). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ ...i, path: prefix ? [prefix, ...i.path] : i.path }));
    throw invalid(fieldErrorsFromZod(issues));
  }
  return result.data;
}

export function addError(errors: FieldErrors, key: string, message: string): void {
  (errors[key] ??= []).push(message);
}

/** The ledger's and events' actor id: the user or install, null for the platform. */
export function actorId(actor: CatalogActor): string | null {
  return actor.id ?? null;
}
