/**
 * Opens the database for either mode through one Kysely interface:
 * PostgreSQL through `pg` when a URL is given, else PGlite in a data folder
 * (or in memory, for tests). Callers never branch on the mode.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Database } from "./database";

export type DatabaseHandle = {
  db: Kysely<Database>;
  kind: "pg" | "pglite";
  /** The raw PGlite instance in embedded mode (for the pg-boss adapter and dumps). */
  pglite?: PGlite;
  /** The pg pool in services mode. */
  pool?: pg.Pool;
  /**
   * Runs raw SQL text with positional parameters, for libraries that bring
   * their own SQL (pg-boss). Parameterless multi-statement text is allowed.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number }>;
  close(): Promise<void>;
};

// timestamptz → Date; int8 (bigserial ids, counts) stays a string (no precision loss),
// numeric stays a string.
pg.types.setTypeParser(20, (v) => v);

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle client that loses its server must not crash the process.
  pool.on("error", (err) => console.error("[db] idle client error:", err.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`SELECT 1`.execute(db);
  return {
    db,
    kind: "pg",
    pool,
    async executeSql(text, values) {
      const res = await pool.query(text, values as any[]);
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * PGlite in `dataDir` (created if missing), or in memory when `dataDir` is
 * undefined. `loadDataDir` starts from a dump (the tests' migrated template).
 */
export async function openPglite(opts: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = await PGlite.create({ dataDir: opts.dataDir, loadDataDir: opts.loadDataDir });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    db,
    kind: "pglite",
    pglite,
    async executeSql(text, values) {
      if (!values || values.length === 0) {
        // PGlite's query() refuses several statements in one prepared statement.
        const results = await pglite.exec(text);
        const last = results[results.length - 1];
        return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
      }
      const res = await pglite.query(text, values);
      return { rows: res.rows as any[], rowCount: res.affectedRows ?? 0 };
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // the dialect closes the PGlite instance
      if (!pglite.closed) await pglite.close();
    },
  };
}
