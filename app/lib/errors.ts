/**
 * The one application error. Services throw it; `toHttpStatus` maps its kind
 * to a status in one place, and everything else becomes a generic 500.
 */
export type AppErrorKind =
  | "bad_request" // 400: malformed input, with field errors
  | "unauthorized" // 401
  | "forbidden" // 403
  | "not_found" // 404
  | "conflict" // 409: state changed under you
  | "unprocessable" // 422: well-formed but refused by a rule
  | "rate_limited"; // 429

const STATUS: Record<AppErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
};

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly kind: AppErrorKind;
  readonly fieldErrors?: FieldErrors;
  readonly code: string;
  readonly retryAfterSeconds?: number;

  constructor(
    kind: AppErrorKind,
    message: string,
    opts: { fieldErrors?: FieldErrors; code?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.kind = kind;
    this.fieldErrors = opts.fieldErrors;
    this.code = opts.code ?? kind;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  get status(): number {
    return STATUS[this.kind];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError || (e instanceof Error && e.name === "AppError" && "kind" in e);
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (why = "Forbidden") => new AppError("forbidden", why);
export const conflict = (why: string, code?: string) => new AppError("conflict", why, { code });

/** Turns a zod error into field errors keyed by dotted path. */
export function fieldErrorsFromZod(issues: { path: PropertyKey[]; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export function toHttpStatus(e: unknown): number {
  return isAppError(e) ? e.status : 500;
}
