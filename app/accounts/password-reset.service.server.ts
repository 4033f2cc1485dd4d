/**
 * Password reset by e-mail: a random token in a link, stored only as its
 * SHA-256, valid for one hour and once. The request answers the same way
 * whether or not the account exists.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError } from "../lib/errors";
import { newId, newToken } from "../lib/ids";
import { sendMail } from "../notifications/index.server";
import { ForgotPasswordForm, ResetPasswordForm } from "./accounts.schema";
import {
  consumePasswordReset,
  countPasswordResetsSince,
  insertLoginAttempt,
  insertPasswordReset,
  retireOpenPasswordResets,
  selectUsablePasswordReset,
  selectUserByEmail,
  selectUserById,
  updateUserPasswordHash,
} from "./accounts.repository.server";
import { inTransaction, isPlausibleToken, parseInput } from "./internal.server";
import { hashPassword } from "./password.server";
import { hashToken, revokeAllSessions } from "./session.server";

export const RESET_TTL_MS = 60 * 60_000;
/** At most this many reset e-mails per account per hour, so the form cannot be used to flood a mailbox. */
export const MAX_RESETS_PER_HOUR = 3;

const INVALID_LINK = "This reset link is invalid, has expired or was already used. Ask for a new one.";

/**
 * Sends a reset link if the e-mail belongs to an account. Always resolves
 * the same way: the caller shows one message either way.
 *
 * @example
 * await requestPasswordReset(db, { email }, { publicUrl: config.publicUrl });
 */
export async function requestPasswordReset(db: Kysely<Database>, input: unknown, opts: { publicUrl: string }): Promise<void> {
  const { email } = parseInput(ForgotPasswordForm, input);
  const user = await selectUserByEmail(db, email);
  if (!user) return;
  const now = new Date();
  if ((await countPasswordResetsSince(db, user.id, new Date(now.getTime() - 3600_000))) >= MAX_RESETS_PER_HOUR) return;
  const token = newToken();
  const link = `${opts.publicUrl.replace(/\/$/, "")}/reset-password/${token}`;
  await inTransaction(db, async (trx) => {
    const id = newId("pwr");
    await insertPasswordReset(trx, {
      id,
      user_id: user.id,
      token_hash: hashToken(token),
      expires_at: new Date(now.getTime() + RESET_TTL_MS),
    });
    // The mail is written in this transaction: no link is sent for a reset that did not commit.
    await sendMail(trx, {
      to: user.email,
      subject: "Reset your Bazaar password",
      text: [
        `Hello ${user.name},`,
        "Someone (hopefully you) asked to reset the password of your Bazaar account.",
        `Open this link within one hour to choose a new password:\n${link}`,
        "If you did not ask for this, ignore this e-mail: your password stays as it is.",
      ].join("\n\n"),
    });
    // The requester is not signed in: an anonymous user actor, the account as target.
    await record(trx, { type: "user", id: null }, "user.password_reset_requested", { type: "user", id: user.id }, { resetId: id });
  });
}

/** Whether a reset link still works (the page shows the form or an explanation). */
export async function isPasswordResetTokenUsable(db: Kysely<Database>, token: string): Promise<boolean> {
  if (!isPlausibleToken(token)) return false;
  return !!(await selectUsablePasswordReset(db, hashToken(token), new Date()));
}

/**
 * Sets a new password from a reset link. Uses the token up (single use, even
 * under concurrent requests), retires the user's other links and ends every
 * session, since whoever held them may be why the password is being reset.
 */
export async function resetPassword(
  db: Kysely<Database>,
  token: string,
  input: unknown,
  meta: { ip: string | null } = { ip: null },
): Promise<{ email: string }> {
  if (!isPlausibleToken(token)) throw new AppError("bad_request", INVALID_LINK, { code: "reset_invalid" });
  const data = parseInput(ResetPasswordForm, input);
  const passwordHash = await hashPassword(data.password);
  return inTransaction(db, async (trx) => {
    const now = new Date();
    const reset = await consumePasswordReset(trx, hashToken(token), now);
    if (!reset) throw new AppError("bad_request", INVALID_LINK, { code: "reset_invalid" });
    const user = await selectUserById(trx, reset.user_id);
    if (!user) throw new AppError("bad_request", INVALID_LINK, { code: "reset_invalid" });
    await updateUserPasswordHash(trx, user.id, passwordHash, now);
    await retireOpenPasswordResets(trx, user.id, now);
    await revokeAllSessions(trx, user.id);
    // Proving control of the mailbox counts as a successful sign-in for the
    // throttle, so the failed guesses that led here do not lock the new password out.
    await insertLoginAttempt(trx, { email: user.email, ip: meta.ip, succeeded: true });
    await record(trx, { type: "user", id: user.id }, "user.password_reset", { type: "user", id: user.id }, { resetId: reset.id });
    return { email: user.email };
  });
}
