/**
 * The marketplace's browser-safe part: the scope and hook catalogs, the
 * manifest (plugins-sdk's schema), the per-install settings schema built
 * from a manifest, and the merchant's forms.
 */
import { z } from "zod";
import { ManifestSchema, settingsSchema, type Manifest, type SettingField } from "../../plugins-sdk/src/manifest";

// ---- catalogs --------------------------------------------------------------------

/** Every scope an extension (or an API token) can be granted. DESIGN.md "Scopes". */
export const SCOPES = [
  "read_products",
  "write_products",
  "read_shelves",
  "write_shelves",
  "read_orders",
  "write_orders",
  "read_customers",
  "read_aftersales",
  "write_aftersales",
] as const;
export type Scope = (typeof SCOPES)[number];
export const ScopeName = z.enum(SCOPES);

/** What a merchant is told a scope lets the extension do. */
export const SCOPE_LABELS: Record<Scope, string> = {
  read_products: "See products, SKUs and stock",
  write_products: "Change products, SKUs and stock",
  read_shelves: "See the storefront's pages",
  write_shelves: "Change the storefront's pages",
  read_orders: "See orders (lines and amounts, not addresses)",
  write_orders: "Change orders",
  read_customers: "See customers' names and e-mail addresses",
  read_aftersales: "See after-sale claims",
  write_aftersales: "Answer after-sale claims",
};

/** The hooks an extension can implement. */
export const HOOKS = ["checkout.discounts", "order.paid", "order.completed", "order.refunded", "customer.created", "storefront.blocks"] as const;
export type HookName = (typeof HOOKS)[number];
export const HookNameSchema = z.enum(HOOKS);

/** Hooks delivered from the outbox relay, at least once, with an idempotency key. */
export const ASYNC_HOOKS = ["order.paid", "order.completed", "order.refunded", "customer.created"] as const satisfies readonly HookName[];
export type AsyncHookName = (typeof ASYNC_HOOKS)[number];
export function isAsyncHook(hook: string): hook is AsyncHookName {
  return (ASYNC_HOOKS as readonly string[]).includes(hook);
}

// ---- the manifest ------------------------------------------------------------------

/**
 * The manifest is plugins-sdk's contract (`ManifestSchema` in
 * plugins-sdk/src/manifest.ts): the host validates every submitted manifest
 * with the same schema developers build against, and every stored one again
 * when it reads it.
 */
export const HostManifest = ManifestSchema;
export type HostManifest = Manifest;
export type { SettingField };

/**
 * The zod schema of an install's settings for a manifest's fields: typed,
 * bounded, defaults filled, unknown keys dropped.
 *
 * @example settingsSchemaOf(manifest.settings).parse({ percent: 10 }) // { percent: 10, label: "Members" }
 */
export function settingsSchemaOf(fields: readonly SettingField[] | undefined): z.ZodType<Record<string, unknown>> {
  return settingsSchema(fields ?? []) as unknown as z.ZodType<Record<string, unknown>>;
}

// ---- ids and the merchant's forms -------------------------------------------------

const idOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), "Not a valid id");
export const InstallId = idOf("ins");
export const ExtensionId = idOf("ext");
export const VersionId = idOf("ver");
export const VendorId = idOf("vnd");

/** The merchant's new order of installs: every live install id, once, in the order wanted. */
export const ReorderForm = z.object({
  order: z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), z.array(InstallId).min(1).max(200)),
});

export const InstallStatusForm = z.object({ installId: InstallId });

export const MoveInstallForm = z.object({ installId: InstallId, direction: z.enum(["up", "down"]) });

/** A vendor as a developer registers it. */
export const VendorForm = z.object({
  name: z.string().trim().min(2, "Use at least 2 characters").max(80),
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "2–40 lower-case letters, digits and -"),
  contactEmail: z.string().trim().toLowerCase().email("Enter an e-mail address").max(254),
  website: z.string().trim().url("Enter a URL").max(500).optional().or(z.literal("").transform(() => undefined)),
  /** asked by the developer portal's registration (workflows.schema.ts `VendorRegistrationForm`) */
  legalName: z.string().trim().min(2).max(200).optional(),
  description: z.string().trim().max(2000).optional(),
});
