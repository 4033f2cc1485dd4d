/**
 * People and their sessions: sign-up, log-in with throttling, log-out,
 * profile and password changes, and the trusted account creation the seed
 * and the CLI use.
 */
import type { Kysely } from "kysely";
import type { Database, User } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  ChangePasswordForm,
  INVALID_LOGIN_MESSAGE,
  LoginForm,
  NewAccountInput,
  ProfileForm,
  RevokeSessionForm,
  SignupForm,
  homePathFor,
  type Intent,
} from "./accounts.schema";
import {
  insertLoginAttempt,
  insertUser,
  retireOpenPasswordResets,
  revokeUserSession,
  selectActiveSessions,
  selectLastSuccessfulLogin,
  selectRecentFailureTimes,
  selectUserByEmail,
  selectUserById,
  setUserReviewer,
  updateUserName,
  updateUserPasswordHash,
} from "./accounts.repository.server";
import { inTransaction, isUniqueViolation, parseInput } from "./internal.server";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password.server";
import { createSession, revokeAllSessions, revokeSession, type SessionUser } from "./session.server";

/** A user as the rest of the app sees one: never the password hash. */
export type AccountUser = {
  id: string;
  email: string;
  name: string;
  intent: Intent;
  isReviewer: boolean;
  createdAt: Date;
};

/** Where a request came from, for sessions, throttling and the audit log. */
export type RequestMeta = { ip: string | null; userAgent: string | null };

/** A freshly created session: the cookie token (shown once) and when it ends. */
export type NewSession = { token: string; expiresAt: Date };

/** Log-in throttling: per e-mail and per IP, over a sliding window. */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 20;

function toAccountUser(row: User): AccountUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    intent: row.intent as Intent,
    isReviewer: row.is_reviewer,
    createdAt: new Date(row.created_at),
  };
}

const DUPLICATE_EMAIL = "An account with this e-mail address already exists. Log in instead.";

async function insertNewUser(
  trx: Kysely<Database>,
  input: { email: string; name: string; passwordHash: string; intent: Intent; isReviewer: boolean },
): Promise<User> {
  if (await selectUserByEmail(trx, input.email)) {
    throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { email: [DUPLICATE_EMAIL] } });
  }
  const now = new Date();
  try {
    return await insertUser(trx, {
      id: newId("usr"),
      email: input.email,
      name: input.name,
      password_hash: input.passwordHash,
      intent: input.intent,
      is_reviewer: input.isReviewer,
      updated_at: now,
    });
  } catch (e) {
    // Two sign-ups with one address raced past the check above.
    if (isUniqueViolation(e)) {
      throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { email: [DUPLICATE_EMAIL] } });
    }
    throw e;
  }
}

/**
 * Creates an account for a trusted caller (the demo seed, the admin CLI).
 * This is the only path that can make a reviewer; sign-up never can.
 *
 * @example
 * const user = await createUserAccount(db, { email: "rui@example.com", name: "Rui", password: "long enough pw", intent: "buyer", isReviewer: true });
 */
export async function createUserAccount(db: Kysely<Database>, input: NewAccountInput): Promise<AccountUser> {
  const data = parseInput(NewAccountInput, input);
  const passwordHash = await hashPassword(data.password);
  return inTransaction(db, async (trx) => {
    const row = await insertNewUser(trx, { ...data, passwordHash, isReviewer: data.isReviewer ?? false });
    await record(trx, { type: "system" }, "user.created", { type: "user", id: row.id }, { intent: row.intent, isReviewer: row.is_reviewer });
    return toAccountUser(row);
  });
}

/**
 * Sign-up from the public form. The result's `next` is where to send the new
 * user (a safe `redirectTo`, else their home by intent).
 *
 * @example
 * const { session, next } = await signUp(db, Object.fromEntries(form), { ip, userAgent });
 */
export async function signUp(
  db: Kysely<Database>,
  input: unknown,
  meta: RequestMeta,
): Promise<{ user: AccountUser; session: NewSession; next: string }> {
  // SignupForm has no reviewer field, and isReviewer is fixed to false below.
  const data = parseInput(SignupForm, input);
  const passwordHash = await hashPassword(data.password);
  return inTransaction(db, async (trx) => {
    const row = await insertNewUser(trx, { email: data.email, name: data.name, passwordHash, intent: data.intent, isReviewer: false });
    const session = await createSession(trx, row.id, meta);
    await record(trx, { type: "user", id: row.id }, "user.signed_up", { type: "user", id: row.id }, { intent: row.intent, ip: meta.ip });
    return { user: toAccountUser(row), session, next: homePathFor(row.intent, data.redirectTo) };
  });
}

/**
 * Refuses with 429 when this e-mail (since its last successful log-in) or
 * this IP has too many recent failures. Runs before any password is
 * checked, so a locked-out guess learns nothing.
 */
async function assertLoginAllowed(db: Kysely<Database>, email: string, ip: string | null, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const lastSuccess = await selectLastSuccessfulLogin(db, email, windowStart);
  const emailSince = lastSuccess && lastSuccess > windowStart ? lastSuccess : windowStart;
  const checks: [Date[], number][] = [[await selectRecentFailureTimes(db, { email }, emailSince, MAX_FAILURES_PER_EMAIL), MAX_FAILURES_PER_EMAIL]];
  if (ip) checks.push([await selectRecentFailureTimes(db, { ip }, windowStart, MAX_FAILURES_PER_IP), MAX_FAILURES_PER_IP]);
  let retryAfterMs = 0;
  for (const [failures, limit] of checks) {
    // The limit-th newest failure is the one that has to age out of the window.
    if (failures.length >= limit) retryAfterMs = Math.max(retryAfterMs, failures[limit - 1].getTime() + LOGIN_WINDOW_MS - now.getTime());
  }
  if (retryAfterMs > 0) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const minutes = Math.ceil(seconds / 60);
    throw new AppError("rate_limited", `Too many failed log-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
      code: "login_throttled",
      retryAfterSeconds: seconds,
    });
  }
}

/**
 * Log-in. A wrong password and an unknown e-mail get the same 400 and the same
 * message, and both run one scrypt verification so they take about as long.
 *
 * @example
 * const { session, next } = await logIn(db, { email, password, redirectTo }, { ip, userAgent });
 */
export async function logIn(
  db: Kysely<Database>,
  input: unknown,
  meta: RequestMeta,
): Promise<{ user: AccountUser; session: NewSession; next: string }> {
  const data = parseInput(LoginForm, input);
  const email = data.email.slice(0, 254);
  await assertLoginAllowed(db, email, meta.ip, new Date());
  const row = await selectUserByEmail(db, email);
  const ok = await verifyPassword(data.password, row?.password_hash ?? (await dummyPasswordHash()));
  if (!row || !ok) {
    await insertLoginAttempt(db, { email, ip: meta.ip, succeeded: false });
    throw new AppError("bad_request", INVALID_LOGIN_MESSAGE, { code: "invalid_credentials" });
  }
  return inTransaction(db, async (trx) => {
    await insertLoginAttempt(trx, { email, ip: meta.ip, succeeded: true });
    const session = await createSession(trx, row.id, meta);
    await record(trx, { type: "user", id: row.id }, "user.logged_in", { type: "user", id: row.id }, { ip: meta.ip });
    return { user: toAccountUser(row), session, next: homePathFor(row.intent, data.redirectTo) };
  });
}

/** Ends this session (the cookie is cleared by the route). Safe to call for nobody. */
export async function logOut(db: Kysely<Database>, user: SessionUser | null): Promise<void> {
  if (!user) return;
  await inTransaction(db, async (trx) => {
    await revokeSession(trx, user.sessionId);
    await record(trx, { type: "user", id: user.id }, "user.logged_out", { type: "user", id: user.id });
  });
}

/**
 * Changes the password after checking the current one, and ends every other
 * session (a thief holding one is logged out). Wrong current passwords count
 * as failed log-ins, so a stolen session cannot be used to guess it.
 */
export async function changePassword(db: Kysely<Database>, user: SessionUser, input: unknown, meta: RequestMeta): Promise<void> {
  const data = parseInput(ChangePasswordForm, input);
  const row = await selectUserById(db, user.id);
  if (!row) throw new AppError("not_found", "Account not found");
  await assertLoginAllowed(db, row.email, meta.ip, new Date());
  if (!(await verifyPassword(data.currentPassword, row.password_hash))) {
    await insertLoginAttempt(db, { email: row.email, ip: meta.ip, succeeded: false });
    throw new AppError("bad_request", "Please correct the highlighted fields.", {
      fieldErrors: { currentPassword: ["That is not your current password"] },
    });
  }
  const passwordHash = await hashPassword(data.newPassword);
  await inTransaction(db, async (trx) => {
    const now = new Date();
    await updateUserPasswordHash(trx, user.id, passwordHash, now);
    await revokeAllSessions(trx, user.id, user.sessionId);
    await retireOpenPasswordResets(trx, user.id, now);
    await record(trx, { type: "user", id: user.id }, "user.password_changed", { type: "user", id: user.id }, { ip: meta.ip });
  });
}

/** Updates the display name. */
export async function updateProfile(db: Kysely<Database>, user: SessionUser, input: unknown): Promise<void> {
  const data = parseInput(ProfileForm, input);
  await inTransaction(db, async (trx) => {
    await updateUserName(trx, user.id, data.name, new Date());
    await record(trx, { type: "user", id: user.id }, "user.profile_updated", { type: "user", id: user.id }, { name: data.name });
  });
}

export type SessionView = {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
};

/** The account page: the user and their active sessions, this one marked. */
export async function getAccountOverview(db: Kysely<Database>, user: SessionUser): Promise<{ user: AccountUser; sessions: SessionView[] }> {
  const row = await selectUserById(db, user.id);
  if (!row) throw new AppError("not_found", "Account not found");
  const sessions = await selectActiveSessions(db, user.id, new Date());
  return {
    user: toAccountUser(row),
    sessions: sessions.map((s) => ({
      id: s.id,
      current: s.id === user.sessionId,
      createdAt: new Date(s.created_at).toISOString(),
      lastSeenAt: new Date(s.last_seen_at).toISOString(),
      expiresAt: new Date(s.expires_at).toISOString(),
      userAgent: s.user_agent,
      ip: s.ip,
    })),
  };
}

/** Ends one of the user's other sessions (another device). The current one ends with log-out. */
export async function revokeOwnSession(db: Kysely<Database>, user: SessionUser, input: unknown): Promise<void> {
  const { sessionId } = parseInput(RevokeSessionForm, input);
  if (sessionId === user.sessionId) throw new AppError("bad_request", "To end this session, log out.");
  await inTransaction(db, async (trx) => {
    // The query names the user, so nobody can end someone else's session by id.
    if (!(await revokeUserSession(trx, user.id, sessionId, new Date()))) {
      throw new AppError("bad_request", "That session has already ended.");
    }
    await record(trx, { type: "user", id: user.id }, "user.session_revoked", { type: "user", id: user.id });
  });
}

/** An account by id, for other modules (names on pages, e-mails). */
export async function getUser(db: Kysely<Database>, userId: string): Promise<AccountUser | null> {
  const row = await selectUserById(db, userId);
  return row ? toAccountUser(row) : null;
}

/** An account by e-mail (normalised here), for other modules and the CLI. */
export async function getUserByEmail(db: Kysely<Database>, email: string): Promise<AccountUser | null> {
  const row = await selectUserByEmail(db, email.trim().toLowerCase());
  return row ? toAccountUser(row) : null;
}

/**
 * Makes an existing user a reviewer (the admin CLI). Returns false when they
 * already were one.
 */
export async function grantReviewer(db: Kysely<Database>, userId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const changed = await setUserReviewer(trx, userId, new Date());
    if (changed) await record(trx, { type: "system" }, "user.reviewer_granted", { type: "user", id: userId });
    return changed;
  });
}

/** The e-mail address of a user, or null (notifications use it to mail a user). */
export async function findUserEmail(db: Kysely<Database>, userId: string): Promise<string | null> {
  const row = await selectUserById(db, userId);
  return row?.email ?? null;
}
