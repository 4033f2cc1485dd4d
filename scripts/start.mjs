// `npm start`: build when the build is missing or stale, then run server.ts
// (through tsx, with --no-node-snapshot for isolated-vm) and pass signals on.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { buildIsStale, ROOT } from "./build-state.mjs";

if (buildIsStale()) {
  console.log("Building the app (the build is missing or older than the sources)…");
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", VITE_CJS_IGNORE_WARNING: "true" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", path.join(ROOT, "server.ts")], {
  cwd: ROOT,
  stdio: "inherit",
  env: process.env,
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
