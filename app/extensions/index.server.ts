/**
 * The extensions module's public surface (the host side of the sandbox):
 * other modules and routes import from here only. It owns
 * `extension_storage`, `extension_counters`, `extension_counter_ops`,
 * `extension_reservations`, `extension_hook_deliveries` and
 * `extension_invocations`. Its contract with plugin code is README.md.
 *
 * - The host itself lives on the platform (`platform.extensions`, created in
 *   app/platform.server.ts; runners start on the first call).
 * - Checkout: {@link extensionDiscounts}, {@link applyExtensionReservations},
 *   {@link reverseExtensionReservations} — the checkout's seam defaults to them.
 * - Storefront: {@link storefrontBlocks} (render with `<ExtensionBlocks>` from
 *   app/components/extension-blocks.tsx).
 * - Asynchronous hooks: {@link extensionHooksConsumer} (outbox consumer list)
 *   and {@link extensionJobs} (worker list).
 * - Pages: {@link listInvocations}, {@link extensionMetrics}.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { ExtensionHost, StorefrontView } from "./host.server";
import type { ExtensionBlocks } from "./hooks.schema";

export { extensionDiscounts, applyExtensionReservations, reverseExtensionReservations } from "./checkout-seam.server";
export { extensionHooksConsumer, extensionJobs, hookJobId, hookJobData } from "./async-hooks.server";
export { listInvocations, extensionMetrics, shopExtensionActivity, INVOCATION_PAGE_SIZE, type InstallActivity, type InvocationView, type ExtensionMetrics, type MetricsBucket } from "./invocations.service.server";
export { HOOK_CONFIG, FAULT_POLICY, STORAGE_LIMITS, ASYNC_HOOK_JOB } from "./hooks.config";
export { listInstallStorage, getInstallStorage, putInstallStorage, deleteInstallStorage, getInstallCounter } from "./records.service.server";
export type { ExtensionHost, AsyncHookJob, AsyncHookResult, HookEvent, StorefrontView } from "./host.server";
export { StorefrontBlock, BLOCK_TONES, type ExtensionBlocks } from "./hooks.schema";

/**
 * The extension blocks the storefront shows a buyer (or a visitor: `null`)
 * on a page (`home` by default; `product` with its `productId`; `cart`),
 * each install's under its name, in the merchant's order. A faulting or
 * invalid extension is simply absent.
 *
 * @example
 * const blocks = await storefrontBlocks(context.platform, shop.id, user ? { userId: user.id } : null, { page: "home" });
 * // <ExtensionBlocks groups={blocks} />  (app/components/extension-blocks.tsx)
 */
export async function storefrontBlocks(
  platform: { db: Kysely<Database>; extensions?: ExtensionHost },
  shopId: string,
  buyer: { userId: string } | null,
  view: StorefrontView = {},
): Promise<ExtensionBlocks[]> {
  return platform.extensions ? platform.extensions.storefrontBlocks(shopId, buyer, view) : [];
}
