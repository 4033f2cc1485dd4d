/**
 * The marketplace's developer-side rules, browser-safe: the vendor and
 * version state machines (one transition table each — the services apply
 * them with a conditional UPDATE … WHERE status IN (from)), the developer's
 * forms, and the published list of automated checks (the /developers/rules
 * page and the checks job read the same list, so they cannot drift).
 */
import { z } from "zod";
import type { ExtensionCategory, VendorStatus, VersionStatus } from "../../db/tables/marketplace";
import { MAX_BUNDLE_BYTES } from "../../plugins-sdk/src/manifest";

// ---- state machines ------------------------------------------------------------------

/**
 * A reviewer's decisions on a vendor (DESIGN.md "The marketplace"):
 * `pending → verified | rejected`, `verified → suspended`. Each needs a reason.
 */
export const VENDOR_DECISIONS = {
  verify: { from: ["pending"], to: "verified" },
  reject: { from: ["pending"], to: "rejected" },
  suspend: { from: ["verified"], to: "suspended" },
} as const satisfies Record<string, { from: readonly VendorStatus[]; to: VendorStatus }>;
export type VendorDecision = keyof typeof VENDOR_DECISIONS;
export const VendorDecisionName = z.enum(Object.keys(VENDOR_DECISIONS) as [VendorDecision, ...VendorDecision[]]);

/**
 * Every move of a version (DESIGN.md): `submitted → checks_passed |
 * checks_failed` by the automated checks (actor `system`), `checks_passed →
 * approved | rejected` by a reviewer, `approved → suspended` by a reviewer.
 * `checks_passed` is what the pages call "In review". Nothing leaves
 * `checks_failed`, `rejected` or `suspended`: the developer submits a new version.
 */
export const VERSION_TRANSITIONS = {
  checks_passed: { from: ["submitted"], by: "system" },
  checks_failed: { from: ["submitted"], by: "system" },
  approved: { from: ["checks_passed"], by: "reviewer" },
  rejected: { from: ["checks_passed"], by: "reviewer" },
  suspended: { from: ["approved"], by: "reviewer" },
} as const satisfies Record<Exclude<VersionStatus, "submitted">, { from: readonly VersionStatus[]; by: "system" | "reviewer" }>;

/** A reviewer's decisions on a version, and the status each leads to. */
export const VERSION_DECISIONS = {
  approve: "approved",
  reject: "rejected",
  suspend: "suspended",
} as const satisfies Record<string, keyof typeof VERSION_TRANSITIONS>;
export type VersionDecision = keyof typeof VERSION_DECISIONS;
export const VersionDecisionName = z.enum(Object.keys(VERSION_DECISIONS) as [VersionDecision, ...VersionDecision[]]);

/** Whether `from → to` is a move the version state machine allows. */
export function versionCanMove(from: VersionStatus, to: Exclude<VersionStatus, "submitted">): boolean {
  return (VERSION_TRANSITIONS[to].from as readonly VersionStatus[]).includes(from);
}

/** Whether a vendor in `from` can take `decision`. */
export function vendorCanTake(from: VendorStatus, decision: VendorDecision): boolean {
  return (VENDOR_DECISIONS[decision].from as readonly VendorStatus[]).includes(from);
}

/** How the developer's and reviewer's pages name a version's status. */
export const VERSION_STATUS_LABELS: Record<VersionStatus, string> = {
  submitted: "Checks running",
  checks_passed: "In review",
  checks_failed: "Checks failed",
  approved: "Approved",
  rejected: "Rejected",
  suspended: "Suspended",
};

export const VENDOR_STATUS_LABELS: Record<VendorStatus, string> = {
  pending: "Awaiting verification",
  verified: "Verified",
  rejected: "Rejected",
  suspended: "Suspended",
};

/** A reviewer's reason: required, shown to the developer. */
export const DecisionReason = z.string().trim().min(3, "Give a reason the developer can act on (at least 3 characters)").max(2000);

// ---- the developer's forms --------------------------------------------------------------

const optionalUrl = z
  .string()
  .trim()
  .max(500)
  .refine((v) => v === "" || /^https?:\/\/[^\s]+$/i.test(v), "Enter an http(s) URL")
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** Registering a vendor: the public name and slug, the legal name, a contact, website and description. */
export const VendorRegistrationForm = z.object({
  name: z.string().trim().min(2, "Use at least 2 characters").max(80),
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "2–40 lower-case letters, digits and -"),
  legalName: z.string().trim().min(2, "Enter the registered company or person name").max(200),
  contactEmail: z.string().trim().toLowerCase().email("Enter an e-mail address").max(254),
  website: optionalUrl,
  description: z.string().trim().max(2000).default(""),
});

export const VendorInviteForm = z.object({ email: z.string().trim().toLowerCase().email("Enter an e-mail address").max(254) });

export const EXTENSION_CATEGORIES = ["membership", "points", "promotions", "other"] as const satisfies readonly ExtensionCategory[];
export const CATEGORY_LABELS: Record<ExtensionCategory, string> = { membership: "Membership", points: "Points", promotions: "Promotions", other: "Other" };

/** The listing a developer edits (the store shows it once a version is approved). */
export const ListingForm = z.object({
  name: z.string().trim().min(1, "Enter a name").max(60),
  tagline: z.string().trim().max(120).default(""),
  description: z.string().trim().max(10_000).default(""),
  category: z.enum(EXTENSION_CATEGORIES, { message: "Choose a category" }),
  pricingLabel: z.string().trim().min(1, "Say what it costs, e.g. Free").max(60),
  supportContact: z
    .string()
    .trim()
    .max(254)
    .refine((v) => v === "" || /^https?:\/\/\S+$/i.test(v) || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), "An e-mail address or an http(s) URL"),
});

export const TokenForm = z.object({ name: z.string().trim().min(1, "Name the token, e.g. CI").max(60) });

/** What prefixes every developer API token (recognizable in logs and secret scanners). */
export const DEVELOPER_TOKEN_PREFIX = "bzdev_";

// ---- the automated checks (published as /developers/rules) ---------------------------------

export type CheckName = "manifest" | "bundle_size" | "scopes" | "hooks_run" | "hooks_output" | "hooks_deterministic" | "settings_form";

/**
 * The automated checks, in the order they run, as the rules page states
 * them. A version passes when every line passes; one check may produce
 * several lines (one per hook and fixture).
 */
export const CHECK_RULES: readonly { name: CheckName; title: string; rule: string }[] = [
  { name: "manifest", title: "Manifest", rule: "manifest.json validates against the SDK's manifest schema (id, name, semantic version, apiVersion, hooks, settings, retentionDays 0–30)." },
  { name: "bundle_size", title: "Bundle size", rule: `The bundle is one script of at most ${MAX_BUNDLE_BYTES / 1024} KB.` },
  { name: "scopes", title: "Scopes", rule: "Every scope asked for is in the platform's scope catalog, asked once, with a justification of at least 20 characters the merchant reads on the consent page." },
  {
    name: "hooks_run",
    title: "Hooks run within limits",
    rule: "Every declared hook runs in the production sandbox on the platform's fixture data — a small and a 200-line cart, a paid order, a refund, a new customer, the storefront pages — without throwing and within the production limits (50 ms CPU, 32 MB, 128 KB in, 64 KB out, 20 bridge calls).",
  },
  { name: "hooks_output", title: "Valid output", rule: "Every output is what the platform accepts for that hook (known cart lines, amounts within the line and subtotal, declarative storefront blocks, counter effects within bounds)." },
  { name: "hooks_deterministic", title: "Deterministic", rule: "The same input gives the same output twice: no hidden state between calls (execution is deterministic in the sandbox)." },
  { name: "settings_form", title: "Settings form", rule: "The settings schema renders as the merchant's form: every field has a label, a type the form knows and a default that fits it." },
];
