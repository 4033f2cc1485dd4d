/**
 * Which provider serves a payment, wired to what it needs. Providers are
 * built per call from the caller's handles (no module-level state): the
 * gateway runs its calls on the caller's `db`, and the notification keys are
 * read from the platform's config when there is one.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { Config } from "../config.server";
import type { JobQueue } from "../jobs/jobs.types";
import { AppError } from "../lib/errors";
import type { PaymentProvider } from "./provider.types";
import { isSimulatorAvailable, simulatorGateway } from "./simulator/simulator.service.server";
import { loadWechatPayKeys, merchantIdentity, PaymentKeysError, type WechatPayKeys } from "./wechatpay/keys.server";
import { WECHATPAY, wechatPayProvider, type WechatPayGateway } from "./wechatpay/provider.server";

export const DEFAULT_PROVIDER = WECHATPAY;
export const PROVIDERS: readonly string[] = [WECHATPAY];

export type ProviderDeps = {
  db: Kysely<Database>;
  /** lets the simulator enqueue its first delivery straight after its commit */
  jobs?: JobQueue;
  /** needed to verify notifications (the keys live under its data folder or in the environment) */
  config?: Pick<Config, "dataDir" | "env" | "publicUrl">;
};

/** Where a provider's notifications for this platform go (relative; the simulator resolves it against PUBLIC_URL). */
export function notifyPath(provider: string): string {
  return `/payments/notify/${provider}`;
}

function environment(deps: ProviderDeps): Config["env"] {
  // Calls that come with a database handle only (the orders module opening or
  // closing a trade) have no config; NODE_ENV is what config.env is read from.
  // Read it at run time: the Remix build replaces a literal `process.env.NODE_ENV`
  // with "production", which would turn the simulator off in every built server.
  const key = "NODE_ENV";
  return deps.config?.env ?? (process.env[key] === "production" ? "production" : "development");
}

const noGateway: WechatPayGateway = {
  prepay: () => Promise.reject(new AppError("unprocessable", "Online payment is not available on this site yet.", { code: "payments_unavailable" })),
  close: () => Promise.reject(new AppError("unprocessable", "Online payment is not available on this site yet.", { code: "payments_unavailable" })),
  query: () => Promise.reject(new Error("no WeChat Pay gateway is configured")),
  refund: () => Promise.reject(new Error("no WeChat Pay gateway is configured")),
};

/** Keys from the config, or an error that names what is missing. */
export function keysFor(deps: ProviderDeps): () => WechatPayKeys {
  return () => {
    if (!deps.config) throw new PaymentKeysError("verifying or signing payment notifications needs the platform's config");
    return loadWechatPayKeys(deps.config);
  };
}

/**
 * The provider `name` (a payment row's `provider`, or the notify URL's
 * segment). Throws AppError(not_found) for an unknown name.
 */
export function paymentProvider(name: string, deps: ProviderDeps): PaymentProvider {
  if (name !== WECHATPAY) throw new AppError("not_found", `Unknown payment provider ${JSON.stringify(name)}`);
  const keys = keysFor(deps);
  // The live WeChat Pay API gateway is not built; outside production the simulator plays it.
  const gateway = isSimulatorAvailable({ env: environment(deps) }) ? simulatorGateway({ db: deps.db, jobs: deps.jobs, keys }) : noGateway;
  return wechatPayProvider({ gateway, merchant: merchantIdentity(), keys });
}
