/**
 * Each test file gets its own database and queue namespace:
 * - PostgreSQL (DATABASE_URL): a new database cloned from the migrated template;
 * - else PGlite in memory, loaded from the migrated dump;
 * - BullMQ (REDIS_URL) under a unique prefix, else pg-boss on that database.
 */
import { readFileSync, mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig, type Config } from "../../app/config.server";
import { createPlatform, type Platform } from "../../app/platform.server";
import { openPglite, openPostgres, type DatabaseHandle } from "../../db/connect";
import { PGLITE_TEMPLATE, templateDatabaseName } from "./paths";

export type TestPlatform = Platform & {
  /** how to open the same database again (restart tests) */
  reopenInfo: { databaseUrl?: string; dataDir?: string; queuePrefix: string };
};

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "bazaar-test-")),
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    REDIS_URL: process.env.REDIS_URL,
    SEED_DEMO: "0",
  });
  return { ...base, ...overrides };
}

async function createTestDatabase(): Promise<{ handle: DatabaseHandle; url?: string; dataDir?: string }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `bazaar_t_${Date.now()}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // CREATE DATABASE … TEMPLATE fails if another session is connected to the template; retry briefly.
      for (let i = 0; ; i++) {
        try {
          await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabaseName()}"`);
          break;
        } catch (e: any) {
          if (e.code !== "55006" || i > 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await admin.end();
    }
    const u = new URL(url);
    u.pathname = `/${name}`;
    return { handle: await openPostgres(u.toString()), url: u.toString() };
  }
  const dump = readFileSync(PGLITE_TEMPLATE);
  const handle = await openPglite({ loadDataDir: new Blob([dump]) });
  return { handle };
}

/** A platform on a fresh, migrated database of its own. */
export async function createTestPlatform(overrides: Partial<Config> = {}): Promise<TestPlatform> {
  const { handle, url, dataDir } = await createTestDatabase();
  const queuePrefix = `bzt${randomBytes(5).toString("hex")}`;
  const config = testConfig({ ...overrides, databaseUrl: url ?? overrides.databaseUrl, mode: url ? "services" : "embedded" });
  const platform = await createPlatform(config, { database: handle, migrate: false, queuePrefix });
  const close = platform.close;
  platform.close = async () => {
    await close();
    if (config.redisUrl) await deleteRedisPrefix(config.redisUrl, queuePrefix);
  };
  return Object.assign(platform, { reopenInfo: { databaseUrl: url, dataDir, queuePrefix } });
}

/** Removes what a test file's BullMQ queues left in Redis (kept jobs, schedulers). */
async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/**
 * A platform on a PGlite data folder on disk (or PostgreSQL when configured),
 * for tests that stop and start the platform on the same data.
 */
export async function createRestartablePlatform(): Promise<{ open(): Promise<Platform>; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bazaar-restart-"));
  const queuePrefix = `bzt${randomBytes(5).toString("hex")}`;
  let url: string | undefined;
  if (process.env.DATABASE_URL) {
    const first = await createTestDatabase();
    url = first.url;
    await first.handle.close();
  }
  return {
    dataDir,
    async open() {
      const config = testConfig({ dataDir, databaseUrl: url, mode: url ? "services" : "embedded" });
      return createPlatform(config, { queuePrefix });
    },
  };
}
