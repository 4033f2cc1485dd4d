/**
 * WeChat Pay key material: the merchant's 32-byte API v3 key (decrypts
 * notification resources) and WeChat Pay's public key(s) by serial or
 * public-key id (verify notification signatures); plus, where the simulator
 * plays WeChat Pay, the matching private key it signs with.
 *
 * Where they come from:
 * - **Environment** (services mode, production): `WECHATPAY_APIV3_KEY` (32
 *   characters), `WECHATPAY_PUBLIC_KEY` (PEM) and `WECHATPAY_PUBLIC_KEY_ID`
 *   (its serial / "PUB_KEY_ID_…"). All three or none. With these the simulator cannot sign (it has
 *   no private key), so it is off.
 * - **Generated** (development and test, when the environment has none):
 *   `<DATA_DIR>/payments/wechatpay-keys.json`, mode 0600, written once on
 *   first use — an RSA-2048 pair, its public-key id and a random API v3 key. Every process with the same DATA_DIR shares them. Never
 *   generated when NODE_ENV=production: a production platform without keys
 *   rejects every notification (and says so in the log) rather than trust a
 *   key it made up.
 *
 * The keys are secrets and never enter the database.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Config } from "../../config.server";

export type WechatPayKeys = {
  apiV3Key: Buffer;
  /** WeChat Pay's public keys by `Wechatpay-Serial` (several during a rotation) */
  verifyKeys: ReadonlyMap<string, KeyObject>;
  /** present only where the simulator plays WeChat Pay */
  simulator: { serial: string; privateKey: KeyObject } | null;
  source: "env" | "generated";
};

export class PaymentKeysError extends Error {}

const KeyEnv = z.object({
  WECHATPAY_APIV3_KEY: z.string().length(32, "must be 32 characters").optional(),
  WECHATPAY_PUBLIC_KEY: z.string().includes("BEGIN PUBLIC KEY", { message: "must be a PEM public key" }).optional(),
  WECHATPAY_PUBLIC_KEY_ID: z.string().min(1).max(64).optional(),
});

const MerchantEnv = z.object({
  WECHATPAY_MCHID: z.string().regex(/^\d{6,32}$/, "must be digits").default(SIM_MCHID()),
  WECHATPAY_APPID: z.string().min(1).max(32).default(SIM_APPID()),
});

function SIM_MCHID(): string {
  return "1900000109"; // WeChat Pay's documented sample merchant number
}
function SIM_APPID(): string {
  return "wxd678efh567hg6787"; // and its sample app id
}

/**
 * Who we are at WeChat Pay: not secret, so readable without the platform
 * (`WECHATPAY_MCHID` / `WECHATPAY_APPID`, else WeChat's documented sample ids,
 * which the simulator accepts).
 */
export function merchantIdentity(env: Record<string, string | undefined> = process.env): { mchid: string; appid: string } {
  const parsed = MerchantEnv.safeParse(env);
  if (!parsed.success) {
    throw new PaymentKeysError(`Invalid payment configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return { mchid: parsed.data.WECHATPAY_MCHID, appid: parsed.data.WECHATPAY_APPID };
}

const KeyFile = z.object({
  apiV3Key: z.string().length(32),
  serial: z.string(),
  privateKeyPem: z.string(),
  publicKeyPem: z.string(),
});

const cache = new WeakMap<object, WechatPayKeys>();

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, "payments", "wechatpay-keys.json");
}

/**
 * The keys for this platform's config (read once per config object).
 * Throws {@link PaymentKeysError} when none are configured in production or
 * the environment is half set.
 */
export function loadWechatPayKeys(config: Pick<Config, "dataDir" | "env">, env: Record<string, string | undefined> = process.env): WechatPayKeys {
  const hit = cache.get(config);
  if (hit) return hit;
  const keys = readKeys(config, env);
  cache.set(config, keys);
  return keys;
}

function readKeys(config: Pick<Config, "dataDir" | "env">, env: Record<string, string | undefined>): WechatPayKeys {
  const parsed = KeyEnv.safeParse(env);
  if (!parsed.success) {
    throw new PaymentKeysError(`Invalid payment configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const e = parsed.data;
  const given = [e.WECHATPAY_APIV3_KEY, e.WECHATPAY_PUBLIC_KEY, e.WECHATPAY_PUBLIC_KEY_ID].filter(Boolean).length;
  if (given === 3) {
    return {
      apiV3Key: Buffer.from(e.WECHATPAY_APIV3_KEY!, "utf8"),
      verifyKeys: new Map([[e.WECHATPAY_PUBLIC_KEY_ID!, createPublicKey(e.WECHATPAY_PUBLIC_KEY!)]]),
      simulator: null,
      source: "env",
    };
  }
  if (given > 0) {
    throw new PaymentKeysError("Invalid payment configuration: set all of WECHATPAY_APIV3_KEY, WECHATPAY_PUBLIC_KEY and WECHATPAY_PUBLIC_KEY_ID, or none");
  }
  if (config.env === "production") {
    throw new PaymentKeysError("No WeChat Pay keys: set WECHATPAY_APIV3_KEY, WECHATPAY_PUBLIC_KEY and WECHATPAY_PUBLIC_KEY_ID");
  }
  const file = readOrCreateKeyFile(keyFilePath(config.dataDir));
  return {
    apiV3Key: Buffer.from(file.apiV3Key, "utf8"),
    verifyKeys: new Map([[file.serial, createPublicKey(file.publicKeyPem)]]),
    simulator: { serial: file.serial, privateKey: createPrivateKey(file.privateKeyPem) },
    source: "generated",
  };
}

function readOrCreateKeyFile(file: string): z.infer<typeof KeyFile> {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");
    const content: z.infer<typeof KeyFile> = {
      // The API v3 key is 32 printable characters, as the merchant platform issues it.
      apiV3Key: randomBytes(24).toString("base64url").slice(0, 32),
      serial: `PUB_KEY_ID_01${digits(30)}`,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
    // Write aside, then link into place: a link fails if another process won
    // the race, and then everyone reads the winner's keys.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(tmp, JSON.stringify(content, null, 2) + "\n", { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (e: any) {
      if (e?.code !== "EEXIST") throw e;
    } finally {
      unlinkSync(tmp);
    }
  }
  return KeyFile.parse(JSON.parse(readFileSync(file, "utf8")));
}
