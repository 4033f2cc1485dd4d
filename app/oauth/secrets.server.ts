/**
 * Client secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * SESSION_SECRET. oidc-provider compares the secret a client presents with
 * the client's metadata, so the secret must be recoverable — hashing is not
 * an option; a database dump alone still reveals nothing. Changing
 * SESSION_SECRET makes stored secrets unreadable: those clients fail
 * authentication until the developer rotates their secret.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

function keyOf(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "bazaar", "oauth client secret v1", 32));
}

export function encryptSecret(sessionSecret: string, plain: string, clientId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(sessionSecret), iv);
  cipher.setAAD(Buffer.from(clientId)); // a ciphertext copied to another client's row does not decrypt
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), body.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/** The secret, or null when the ciphertext was tampered with or the key changed. */
export function decryptSecret(sessionSecret: string, stored: string, clientId: string): string | null {
  const [v, iv, body, tag] = stored.split(".");
  if (v !== VERSION || !iv || !body || !tag) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyOf(sessionSecret), Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(clientId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/** The adapter's storage key for an id oidc-provider hands it (token values included). */
export function hashId(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

/** A new client secret: 256 bits, URL-safe. */
export function newClientSecret(): string {
  return `bzs_${randomBytes(32).toString("base64url")}`;
}
