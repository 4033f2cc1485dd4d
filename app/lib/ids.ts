import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/**
 * A new opaque id: `prefix_` + 10 chars of time + 16 random chars.
 * Ids sort by creation time (to the millisecond), which makes them usable as
 * pagination cursors, and carry 80 bits of randomness so they cannot be guessed.
 *
 * @example newId("usr") // "usr_01jd3k9x2a7f3q9w8e4r5t6y7u"
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let rand = "";
  for (const b of bytes) rand += ALPHABET[b & 31];
  return `${prefix}_${encodeTime(Date.now())}${rand}`;
}

/** A random secret token, URL-safe, with `bytes` bytes of entropy. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
