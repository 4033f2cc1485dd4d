/**
 * The `bazaar-plugin` command line.
 *
 *     bazaar-plugin build [dir] [--entry src/index.ts] [--out dist]
 *     bazaar-plugin test  [dir] [-- <vitest arguments>]
 *     bazaar-plugin publish [dir] [--wait]   (BAZAAR_URL, BAZAAR_TOKEN)
 *
 * @example
 * node --import tsx plugins-sdk/bin/bazaar-plugin.ts build plugins-sdk/examples/points
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { build, BuildError } from "./build";
import { publish } from "./publish";

const USAGE = `usage: bazaar-plugin <command> [dir] [options]

commands:
  build [dir]    bundle dir/src/index.ts into dir/dist/bundle.js (one classic script, ≤ 256 KB)
                 and write the validated manifest to dir/dist/manifest.json
                   --entry <file>   entry file (default: src/index.ts)
                   --out <dir>      output folder (default: dist)
  test [dir]     build (to check the manifest and bundle), then run the plugin's vitest tests
                   -- <args>        passed on to vitest
  publish [dir]  build, then upload dist/ as a new version to the marketplace (a developer API token
                 of your vendor): BAZAAR_URL=https://… BAZAAR_TOKEN=bzdev_… bazaar-plugin publish
                   --wait           wait for the automated checks and print them (exit 1 if they fail)

dir defaults to the current folder; it holds manifest.json.`;

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: { out(line: string): void; err(line: string): void } = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const passThrough = rest.includes("--") ? rest.slice(rest.indexOf("--") + 1) : [];
  const own = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    if (a === "--wait") {
      flags.set("wait", "1");
    } else if (a === "--entry" || a === "--out") {
      const value = own[++i];
      if (value === undefined) {
        io.err(`${a} needs a value`);
        return 2;
      }
      flags.set(a.slice(2), value);
    } else if (a.startsWith("-")) {
      io.err(`unknown option ${a}\n\n${USAGE}`);
      return 2;
    } else positional.push(a);
  }
  const dir = path.resolve(positional[0] ?? ".");

  switch (command) {
    case "build":
      return runBuild(dir, flags, io);
    case "test": {
      const built = await runBuild(dir, flags, io);
      if (built !== 0) return built;
      return runTests(dir, passThrough);
    }
    case "publish": {
      const built = await runBuild(dir, flags, io);
      if (built !== 0) return built;
      return publish(dir, { url: process.env.BAZAAR_URL ?? "", token: process.env.BAZAAR_TOKEN ?? "", wait: flags.has("wait"), outDir: flags.get("out"), io });
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

const defaultIo = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

async function runBuild(dir: string, flags: Map<string, string>, io: typeof defaultIo): Promise<number> {
  const entry = path.resolve(dir, flags.get("entry") ?? "src/index.ts");
  const outDir = path.resolve(dir, flags.get("out") ?? "dist");
  try {
    const built = await build(entry, outDir, { manifest: path.join(dir, "manifest.json") });
    for (const w of built.warnings) io.err(`warning: ${w}`);
    io.out(
      `built ${built.manifest.id}@${built.manifest.version}: ${path.relative(process.cwd(), built.bundlePath!)} ` +
        `(${(built.bytes / 1024).toFixed(1)} KB, ${built.hooks.join(", ")}), ${built.versionKey.slice(0, 19)}…`,
    );
    return 0;
  } catch (e) {
    if (e instanceof BuildError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
}

/** Runs vitest on the plugin folder with the project's own vitest config (the one in the current folder, if any). */
function runTests(dir: string, args: string[]): Promise<number> {
  const require = createRequire(import.meta.url);
  const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--no-node-snapshot", vitest, "run", path.relative(process.cwd(), dir) || ".", ...args], { stdio: "inherit" });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
