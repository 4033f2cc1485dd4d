/**
 * The audit module's browser-safe types and schemas.
 */
import { z } from "zod";

/** Who did it. `id` is the user, extension install or API client; null for the platform itself. */
export type AuditActor = {
  type: "user" | "system" | "extension" | "api" | "reviewer";
  id?: string | null;
};

/** What it was done to. `shopId` files the row under a shop's log; leave it out for platform-wide actions. */
export type AuditTarget = {
  shopId?: string | null;
  type?: string;
  id?: string;
};

/** One row as pages show it. */
export type AuditEntryView = {
  id: string;
  shopId: string | null;
  actorType: AuditActor["type"];
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
};

/** Page size of the shop and platform audit pages. */
export const AUDIT_PAGE_SIZE = 50;

/** Actions are `noun.verb` (or deeper), lower case: `shop.created`, `user.password_changed`. */
export const AuditAction = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "Audit actions look like noun.verb").max(100);

/**
 * The `?before=` cursor: audit ids are a bigserial, so a positive integer.
 * Empty or missing means the first page.
 */
export const AuditCursor = z.preprocess(
  (v) => (v === "" || v === null ? undefined : v),
  z.string().regex(/^[1-9][0-9]{0,18}$/, "Not a valid cursor").optional(),
);
