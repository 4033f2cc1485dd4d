/**
 * Small helpers the accounts services share. Not exported from index.server.ts.
 */
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database } from "../../db/database";
import { AppError, fieldErrorsFromZod } from "../lib/errors";

/**
 * Runs `fn` in a transaction, or in the caller's when `db` already is one
 * (the seed creates accounts and the demo shop in one transaction, and
 * Kysely cannot nest them).
 */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Validates input with a zod schema; a failure is a 400 with the field errors. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(result.error.issues) });
  }
  return result.data;
}

/** A random URL token as made by newToken(): base64url. Anything else cannot be ours. */
export function isPlausibleToken(token: string | null | undefined): token is string {
  return !!token && /^[A-Za-z0-9_-]{20,100}$/.test(token);
}

/** PostgreSQL's unique_violation, from pg or PGlite. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}
