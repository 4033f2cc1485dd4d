/**
 * The extension manifest: who the extension is, which hooks it implements,
 * which scopes it asks for and why, the merchant's settings form, and how long
 * its data outlives an uninstall. One zod schema, used by the CLI's build, the
 * harness, the marketplace (submission, review, consent page) and the host
 * (settings validation). Browser-safe: zod only.
 *
 * @example
 * import { ManifestSchema } from "@bazaar/plugins-sdk";
 * const manifest = ManifestSchema.parse(JSON.parse(text));
 */
import { z } from "zod";
import { HOOK_NAMES } from "./hooks";
import type { Settings } from "./context";

/**
 * The hook API version this SDK describes (hook inputs, outputs and `ctx`).
 *
 * @example
 * { "apiVersion": "2026-11" }
 */
export const API_VERSION = "2026-11" as const;

/**
 * Every scope a merchant can grant. Each bridge capability, open-API route and
 * webhook topic names the one it needs.
 *
 * @example
 * SCOPES.includes("read_orders"); // true
 */
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

/**
 * A scope name.
 *
 * @example
 * const scope: Scope = "read_customers";
 */
export type Scope = (typeof SCOPES)[number];

/** Largest bundle the build accepts and the marketplace stores. */
export const MAX_BUNDLE_BYTES = 256 * 1024;

const SETTING_KEY = /^[a-z][a-zA-Z0-9]{0,39}$/;
// Reverse-DNS-ish: at least two dot-separated lower-case labels, e.g. "com.bazaar.membership".
const EXTENSION_ID = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
// semver.org's recommended expression.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** The most one setting of type `money` may hold (the order columns are 32-bit). */
const MAX_MONEY = 2_000_000_000;

const fieldBase = {
  /** camelCase, 1–40 characters: the property name in `ctx.settings.get()`. */
  key: z.string().regex(SETTING_KEY, "a camelCase key of 1–40 letters and digits"),
  label: z.string().trim().min(1).max(80),
  description: z.string().trim().min(1).max(300).optional(),
};

const int = z.number().int().min(-MAX_MONEY).max(MAX_MONEY);

const NumberField = z.strictObject({
  ...fieldBase,
  type: z.literal("number"),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  default: z.number().finite(),
});
const IntegerField = z.strictObject({
  ...fieldBase,
  type: z.literal("integer"),
  min: int.optional(),
  max: int.optional(),
  default: int,
});
const MoneyField = z.strictObject({
  ...fieldBase,
  /** integer minor units of the shop's currency, ≥ 0 */
  type: z.literal("money"),
  min: z.number().int().min(0).max(MAX_MONEY).optional(),
  max: z.number().int().min(0).max(MAX_MONEY).optional(),
  default: z.number().int().min(0).max(MAX_MONEY),
});
const StringField = z.strictObject({
  ...fieldBase,
  type: z.literal("string"),
  /** length bounds (characters); `max` defaults to 200 */
  min: z.number().int().min(0).max(1000).optional(),
  max: z.number().int().min(1).max(1000).optional(),
  default: z.string().max(1000),
});
const BooleanField = z.strictObject({
  ...fieldBase,
  type: z.literal("boolean"),
  default: z.boolean(),
});
const SelectField = z.strictObject({
  ...fieldBase,
  type: z.literal("select"),
  options: z
    .array(z.strictObject({ value: z.string().min(1).max(60), label: z.string().trim().min(1).max(80) }))
    .min(1)
    .max(50),
  default: z.string(),
});

/**
 * One field of the merchant's settings form. Every field has a `default`, so
 * `ctx.settings.get()` always returns every key. `min`/`max` bound numbers
 * (for `string`: the length).
 *
 * @example
 * { "key": "percent", "label": "Discount %", "type": "integer", "min": 0, "max": 50, "default": 5 }
 * { "key": "tone", "label": "Badge colour", "type": "select", "default": "success",
 *   "options": [{ "value": "success", "label": "Green" }, { "value": "info", "label": "Blue" }] }
 */
export const SettingFieldSchema = z
  .discriminatedUnion("type", [NumberField, IntegerField, MoneyField, StringField, BooleanField, SelectField])
  .superRefine((field, ctx) => {
    if ("min" in field && "max" in field && field.min !== undefined && field.max !== undefined && field.min > field.max) {
      ctx.addIssue({ code: "custom", path: ["min"], message: "min is greater than max" });
    }
    if (field.type === "select") {
      const values = field.options.map((o) => o.value);
      if (new Set(values).size !== values.length) ctx.addIssue({ code: "custom", path: ["options"], message: "option values must be unique" });
    }
    const problem = settingValueSchema(field).safeParse(field.default);
    if (!problem.success) {
      ctx.addIssue({ code: "custom", path: ["default"], message: `the default is not a valid value: ${problem.error.issues[0]?.message ?? "invalid"}` });
    }
  });

/**
 * A settings field (see {@link SettingFieldSchema}).
 *
 * @example
 * const field: SettingField = { key: "every", label: "Every", type: "money", default: 20000 };
 */
export type SettingField = z.output<typeof SettingFieldSchema>;

/**
 * A scope the extension asks for, with the reason the merchant reads on the consent page.
 *
 * @example
 * { "scope": "read_customers", "justification": "Greets members by name on the membership card." }
 */
export const ScopeRequestSchema = z.strictObject({
  scope: z.enum(SCOPES),
  justification: z.string().trim().min(20, "say in at least 20 characters why the extension needs this scope").max(300),
});

/**
 * A scope request (see {@link ScopeRequestSchema}).
 *
 * @example
 * const request: ScopeRequest = { scope: "read_orders", justification: "Reads the order to compute points." };
 */
export type ScopeRequest = z.output<typeof ScopeRequestSchema>;

/**
 * The manifest, as `manifest.json` next to the plugin's `src/`.
 *
 * @example
 * {
 *   "id": "com.bazaar.points",
 *   "name": "Loyalty points",
 *   "version": "1.0.0",
 *   "apiVersion": "2026-11",
 *   "hooks": ["checkout.discounts", "order.paid", "order.refunded", "storefront.blocks"],
 *   "scopes": [],
 *   "settings": [{ "key": "pointsPerUnit", "label": "Points per CNY 1 paid", "type": "integer", "min": 0, "max": 100, "default": 1 }],
 *   "retentionDays": 30
 * }
 */
export const ManifestSchema = z
  .strictObject({
    /** Ignored: lets an editor point at a JSON Schema. */
    $schema: z.string().optional(),
    id: z.string().min(3).max(100).regex(EXTENSION_ID, 'a reverse-DNS id such as "com.example.loyalty"'),
    name: z.string().trim().min(1).max(60),
    description: z.string().trim().min(1).max(500).optional(),
    version: z.string().max(64).regex(SEMVER, "a semantic version such as 1.2.0"),
    apiVersion: z.literal(API_VERSION),
    hooks: z.array(z.enum(HOOK_NAMES)).min(1),
    scopes: z.array(ScopeRequestSchema),
    settings: z.array(SettingFieldSchema).max(40).default([]),
    /** Days the extension's storage and counters are kept after an uninstall (then exported and deleted). */
    retentionDays: z.number().int().min(0).max(30),
  })
  .superRefine((m, ctx) => {
    if (new Set(m.hooks).size !== m.hooks.length) ctx.addIssue({ code: "custom", path: ["hooks"], message: "a hook is listed twice" });
    const scopes = m.scopes.map((s) => s.scope);
    if (new Set(scopes).size !== scopes.length) ctx.addIssue({ code: "custom", path: ["scopes"], message: "a scope is listed twice" });
    const keys = m.settings.map((f) => f.key);
    if (new Set(keys).size !== keys.length) ctx.addIssue({ code: "custom", path: ["settings"], message: "a settings key is listed twice" });
  });

/**
 * A validated manifest.
 *
 * @example
 * const m: Manifest = ManifestSchema.parse(json);
 * m.scopes.map((s) => s.scope); // ["read_customers"]
 */
export type Manifest = z.output<typeof ManifestSchema>;

/**
 * A manifest as written (before defaults are filled in).
 *
 * @example
 * const draft: ManifestInput = { id: "com.acme.x", name: "X", version: "0.1.0", apiVersion: "2026-11", hooks: ["order.paid"], scopes: [], retentionDays: 0 };
 */
export type ManifestInput = z.input<typeof ManifestSchema>;

/**
 * Parses a manifest, with readable errors (`path: message` per issue).
 *
 * @example
 * const result = parseManifest(JSON.parse(text));
 * if (!result.success) console.error(result.errors.join("\n"));
 */
export function parseManifest(value: unknown): { success: true; manifest: Manifest } | { success: false; errors: string[] } {
  const result = ManifestSchema.safeParse(value);
  if (result.success) return { success: true, manifest: result.data };
  return { success: false, errors: formatIssues(result.error) };
}

/** The zod schema of one field's value. */
function settingValueSchema(field: z.output<typeof NumberField | typeof IntegerField | typeof MoneyField | typeof StringField | typeof BooleanField | typeof SelectField>): z.ZodType {
  switch (field.type) {
    case "number": {
      let s = z.number().finite();
      if (field.min !== undefined) s = s.min(field.min);
      if (field.max !== undefined) s = s.max(field.max);
      return s;
    }
    case "integer":
    case "money": {
      let s = z.number().int();
      s = s.min(field.min ?? (field.type === "money" ? 0 : -MAX_MONEY));
      s = s.max(field.max ?? MAX_MONEY);
      return s;
    }
    case "string":
      return z
        .string()
        .min(field.min ?? 0)
        .max(field.max ?? 200);
    case "boolean":
      return z.boolean();
    case "select":
      return z.enum(field.options.map((o) => o.value) as [string, ...string[]]);
  }
}

/**
 * The zod schema of an install's settings for these fields: every key
 * optional on input (the default fills it), unknown keys dropped (a value left
 * from an older version).
 *
 * @example
 * const values = settingsSchema(manifest.settings).parse({ percent: 10 });
 */
export function settingsSchema(fields: readonly SettingField[]): z.ZodType<Settings> {
  const shape: Record<string, z.ZodType> = {};
  for (const field of fields) shape[field.key] = settingValueSchema(field).default(field.default as never);
  return z.object(shape) as unknown as z.ZodType<Settings>;
}

/**
 * The settings a new install starts with.
 *
 * @example
 * defaultSettings(manifest.settings); // { percent: 5, label: "Members" }
 */
export function defaultSettings(fields: readonly SettingField[]): Settings {
  return Object.fromEntries(fields.map((f) => [f.key, f.default]));
}

/**
 * Validates a merchant's settings against the manifest, filling in defaults.
 *
 * @example
 * const r = parseSettings(manifest.settings, { percent: 80 });
 * if (!r.success) r.errors; // ["percent: Too big: expected number to be <=50"]
 */
export function parseSettings(fields: readonly SettingField[], values: unknown): { success: true; settings: Settings } | { success: false; errors: string[] } {
  const result = settingsSchema(fields).safeParse(values ?? {});
  if (result.success) return { success: true, settings: result.data };
  return { success: false, errors: formatIssues(result.error) };
}

/** `path: message` per issue. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
}
