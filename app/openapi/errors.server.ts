/**
 * The open API's one error format: `{ error: { code, message, field? } }`.
 * AppErrors from the services map by kind; a bad_request that names fields
 * (the services' validation) is a 422 like the router's own zod failures,
 * so a client sees one status for "this field is wrong".
 */
import { isAppError } from "../lib/errors";

export type ApiErrorResponse = {
  status: number;
  body: { error: { code: string; message: string; field?: string } };
  headers?: Record<string, string>;
};

export function apiError(status: number, code: string, message: string, field?: string, headers?: Record<string, string>): ApiErrorResponse {
  return { status, body: { error: field === undefined ? { code, message } : { code, message, field } }, headers };
}

/** The first issue of a zod error as a 422 naming its field path. */
export function validationError(issues: readonly { path: PropertyKey[]; message: string }[], prefix?: string): ApiErrorResponse {
  const issue = issues[0];
  const path = [...(prefix ? [prefix] : []), ...(issue?.path ?? []).map(String)].join(".");
  return apiError(422, "validation_failed", issue?.message ?? "Invalid request", path || undefined);
}

const CODE_BY_KIND: Record<string, string> = {
  bad_request: "invalid_request",
  unauthorized: "invalid_token",
  forbidden: "forbidden",
  not_found: "not_found",
  conflict: "conflict",
  unprocessable: "validation_failed",
  rate_limited: "rate_limited",
};

/** Any thrown value as an API error; anything but an AppError is logged and answered as a bare 500. */
export function toApiError(e: unknown, where: string): ApiErrorResponse {
  if (isAppError(e)) {
    const fields = e.fieldErrors ? Object.entries(e.fieldErrors) : [];
    const first = fields[0];
    const status = e.kind === "bad_request" && first ? 422 : e.status;
    // a service's own code (stock_changed, cancel_pending, …) says more than the kind
    const code = e.code !== e.kind ? e.code : status === 422 ? "validation_failed" : (CODE_BY_KIND[e.kind] ?? e.kind);
    const message = first && first[1][0] && e.message === "Please correct the highlighted fields." ? first[1][0] : e.message;
    const headers = e.retryAfterSeconds ? { "Retry-After": String(e.retryAfterSeconds) } : undefined;
    return apiError(status, code, message, first ? first[0] : undefined, headers);
  }
  console.error(`[openapi] unhandled error in ${where}:`, e);
  return apiError(500, "internal", "Something went wrong on our side.");
}
