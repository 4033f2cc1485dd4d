/**
 * Endpoint signing secrets: generated in the Standard Webhooks form
 * (`whsec_` + base64 of 32 random bytes), shown to the developer once, and
 * stored only encrypted — AES-256-GCM under a key derived (HKDF-SHA256) from
 * SESSION_SECRET, with the endpoint id as associated data so a ciphertext
 * copied onto another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

function keyOf(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "bazaar.webhooks", "endpoint-secret-v1", 32));
}

/** A new signing secret, `whsec_<base64>`. */
export function newEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** `v1.<iv>.<ciphertext>.<tag>` (base64url), bound to `endpointId`. */
export function encryptSecret(sessionSecret: string, endpointId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(sessionSecret), iv);
  cipher.setAAD(Buffer.from(endpointId));
  const ct = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), ct.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/** The secret back; throws when the text was not written by {@link encryptSecret} for this endpoint under this key. */
export function decryptSecret(sessionSecret: string, endpointId: string, stored: string): string {
  const [version, iv, ct, tag] = stored.split(".");
  if (version !== VERSION || !iv || !ct || !tag) throw new Error("webhooks: unreadable stored secret");
  const decipher = createDecipheriv("aes-256-gcm", keyOf(sessionSecret), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(endpointId));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
