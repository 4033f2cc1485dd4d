/**
 * Accounts through their routes: sign-up, log-in and its throttle, log-out,
 * CSRF, password change and reset, the reviewer guard.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { TestClient, auditActions, bodyOf, lastMailTo } from "./accounts-helpers";
import * as signupRoute from "../app/routes/signup";
import * as loginRoute from "../app/routes/login";
import * as logoutRoute from "../app/routes/logout";
import * as accountRoute from "../app/routes/account";
import * as forgotRoute from "../app/routes/forgot-password";
import * as resetRoute from "../app/routes/reset-password.$token";
import * as reviewRoute from "../app/routes/review._index";
import { createUserAccount, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP } from "../app/accounts/index.server";
import { INVALID_LOGIN_MESSAGE, RESET_REQUESTED_MESSAGE } from "../app/accounts/accounts.schema";
import { hashToken } from "../app/accounts/session.server";

let platform: TestPlatform;
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

let ipCounter = 1;
/** Each test gets its own client IP, so the per-IP throttle of one test never touches another. */
function client(): TestClient {
  return new TestClient(platform, `10.0.0.${ipCounter++}`);
}

async function makeUser(email: string, opts: { intent?: "buyer" | "merchant" | "developer"; isReviewer?: boolean } = {}) {
  return createUserAccount(platform.db, { email, name: "Test Person", password: PASSWORD, intent: opts.intent ?? "buyer", isReviewer: opts.isReviewer });
}

async function userRow(email: string) {
  return platform.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

describe("sign-up", () => {
  it("creates the account, starts a session, lands by intent and records user.signed_up", async () => {
    const c = client();
    const res = await c.post(signupRoute, "/signup", { name: " Mei Lin ", email: "  Mei@Example.COM ", password: "a long password", intent: "merchant" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("bz_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // not production
    const user = await userRow("mei@example.com");
    expect(user).toMatchObject({ name: "Mei Lin", intent: "merchant", is_reviewer: false });
    // The session cookie works: the account page loads.
    expect((await c.get(accountRoute, "/account")).status).toBe(200);
    expect(await auditActions(platform, { targetId: user!.id })).toEqual(["user.signed_up"]);
  });

  it("sends developers to /developer and honours a safe redirectTo but not an unsafe one", async () => {
    const dev = await client().post(signupRoute, "/signup", { name: "D", email: "dev1@example.com", password: "a long password", intent: "developer" });
    expect(dev.headers.get("location")).toBe("/developer");
    const safe = await client().post(signupRoute, "/signup", {
      name: "B",
      email: "buyer1@example.com",
      password: "a long password",
      intent: "buyer",
      redirectTo: "/invites/abc?x=1",
    });
    expect(safe.headers.get("location")).toBe("/invites/abc?x=1");
    const unsafe = await client().post(signupRoute, "/signup", {
      name: "B",
      email: "buyer2@example.com",
      password: "a long password",
      intent: "buyer",
      redirectTo: "//evil.example/steal",
    });
    expect(unsafe.headers.get("location")).toBe("/");
  });

  it("answers 400 with a field error for each bad field and creates nothing", async () => {
    const res = await client().post(signupRoute, "/signup", { name: "   ", email: "not-an-email", password: "short", intent: "admin" });
    expect(res.status).toBe(400);
    const body = await bodyOf(res);
    expect(body.ok).toBe(false);
    expect(Object.keys(body.fieldErrors).sort()).toEqual(["email", "intent", "name", "password"]);
    expect(body.fieldErrors.password).toEqual(["Use at least 10 characters"]);
    expect(body.fieldErrors.email).toEqual(["Enter a valid e-mail address"]);
    expect(await userRow("not-an-email")).toBeUndefined();
  });

  it("answers 400 with a field error on email for a duplicate address, in any case", async () => {
    await makeUser("taken@example.com");
    const res = await client().post(signupRoute, "/signup", { name: "X", email: "TAKEN@example.com", password: "a long password", intent: "buyer" });
    expect(res.status).toBe(400);
    const body = await bodyOf(res);
    expect(Object.keys(body.fieldErrors)).toEqual(["email"]);
    expect(body.fieldErrors.email[0]).toMatch(/already exists/);
  });

  it("never makes a reviewer, whatever the form posts", async () => {
    const res = await client().post(signupRoute, "/signup", {
      name: "Sneaky",
      email: "sneaky@example.com",
      password: "a long password",
      intent: "buyer",
      is_reviewer: "on",
      isReviewer: "true",
      reviewer: "1",
    });
    expect(res.status).toBe(303);
    expect((await userRow("sneaky@example.com"))!.is_reviewer).toBe(false);
  });
});

describe("CSRF", () => {
  it("refuses a POST without the token with 403 and does nothing", async () => {
    const res = await client().post(signupRoute, "/signup", { name: "C", email: "csrf@example.com", password: "a long password", intent: "buyer" }, { csrf: false });
    expect(res.status).toBe(403);
    expect(await userRow("csrf@example.com")).toBeUndefined();
    const login = await client().post(loginRoute, "/login", { email: "csrf@example.com", password: PASSWORD }, { csrf: false });
    expect(login.status).toBe(403);
  });

  it("refuses a token that does not match the cookie", async () => {
    const c = client();
    const res = await c.post(loginRoute, "/login", { email: "x@example.com", password: PASSWORD, _csrf: "forged.token" }, { csrf: false });
    expect(res.status).toBe(403);
  });
});

describe("log-in", () => {
  it("logs in, records the attempt and user.logged_in, and goes to a safe redirectTo", async () => {
    const user = await makeUser("login-ok@example.com", { intent: "merchant" });
    const c = client();
    const res = await c.post(loginRoute, "/login", { email: "Login-OK@example.com ", password: PASSWORD, redirectTo: "/account" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account");
    expect(c.sessionToken).toBeTruthy();
    const actions = await auditActions(platform, { targetId: user.id });
    expect(actions).toEqual(["user.created", "user.logged_in"]);
    const attempts = await platform.db.selectFrom("login_attempts").select(["succeeded", "ip"]).where("email", "=", "login-ok@example.com").execute();
    expect(attempts).toEqual([{ succeeded: true, ip: c.ip }]);
    // Without redirectTo, a merchant lands on /admin; an absolute URL is ignored.
    const again = await client().post(loginRoute, "/login", { email: "login-ok@example.com", password: PASSWORD, redirectTo: "https://evil.example/" });
    expect(again.headers.get("location")).toBe("/admin");
  });

  it("answers a wrong password and an unknown e-mail with the same 400 and one message", async () => {
    await makeUser("known@example.com");
    const wrong = await client().post(loginRoute, "/login", { email: "known@example.com", password: "not the password" });
    const unknown = await client().post(loginRoute, "/login", { email: "nobody@example.com", password: "not the password" });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    const a = await bodyOf(wrong);
    const b = await bodyOf(unknown);
    expect(a).toEqual({ ok: false, formError: INVALID_LOGIN_MESSAGE, code: "invalid_credentials" });
    expect(b).toEqual(a);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("locks an e-mail after 5 failures in 15 minutes: 429 with Retry-After even with the right password", async () => {
    await makeUser("locked@example.com");
    const c = client();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      const res = await c.post(loginRoute, "/login", { email: "locked@example.com", password: `wrong guess ${i}` });
      expect(res.status).toBe(400);
    }
    // From another IP too: the lock is on the e-mail.
    const sixth = await client().post(loginRoute, "/login", { email: "locked@example.com", password: PASSWORD });
    expect(sixth.status).toBe(429);
    const retryAfter = Number(sixth.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    const body = await bodyOf(sixth);
    expect(body.code).toBe("login_throttled");
    expect(body.formError).toMatch(/Too many failed log-in attempts\. Try again in 15 minutes\./);
    expect(sixth.headers.get("set-cookie")).toBeNull();
  });

  it("forgets failures older than 15 minutes", async () => {
    await makeUser("old-failures@example.com");
    const longAgo = new Date(Date.now() - 16 * 60_000);
    await platform.db
      .insertInto("login_attempts")
      .values(Array.from({ length: 10 }, () => ({ email: "old-failures@example.com", ip: "10.9.9.9", succeeded: false, created_at: longAgo })))
      .execute();
    const res = await client().post(loginRoute, "/login", { email: "old-failures@example.com", password: PASSWORD });
    expect(res.status).toBe(303);
  });

  it("locks an IP after 20 failures in 15 minutes, for every e-mail", async () => {
    await makeUser("ip-victim@example.com");
    const c = client();
    const recent = new Date(Date.now() - 60_000);
    await platform.db
      .insertInto("login_attempts")
      .values(Array.from({ length: MAX_FAILURES_PER_IP }, (_, i) => ({ email: `spray${i}@example.com`, ip: c.ip, succeeded: false, created_at: recent })))
      .execute();
    const res = await c.post(loginRoute, "/login", { email: "ip-victim@example.com", password: PASSWORD });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(13 * 60);
    // Another IP is not affected.
    expect((await client().post(loginRoute, "/login", { email: "ip-victim@example.com", password: PASSWORD })).status).toBe(303);
  });

  it("sets the Secure flag on the session cookie in production", async () => {
    await makeUser("secure@example.com");
    const prod = { ...platform, config: { ...platform.config, env: "production" as const } };
    const c = new TestClient(prod as TestPlatform, "10.1.1.1");
    const res = await c.post(loginRoute, "/login", { email: "secure@example.com", password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((l) => l.startsWith("bz_session="))).toMatch(/; Secure/);
  });
});

describe("log-out and guards", () => {
  it("sends a visitor to the login page with redirectTo", async () => {
    const res = await client().get(accountRoute, "/account?tab=x");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Faccount%3Ftab%3Dx");
  });

  it("log-out revokes the session on the server, not just the cookie", async () => {
    await makeUser("logout@example.com");
    const c = client();
    await c.post(loginRoute, "/login", { email: "logout@example.com", password: PASSWORD });
    const token = c.sessionToken!;
    const res = await c.post(logoutRoute, "/logout", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    expect(c.sessionToken).toBeUndefined();
    const row = await platform.db.selectFrom("sessions").select("revoked_at").where("id", "=", hashToken(token)).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
    // Replaying the old cookie gets nowhere.
    c.cookies.set("bz_session", token);
    expect((await c.get(accountRoute, "/account")).status).toBe(302);
  });

  it("log-out without the CSRF token is refused and keeps the session", async () => {
    await makeUser("logout-csrf@example.com");
    const c = client();
    await c.post(loginRoute, "/login", { email: "logout-csrf@example.com", password: PASSWORD });
    expect((await c.post(logoutRoute, "/logout", {}, { csrf: false })).status).toBe(403);
    expect((await c.get(accountRoute, "/account")).status).toBe(200);
  });

  it("the review console is 403 for a normal user and open to a reviewer", async () => {
    await makeUser("plain@example.com");
    await makeUser("rev@example.com", { isReviewer: true });
    const plain = client();
    await plain.post(loginRoute, "/login", { email: "plain@example.com", password: PASSWORD });
    expect((await plain.get(reviewRoute, "/review")).status).toBe(403);
    const rev = client();
    await rev.post(loginRoute, "/login", { email: "rev@example.com", password: PASSWORD });
    expect((await rev.get(reviewRoute, "/review")).status).toBe(200);
  });
});

describe("password change", () => {
  it("needs the current password, then revokes every other session", async () => {
    const user = await makeUser("changer@example.com");
    const a = client();
    const b = client();
    await a.post(loginRoute, "/login", { email: "changer@example.com", password: PASSWORD });
    await b.post(loginRoute, "/login", { email: "changer@example.com", password: PASSWORD });

    const wrong = await a.post(accountRoute, "/account", { intent: "password", currentPassword: "not it at all", newPassword: "a brand new password", confirmPassword: "a brand new password" });
    expect(wrong.status).toBe(400);
    expect((await bodyOf(wrong)).fieldErrors).toEqual({ currentPassword: ["That is not your current password"] });
    expect((await b.get(accountRoute, "/account")).status).toBe(200);

    const mismatch = await a.post(accountRoute, "/account", { intent: "password", currentPassword: PASSWORD, newPassword: "a brand new password", confirmPassword: "something else" });
    expect((await bodyOf(mismatch)).fieldErrors).toEqual({ confirmPassword: ["The passwords do not match"] });

    const ok = await a.post(accountRoute, "/account", { intent: "password", currentPassword: PASSWORD, newPassword: "a brand new password", confirmPassword: "a brand new password" });
    expect(ok.status).toBe(200);
    expect((await a.get(accountRoute, "/account")).status).toBe(200); // this session survives
    expect((await b.get(accountRoute, "/account")).status).toBe(302); // the other one is gone
    expect(await auditActions(platform, { targetId: user.id })).toContain("user.password_changed");
    // The new password works, the old one does not.
    expect((await client().post(loginRoute, "/login", { email: "changer@example.com", password: PASSWORD })).status).toBe(400);
    expect((await client().post(loginRoute, "/login", { email: "changer@example.com", password: "a brand new password" })).status).toBe(303);
  });

  it("lists the user's sessions and revokes another one by id, never someone else's", async () => {
    await makeUser("sessions@example.com");
    await makeUser("other-person@example.com");
    const a = client();
    const b = client();
    const other = client();
    await a.post(loginRoute, "/login", { email: "sessions@example.com", password: PASSWORD });
    await b.post(loginRoute, "/login", { email: "sessions@example.com", password: PASSWORD });
    await other.post(loginRoute, "/login", { email: "other-person@example.com", password: PASSWORD });
    const overview = await bodyOf((await a.get(accountRoute, "/account")) as Response);
    expect(overview.sessions).toHaveLength(2);
    expect(overview.sessions.filter((s: any) => s.current)).toHaveLength(1);
    const bId = hashToken(b.sessionToken!);
    // Someone else's session id changes nothing.
    const foreign = await other.post(accountRoute, "/account", { intent: "revoke-session", sessionId: bId });
    expect(foreign.status).toBe(400);
    expect((await b.get(accountRoute, "/account")).status).toBe(200);
    const res = await a.post(accountRoute, "/account", { intent: "revoke-session", sessionId: bId });
    expect(res.status).toBe(200);
    expect((await b.get(accountRoute, "/account")).status).toBe(302);
  });
});

describe("password reset", () => {
  function tokenFrom(text: string): string {
    const m = text.match(/\/reset-password\/([A-Za-z0-9_-]+)/);
    if (!m) throw new Error(`no reset link in: ${text}`);
    return m[1];
  }

  it("answers the same for known and unknown e-mails, and mails only the known one", async () => {
    await makeUser("forgetful@example.com");
    const known = await client().post(forgotRoute, "/forgot-password", { email: "forgetful@example.com" });
    const unknown = await client().post(forgotRoute, "/forgot-password", { email: "ghost@example.com" });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(await bodyOf(known)).toEqual({ ok: true, message: RESET_REQUESTED_MESSAGE });
    expect(await bodyOf(unknown)).toEqual({ ok: true, message: RESET_REQUESTED_MESSAGE });
    const mail = await lastMailTo(platform, "forgetful@example.com");
    expect(mail?.text).toContain(`${platform.config.publicUrl}/reset-password/`);
    expect(await lastMailTo(platform, "ghost@example.com")).toBeUndefined();
    // Only the hash is stored.
    const token = tokenFrom(mail!.text);
    const rows = await platform.db.selectFrom("password_resets").select("token_hash").execute();
    expect(rows.map((r) => r.token_hash)).toContain(hashToken(token));
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
  });

  it("resets once: the new password works, every session ends, and the link is then dead", async () => {
    const user = await makeUser("resetter@example.com");
    const logged = client();
    await logged.post(loginRoute, "/login", { email: "resetter@example.com", password: PASSWORD });
    await client().post(forgotRoute, "/forgot-password", { email: "resetter@example.com" });
    const token = tokenFrom((await lastMailTo(platform, "resetter@example.com"))!.text);
    const path = `/reset-password/${token}`;

    expect(await bodyOf(await client().get(resetRoute, path, { token }))).toEqual({ usable: true });
    const res = await client().post(resetRoute, path, { password: "my new password!", confirmPassword: "my new password!" }, { params: { token } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?reset=1");
    expect((await logged.get(accountRoute, "/account")).status).toBe(302);
    expect((await client().post(loginRoute, "/login", { email: "resetter@example.com", password: "my new password!" })).status).toBe(303);
    expect(await auditActions(platform, { targetId: user.id })).toEqual(
      expect.arrayContaining(["user.password_reset_requested", "user.password_reset"]),
    );

    // Second use: refused, password unchanged.
    const again = await client().post(resetRoute, path, { password: "attacker password", confirmPassword: "attacker password" }, { params: { token } });
    expect(again.status).toBe(400);
    expect((await bodyOf(again)).code).toBe("reset_invalid");
    expect(await bodyOf(await client().get(resetRoute, path, { token }))).toEqual({ usable: false });
    expect((await client().post(loginRoute, "/login", { email: "resetter@example.com", password: "attacker password" })).status).toBe(400);
  });

  it("refuses an expired link", async () => {
    await makeUser("late@example.com");
    await client().post(forgotRoute, "/forgot-password", { email: "late@example.com" });
    const token = tokenFrom((await lastMailTo(platform, "late@example.com"))!.text);
    const row = await platform.db.selectFrom("password_resets").select(["created_at", "expires_at"]).where("token_hash", "=", hashToken(token)).executeTakeFirstOrThrow();
    // Issued for exactly one hour.
    expect(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()).toBeGreaterThan(3590_000);
    expect(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()).toBeLessThan(3610_000);
    await platform.db.updateTable("password_resets").set({ expires_at: new Date(Date.now() - 1000) }).where("token_hash", "=", hashToken(token)).execute();
    const res = await client().post(resetRoute, `/reset-password/${token}`, { password: "my new password!", confirmPassword: "my new password!" }, { params: { token } });
    expect(res.status).toBe(400);
    expect((await client().post(loginRoute, "/login", { email: "late@example.com", password: PASSWORD })).status).toBe(303);
  });

  it("refuses a made-up token", async () => {
    const token = "A".repeat(43);
    const res = await client().post(resetRoute, `/reset-password/${token}`, { password: "my new password!", confirmPassword: "my new password!" }, { params: { token } });
    expect(res.status).toBe(400);
  });
});
