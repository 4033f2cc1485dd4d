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

export interface VendorsTable {
  id: string;
  name: string;
  /** unique, lower case; the prefix of the vendor's extension ids */
  slug: string;
  status: ColumnType<VendorStatus, VendorStatus | undefined, VendorStatus>;
  contact_email: string;
  website: string | null;
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
}

export interface MarketplaceTables {
  vendors: VendorsTable;
  vendor_members: VendorMembersTable;
  extensions: ExtensionsTable;
  extension_bundles: ExtensionBundlesTable;
  extension_versions: ExtensionVersionsTable;
  installs: InstallsTable;
}

export type VendorRow = Selectable<VendorsTable>;
export type ExtensionRow = Selectable<ExtensionsTable>;
export type ExtensionVersionRow = Selectable<ExtensionVersionsTable>;
export type InstallRow = Selectable<InstallsTable>;
