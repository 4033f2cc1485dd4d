import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrations } from "../../db/migrations/index";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TMP_DIR = path.join(ROOT, "test", ".tmp");
export const PGLITE_TEMPLATE = path.join(TMP_DIR, "pglite-template.tar");

/** The template's name changes with the migration list, so a new migration gets a new template. */
export function templateDatabaseName(): string {
  const hash = createHash("sha256");
  for (const [name, m] of migrations) hash.update(name).update(String(m.up));
  return `bazaar_tpl_${hash.digest("hex").slice(0, 12)}`;
}
