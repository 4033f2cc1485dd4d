/**
 * The operator's command line: `npm run admin -- <command>`.
 *
 *   create-reviewer EMAIL [--name NAME] [--password PASSWORD]
 *       Creates a platform reviewer, or makes an existing account one.
 *       Without --password a new account gets a generated one, printed once.
 *   help
 *
 * It opens the platform the way server.ts does (the same config and
 * database). In embedded mode PGlite allows one process per data folder, so
 * stop the server first.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createUserAccount, getUserByEmail, grantReviewer } from "../app/accounts/index.server";
import { ConfigError, loadConfig } from "../app/config.server";
import { createPlatform, type Platform } from "../app/platform.server";
import { isAppError } from "../app/lib/errors";

const USAGE = `Usage: npm run admin -- <command>

Commands:
  create-reviewer EMAIL [--name NAME] [--password PASSWORD]
      Create a platform reviewer account, or make an existing account a reviewer
      (its password is left unchanged). Without --password, a new account gets a
      generated password, printed once.
  help
      Show this help.
`;

export type AdminDeps = {
  openPlatform: () => Promise<Pick<Platform, "db" | "close">>;
  out: (line: string) => void;
  err: (line: string) => void;
};

type Parsed = { command: string | undefined; positional: string[]; options: Record<string, string> };

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq > 0) options[arg.slice(2, eq)] = arg.slice(eq + 1);
      else {
        const value = argv[i + 1];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
        options[arg.slice(2)] = value;
        i++;
      }
    } else positional.push(arg);
  }
  return { command: positional[0], positional: positional.slice(1), options };
}

class UsageError extends Error {}

/** Runs one command; resolves to the process exit code. */
export async function runAdmin(argv: string[], deps: AdminDeps): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    deps.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, positional, options } = parsed;
  if (!command || command === "help" || options.help !== undefined) {
    deps.out(USAGE);
    return command && command !== "help" ? 2 : 0;
  }
  if (command !== "create-reviewer") {
    deps.err(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  const unknown = Object.keys(options).filter((k) => k !== "name" && k !== "password");
  if (positional.length !== 1 || unknown.length) {
    deps.err(`create-reviewer takes one EMAIL and the options --name and --password.\n\n${USAGE}`);
    return 2;
  }
  const email = positional[0].trim().toLowerCase();

  const platform = await deps.openPlatform();
  try {
    const existing = await getUserByEmail(platform.db, email);
    if (existing) {
      const changed = await grantReviewer(platform.db, existing.id);
      deps.out(changed ? `${email} is now a platform reviewer.` : `${email} already is a platform reviewer; nothing changed.`);
      if (options.password) deps.out("The existing password was left unchanged (--password only applies to new accounts).");
      return 0;
    }
    const generated = options.password ? null : randomBytes(18).toString("base64url");
    const user = await createUserAccount(platform.db, {
      email,
      name: options.name ?? email.split("@")[0],
      password: options.password ?? generated!,
      intent: "buyer",
      isReviewer: true,
    });
    deps.out(`Created platform reviewer ${user.email} (${user.id}).`);
    if (generated) deps.out(`Generated password (shown once, store it safely): ${generated}`);
    return 0;
  } catch (e) {
    if (isAppError(e)) {
      const details = e.fieldErrors ? Object.entries(e.fieldErrors).map(([k, v]) => `  ${k}: ${v.join(" ")}`) : [];
      deps.err([e.message, ...details].join("\n"));
      return 1;
    }
    throw e;
  } finally {
    await platform.close();
  }
}

async function main() {
  const code = await runAdmin(process.argv.slice(2), {
    openPlatform: async () => createPlatform(loadConfig()),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  process.exit(code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    if (e instanceof ConfigError) console.error(e.message);
    else console.error(e);
    process.exit(1);
  });
}
