/**
 * The audit module's public surface: other modules import from here only.
 */
export { record, listShopAudit, listPlatformAudit, type AuditPage } from "./audit.service.server";
export { AUDIT_PAGE_SIZE, AuditCursor, type AuditActor, type AuditTarget, type AuditEntryView } from "./audit.schema";
