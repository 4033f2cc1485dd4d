/**
 * `@bazaar/plugins-sdk`: everything a Bazaar extension developer uses.
 *
 * - In plugin code (bundled into the sandbox): `definePlugin`, the hook and
 *   `ctx` types, and small deterministic helpers (`percentOf`, `formatMoney`,
 *   `isBazaarError`…). `bazaar-plugin build` resolves this import name to
 *   `runtime.ts`, so nothing below the first block ever lands in a bundle.
 * - In tests and tools (Node): the manifest schema, the output schemas, the
 *   bridge policy, the harness (`runHook`) and the build.
 *
 * @example
 * // src/index.ts — plugin code
 * import { definePlugin } from "@bazaar/plugins-sdk";
 * export default definePlugin({ hooks: { "storefront.blocks": () => ({ blocks: [{ type: "text", text: "Hello" }] }) } });
 *
 * // src/index.test.ts — a test through the production sandbox
 * import { buildPlugin, runHook } from "@bazaar/plugins-sdk";
 * const plugin = await buildPlugin(".", { write: false });
 * const run = await runHook(plugin, "storefront.blocks", { shop: { id: "shp_1", currency: "CNY" }, buyer: { customerId: null }, page: "home" });
 */
export * from "./runtime";
export * from "./manifest";
export * from "./outputs";
export * from "./policy";
export * from "./harness";
export * from "./build";
