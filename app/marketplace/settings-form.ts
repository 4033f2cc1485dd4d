/**
 * A manifest's settings schema as an HTML form, browser-safe: the fields to
 * render (`settingsFormFields`) and the form's values read back into typed
 * settings (`settingsFromForm`, then validated by the manifest's own schema).
 * The automated checks render every submitted manifest this way, and the
 * developer's version page previews it, so a version whose settings cannot
 * be shown to a merchant never reaches review.
 */
import type { SettingField } from "../../plugins-sdk/src/manifest";
import { settingsSchema } from "../../plugins-sdk/src/manifest";

/** One input of the form. Values are strings, as a form posts them. */
export type SettingsFormField =
  | { key: string; label: string; description?: string; input: "number"; step: string; min?: number; max?: number; value: string; money: boolean }
  | { key: string; label: string; description?: string; input: "text"; minLength?: number; maxLength: number; value: string }
  | { key: string; label: string; description?: string; input: "checkbox"; checked: boolean }
  | { key: string; label: string; description?: string; input: "select"; options: { value: string; label: string }[]; value: string };

/** Minor units per major unit: the form shows money in major units with 2 decimals (CNY, USD, EUR…). */
const MINOR_PER_MAJOR = 100;

function moneyText(minor: number): string {
  return (minor / MINOR_PER_MAJOR).toFixed(2);
}

/**
 * The form's inputs for a manifest's settings, filled with `values` (else
 * each field's default). Throws for a field the form cannot show.
 *
 * @example settingsFormFields([{ key: "percent", label: "Percent", type: "integer", min: 0, max: 50, default: 5 }])
 * // [{ key: "percent", input: "number", step: "1", min: 0, max: 50, value: "5", … }]
 */
export function settingsFormFields(fields: readonly SettingField[], values: Record<string, unknown> = {}): SettingsFormField[] {
  return fields.map((f): SettingsFormField => {
    const base = { key: f.key, label: f.label, ...(f.description ? { description: f.description } : {}) };
    const v = f.key in values ? values[f.key] : f.default;
    switch (f.type) {
      case "number":
        return { ...base, input: "number", step: "any", min: f.min, max: f.max, value: String(v), money: false };
      case "integer":
        return { ...base, input: "number", step: "1", min: f.min, max: f.max, value: String(v), money: false };
      case "money":
        return {
          ...base,
          input: "number",
          step: "0.01",
          min: f.min !== undefined ? f.min / MINOR_PER_MAJOR : 0,
          max: f.max !== undefined ? f.max / MINOR_PER_MAJOR : undefined,
          value: moneyText(Number(v)),
          money: true,
        };
      case "string":
        return { ...base, input: "text", minLength: f.min, maxLength: f.max ?? 200, value: String(v) };
      case "boolean":
        return { ...base, input: "checkbox", checked: v === true };
      case "select":
        return { ...base, input: "select", options: f.options.map((o) => ({ value: o.value, label: o.label })), value: String(v) };
      default:
        throw new Error(`settings field "${(f as { key: string }).key}" has a type the form cannot show`);
    }
  });
}

/**
 * Reads the form's values (as posted: strings; an unchecked checkbox is
 * absent) back into settings, validated by the manifest's schema.
 *
 * @example settingsFromForm(fields, { percent: "10", enabled: "on" }) // { success: true, settings: { percent: 10, enabled: true } }
 */
export function settingsFromForm(
  fields: readonly SettingField[],
  form: Record<string, string | undefined>,
): { success: true; settings: Record<string, unknown> } | { success: false; fieldErrors: Record<string, string[]> } {
  const raw: Record<string, unknown> = {};
  const fieldErrors: Record<string, string[]> = {};
  for (const f of fields) {
    const text = form[f.key];
    switch (f.type) {
      case "boolean":
        raw[f.key] = text === "on" || text === "true";
        break;
      case "number":
      case "integer":
      case "money": {
        if (text === undefined || text.trim() === "") break;
        const n = Number(text.trim());
        if (!Number.isFinite(n)) {
          fieldErrors[f.key] = ["Enter a number"];
          break;
        }
        raw[f.key] = f.type === "money" ? Math.round(n * MINOR_PER_MAJOR) : n;
        break;
      }
      default:
        if (text !== undefined) raw[f.key] = text;
    }
  }
  const parsed = settingsSchema(fields).safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "settings");
      (fieldErrors[key] ??= []).push(issue.message);
    }
  }
  if (Object.keys(fieldErrors).length || !parsed.success) return { success: false, fieldErrors };
  return { success: true, settings: parsed.data as Record<string, unknown> };
}

/** What a browser posts for these inputs (the check's round trip). */
export function formValuesOf(inputs: readonly SettingsFormField[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const i of inputs) out[i.key] = i.input === "checkbox" ? (i.checked ? "on" : undefined) : i.value;
  return out;
}
