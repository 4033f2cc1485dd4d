/**
 * The storage port: a flat key → bytes store for content that does not
 * belong in the database (product images now; extension bundles later).
 * Keys are content-addressed by their callers, so a key's bytes never change
 * once written — which is what lets adapters skip locking and lets the
 * media route cache forever.
 */
import type { Readable } from "node:stream";

/**
 * Keys are relative paths of lower-case letters, digits, `.`, `_`, `-` and
 * `/` separators, with no empty, `.` or `..` segment, at most 300 characters.
 */
export const STORAGE_KEY = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[a-z0-9._-]+(?:\/[a-z0-9._-]+)*$/;

export interface ObjectStorage {
  /** "local" today; an object-store adapter later. */
  readonly kind: string;
  /**
   * Writes `bytes` under `key`. Atomic: a reader sees either nothing or all
   * of it. Writing a key that exists replaces it (same content, by contract).
   */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under `key` as a stream, with their length; null when absent. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  has(key: string): Promise<boolean>;
}

/** Throws unless `key` is a well-formed storage key (a programming error, not a client's). */
export function assertStorageKey(key: string): void {
  if (key.length > 300 || !STORAGE_KEY.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
}
