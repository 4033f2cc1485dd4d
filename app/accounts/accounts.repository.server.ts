/**
 * SQL on the accounts tables that are about people: `users`,
 * `login_attempts`, `password_resets`, and the session list (`sessions`;
 * creating and reading a session by its cookie is in session.server.ts).
 */
import type { Insertable, Kysely } from "kysely";
import type { Database, NewUser, PasswordResetsTable, Session, User } from "../../db/database";

// ---- users -------------------------------------------------------------------

export async function selectUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function selectUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertUser(db: Kysely<Database>, row: NewUser): Promise<User> {
  return db.insertInto("users").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateUserPasswordHash(db: Kysely<Database>, userId: string, passwordHash: string, at: Date): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash, updated_at: at }).where("id", "=", userId).execute();
}

export async function updateUserName(db: Kysely<Database>, userId: string, name: string, at: Date): Promise<void> {
  await db.updateTable("users").set({ name, updated_at: at }).where("id", "=", userId).execute();
}

/** Sets the reviewer flag; returns false when it was already set. */
export async function setUserReviewer(db: Kysely<Database>, userId: string, at: Date): Promise<boolean> {
  const res = await db
    .updateTable("users")
    .set({ is_reviewer: true, updated_at: at })
    .where("id", "=", userId)
    .where("is_reviewer", "=", false)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

// ---- login attempts ----------------------------------------------------------

export async function insertLoginAttempt(
  db: Kysely<Database>,
  row: { email: string; ip: string | null; succeeded: boolean },
): Promise<void> {
  await db.insertInto("login_attempts").values(row).execute();
}

/**
 * Times of the newest failed attempts for one e-mail or one IP since `since`,
 * newest first, at most `limit`.
 */
export async function selectRecentFailureTimes(
  db: Kysely<Database>,
  by: { email: string } | { ip: string },
  since: Date,
  limit: number,
): Promise<Date[]> {
  let q = db.selectFrom("login_attempts").select("created_at").where("succeeded", "=", false).where("created_at", ">", since);
  q = "email" in by ? q.where("email", "=", by.email) : q.where("ip", "=", by.ip);
  const rows = await q.orderBy("created_at", "desc").limit(limit).execute();
  return rows.map((r) => new Date(r.created_at));
}

export async function selectLastSuccessfulLogin(db: Kysely<Database>, email: string, since: Date): Promise<Date | null> {
  const row = await db
    .selectFrom("login_attempts")
    .select("created_at")
    .where("email", "=", email)
    .where("succeeded", "=", true)
    .where("created_at", ">", since)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.created_at) : null;
}

// ---- password resets ---------------------------------------------------------

export async function insertPasswordReset(db: Kysely<Database>, row: Insertable<PasswordResetsTable>): Promise<void> {
  await db.insertInto("password_resets").values(row).execute();
}

export async function countPasswordResetsSince(db: Kysely<Database>, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom("password_resets")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The reset a token names, if it is unused and unexpired. */
export async function selectUsablePasswordReset(
  db: Kysely<Database>,
  tokenHash: string,
  now: Date,
): Promise<{ id: string; user_id: string } | undefined> {
  return db
    .selectFrom("password_resets")
    .select(["id", "user_id"])
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

/**
 * Marks the reset used, only if it still is usable. The condition in the
 * UPDATE makes single use hold even when two requests race: only one of
 * them gets the row back.
 */
export async function consumePasswordReset(
  db: Kysely<Database>,
  tokenHash: string,
  now: Date,
): Promise<{ id: string; user_id: string } | undefined> {
  return db
    .updateTable("password_resets")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning(["id", "user_id"])
    .executeTakeFirst();
}

/** After a reset, the user's other outstanding links stop working too. */
export async function retireOpenPasswordResets(db: Kysely<Database>, userId: string, now: Date): Promise<void> {
  await db.updateTable("password_resets").set({ used_at: now }).where("user_id", "=", userId).where("used_at", "is", null).execute();
}

// ---- sessions (listing and revoking one's own) --------------------------------

export async function selectActiveSessions(db: Kysely<Database>, userId: string, now: Date): Promise<Session[]> {
  return db
    .selectFrom("sessions")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .limit(100)
    .execute();
}

/** Revokes one session of this user; returns false if there was none to revoke. */
export async function revokeUserSession(db: Kysely<Database>, userId: string, sessionId: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable("sessions")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
