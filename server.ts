/**
 * The web process: express serving the Remix app, /healthz, and (from later
 * issues) the OAuth server and the payment notification endpoint beside it.
 * Workers run here too unless RUN_WORKERS=0.
 */
import express from "express";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, type ServerBuild } from "@remix-run/node";
import { loadConfig, ConfigError } from "./app/config.server";
import { createPlatform, type Platform } from "./app/platform.server";
import { startWorkers } from "./app/jobs/workers.server";
import { health } from "./app/health.server";
import { originGuard } from "./app/http/origin-guard.server";
import { paymentNotifyHandler } from "./app/payments/index.server";
import { createApiRouter } from "./app/openapi/index.server";
import { wrapBuild } from "./app/http/errors.server";
import { cachedStorefrontPages } from "./app/shelves/render-cache.server";
import { seedIfEmpty } from "./db/seed";

const here = path.dirname(fileURLToPath(import.meta.url));
const BUILD_PATH = path.join(here, "build", "index.js");

export async function createServer(platform: Platform, build: ServerBuild) {
  const app = express();
  app.disable("x-powered-by");

  app.get("/healthz", async (_req, res) => {
    const h = await health(platform);
    res.status(h.ok ? 200 : 503).json(h.body);
  });

  app.use(
    "/build",
    express.static(path.join(here, "public", "build"), { immutable: true, maxAge: "1y", fallthrough: false }),
  );
  app.get("/favicon.ico", (_req, res) => res.type("image/png").sendFile(path.join(here, "public", "favicon.png"), { maxAge: "1d" }));
  // Only a path with a file extension can name a file in public/: pages skip the disk lookup.
  const publicFiles = express.static(path.join(here, "public"), { maxAge: "1h" });
  app.use((req, res, next) => (/\.[A-Za-z0-9]+$/.test(req.path) ? publicFiles(req, res, next) : next()));

  // Authenticated by the provider's signature over the exact bytes: the raw body, no parser or cookie before it.
  app.post("/payments/notify/:provider", express.raw({ type: "*/*", limit: "64kb" }), paymentNotifyHandler(platform));

  // The open API: bearer tokens only (never the session cookie), JSON errors, its own body parser (app/openapi).
  app.use("/api/v1", createApiRouter(platform, { verifyAccessToken: (token) => platform.oauth.verifyAccessToken(token) }));

  app.use(originGuard(platform.config.publicUrl));

  // The OAuth authorization server: /.well-known/oauth-authorization-server and /oauth/* (its consent page, /oauth/interaction/*, is a Remix route).
  app.use((req, res, next) => platform.oauth.handle(req, res, next));

  const remixBuild = wrapBuild(build);
  const getLoadContext = (req: express.Request, res: express.Response) => ({ platform, clientIp: req.socket.remoteAddress ?? null, http: { req, res } });
  // Storefront pages already in the render cache skip Remix's document pipeline (the loaders still run): app/shelves/render-cache.server.ts.
  app.get("/s/*", cachedStorefrontPages(platform, remixBuild, getLoadContext));
  app.all(
    "*",
    createRequestHandler({
      build: remixBuild,
      mode: platform.config.env === "production" ? "production" : build.mode,
      getLoadContext,
    }),
  );
  // Errors that never reached Remix (a missing /build file, a body parser):
  // a status and a plain message, never a stack trace.
  app.use(((err, _req, res, _next) => {
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) console.error("[http]", err);
    res.status(status).type("text/plain").send(status === 404 ? "Not found" : status < 500 ? "Bad request" : "Internal error");
  }) as express.ErrorRequestHandler);
  return app;
}

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
  const build = (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
  const platform = await createPlatform(config);
  if (config.seedDemo) await seedIfEmpty(platform);
  const stopWorkers = config.runWorkers ? await startWorkers(platform) : async () => {};
  const app = await createServer(platform, build);
  const server = app.listen(config.port, config.host, () => {
    console.log(
      `Bazaar listening on ${config.publicUrl} (${config.mode} mode: ${platform.database.kind}, ${platform.jobs.kind} queue${config.runWorkers ? ", workers on" : ""})`,
    );
    if (build.mode === "development") broadcastDevReady(build);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.closeIdleConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopWorkers();
    await platform.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
