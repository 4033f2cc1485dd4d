/**
 * `Idempotency-Key` on POSTs, as in the IETF httpapi draft: the first
 * request with a key runs and its response is stored for 24 h under the
 * calling install; a retry with the same key and the same request gets the
 * stored status and body back; the same key with a different request is a
 * 422; a retry while the first is still running is a 409. Keys live under
 * the install, so another shop's token with the same key starts its own.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { ApiPrincipal } from "../oauth/principal";
import { apiError, type ApiErrorResponse } from "./errors.server";
import {
  completeIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  deleteIdempotencyKey,
  insertIdempotencyKey,
  selectIdempotencyKey,
  takeOverIdempotencyKey,
  type NewIdempotencyKey,
} from "./openapi.repository.server";

export const IDEMPOTENCY = Object.freeze({
  ttlMs: 24 * 60 * 60_000,
  /** a first request that has not finished after this is presumed dead (its key may be taken over) */
  leaseMs: 60_000,
  maxKeyLength: 255,
});

/** Printable ASCII, 1–255 characters (a UUID is typical). */
const KEY = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

/** JSON with object keys sorted, so the same body always fingerprints the same. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(",")}}`;
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256").update(`${method} ${path}\n${canonical(body ?? null)}`).digest("hex");
}

export type IdempotencyStart = { kind: "proceed" } | { kind: "replay"; status: number; body: unknown } | { kind: "refuse"; error: ApiErrorResponse };

/** Decides what a POST carrying `key` does: run, replay the stored response, or be refused (409 / 422). */
export async function beginIdempotentRequest(
  db: Kysely<Database>,
  principal: ApiPrincipal,
  key: string,
  request: { method: string; path: string; body: unknown },
): Promise<IdempotencyStart> {
  const k: NewIdempotencyKey = {
    installId: principal.installId,
    shopId: principal.shopId,
    key,
    fingerprint: requestFingerprint(request.method, request.path, request.body),
    method: request.method,
    path: request.path,
    leaseMs: IDEMPOTENCY.leaseMs,
    ttlMs: IDEMPOTENCY.ttlMs,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await insertIdempotencyKey(db, k)) return { kind: "proceed" };
    const row = await selectIdempotencyKey(db, principal.installId, key);
    if (!row) continue; // deleted meanwhile (a failed first request): try to claim it again
    if (row.expired) {
      if (await takeOverIdempotencyKey(db, k)) return { kind: "proceed" };
      continue;
    }
    if (row.fingerprint !== k.fingerprint) {
      return {
        kind: "refuse",
        error: apiError(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request (method, path or body).", "Idempotency-Key"),
      };
    }
    if (row.state === "in_flight") {
      if (row.lease_over && (await takeOverIdempotencyKey(db, k))) return { kind: "proceed" };
      return { kind: "refuse", error: apiError(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry later.") };
    }
    return { kind: "replay", status: row.response_status ?? 200, body: row.response_body };
  }
  return { kind: "refuse", error: apiError(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry later.") };
}

/**
 * Stores the outcome of the first request. A server error is not stored:
 * the key is released so the client's retry runs again.
 */
export async function finishIdempotentRequest(db: Kysely<Database>, principal: ApiPrincipal, key: string, status: number, body: unknown): Promise<void> {
  if (status >= 500) await deleteIdempotencyKey(db, principal.installId, key);
  else await completeIdempotencyKey(db, principal.installId, key, status, body);
}

/** The cleanup job: deletes records past their 24 h, in batches. Resolves to how many went. */
export async function purgeExpiredIdempotencyKeys(db: Kysely<Database>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteExpiredIdempotencyKeys(db, 1000);
    total += n;
    if (n < 1000) return total;
  }
}
