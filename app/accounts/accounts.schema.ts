/**
 * The accounts module's form schemas and small pure helpers. Browser-safe:
 * no server imports, so route components may use them too.
 */
import { z } from "zod";

/** What a person says brings them here at sign-up. Onboarding only: never a permission. */
export const INTENTS = ["buyer", "merchant", "developer"] as const;
export type Intent = (typeof INTENTS)[number];

export const INTENT_LABELS: Record<Intent, string> = {
  buyer: "Shopping — I want to buy from Bazaar shops",
  merchant: "Selling — I want to open a shop",
  developer: "Building — I want to make extensions",
};

export const MIN_PASSWORD_LENGTH = 10;
// scrypt's cost does not grow with input length, but nobody needs more and
// a cap keeps request bodies honest.
const MAX_PASSWORD_LENGTH = 200;

/** The one answer to a failed login, whatever the reason, so it never tells whether the e-mail exists. */
export const INVALID_LOGIN_MESSAGE = "Invalid email or password.";

/** The one answer to a password-reset request, whether or not the account exists. */
export const RESET_REQUESTED_MESSAGE =
  "If an account exists for that e-mail address, we sent a link to reset its password. The link works for one hour.";

export const Email = z
  .string({ error: "Enter your e-mail address" })
  .trim()
  .toLowerCase()
  .max(254, "That e-mail address is too long")
  .email("Enter a valid e-mail address");

const NewPassword = z
  .string({ error: "Choose a password" })
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters`);

const Name = z
  .string({ error: "Enter your name" })
  .trim()
  .min(1, "Enter your name")
  .max(80, "Use at most 80 characters");

/** An optional `redirectTo` field: anything unsafe becomes undefined rather than an error. */
const RedirectTo = z.preprocess((v) => (typeof v === "string" ? safeRedirectPath(v) ?? undefined : undefined), z.string().optional());

/**
 * Sign-up. Unknown keys (an `is_reviewer` a tampered form might post) are
 * stripped by zod, and nothing here can express "reviewer".
 */
export const SignupForm = z.object({
  name: Name,
  email: Email,
  password: NewPassword,
  intent: z.enum(INTENTS, { error: "Choose what brings you here" }),
  redirectTo: RedirectTo,
});
export type SignupForm = z.infer<typeof SignupForm>;

/** Log-in. Deliberately loose: a malformed e-mail gets the same answer as a wrong password. */
export const LoginForm = z.object({
  email: z.string({ error: "Enter your e-mail address" }).trim().toLowerCase().min(1, "Enter your e-mail address").max(254, "That e-mail address is too long"),
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password").max(MAX_PASSWORD_LENGTH, INVALID_LOGIN_MESSAGE),
  redirectTo: RedirectTo,
});
export type LoginForm = z.infer<typeof LoginForm>;

export const ForgotPasswordForm = z.object({ email: Email });

export const ResetPasswordForm = z
  .object({
    password: NewPassword,
    confirmPassword: z.string({ error: "Repeat the new password" }),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match" });

export const ChangePasswordForm = z
  .object({
    currentPassword: z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(MAX_PASSWORD_LENGTH),
    newPassword: NewPassword,
    confirmPassword: z.string({ error: "Repeat the new password" }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match" });

export const ProfileForm = z.object({ name: Name });

/** Session ids are sha256 hex (app/accounts/session.server.ts). */
export const RevokeSessionForm = z.object({
  sessionId: z.string({ error: "Missing session" }).regex(/^[0-9a-f]{64}$/, "Not a valid session"),
});

/** Trusted callers only (seed, CLI): the one path that can make a reviewer. */
export const NewAccountInput = z.object({
  name: Name,
  email: Email,
  password: NewPassword,
  intent: z.enum(INTENTS, { error: "Choose what brings you here" }),
  isReviewer: z.boolean().optional(),
});
export type NewAccountInput = z.input<typeof NewAccountInput>;

/** Staff invites: the owner types an e-mail address. */
export const InviteStaffForm = z.object({ email: Email });

/**
 * A same-origin relative path to go to after logging in, or null. Refuses
 * absolute URLs, protocol-relative `//host`, `/\host` (browsers read `\` as
 * `/`), control characters and anything that would resolve to another origin.
 *
 * @example safeRedirectPath("/admin?tab=1") // "/admin?tab=1"
 * @example safeRedirectPath("//evil.example") // null
 */
export function safeRedirectPath(to: string | null | undefined): string | null {
  if (!to || to.length > 2000) return null;
  if (!to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(to)) return null;
  try {
    const base = "http://bazaar.invalid";
    const url = new URL(to, base);
    if (url.origin !== base) return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}

/**
 * Where someone lands after logging in or signing up: the page they were
 * sent away from, else their home by what brought them here.
 */
export function homePathFor(intent: string, redirectTo?: string | null): string {
  const safe = safeRedirectPath(redirectTo);
  if (safe) return safe;
  if (intent === "merchant") return "/admin";
  if (intent === "developer") return "/developer";
  return "/";
}

const UserId = z.string({ error: "Missing user" }).regex(/^usr_[0-9a-z]{26}$/, "Not a valid user");
const InviteId = z.string({ error: "Missing invitation" }).regex(/^inv_[0-9a-z]{26}$/, "Not a valid invitation");

/** The owner removes a staff member. */
export const RemoveStaffForm = z.object({ userId: UserId });

/** The owner withdraws a pending invitation. */
export const RevokeInviteForm = z.object({ inviteId: InviteId });
