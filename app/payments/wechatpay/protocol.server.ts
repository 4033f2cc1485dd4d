/**
 * WeChat Pay API v3 notifications, the wire format only (node:crypto, no
 * state): both sides use it — the platform to verify and decrypt what
 * arrives, the simulator to build and sign what it sends.
 *
 * A notification is an HTTPS POST whose JSON body is
 * `{ id, create_time, event_type, resource_type: "encrypt-resource", summary,
 *    resource: { algorithm: "AEAD_AES_256_GCM", ciphertext, nonce,
 *                associated_data, original_type } }`
 * and whose headers carry `Wechatpay-Timestamp`, `Wechatpay-Nonce`,
 * `Wechatpay-Serial` and `Wechatpay-Signature`: an RSA-SHA256 (PKCS#1 v1.5)
 * signature, base64, over `timestamp\nnonce\nbody\n`, made with WeChat Pay's
 * platform private key; the serial names the key (a platform certificate
 * serial or a "PUB_KEY_ID_…" public-key id). `resource.ciphertext` is base64
 * of AES-256-GCM ciphertext followed by its 16-byte tag, under the merchant's
 * 32-byte API v3 key, with `nonce` (12 characters) as IV and
 * `associated_data` as AAD.
 *
 * Order of checks when verifying (each failure is a {@link NotificationRejected}):
 * headers present → timestamp within 5 minutes → serial known → signature →
 * body is the envelope → decrypts (tag and AAD) → plaintext is JSON.
 */
import { createCipheriv, createDecipheriv, createSign, createVerify, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { z } from "zod";

/** How far the signed timestamp may be from our clock, either way (WeChat's documented 5 minutes). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export type RejectReason =
  | "missing_headers"
  | "stale_timestamp"
  | "unknown_serial"
  | "bad_signature"
  | "malformed"
  | "bad_ciphertext"
  | "wrong_event";

/**
 * A notification the platform refuses without looking further. `status` is
 * what the endpoint answers: 401 for anything that fails authentication
 * (signature, serial, timestamp, decryption), 400 for a well-signed body we
 * cannot use.
 */
export class NotificationRejected extends Error {
  readonly reason: RejectReason;
  constructor(reason: RejectReason, message: string) {
    super(message);
    this.name = "NotificationRejected";
    this.reason = reason;
  }
  get status(): 400 | 401 {
    return this.reason === "malformed" || this.reason === "wrong_event" ? 400 : 401;
  }
}

/** Request headers, looked up case-insensitively (express gives lower-case names, fetch a Headers). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | undefined {
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name) ?? undefined;
  const rec = h as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) {
    if (k.toLowerCase() === lower) {
      const v = rec[k];
      return Array.isArray(v) ? v[0] : v;
    }
  }
  return undefined;
}

// ---- signing ---------------------------------------------------------------

export type SignedHeaders = {
  "Wechatpay-Timestamp": string;
  "Wechatpay-Nonce": string;
  "Wechatpay-Serial": string;
  "Wechatpay-Signature": string;
  "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048";
};

/** The signed message: `timestamp\nnonce\nbody\n`. */
export function signatureMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/**
 * Signs `body` as WeChat Pay does for one delivery attempt: a fresh nonce and
 * the current (or given) timestamp, every time.
 */
export function signNotification(
  body: string,
  key: { serial: string; privateKey: KeyObject },
  opts: { timestamp?: number; nonce?: string } = {},
): SignedHeaders {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomBytes(16).toString("hex").toUpperCase();
  const signature = createSign("RSA-SHA256").update(signatureMessage(timestamp, nonce, body)).sign(key.privateKey, "base64");
  return {
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Serial": key.serial,
    "Wechatpay-Signature": signature,
    "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
  };
}

/**
 * Checks the headers' timestamp, serial and signature over the raw body.
 * Throws {@link NotificationRejected}; returns the serial that verified.
 */
export function verifySignature(
  headers: HeaderSource,
  rawBody: Buffer | string,
  verifyKeys: ReadonlyMap<string, KeyObject>,
  now: number = Date.now(),
): string {
  const timestamp = header(headers, "Wechatpay-Timestamp");
  const nonce = header(headers, "Wechatpay-Nonce");
  const serial = header(headers, "Wechatpay-Serial");
  const signature = header(headers, "Wechatpay-Signature");
  if (!timestamp || !nonce || !serial || !signature) {
    throw new NotificationRejected("missing_headers", "Wechatpay-Timestamp, -Nonce, -Serial and -Signature are required");
  }
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    throw new NotificationRejected("stale_timestamp", "Wechatpay-Timestamp is more than 5 minutes off");
  }
  const key = verifyKeys.get(serial);
  if (!key) throw new NotificationRejected("unknown_serial", "Wechatpay-Serial names no key we know");
  const body = typeof rawBody === "string" ? rawBody : rawBody.toString("utf8");
  let ok = false;
  try {
    ok = createVerify("RSA-SHA256").update(signatureMessage(timestamp, nonce, body)).verify(key, signature, "base64");
  } catch {
    ok = false;
  }
  if (!ok) throw new NotificationRejected("bad_signature", "Wechatpay-Signature does not verify");
  return serial;
}

// ---- the encrypted resource ------------------------------------------------

export type EncryptedResource = {
  algorithm: "AEAD_AES_256_GCM";
  ciphertext: string;
  nonce: string;
  associated_data: string;
  original_type: string;
};

/** AES-256-GCM with a 12-character nonce; the ciphertext is base64(ct ‖ tag). */
export function encryptResource(plaintext: string, apiV3Key: Buffer, associatedData: string, originalType: string): EncryptedResource {
  const nonce = randomBytes(9).toString("base64url").slice(0, 12);
  const cipher = createCipheriv("aes-256-gcm", apiV3Key, Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: "AEAD_AES_256_GCM", ciphertext: ct.toString("base64"), nonce, associated_data: associatedData, original_type: originalType };
}

/** Decrypts a resource; a wrong key, tag, nonce or associated data throws {@link NotificationRejected}. */
export function decryptResource(resource: EncryptedResource, apiV3Key: Buffer): string {
  if (resource.algorithm !== "AEAD_AES_256_GCM") throw new NotificationRejected("malformed", "unsupported resource algorithm");
  const data = Buffer.from(resource.ciphertext, "base64");
  if (data.length < 17) throw new NotificationRejected("bad_ciphertext", "ciphertext too short");
  try {
    const decipher = createDecipheriv("aes-256-gcm", apiV3Key, Buffer.from(resource.nonce, "utf8"));
    decipher.setAAD(Buffer.from(resource.associated_data ?? "", "utf8"));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new NotificationRejected("bad_ciphertext", "the resource does not decrypt (tag, nonce or associated data)");
  }
}

// ---- the envelope and its payloads ----------------------------------------

const Envelope = z.object({
  id: z.string().min(1).max(64),
  create_time: z.string().min(1).max(40),
  event_type: z.string().min(1).max(64),
  resource_type: z.literal("encrypt-resource"),
  summary: z.string().max(200).optional(),
  resource: z.object({
    algorithm: z.literal("AEAD_AES_256_GCM"),
    ciphertext: z.string().min(1).max(60_000),
    nonce: z.string().min(1).max(64),
    associated_data: z.string().max(256).default(""),
    original_type: z.string().max(64),
  }),
});
export type NotificationEnvelope = z.infer<typeof Envelope>;

const Money = z.number().int().nonnegative();

/** The decrypted resource of a TRANSACTION.* notification (and of a query answer). */
export const TransactionResource = z.looseObject({
  appid: z.string().optional(),
  mchid: z.string().optional(),
  out_trade_no: z.string().min(1).max(64),
  /** absent until the trade is paid */
  transaction_id: z.string().min(1).max(64).optional(),
  trade_type: z.string().optional(),
  trade_state: z.string().min(1).max(32),
  trade_state_desc: z.string().optional(),
  success_time: z.string().optional(),
  amount: z.looseObject({
    total: Money,
    payer_total: Money.optional(),
    currency: z.string().min(3).max(3),
    payer_currency: z.string().optional(),
  }),
});
export type TransactionResource = z.infer<typeof TransactionResource>;

/** The decrypted resource of a REFUND.* notification. */
export const RefundResource = z.looseObject({
  mchid: z.string().optional(),
  out_trade_no: z.string().min(1).max(64),
  transaction_id: z.string().min(1).max(64),
  out_refund_no: z.string().min(1).max(64),
  refund_id: z.string().min(1).max(64),
  refund_status: z.string().min(1).max(32),
  success_time: z.string().optional(),
  user_received_account: z.string().optional(),
  amount: z.looseObject({
    total: Money,
    refund: Money,
    payer_total: Money.optional(),
    payer_refund: Money.optional(),
  }),
});
export type RefundResource = z.infer<typeof RefundResource>;

/** Which kind a raw body claims to be (unauthenticated: for routing only, the verifier checks again). */
export function peekEventType(rawBody: Buffer | string): string | null {
  try {
    const v = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
    return typeof v?.event_type === "string" ? v.event_type : null;
  } catch {
    return null;
  }
}

/**
 * Verifies and opens a notification: signature first (over the exact bytes
 * received), then the envelope, then decryption. Returns the envelope and the
 * decrypted plaintext parsed as JSON.
 */
export function openNotification(
  headers: HeaderSource,
  rawBody: Buffer | string,
  keys: { apiV3Key: Buffer; verifyKeys: ReadonlyMap<string, KeyObject> },
  now: number = Date.now(),
): { envelope: NotificationEnvelope; resource: unknown } {
  verifySignature(headers, rawBody, keys.verifyKeys, now);
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch {
    throw new NotificationRejected("malformed", "the body is not JSON");
  }
  const env = Envelope.safeParse(parsed);
  if (!env.success) throw new NotificationRejected("malformed", "the body is not a WeChat Pay notification envelope");
  const plaintext = decryptResource(env.data.resource as EncryptedResource, keys.apiV3Key);
  try {
    return { envelope: env.data, resource: JSON.parse(plaintext) };
  } catch {
    throw new NotificationRejected("malformed", "the decrypted resource is not JSON");
  }
}

/** Builds a notification body (the simulator's side). The id is a UUID, as in API v3. */
export function buildNotificationBody(input: {
  eventType: string;
  summary: string;
  originalType: "transaction" | "refund";
  resource: object;
  apiV3Key: Buffer;
  createTime?: Date;
  id?: string;
}): { id: string; body: string } {
  const id = input.id ?? randomUUID();
  const body = JSON.stringify({
    id,
    create_time: rfc3339China(input.createTime ?? new Date()),
    resource_type: "encrypt-resource",
    event_type: input.eventType,
    summary: input.summary,
    resource: encryptResource(JSON.stringify(input.resource), input.apiV3Key, input.originalType, input.originalType),
  });
  return { id, body };
}

/** `2026-11-25T09:30:00+08:00`: WeChat Pay writes times in China Standard Time. */
export function rfc3339China(d: Date): string {
  const shifted = new Date(d.getTime() + 8 * 3600_000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, "+08:00");
}
