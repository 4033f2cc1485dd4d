import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { BuildError, EXAMPLES_DIR, build, buildExample, buildPlugin } from "./build";
import { main } from "./cli";

const tmp = mkdtempSync(path.join(os.tmpdir(), "bazaar-plugin-build-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const manifest = (hooks: string[], patch: Record<string, unknown> = {}) => ({
  id: "dev.test.plugin",
  name: "Test",
  version: "0.1.0",
  apiVersion: "2026-11",
  hooks,
  scopes: [],
  retentionDays: 0,
  ...patch,
});
let count = 0;
/** A throwaway plugin folder. */
function plugin(source: string, m: unknown = manifest(["order.paid"])): string {
  const dir = path.join(tmp, `p${++count}`);
  mkdirSync(path.join(dir, "src"), { recursive: true });
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m));
  writeFileSync(path.join(dir, "src", "index.ts"), source);
  return dir;
}
const errorsOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof BuildError) return e.errors;
    throw e;
  }
  return [];
};

describe("build", () => {
  it("builds a reference extension into one classic script that assigns __bazaar_plugin, and nothing of the SDK's Node half", async () => {
    const out = path.join(tmp, "points-dist");
    const built = await buildPlugin(path.join(EXAMPLES_DIR, "points"), { outDir: out });
    expect(built.bundlePath).toBe(path.join(out, "bundle.js"));
    expect(readFileSync(built.bundlePath!, "utf8")).toBe(built.bundle);
    expect(JSON.parse(readFileSync(built.manifestPath!, "utf8"))).toEqual(built.manifest);
    expect(built.hooks).toEqual(["checkout.discounts", "order.paid", "order.refunded", "storefront.blocks"]);
    expect(built.bytes).toBeLessThan(20 * 1024);
    expect(built.versionKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    // a classic script: no import/export, compiles as a Script
    expect(() => new vm.Script(built.bundle)).not.toThrow();
    expect(built.bundle).not.toMatch(/\bzod\b|ManifestSchema|createSandbox|child_process/);
    // evaluating it defines the plugin
    const context = vm.createContext({});
    vm.runInContext(built.bundle, context);
    expect(vm.runInContext("Object.keys(__bazaar_plugin.hooks).length + ':' + __bazaar_plugin.apiVersion", context)).toBe("4:1");
  });

  it("is deterministic: the same source gives the same bytes and version key", async () => {
    const [a, b] = [await buildExample("membership", { write: false }), await buildExample("membership", { write: false })];
    expect(a.versionKey).toBe(b.versionKey);
    expect(a.bundlePath).toBeUndefined();
  });

  it("finds manifest.json beside or above the entry", async () => {
    const dir = plugin(`import { definePlugin } from "@bazaar/plugins-sdk";\nexport default definePlugin({ hooks: { "order.paid": () => {} } });`);
    const built = await build(path.join(dir, "src", "index.ts"), undefined, { write: false });
    expect(built.manifest.id).toBe("dev.test.plugin");
  });

  it("requires a default export made by definePlugin", async () => {
    const errors = await errorsOf(buildPlugin(plugin(`export const hooks = {};`), { write: false }));
    expect(errors[0]).toMatch(/No matching export .* for import "default" — the entry must `export default definePlugin/);
    const notAPlugin = await errorsOf(buildPlugin(plugin(`export default { hooks: {} };`), { write: false }));
    expect(notAPlugin).toEqual(["the default export is not a plugin: use `export default definePlugin({ hooks: { … } })`"]);
  });

  it("checks the hooks against the manifest: a listed hook must exist; an unlisted one is a warning", async () => {
    const src = `import { definePlugin } from "@bazaar/plugins-sdk";\nexport default definePlugin({ hooks: { "storefront.blocks": () => ({ blocks: [] }) } });`;
    expect(await errorsOf(buildPlugin(plugin(src, manifest(["order.paid"])), { write: false }))).toEqual(['the manifest lists "order.paid" but the plugin does not define it']);
    const built = await buildPlugin(plugin(src, manifest(["storefront.blocks"])), { write: false });
    expect(built.warnings).toEqual([]);
    const extra = `import { definePlugin } from "@bazaar/plugins-sdk";\nexport default definePlugin({ hooks: { "order.paid": () => {}, "storefront.blocks": () => ({ blocks: [] }) } });`;
    expect((await buildPlugin(plugin(extra), { write: false })).warnings).toEqual(['the plugin defines "storefront.blocks" but the manifest does not list it: it will never be called']);
  });

  it("validates the manifest", async () => {
    const errors = await errorsOf(buildPlugin(plugin(`export default 1;`, manifest(["order.paid"], { id: "Nope", retentionDays: 99 })), { write: false }));
    expect(errors).toEqual([expect.stringMatching(/^manifest\.json: id: a reverse-DNS id/), expect.stringMatching(/^manifest\.json: retentionDays: /)]);
  });

  it("refuses Node modules and the SDK's Node-only parts in plugin code", async () => {
    const fs = await errorsOf(buildPlugin(plugin(`import { readFileSync } from "node:fs";\nexport default readFileSync;`), { write: false }));
    expect(fs[0]).toMatch(/"node:fs" is a Node module; plugin code runs in a bare V8 sandbox/);
    const harness = await errorsOf(buildPlugin(plugin(`import { runHook } from "@bazaar/plugins-sdk";\nexport default runHook;`), { write: false }));
    expect(harness[0]).toMatch(/No matching export in ".*runtime\.ts" for import "runHook"/);
  });

  it("refuses a bundle over 256 KB", async () => {
    const big = `import { definePlugin } from "@bazaar/plugins-sdk";\nconst table = ${JSON.stringify("x".repeat(270 * 1024))};\nexport default definePlugin({ hooks: { "order.paid": () => { void table.length; } } });`;
    const errors = await errorsOf(buildPlugin(plugin(big), { write: false }));
    expect(errors[0]).toMatch(/^the bundle is \d+ bytes, over the 262144-byte limit$/);
  });
});

describe("the bazaar-plugin CLI", () => {
  const io = () => {
    const lines: string[] = [];
    return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) } };
  };

  it("build writes dist/ and reports the version key", async () => {
    const dir = plugin(`import { definePlugin } from "@bazaar/plugins-sdk";\nexport default definePlugin({ hooks: { "order.paid": () => {} } });`);
    const { lines, io: sink } = io();
    expect(await main(["build", dir], sink)).toBe(0);
    expect(existsSync(path.join(dir, "dist", "bundle.js")) && existsSync(path.join(dir, "dist", "manifest.json"))).toBe(true);
    expect(lines[0]).toMatch(/^built dev\.test\.plugin@0\.1\.0: .*bundle\.js \(\d+\.\d KB, order\.paid\), sha256:/);
  });

  it("build fails with every reason and exit code 1", async () => {
    const dir = plugin(`export const x = 1;`);
    const { lines, io: sink } = io();
    expect(await main(["build", dir], sink)).toBe(1);
    expect(lines[0]).toMatch(/^the plugin did not build:\n {2}- /);
  });

  it("publish builds first, then needs the marketplace's address (BAZAAR_URL)", async () => {
    const dir = plugin(`import { definePlugin } from "@bazaar/plugins-sdk";\nexport default definePlugin({ hooks: { "order.paid": () => {} } });`);
    const saved = process.env.BAZAAR_URL;
    delete process.env.BAZAAR_URL;
    try {
      const { lines, io: sink } = io();
      expect(await main(["publish", dir], sink)).toBe(2);
      expect(existsSync(path.join(dir, "dist", "bundle.js"))).toBe(true);
      expect(lines.at(-1)).toMatch(/^BAZAAR_URL is not set/);
    } finally {
      if (saved !== undefined) process.env.BAZAAR_URL = saved;
    }
  });

  it("unknown commands and options are usage errors", async () => {
    const { io: sink } = io();
    expect(await main(["deploy"], sink)).toBe(2);
    expect(await main(["build", "--minify"], sink)).toBe(2);
  });
});
