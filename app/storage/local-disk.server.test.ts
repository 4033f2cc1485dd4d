import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLocalDiskStorage } from "./local-disk.server";
import { assertStorageKey } from "./storage.types";

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("local-disk storage", () => {
  it("puts, has and gets bytes by key, and answers null/false for missing keys", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "bz-storage-"));
    const storage = createLocalDiskStorage(root);
    expect(await storage.has("images/ab/abc.png")).toBe(false);
    expect(await storage.get("images/ab/abc.png")).toBeNull();
    await storage.put("images/ab/abc.png", new Uint8Array([1, 2, 3]));
    expect(await storage.has("images/ab/abc.png")).toBe(true);
    const got = await storage.get("images/ab/abc.png");
    expect(got?.size).toBe(3);
    expect([...(await readAll(got!.stream))]).toEqual([1, 2, 3]);
    // Rewriting replaces atomically and leaves no temporary files behind.
    await Promise.all([storage.put("images/ab/abc.png", new Uint8Array([1, 2, 3])), storage.put("images/ab/abc.png", new Uint8Array([1, 2, 3]))]);
    expect(readdirSync(path.join(root, "images", "ab"))).toEqual(["abc.png"]);
  });

  it("refuses keys that could leave the root or are not plain paths", () => {
    for (const key of ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/.", "A.png", "a b", "a\\b", "", "x".repeat(301)]) {
      expect(() => assertStorageKey(key), key).toThrow(/invalid storage key/);
    }
    for (const key of ["a", "images/ab/abcdef.png", "variants/00/x-w320.webp", "a.b/c_d-e"]) expect(() => assertStorageKey(key)).not.toThrow();
  });
});
