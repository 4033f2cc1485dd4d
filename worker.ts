/**
 * A worker process: runs the job workers and the events relay with no HTTP
 * server. Scale out with N web processes started with RUN_WORKERS=0 and M of
 * these.
 */
import { loadConfig, ConfigError } from "./app/config.server";
import { createPlatform } from "./app/platform.server";
import { startWorkers } from "./app/jobs/workers.server";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  if (config.mode === "embedded") {
    console.error("npm run worker needs DATABASE_URL: an embedded PGlite database belongs to one process (the web process runs the workers).");
    process.exit(1);
  }
  const platform = await createPlatform(config);
  const stop = await startWorkers(platform);
  console.log(`Bazaar worker running (${platform.jobs.kind} queue)`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping workers`);
    setTimeout(() => process.exit(1), 15_000).unref();
    await stop();
    await platform.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
