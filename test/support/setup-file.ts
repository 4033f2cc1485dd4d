// Runs in every test file. A console.error during a test is a bug that would
// otherwise scroll by: fail the test unless it opted in with `allowConsoleError()`.
import { afterEach, beforeEach, vi } from "vitest";

let allowed = false;
let errors: unknown[][] = [];

export function allowConsoleError() {
  allowed = true;
}

beforeEach(() => {
  allowed = false;
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
    process.stderr.write(`[console.error] ${args.map(String).join(" ")}\n`);
  });
});

afterEach(() => {
  (console.error as any).mockRestore?.();
  if (!allowed && errors.length) {
    const first = errors[0].map(String).join(" ");
    errors = [];
    throw new Error(`console.error was called during the test: ${first.slice(0, 500)}`);
  }
});
