/**
 * The local-disk adapter of the storage port: one file per key under a root
 * folder (`${dataDir}/media` for the platform). Writes go to a temporary
 * file in the same folder and are renamed into place, so a crash or two
 * concurrent writers of one key never leave a half-written file behind.
 */
import { createReadStream } from "node:fs";
import { mkdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { assertStorageKey, type ObjectStorage } from "./storage.types";

export function createLocalDiskStorage(root: string): ObjectStorage {
  const resolved = path.resolve(root);
  const fileOf = (key: string) => {
    assertStorageKey(key);
    return path.join(resolved, ...key.split("/"));
  };
  return {
    kind: "local",
    async put(key, bytes) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, file);
      } catch (e) {
        await unlink(tmp).catch(() => {});
        throw e;
      }
    },
    async get(key) {
      const file = fileOf(key);
      try {
        const s = await stat(file);
        if (!s.isFile()) return null;
        return { stream: createReadStream(file), size: s.size };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    async has(key) {
      try {
        return (await stat(fileOf(key))).isFile();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw e;
      }
    },
  };
}
