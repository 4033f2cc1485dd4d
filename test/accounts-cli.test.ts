/**
 * scripts/admin.ts: create-reviewer creates or promotes, audits, and closes
 * the platform it opened.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { runAdmin } from "../scripts/admin";
import { createUserAccount } from "../app/accounts/index.server";
import { verifyPassword } from "../app/accounts/password.server";

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

function deps() {
  const out: string[] = [];
  const err: string[] = [];
  let closed = 0;
  return {
    out,
    err,
    closed: () => closed,
    deps: {
      // The test keeps the platform open across commands; counting close() proves the CLI closes what it opened.
      openPlatform: async () => ({ db: platform.db, close: async () => void closed++ }),
      out: (l: string) => void out.push(l),
      err: (l: string) => void err.push(l),
    },
  };
}

async function user(email: string) {
  return platform.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

describe("create-reviewer", () => {
  it("creates a reviewer with a generated password, printed once, and audits it as the system", async () => {
    const d = deps();
    expect(await runAdmin(["create-reviewer", "Rui@Example.com", "--name", "Rui"], d.deps)).toBe(0);
    expect(d.closed()).toBe(1);
    const row = await user("rui@example.com");
    expect(row).toMatchObject({ name: "Rui", is_reviewer: true });
    const line = d.out.find((l) => l.startsWith("Generated password"))!;
    const password = line.split(": ")[1];
    expect(await verifyPassword(password, row!.password_hash)).toBe(true);
    const audit = await platform.db.selectFrom("audit_log").selectAll().where("target_id", "=", row!.id).execute();
    expect(audit.map((a) => [a.action, a.actor_type])).toEqual([["user.created", "system"]]);
    expect(audit[0].details).toMatchObject({ isReviewer: true });
  });

  it("uses --password when given and prints no password", async () => {
    const d = deps();
    expect(await runAdmin(["create-reviewer", "given@example.com", "--password", "a given password"], d.deps)).toBe(0);
    expect(d.out.some((l) => l.includes("Generated password"))).toBe(false);
    expect(await verifyPassword("a given password", (await user("given@example.com"))!.password_hash)).toBe(true);
  });

  it("promotes an existing account without touching its password, once", async () => {
    const existing = await createUserAccount(platform.db, { email: "promote@example.com", name: "P", password: "original password", intent: "buyer" });
    const d = deps();
    expect(await runAdmin(["create-reviewer", "promote@example.com", "--password", "ignored password"], d.deps)).toBe(0);
    expect(d.out[0]).toBe("promote@example.com is now a platform reviewer.");
    const row = await user("promote@example.com");
    expect(row!.is_reviewer).toBe(true);
    expect(await verifyPassword("original password", row!.password_hash)).toBe(true);
    const again = deps();
    expect(await runAdmin(["create-reviewer", "promote@example.com"], again.deps)).toBe(0);
    expect(again.out[0]).toMatch(/already is a platform reviewer/);
    const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_type"]).where("target_id", "=", existing.id).orderBy("id").execute();
    expect(audit).toEqual([
      { action: "user.created", actor_type: "system" },
      { action: "user.reviewer_granted", actor_type: "system" },
    ]);
  });

  it("rejects bad input with a non-zero exit and closes the platform", async () => {
    const d = deps();
    expect(await runAdmin(["create-reviewer", "not-an-email"], d.deps)).toBe(1);
    expect(d.err[0]).toMatch(/email: Enter a valid e-mail address/);
    expect(d.closed()).toBe(1);
    const short = deps();
    expect(await runAdmin(["create-reviewer", "short@example.com", "--password", "short"], short.deps)).toBe(1);
    expect(short.err[0]).toMatch(/at least 10 characters/);
    expect(await user("short@example.com")).toBeUndefined();
  });

  it("prints help, and refuses unknown commands and options without opening the platform", async () => {
    const help = deps();
    expect(await runAdmin(["help"], help.deps)).toBe(0);
    expect(help.out[0]).toMatch(/create-reviewer EMAIL/);
    const unknown = deps();
    expect(await runAdmin(["promote-reviewer", "x@example.com"], unknown.deps)).toBe(2);
    const badOption = deps();
    expect(await runAdmin(["create-reviewer", "x@example.com", "--admin", "yes"], badOption.deps)).toBe(2);
    expect(unknown.closed() + badOption.closed()).toBe(0);
  });
});
