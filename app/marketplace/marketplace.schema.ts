/**
 * The marketplace's browser-safe part: the scope and hook catalogs, the
 * manifest as the host relies on it, the per-install settings schema built
 * from a manifest, and the merchant's forms.
 */
import { z } from "zod";

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

// ---- the manifest, as the host relies on it -----------------------------------

/**
 * One settings field, JSON-schema-like: `{ type: "integer", minimum: 0, default: 10, title: "Points per yuan" }`.
 * Arrays take `items`, objects `properties`; unknown keywords are ignored.
 */
export type SettingsField = {
  type: "string" | "number" | "integer" | "boolean" | "array" | "object";
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: SettingsField;
  properties?: Record<string, SettingsField>;
  required?: string[];
};

const SettingsFieldSchema: z.ZodType<SettingsField> = z.lazy(() =>
  z.looseObject({
    type: z.enum(["string", "number", "integer", "boolean", "array", "object"]),
    title: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    default: z.unknown().optional(),
    enum: z.array(z.unknown()).max(100).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(0).optional(),
    minItems: z.number().int().min(0).optional(),
    maxItems: z.number().int().min(0).optional(),
    items: SettingsFieldSchema.optional(),
    properties: z.record(z.string(), SettingsFieldSchema).optional(),
    required: z.array(z.string()).optional(),
  }),
) as z.ZodType<SettingsField>;

/**
 * A manifest's settings: either a JSON-schema object (`{ type: "object", properties, required }`)
 * or a plain map of field name → field.
 */
export const SettingsDefinition = z.union([
  z.looseObject({ type: z.literal("object"), properties: z.record(z.string(), SettingsFieldSchema), required: z.array(z.string()).optional() }),
  z.record(z.string(), SettingsFieldSchema),
]);
export type SettingsDefinition = z.infer<typeof SettingsDefinition>;

/**
 * The fields of a manifest the platform acts on. plugins-sdk's
 * `ManifestSchema` is the full contract for developers; this is what the
 * host checks again on submission, because the bundle and manifest come from
 * outside.
 */
export const HostManifest = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,99}$/, "lower-case letters, digits, '.', '_' and '-'"),
  name: z.string().trim().min(1).max(80),
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, "a semver version such as 1.0.0"),
  apiVersion: z.literal(1),
  hooks: z.array(HookNameSchema).min(1).max(HOOKS.length).refine((h) => new Set(h).size === h.length, "hooks repeat"),
  scopes: z
    .array(z.object({ scope: ScopeName, justification: z.string().trim().min(1).max(500) }))
    .max(SCOPES.length)
    .refine((s) => new Set(s.map((x) => x.scope)).size === s.length, "scopes repeat")
    .default([]),
  settings: SettingsDefinition.default({}),
  retentionDays: z.number().int().min(0).max(30).default(30),
});
export type HostManifest = z.infer<typeof HostManifest>;

/** The field map of a settings definition, whichever form it was written in. */
export function settingsFields(def: SettingsDefinition | undefined): { fields: Record<string, SettingsField>; required: string[] } {
  if (!def) return { fields: {}, required: [] };
  if (def.type === "object" && typeof def.properties === "object" && def.properties !== null) {
    return { fields: def.properties as Record<string, SettingsField>, required: (def.required as string[] | undefined) ?? [] };
  }
  return { fields: def as Record<string, SettingsField>, required: [] };
}

function fieldSchema(f: SettingsField): z.ZodType {
  let s: z.ZodType;
  switch (f.type) {
    case "string": {
      let t = z.string().max(f.maxLength ?? 2000);
      if (f.minLength !== undefined) t = t.min(f.minLength);
      s = t;
      break;
    }
    case "number":
    case "integer": {
      let n = f.type === "integer" ? z.number().int() : z.number();
      if (f.minimum !== undefined) n = n.min(f.minimum);
      if (f.maximum !== undefined) n = n.max(f.maximum);
      s = n.refine(Number.isFinite, "must be a finite number");
      break;
    }
    case "boolean":
      s = z.boolean();
      break;
    case "array": {
      let a = z.array(f.items ? fieldSchema(f.items) : z.unknown()).max(f.maxItems ?? 100);
      if (f.minItems !== undefined) a = a.min(f.minItems);
      s = a;
      break;
    }
    case "object": {
      const { fields, required } = settingsFields({ type: "object", properties: f.properties ?? {}, required: f.required });
      s = objectSchema(fields, required);
      break;
    }
  }
  if (f.enum && f.enum.length > 0) {
    const allowed = f.enum.map((v) => JSON.stringify(v));
    s = s.refine((v) => allowed.includes(JSON.stringify(v)), `must be one of ${allowed.join(", ")}`);
  }
  return s;
}

function objectSchema(fields: Record<string, SettingsField>, required: string[]): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, f] of Object.entries(fields)) {
    const base = fieldSchema(f);
    shape[name] = f.default !== undefined ? base.default(f.default as never) : required.includes(name) ? base : base.optional();
  }
  // strict: a setting the manifest does not declare is a mistake, not data to keep
  return z.strictObject(shape);
}

/**
 * The zod schema of an install's settings for a manifest: declared fields
 * only, typed, bounded, defaults filled.
 *
 * @example settingsSchemaOf(manifest.settings).parse({ pointsPerUnit: 2 }) // { pointsPerUnit: 2, maxRedeemPercent: 50 }
 */
export function settingsSchemaOf(def: SettingsDefinition | undefined): z.ZodType<Record<string, unknown>> {
  const { fields, required } = settingsFields(def);
  return objectSchema(fields, required) as z.ZodType<Record<string, unknown>>;
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

/** A vendor as a developer registers it. */
export const VendorForm = z.object({
  name: z.string().trim().min(2, "Use at least 2 characters").max(80),
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "2–40 lower-case letters, digits and -"),
  contactEmail: z.string().trim().toLowerCase().email("Enter an e-mail address").max(254),
  website: z.string().trim().url("Enter a URL").max(500).optional().or(z.literal("").transform(() => undefined)),
});
