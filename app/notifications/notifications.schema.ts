/**
 * The notifications module's zod schemas. Browser-safe: no server imports, so
 * route components may use them too.
 */
import { z } from "zod";
import { AppError } from "../lib/errors";

/** Page size of the notification list and the development mailbox. */
export const PAGE_SIZE = 30;

// Ids come from `newId` (app/lib/ids.ts): prefix, `_`, 26 Crockford base32 characters.
const idOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), "Not a valid id");

export const NotificationId = idOf("ntf");
export const MailId = idOf("mail");

/**
 * An in-app link: a path on this site. Absolute URLs and protocol-relative
 * `//host` are refused so a notification can never carry a `javascript:` URL
 * or send the reader off-site.
 */
export const SitePath = z
  .string()
  .max(2000)
  .regex(/^\/(?![/\\])[^\s]*$/, "Must be a path on this site, starting with a single /");

/** A notification kind: `noun.verb`-style, the same shape as event names. */
export const NotificationKind = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, "Lower-case dotted name").max(100);

/**
 * The `?before=` cursor of a paginated page: undefined on the first page, an
 * id of the expected kind otherwise; anything else is a 400, not a 500.
 */
export function readCursor(url: URL, id: z.ZodString): string | undefined {
  const raw = url.searchParams.get("before");
  if (raw === null || raw === "") return undefined;
  const parsed = id.safeParse(raw);
  if (!parsed.success) throw new AppError("bad_request", "Invalid page cursor", { fieldErrors: { before: ["Not a valid id"] } });
  return parsed.data;
}

/** The POST form of /notifications: mark one notification read, or all of them. */
export const MarkReadForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("read"), id: NotificationId }),
  z.object({ intent: z.literal("read-all") }),
]);
export type MarkReadForm = z.infer<typeof MarkReadForm>;
