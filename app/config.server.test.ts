import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "./config.server";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "bazaar-config-"));

describe("loadConfig", () => {
  it("defaults to the embedded mode on 127.0.0.1:3000 and keeps a generated secret in the data folder", () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    expect(a).toMatchObject({ port: 3000, host: "127.0.0.1", mode: "embedded", runWorkers: true, seedDemo: true });
    expect(a.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, "session-secret"), "utf8").trim()).toBe(a.sessionSecret);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(a.sessionSecret);
  });

  it("switches to services mode with DATABASE_URL and does not seed by default", () => {
    const c = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: "postgres://u@h:5432/d", REDIS_URL: "redis://h:6379" });
    expect(c.mode).toBe("services");
    expect(c.seedDemo).toBe(false);
    expect(c.redisUrl).toBe("redis://h:6379");
  });

  it("requires SESSION_SECRET in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: tmp() })).toThrow(/SESSION_SECRET: required/);
  });

  it("names each bad variable", () => {
    try {
      loadConfig({ PORT: "http", DATABASE_URL: "not a url", DATA_DIR: tmp() });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect(String((e as Error).message)).toMatch(/PORT/);
      expect(String((e as Error).message)).toMatch(/DATABASE_URL/);
    }
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", REDIS_URL: "", DATA_DIR: tmp() }).mode).toBe("embedded");
  });
});
