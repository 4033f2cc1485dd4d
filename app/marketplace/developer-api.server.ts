/**
 * The developer API's HTTP edge (/developer-api/v1, JSON, bearer developer
 * tokens): authentication, a capped JSON body, and errors as JSON with their
 * status. It never reads the session cookie, which is why its paths are
 * exempt from the CSRF check (app/http/origin-guard.server.ts).
 */
import { json } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { AppError, isAppError } from "../lib/errors";
import { authenticateDeveloperToken, type DeveloperPrincipal } from "./tokens.server";
export { publishWithToken, getPublishedVersion } from "./tokens.server";
import { MAX_BUNDLE_BYTES } from "./marketplace.service.server";

/** The largest request body: a bundle at the cap, JSON-escaped, plus its manifest. */
export const MAX_PUBLISH_BODY = MAX_BUNDLE_BYTES * 2 + 64 * 1024;

/** Reads a JSON object body of at most `max` bytes (400 otherwise; 413 when too large). */
export async function readJsonBody(request: Request, max = MAX_PUBLISH_BODY): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  const tooLarge = () => new AppError("bad_request", `The request body is larger than ${Math.round(max / 1024)} KB.`, { code: "payload_too_large" });
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) throw new AppError("bad_request", "Send JSON (Content-Type: application/json).", { code: "unsupported_media_type" });
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.", { code: "invalid_json" });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new AppError("bad_request", "The body must be a JSON object.", { code: "invalid_json" });
  return parsed as Record<string, unknown>;
}

/** Runs a developer API handler: bearer authentication first, every error as `{ error: { code, message, fieldErrors } }`. */
export async function developerApi(
  request: Request,
  db: Kysely<Database>,
  handle: (principal: DeveloperPrincipal) => Promise<Response>,
): Promise<Response> {
  try {
    const principal = await authenticateDeveloperToken(db, request.headers.get("authorization"));
    return await handle(principal);
  } catch (e) {
    if (isAppError(e)) {
      const status = e.code === "payload_too_large" ? 413 : e.code === "unsupported_media_type" ? 415 : e.status;
      return json(
        { error: { code: e.code, message: e.message, ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}) } },
        { status, headers: status === 401 ? { "WWW-Authenticate": 'Bearer realm="bazaar-developer-api"' } : undefined },
      );
    }
    throw e;
  }
}
