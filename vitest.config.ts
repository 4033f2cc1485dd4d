import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./app", import.meta.url)),
      "@bazaar/plugins-sdk": fileURLToPath(new URL("./plugins-sdk/src/index.ts", import.meta.url)),
    },
  },
  test: {
    globals: true,
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
    include: ["app/**/*.test.{ts,tsx}", "db/**/*.test.ts", "test/**/*.test.{ts,tsx}", "sandbox/**/*.test.ts", "plugins-sdk/**/*.test.ts"],
    exclude: ["**/node_modules/**", "build/**", "plugins-sdk/examples/**/node_modules/**"],
    globalSetup: ["./test/support/global-setup.ts"],
    setupFiles: ["./test/support/setup-file.ts"],
    hookTimeout: 120_000,
    testTimeout: 60_000,
    maxWorkers: 2,
    // In CI a failed test gets one more try: the timing-sensitive tests (sandbox
    // watchdog and limits, browser flows) are measured on a shared 2-core machine.
    // A test that needs the retry is reported as flaky in the output.
    retry: process.env.CI ? 1 : 0,
  },
});
