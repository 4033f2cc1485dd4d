/**
 * The storage module's public surface: the port, its local-disk adapter, and
 * the storage a platform uses. The platform object does not carry storage
 * yet, so it is derived from the platform's config here (one instance per
 * platform); an object-store adapter will be chosen the same way, by config.
 */
import path from "node:path";
import type { Platform } from "../platform.server";
import { createLocalDiskStorage } from "./local-disk.server";
import type { ObjectStorage } from "./storage.types";

export { createLocalDiskStorage } from "./local-disk.server";
export { assertStorageKey, STORAGE_KEY, type ObjectStorage } from "./storage.types";

const byPlatform = new WeakMap<object, ObjectStorage>();

/**
 * The storage of `platform`: local disk under `${config.dataDir}/media`.
 *
 * @example
 * const storage = storageFor(context.platform);
 * const file = await storage.get("images/ab/ab12….webp");
 */
export function storageFor(platform: Pick<Platform, "config">): ObjectStorage {
  let storage = byPlatform.get(platform);
  if (!storage) {
    storage = createLocalDiskStorage(path.join(platform.config.dataDir, "media"));
    byPlatform.set(platform, storage);
  }
  return storage;
}
