/**
 * Runs once per `vitest run`:
 * 1. refuses to run without the services when REQUIRE_SERVICES=1;
 * 2. builds the Remix app if the build is missing or older than the sources
 *    (HTTP and browser tests serve it);
 * 3. prepares a migrated template database: on PostgreSQL a template
 *    database every test file clones; on PGlite a dump every file loads.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { buildIsStale } from "../../scripts/build-state.mjs";
import { openPglite } from "../../db/connect";
import { migrateToLatest } from "../../db/migrate";
import { templateDatabaseName, TMP_DIR, PGLITE_TEMPLATE, ROOT } from "./paths";
import pg from "pg";

export default async function setup() {
  if (process.env.REQUIRE_SERVICES === "1") {
    const missing = ["DATABASE_URL", "REDIS_URL"].filter((k) => !process.env[k]);
    if (missing.length) throw new Error(`REQUIRE_SERVICES=1 but ${missing.join(" and ")} not set`);
  }
  mkdirSync(TMP_DIR, { recursive: true });

  if (buildIsStale()) {
    const r = spawnSync("npx", ["remix", "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production", VITE_CJS_IGNORE_WARNING: "true" } });
    if (r.status !== 0) throw new Error("remix build failed");
  }

  if (process.env.DATABASE_URL) {
    await preparePostgresTemplate(process.env.DATABASE_URL);
  } else {
    const handle = await openPglite();
    await migrateToLatest(handle.db);
    const dump = await handle.pglite!.dumpDataDir("none");
    writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
    await handle.close();
  }
}

async function preparePostgresTemplate(url: string) {
  const { openPostgres } = await import("../../db/connect");
  const name = templateDatabaseName();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // Serialize concurrent vitest runs preparing the same template.
    await admin.query("SELECT pg_advisory_lock(hashtext('bazaar-test-template'))");
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) {
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.query(`CREATE DATABASE "${building}"`);
      const u = new URL(url);
      u.pathname = `/${building}`;
      const h = await openPostgres(u.toString(), { max: 2 });
      await migrateToLatest(h.db);
      await h.close();
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    }
    // Drop test databases left by earlier runs (older than an hour).
    const old = await admin.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'bazaar_t\\_%' AND datname NOT LIKE 'bazaar_tpl%'",
    );
    for (const row of old.rows) {
      const ts = Number(String(row.datname).split("_")[2]);
      if (Number.isFinite(ts) && Date.now() - ts > 3600_000) {
        await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => {});
      }
    }
  } finally {
    await admin.query("SELECT pg_advisory_unlock(hashtext('bazaar-test-template'))").catch(() => {});
    await admin.end();
  }
}

