import { sql, type Kysely } from "kysely";

/**
 * Runs a migration's SQL one statement at a time: PGlite (through Kysely's
 * prepared statements) refuses several commands in one query. Statements are
 * split at a `;` that ends a line, so a statement containing `;\n` inside a
 * string or function body must be run on its own with `sql`.
 */
export async function runStatements(db: Kysely<any>, text: string): Promise<void> {
  for (const stmt of text.split(/;\s*\n/)) {
    const s = stmt.trim().replace(/;$/, "");
    if (s) await sql.raw(s).execute(db);
  }
}
