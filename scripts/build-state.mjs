// Is the Remix build missing or older than its sources? Used by `npm start`
// and the test set-up so neither ever serves a stale build.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(p)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    max = Math.max(max, newestMtime(path.join(p, entry)));
  }
  return max;
}

export function buildIsStale() {
  const server = path.join(ROOT, "build", "index.js");
  const client = path.join(ROOT, "public", "build");
  if (!existsSync(server) || !existsSync(client)) return true;
  const built = statSync(server).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(ROOT, "app")),
    newestMtime(path.join(ROOT, "db")),
    newestMtime(path.join(ROOT, "remix.config.js")),
    newestMtime(path.join(ROOT, "package-lock.json")),
  );
  return sources > built;
}
