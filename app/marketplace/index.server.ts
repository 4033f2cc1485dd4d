/**
 * The marketplace module's public surface: other modules and routes import
 * from here only. The marketplace owns `vendors`, `vendor_members`,
 * `extensions`, `extension_bundles`, `extension_versions` and `installs`.
 *
 * - Vendors: {@link createVendor}, {@link setVendorStatus}, {@link listVendorsOfUser}.
 * - Versions: {@link submitVersion} (manifest + bundle by content hash),
 *   {@link setVersionStatus} (checks, review, suspension), {@link getVersion},
 *   {@link listVersions}, {@link loadBundle}.
 * - Installs (the consent page, the merchant's pages, the extension host):
 *   {@link installExtension}, {@link suspendInstall}, {@link resumeInstall},
 *   {@link uninstall}, {@link activeInstalls}, {@link reorderInstalls},
 *   {@link listShopInstalls}, {@link getInstall}, {@link getInstallById},
 *   {@link updateSettings}.
 */
export {
  createVendor,
  setVendorStatus,
  listVendorsOfUser,
  submitVersion,
  setVersionStatus,
  getVersion,
  listVersions,
  listDeveloperExtensions,
  requireDeveloperExtension,
  loadBundle,
  validateInstallSettings,
  installExtension,
  updateSettings,
  suspendInstall,
  resumeInstall,
  uninstall,
  activeInstalls,
  listShopInstalls,
  getInstall,
  getInstallById,
  reorderInstalls,
  moveInstall,
  MAX_BUNDLE_BYTES,
  type ActiveInstall,
  type InstallView,
  type VendorView,
  type VersionView,
  type DeveloperExtension,
  type SuspendReason,
} from "./marketplace.service.server";
export * from "./marketplace.schema";

// ---- the developer side and the reviewer's decisions (issue 7) ------------------------------
export {
  registerVendor,
  listMyVendors,
  requireVendorMember,
  decideVendor,
  getVendorTeam,
  inviteVendorMember,
  revokeVendorInvite,
  getVendorInvitation,
  acceptVendorInvitation,
  VENDOR_INVITE_TTL_MS,
  type DeveloperVendor,
  type VendorTeam,
  type VendorInvitationView,
} from "./vendors.server";
export { decideVersion, getVersionDetail, listVersionSummaries, type DecidedVersion, type VersionDetail, type CheckLineView } from "./versions.server";
export * from "./workflows.schema";
export { settingsFormFields, settingsFromForm, type SettingsFormField } from "./settings-form";
export {
  createDeveloperToken,
  listDeveloperTokens,
  revokeDeveloperToken,
  authenticateDeveloperToken,
  publishWithToken,
  getPublishedVersion,
  type DeveloperTokenView,
  type DeveloperPrincipal,
  type PublishedVersion,
} from "./tokens.server";
export { developerApi, readJsonBody, MAX_PUBLISH_BODY } from "./developer-api.server";
export { getListingView, saveListing, uploadListingIcon, getIconForServing, iconUrlOf, MAX_ICON_BYTES, type ListingView } from "./listings.server";
export { listDevelopmentShops, createDevelopmentShop, installIntoDevelopmentShop, MAX_DEVELOPMENT_SHOPS, type DevelopmentShop } from "./dev-shops.server";
export { HOOK_CONFIG_LIMITS } from "./rules.server";
export { runChecks, runVersionChecks, versionChecksConsumer, versionCheckJobs, HOOK_FIXTURES, VERSION_CHECKS_JOB, type CheckLine as VersionCheckLine } from "./checks.server";

// ---- the reviewer console, the store, ratings and data retention ----------------------------
export {
  vendorQueue,
  versionQueue,
  getVersionReview,
  getVendorReview,
  listExtensionsForReview,
  getExtensionReview,
  decideVendorReview,
  decideVersionReview,
  decideExtensionReview,
  diffManifests,
  lineDiff,
  QUEUE_PAGE_SIZE,
  type ConsolePlatform,
  type ManifestDiff,
  type DiffLine,
  type CheckLine,
} from "./review-console.server";
export {
  searchListings,
  getListing,
  shopInstallsWithUpdates,
  shopRetainedInstalls,
  updateInstallToLatest,
  applyAutomaticUpdates,
  notifyUpdatesNeedingConsent,
  viewerShopsFor,
  installSettingsForm,
  saveInstallSettingsForm,
  compareVersions,
  HOOK_LABELS,
  STORE_PAGE_SIZE,
  type ListingCard,
  type UpdateOffer,
} from "./store.server";
export { saveShopReview, getShopReview, listExtensionReviews, ReviewForm, REVIEWS_PAGE_SIZE, type ReviewView } from "./reviews.server";
export { exportInstallData, purgeExpiredInstallData, RETENTION_SWEEP_EVERY_MS, type InstallDataExport } from "./retention.server";
import { purgeRetainedDataJob } from "./retention.server";
import { autoUpdateJob } from "./store.server";
/** The marketplace's jobs for the worker list (app/jobs/workers.server.ts): the retention sweep and automatic updates. */
export const marketplaceJobs = [purgeRetainedDataJob, autoUpdateJob] as const;
