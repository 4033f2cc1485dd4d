/**
 * `bazaar-plugin build`: bundles a plugin with esbuild into the one classic
 * script the sandbox runs (see sandbox/README.md, "The bundle contract"),
 * validates the manifest, checks the bundle defines the hooks the manifest
 * lists, enforces the 256 KB cap, and writes `dist/bundle.js` +
 * `dist/manifest.json`.
 *
 * A plugin folder looks like:
 *
 *     manifest.json
 *     src/index.ts        export default definePlugin({ hooks: { … } })
 *     src/*.test.ts       tests through the harness
 *
 * @example
 * const built = await buildPlugin("plugins-sdk/examples/points");
 * built.versionKey; // "sha256:…"
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import * as esbuild from "esbuild";
import { versionKeyOf } from "../../sandbox/protocol";
import { HOOK_NAMES } from "./hooks";
import { MAX_BUNDLE_BYTES, parseManifest, type Manifest } from "./manifest";

const SDK_NAME = "@bazaar/plugins-sdk";
/** The in-bundle half of the SDK (see runtime.ts). */
const RUNTIME_ENTRY = fileURLToPath(new URL("./runtime.ts", import.meta.url));

/**
 * The reference extensions in `plugins-sdk/examples/`.
 *
 * @example
 * for (const name of EXAMPLES) await buildExample(name);
 */
export const EXAMPLES = ["membership", "points", "promotions"] as const;

/**
 * A reference extension's name.
 *
 * @example
 * const name: ExampleName = "points";
 */
export type ExampleName = (typeof EXAMPLES)[number];

/** Where the reference extensions live. */
export const EXAMPLES_DIR = fileURLToPath(new URL("../examples/", import.meta.url));

/**
 * A built plugin: what the marketplace stores as a version and the harness runs.
 *
 * @example
 * const { bundle, manifest, versionKey } = await buildPlugin(dir, { write: false });
 */
export interface BuiltPlugin {
  /** The bundle: one classic script that assigns `globalThis.__bazaar_plugin`. */
  bundle: string;
  /** The validated manifest (defaults filled in), as written to dist/manifest.json. */
  manifest: Manifest;
  /** `sha256:<hex>` of the bundle: the sandbox's cache key. */
  versionKey: string;
  /** UTF-8 size of the bundle. */
  bytes: number;
  /** The hooks the bundle defines. */
  hooks: string[];
  /** Non-fatal findings (e.g. a hook defined but not listed in the manifest). */
  warnings: string[];
  /** Set when the files were written. */
  bundlePath?: string;
  manifestPath?: string;
}

/**
 * Options of {@link build} and {@link buildPlugin}.
 *
 * @example
 * { write: false } // build in memory only (tests, the seed)
 */
export interface BuildOptions {
  /** The manifest: a path, or an already parsed object. Default: the first `manifest.json` found from the entry's folder upwards (3 levels). */
  manifest?: string | unknown;
  /** Write dist files (default true when an out dir is known). */
  write?: boolean;
}

/**
 * A build that failed, with every reason.
 *
 * @example
 * catch (e) { if (e instanceof BuildError) console.error(e.errors.join("\n")); }
 */
export class BuildError extends Error {
  constructor(readonly errors: string[]) {
    super(`the plugin did not build:\n  - ${errors.join("\n  - ")}`);
    this.name = "BuildError";
  }
}

/**
 * Builds `entry` (whose default export is `definePlugin(…)`) into
 * `outDir/bundle.js` and `outDir/manifest.json`.
 *
 * @example
 * await build("plugins-sdk/examples/points/src/index.ts", "plugins-sdk/examples/points/dist");
 */
export async function build(entry: string, outDir?: string, options: BuildOptions = {}): Promise<BuiltPlugin> {
  const entryPath = path.resolve(entry);
  if (!existsSync(entryPath)) throw new BuildError([`no entry file at ${entryPath}`]);
  const { manifest, pluginDir } = loadManifest(entryPath, options.manifest);

  const errors: string[] = [];
  let bundle = "";
  try {
    const relative = path.relative(pluginDir, entryPath).split(path.sep).join("/");
    const specifier = relative.startsWith("..") ? entryPath : `./${relative}`;
    const result = await esbuild.build({
      stdin: {
        contents: `import plugin from ${JSON.stringify(specifier)};\nglobalThis.__bazaar_plugin = plugin;\n`,
        resolveDir: pluginDir,
        sourcefile: "bazaar-plugin-entry.js",
        loader: "js",
      },
      absWorkingDir: pluginDir,
      bundle: true,
      write: false,
      format: "iife",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["bazaar-plugin"],
      target: "es2022",
      charset: "utf8",
      legalComments: "inline",
      logLevel: "silent",
      banner: { js: `// ${manifest.id}@${manifest.version} (Bazaar API ${manifest.apiVersion}), built by bazaar-plugin` },
      plugins: [sdkPlugin()],
    });
    bundle = result.outputFiles[0]?.text ?? "";
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw e;
    for (const m of failure.errors) {
      const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : "";
      const text = /No matching export .* for import "default"/.test(m.text)
        ? `${m.text} — the entry must \`export default definePlugin({ hooks: { … } })\``
        : m.text;
      errors.push(where + text);
    }
    throw new BuildError(errors);
  }

  const bytes = Buffer.byteLength(bundle, "utf8");
  if (bytes > MAX_BUNDLE_BYTES) errors.push(`the bundle is ${bytes} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`);

  const warnings: string[] = [];
  const hooks = definedHooks(bundle, errors);
  if (hooks) {
    for (const hook of manifest.hooks) {
      if (!hooks.includes(hook)) errors.push(`the manifest lists "${hook}" but the plugin does not define it`);
    }
    for (const hook of hooks) {
      if (!(manifest.hooks as string[]).includes(hook)) warnings.push(`the plugin defines "${hook}" but the manifest does not list it: it will never be called`);
    }
  }
  if (errors.length) throw new BuildError(errors);

  const built: BuiltPlugin = { bundle, manifest, versionKey: versionKeyOf(bundle), bytes, hooks: hooks ?? [], warnings };
  if (outDir !== undefined && options.write !== false) {
    const dir = path.resolve(outDir);
    mkdirSync(dir, { recursive: true });
    built.bundlePath = path.join(dir, "bundle.js");
    built.manifestPath = path.join(dir, "manifest.json");
    writeFileSync(built.bundlePath, bundle);
    writeFileSync(built.manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  }
  return built;
}

/**
 * Builds the plugin in `dir` (`manifest.json`, `src/index.ts`) into `dir/dist/`.
 *
 * @example
 * const built = await buildPlugin(".", { write: false });
 */
export async function buildPlugin(dir: string, options: Omit<BuildOptions, "manifest"> & { outDir?: string } = {}): Promise<BuiltPlugin> {
  const root = path.resolve(dir);
  return build(path.join(root, "src", "index.ts"), options.outDir ?? path.join(root, "dist"), {
    manifest: path.join(root, "manifest.json"),
    write: options.write,
  });
}

/**
 * Builds one of the reference extensions into `plugins-sdk/examples/<name>/dist/`
 * (the demo seed calls this at start; ~50 ms each).
 *
 * @example
 * const { bundle, manifest } = await buildExample("membership");
 */
export async function buildExample(name: ExampleName, options: { write?: boolean } = {}): Promise<BuiltPlugin> {
  if (!(EXAMPLES as readonly string[]).includes(name)) throw new Error(`no reference extension named ${JSON.stringify(name)} (known: ${EXAMPLES.join(", ")})`);
  return buildPlugin(path.join(EXAMPLES_DIR, name), options);
}

/**
 * Reads and validates a manifest file.
 *
 * @example
 * const manifest = readManifest("plugins-sdk/examples/points/manifest.json");
 */
export function readManifest(file: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new BuildError([`${file}: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const parsed = parseManifest(json);
  if (!parsed.success) throw new BuildError(parsed.errors.map((m) => `${path.basename(file)}: ${m}`));
  return parsed.manifest;
}

function loadManifest(entryPath: string, given: unknown): { manifest: Manifest; pluginDir: string } {
  if (typeof given === "string") return { manifest: readManifest(path.resolve(given)), pluginDir: path.dirname(path.resolve(given)) };
  if (given !== undefined) {
    const parsed = parseManifest(given);
    if (!parsed.success) throw new BuildError(parsed.errors.map((m) => `manifest: ${m}`));
    return { manifest: parsed.manifest, pluginDir: path.dirname(entryPath) };
  }
  let dir = path.dirname(entryPath);
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, "manifest.json");
    if (existsSync(candidate) && statSync(candidate).isFile()) return { manifest: readManifest(candidate), pluginDir: dir };
    dir = path.dirname(dir);
  }
  throw new BuildError([`no manifest.json next to ${entryPath} or in the folders above it`]);
}

/** Resolves the SDK to its in-bundle half and refuses what cannot run in the sandbox. */
function sdkPlugin(): esbuild.Plugin {
  return {
    name: "bazaar-plugins-sdk",
    setup(b) {
      b.onResolve({ filter: /^@bazaar\/plugins-sdk(\/.*)?$/ }, (args) =>
        args.path === SDK_NAME
          ? { path: RUNTIME_ENTRY }
          : { errors: [{ text: `import "${SDK_NAME}" itself in plugin code; "${args.path}" is for tests and tools` }] },
      );
      b.onResolve({ filter: /^node:|^(fs|path|os|child_process|crypto|http|https|net|worker_threads|process|buffer|util|events|stream|url)$/ }, (args) => ({
        errors: [{ text: `"${args.path}" is a Node module; plugin code runs in a bare V8 sandbox with ECMAScript built-ins and ctx only` }],
      }));
    },
  };
}

/**
 * The hook names the bundle defines, read by evaluating it in a throwaway
 * node:vm context. That is no security boundary, and needs none: this is the
 * developer's own code on their own machine (the marketplace's checks run
 * submitted bundles in the real sandbox).
 */
function definedHooks(bundle: string, errors: string[]): string[] | null {
  try {
    const probe = `${bundle}\n;(function () { var p = globalThis.__bazaar_plugin; return JSON.stringify({ apiVersion: p && p.apiVersion, hooks: p && p.hooks && typeof p.hooks === "object" ? Object.keys(p.hooks) : null }); })()`;
    const found = JSON.parse(vm.runInNewContext(probe, Object.create(null), { timeout: 2_000, filename: "bundle.js" }) as string) as { apiVersion: unknown; hooks: string[] | null };
    if (found.apiVersion !== 1 || !found.hooks) {
      errors.push("the default export is not a plugin: use `export default definePlugin({ hooks: { … } })`");
      return null;
    }
    const unknown = found.hooks.filter((h) => !(HOOK_NAMES as readonly string[]).includes(h));
    if (unknown.length) errors.push(`unknown hooks: ${unknown.join(", ")}`);
    return found.hooks;
  } catch (e) {
    errors.push(`the bundle failed to load: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
