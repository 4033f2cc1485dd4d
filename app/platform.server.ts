/**
 * The platform: the long-lived services one process holds (config, database,
 * queue, mailer), created once by server.ts / worker.ts / tests and handed to
 * Remix through the load context. Nothing here is a module-level singleton,
 * so tests open as many platforms as they need, each on its own database.
 */
import type { Kysely } from "kysely";
import type { Config } from "./config.server";
import type { Database } from "../db/database";
import { openPglite, openPostgres, type DatabaseHandle } from "../db/connect";
import { migrateToLatest } from "../db/migrate";
import { createJobQueue } from "./jobs/index.server";
import type { JobQueue } from "./jobs/jobs.types";
import { createMailer, type Mailer } from "./notifications/mailer.server";
import { createExtensionHost, type ExtensionHost } from "./extensions/host.server";
import { createOAuthService, type OAuthService } from "./oauth/oauth.service.server";
import path from "node:path";
import { mkdirSync } from "node:fs";

export type Platform = {
  config: Config;
  db: Kysely<Database>;
  database: DatabaseHandle;
  jobs: JobQueue;
  mailer: Mailer;
  /** The extension host: sandbox runner processes start on the first hook call (app/extensions). */
  extensions: ExtensionHost;
  /** The OAuth authorization server: the provider, `verifyAccessToken` for bearer tokens, uninstall revocation (app/oauth). */
  oauth: OAuthService;
  /** Stops workers, then the queue, the extension runners, then the database (PGlite must be closed cleanly). */
  close(): Promise<void>;
};

export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const dir = path.join(config.dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  return openPglite({ dataDir: dir });
}

export async function createPlatform(
  config: Config,
  opts: { database?: DatabaseHandle; migrate?: boolean; queuePrefix?: string } = {},
): Promise<Platform> {
  const database = opts.database ?? (await openDatabase(config));
  try {
    if (opts.migrate !== false) await migrateToLatest(database.db);
    const jobs = await createJobQueue(config, database, { prefix: opts.queuePrefix });
    const mailer = createMailer(config);
    let closed = false;
    const platform: Platform = {
      config,
      db: database.db,
      database,
      jobs,
      mailer,
      extensions: null as unknown as ExtensionHost, // set below: the host needs the platform
      oauth: createOAuthService({ config, db: database.db, database }),
      async close() {
        if (closed) return;
        closed = true;
        await jobs.stop().catch((e) => console.error("[platform] queue stop failed:", e));
        await platform.extensions.stop().catch((e) => console.error("[platform] extension runners stop failed:", e));
        await mailer.close();
        await database.close();
      },
    };
    platform.extensions = createExtensionHost(platform);
    return platform;
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
}
