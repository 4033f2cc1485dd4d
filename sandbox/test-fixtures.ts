/**
 * Shared by the sandbox tests: plugin bundles written as source text (they run
 * in the isolate, never in the test process), call builders, and a guard that
 * records host-side unhandled rejections.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { createSandbox, versionKeyOf, type SandboxCall, type SandboxOptions, type Sandbox } from "./supervisor";

/** A bundle as an SDK's definePlugin would emit it: `hooksSource` is an object literal of hooks. */
export function pluginBundle(hooksSource: string, prelude = ""): string {
  return `${prelude}\nglobalThis.__bazaar_plugin = { apiVersion: 1, hooks: ${hooksSource} };\n`;
}

export interface Version {
  bundle: string;
  versionKey: string;
}

export function version(hooksSource: string, prelude = ""): Version {
  const bundle = pluginBundle(hooksSource, prelude);
  return { bundle, versionKey: versionKeyOf(bundle) };
}

let counter = 0;

export function callOf<Meta = unknown>(v: Version, hook: string, input: unknown = {}, extra: Partial<SandboxCall<Meta>> = {}): SandboxCall<Meta> {
  return {
    id: `call_${++counter}`,
    versionKey: v.versionKey,
    bundle: v.bundle,
    hook,
    input: JSON.stringify(input),
    timestamp: Date.UTC(2026, 0, 15, 12, 0, 0),
    seed: "seed-1",
    ...extra,
  };
}

/**
 * Returns a version whose key the sandbox routes to `runner`: the hooks are the
 * same, a comment makes the content (and so the key) differ.
 */
export function versionOnRunner(sandbox: Sandbox<any>, runner: number, hooksSource: string): Version {
  for (let i = 0; i < 1000; i++) {
    const v = version(hooksSource, `// variant ${i}`);
    if (sandbox.preferredRunner(v.versionKey) === runner) return v;
  }
  throw new Error("no variant routes to that runner");
}

/** Fails the file if the host process saw an unhandled rejection while it ran. */
export function failOnUnhandledRejection(): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on("unhandledRejection", listener);
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off("unhandledRejection", listener);
    expect(seen).toEqual([]);
  });
  return seen;
}

/** A sandbox whose runners' stderr (V8 fatal reports on purpose) is kept instead of printed. */
export function quietSandbox<Meta = unknown>(options: SandboxOptions<Meta>): { sandbox: Sandbox<Meta>; stderr: string[] } {
  const stderr: string[] = [];
  const sandbox = createSandbox<Meta>({ onRunnerStderr: (_runner, text) => stderr.push(text), ...options });
  return { sandbox, stderr };
}

/** Waits until `predicate` holds, polling. */
export async function eventually(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Generous limits for tests whose subject is not a limit: this machine runs
 * other test suites at the same time, and isolated-vm's CPU clock counts time
 * the thread waits for a core.
 */
export const RELAXED = { cpuMs: 2_000, wallMs: 10_000 } as const;
