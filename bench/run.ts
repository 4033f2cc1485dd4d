/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts in a child Node
 * process with what every benchmark here needs: `--no-node-snapshot`
 * (isolated-vm on Node 20), tsx, and NODE_ENV=production (React and Remix
 * are several times slower in development mode, which would measure the
 * wrong thing). The benchmark sees its own arguments only.
 *
 * @example
 * npm run bench -- storefront
 * npm run bench -- sandbox-runner 5000
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(path.join(here, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <name> [args…]\nbenchmarks: ${available.join(", ")}`);
  process.exit(2);
}

const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", path.join(here, `${name}.ts`), ...args], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "production" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
