import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  REDIS_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  DATA_DIR: z.string().min(1).default("./data"),
  SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  SMTP_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  MAIL_FROM: z.string().default("Bazaar <no-reply@bazaar.local>"),
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  RUN_WORKERS: z.preprocess(emptyToUndefined, z.enum(["0", "1"]).default("1")),
  SEED_DEMO: z.preprocess(emptyToUndefined, z.enum(["0", "1"]).optional()),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  WEBHOOKS_ALLOW_LOOPBACK: z.preprocess(emptyToUndefined, z.enum(["0", "1"]).default("0")),
  WEBHOOKS_ALLOW_HTTP: z.preprocess(emptyToUndefined, z.enum(["0", "1"]).default("0")),
  WEBHOOKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
});

export type Config = {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  sessionSecret: string;
  smtpUrl?: string;
  mailFrom: string;
  /** The site origin, e.g. http://127.0.0.1:3000; also the OAuth issuer. */
  publicUrl: string;
  runWorkers: boolean;
  seedDemo: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  /** embedded = PGlite + database queue; services = PostgreSQL (+ BullMQ when REDIS_URL). */
  mode: "embedded" | "services";
  /** Webhook delivery (app/webhooks): SSRF exceptions for development and tests, the per-attempt timeout, and (tests) a shortened retry schedule. */
  webhooks: { allowLoopback: boolean; allowHttp: boolean; timeoutMs: number; retryScheduleMs?: readonly number[] };
};

export class ConfigError extends Error {}

/**
 * Reads and validates the environment once. In embedded mode a missing
 * SESSION_SECRET is generated and kept in the data folder; in production it is
 * required.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  let sessionSecret = e.SESSION_SECRET;
  if (!sessionSecret) {
    if (e.NODE_ENV === "production") {
      throw new ConfigError("Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production");
    }
    sessionSecret = readOrCreateSecret(dataDir);
  }
  const port = e.PORT;
  return {
    env: e.NODE_ENV,
    port,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir,
    sessionSecret,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${port}`).replace(/\/$/, ""),
    runWorkers: e.RUN_WORKERS === "1",
    seedDemo: e.SEED_DEMO ? e.SEED_DEMO === "1" : !e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    mode: e.DATABASE_URL ? "services" : "embedded",
    webhooks: { allowLoopback: e.WEBHOOKS_ALLOW_LOOPBACK === "1", allowHttp: e.WEBHOOKS_ALLOW_HTTP === "1", timeoutMs: e.WEBHOOKS_TIMEOUT_MS },
  };
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
