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
