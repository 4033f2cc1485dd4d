import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXAMPLES } from "./build";
import { ManifestSchema, defaultSettings, parseManifest, parseSettings, type ManifestInput } from "./manifest";

const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const valid: ManifestInput = {
  id: "com.example.loyalty",
  name: "Loyalty",
  version: "1.2.3",
  apiVersion: "2026-11",
  hooks: ["order.paid"],
  scopes: [{ scope: "read_orders", justification: "Reads the paid order to count its lines." }],
  settings: [{ key: "percent", label: "Percent", type: "integer", min: 0, max: 50, default: 5 }],
  retentionDays: 30,
};
const errorsOf = (patch: Record<string, unknown>) => {
  const r = parseManifest({ ...valid, ...patch });
  return r.success ? [] : r.errors;
};

describe("ManifestSchema", () => {
  it.each(EXAMPLES)("the %s reference manifest is valid", (name) => {
    const json = JSON.parse(readFileSync(path.join(examples, name, "manifest.json"), "utf8"));
    expect(parseManifest(json)).toMatchObject({ success: true });
  });

  it("fills defaults: settings []", () => {
    const { settings: _, ...noSettings } = valid;
    expect(ManifestSchema.parse(noSettings).settings).toEqual([]);
  });

  it.each([
    [{ id: "Loyalty" }, /^id: a reverse-DNS id/],
    [{ id: "loyalty" }, /^id: a reverse-DNS id/],
    [{ version: "1.2" }, /^version: a semantic version/],
    [{ apiVersion: "2025-01" }, /^apiVersion: /],
    [{ hooks: [] }, /^hooks: /],
    [{ hooks: ["order.shipped"] }, /^hooks\.0: /],
    [{ hooks: ["order.paid", "order.paid"] }, /^hooks: a hook is listed twice/],
    [{ scopes: [{ scope: "read_everything", justification: "Because we would like to read it all." }] }, /^scopes\.0\.scope: /],
    [{ scopes: [{ scope: "read_orders", justification: "need it" }] }, /^scopes\.0\.justification: say in at least 20 characters/],
    [{ scopes: [{ scope: "read_orders", justification: "Reads orders for the points." }, { scope: "read_orders", justification: "Reads orders for the points." }] }, /^scopes: a scope is listed twice/],
    [{ retentionDays: 31 }, /^retentionDays: /],
    [{ retentionDays: 1.5 }, /^retentionDays: /],
    [{ extra: true }, /Unrecognized key/],
  ])("rejects %j", (patch, message) => {
    expect(errorsOf(patch)[0]).toMatch(message);
  });

  it.each([
    [{ key: "Percent", label: "P", type: "integer", default: 1 }, /^settings\.0\.key: a camelCase key/],
    [{ key: "p", label: "P", type: "integer", min: 0, max: 10, default: 11 }, /^settings\.0\.default: the default is not a valid value/],
    [{ key: "p", label: "P", type: "integer", min: 5, max: 1, default: 3 }, /^settings\.0\.min: min is greater than max/],
    [{ key: "p", label: "P", type: "money", default: -1 }, /^settings\.0\.default: /],
    [{ key: "p", label: "P", type: "integer", default: 1.5 }, /^settings\.0\.default: /],
    [{ key: "p", label: "P", type: "select", options: [{ value: "a", label: "A" }], default: "b" }, /^settings\.0\.default: the default is not a valid value/],
    [{ key: "p", label: "P", type: "select", options: [], default: "a" }, /^settings\.0\.options: /],
    [{ key: "p", label: "P", type: "string", max: 3, default: "toolong" }, /^settings\.0\.default: /],
    [{ key: "p", label: "P", type: "colour", default: "red" }, /^settings\.0\.type: /],
    [{ key: "p", label: "P", type: "integer" }, /^settings\.0\.default: /],
  ])("rejects the settings field %j", (field, message) => {
    expect(errorsOf({ settings: [field] })[0]).toMatch(message);
  });

  it("rejects a settings key listed twice", () => {
    const field = { key: "p", label: "P", type: "boolean", default: true };
    expect(errorsOf({ settings: [field, field] })).toEqual(["settings: a settings key is listed twice"]);
  });
});

describe("settings values", () => {
  const fields = ManifestSchema.parse({
    ...valid,
    settings: [
      { key: "percent", label: "Percent", type: "integer", min: 0, max: 50, default: 5 },
      { key: "every", label: "Every", type: "money", default: 20000 },
      { key: "kind", label: "Kind", type: "select", options: [{ value: "amount", label: "Amount" }, { value: "percent", label: "Percent" }], default: "amount" },
      { key: "codes", label: "Codes", type: "string", max: 10, default: "" },
      { key: "on", label: "On", type: "boolean", default: true },
      { key: "rate", label: "Rate", type: "number", min: 0, max: 1, default: 0.5 },
    ],
  }).settings;

  it("defaults fill every key", () => {
    expect(defaultSettings(fields)).toEqual({ percent: 5, every: 20000, kind: "amount", codes: "", on: true, rate: 0.5 });
    expect(parseSettings(fields, { percent: 10 })).toEqual({ success: true, settings: { percent: 10, every: 20000, kind: "amount", codes: "", on: true, rate: 0.5 } });
  });

  it("each value is checked against its field; unknown keys are dropped", () => {
    expect(parseSettings(fields, { percent: 51, kind: "other", every: 1.5, codes: "x".repeat(11), on: "yes" })).toMatchObject({
      success: false,
      errors: [expect.stringMatching(/^percent: /), expect.stringMatching(/^every: /), expect.stringMatching(/^kind: /), expect.stringMatching(/^codes: /), expect.stringMatching(/^on: /)],
    });
    expect(parseSettings(fields, { leftover: 1 })).toMatchObject({ success: true, settings: { percent: 5 } });
  });
});
