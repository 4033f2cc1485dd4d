/**
 * The marketplace module's tables (app/marketplace): vendors and their
 * members, extensions (listings), their versions (manifest + bundle, the
 * bundle stored once by content hash) and installs in shops.
 * `Database` extends {@link MarketplaceTables}.
 */
import type { ColumnType, Selectable } from "kysely";
import type { CreatedAt, JsonObject, Timestamp } from "../database";

export type VendorStatus = "pending" | "verified" | "rejected" | "suspended";
export type VendorRole = "owner" | "developer";
export type VersionStatus = "submitted" | "checks_passed" | "checks_failed" | "approved" | "rejected" | "suspended";
export type InstallStatus = "active" | "suspended" | "uninstalled";
export type ExtensionCategory = "membership" | "points" | "promotions" | "other";

export interface VendorsTable {
  id: string;
  name: string;
  /** unique, lower case; the prefix of the vendor's extension ids */
  slug: string;
  status: ColumnType<VendorStatus, VendorStatus | undefined, VendorStatus>;
  contact_email: string;
  website: string | null;
  /** the registered company (or person) name; null only for vendors created before it was asked */
  legal_name: string | null;
  description: ColumnType<string, string | undefined, string>;
  status_reason: string | null;
  verified_at: Timestamp | null;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface VendorMembersTable {
  vendor_id: string;
  user_id: string;
  role: VendorRole;
  created_at: CreatedAt;
}

export interface ExtensionsTable {
  id: string;
  vendor_id: string;
  /** the manifest's `id` (e.g. `bazaar-labs.points`): unique, never reused */
  handle: string;
  name: string;
  summary: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** the listing (app/marketplace/listings.server.ts): one line under the name */
  tagline: ColumnType<string, string | undefined, string>;
  /** Markdown, rendered sanitized */
  description: ColumnType<string, string | undefined, string>;
  /** storage key of the 256×256 WebP icon (content-addressed), or null */
  icon_key: string | null;
  category: ColumnType<ExtensionCategory, ExtensionCategory | undefined, ExtensionCategory>;
  pricing_label: ColumnType<string, string | undefined, string>;
  support_contact: ColumnType<string, string | undefined, string>;
  /** set when a reviewer suspended the whole extension: no install of it runs, it leaves the store */
  suspended_at: Timestamp | null;
  suspension_reason: string | null;
}

/** A bundle's text, stored once however many versions (or extensions) ship the same bytes. */
export interface ExtensionBundlesTable {
  /** `sha256:<hex>` of the text; also the sandbox's version key */
  hash: string;
  source: string;
  bytes: number;
  created_at: CreatedAt;
}

export interface ExtensionVersionsTable {
  id: string;
  extension_id: string;
  /** the manifest's semver `version` */
  version: string;
  /** the hook API version the manifest targets, e.g. "2026-11" */
  api_version: string;
  /** the validated manifest as submitted */
  manifest: JsonObject;
  bundle_hash: string;
  status: ColumnType<VersionStatus, VersionStatus | undefined, VersionStatus>;
  /** the checks' findings or the reviewer's reason */
  status_reason: string | null;
  submitted_by: string | null;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  checks_started_at: Timestamp | null;
  checks_finished_at: Timestamp | null;
}

/** One line of a version's automated checks (app/marketplace/checks.server.ts), in order. */
export interface ExtensionVersionChecksTable {
  version_id: string;
  seq: number;
  name: string;
  passed: boolean;
  detail: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
}

/** A teammate invited to a vendor by e-mail; the link's token is kept as its SHA-256. */
export interface VendorInvitesTable {
  id: string;
  vendor_id: string;
  email: string;
  token_hash: string;
  invited_by: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  revoked_at: Timestamp | null;
  created_at: CreatedAt;
}

/** A vendor-scoped developer API token (`bzdev_…`): only its SHA-256 is stored. */
export interface DeveloperTokensTable {
  id: string;
  vendor_id: string;
  name: string;
  /** sha256 hex of the whole token */
  token_hash: string;
  /** the first characters, to tell tokens apart on the page */
  display_prefix: string;
  created_by: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

export interface InstallsTable {
  id: string;
  shop_id: string;
  extension_id: string;
  version_id: string;
  /** the scopes the merchant granted (a subset of the version's manifest) */
  granted_scopes: ColumnType<string[], string, string>;
  /** validated against the manifest's settings fields */
  settings: JsonObject;
  status: ColumnType<InstallStatus, InstallStatus | undefined, InstallStatus>;
  /** the merchant's order: checkout applies discounts in ascending position */
  position: number;
  status_reason: string | null;
  installed_by: string | null;
  installed_at: CreatedAt;
  updated_at: Timestamp;
  suspended_at: Timestamp | null;
  uninstalled_at: Timestamp | null;
  /** uninstalled: the extension's data is kept until then (manifest `retentionDays`) */
  data_retained_until: Timestamp | null;
  /** when the retention job deleted the extension's data for this install */
  data_deleted_at: Timestamp | null;
}

/** One rating and review per shop per extension, by a shop owner; editable (app/marketplace/reviews.server.ts). */
export interface ExtensionReviewsTable {
  id: string;
  extension_id: string;
  shop_id: string;
  author_id: string;
  /** 1–5 stars */
  rating: number;
  body: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MarketplaceTables {
  vendors: VendorsTable;
  vendor_members: VendorMembersTable;
  extensions: ExtensionsTable;
  extension_bundles: ExtensionBundlesTable;
  extension_versions: ExtensionVersionsTable;
  installs: InstallsTable;
  extension_version_checks: ExtensionVersionChecksTable;
  vendor_invites: VendorInvitesTable;
  developer_tokens: DeveloperTokensTable;
  extension_reviews: ExtensionReviewsTable;
}

export type VendorRow = Selectable<VendorsTable>;
export type ExtensionRow = Selectable<ExtensionsTable>;
export type ExtensionVersionRow = Selectable<ExtensionVersionsTable>;
export type InstallRow = Selectable<InstallsTable>;
export type ExtensionReviewRow = Selectable<ExtensionReviewsTable>;
