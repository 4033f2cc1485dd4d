/**
 * Listings: what the store shows about an extension — name, tagline,
 * Markdown description (rendered by the catalog's sanitizing renderer, the
 * one product descriptions use), icon, category, pricing label, support
 * contact. The vendor's developers edit it; every change is audited.
 *
 * Icons are verified the way product images are (magic bytes, then a full
 * decode with sharp), re-encoded to a 256×256 WebP (which drops metadata),
 * and stored content-addressed under `marketplace/icons/<sha256>.webp`;
 * /developers/icons/<sha256>.webp serves them.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import sharp from "sharp";
import type { Database } from "../../db/database";
import type { ExtensionCategory } from "../../db/tables/marketplace";
import { record } from "../audit/index.server";
import { renderDescription, sniffImageType } from "../catalog/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import type { Platform } from "../platform.server";
import { storageFor } from "../storage/index.server";
import { selectExtension, selectVendor } from "./marketplace.repository.server";
import { selectIconOwner, updateListing, updateListingIcon } from "./workflows.repository.server";
import { CATEGORY_LABELS, ListingForm } from "./workflows.schema";

export const MAX_ICON_BYTES = 1024 * 1024;
const ICON_SIZE = 256;
const ICON_FILE = /^[0-9a-f]{64}\.webp$/;

/** A listing as the developer edits it and the store shows it. */
export type ListingView = {
  extensionId: string;
  handle: string;
  vendorId: string;
  vendorName: string;
  name: string;
  tagline: string;
  /** the Markdown as written */
  description: string;
  /** sanitized HTML of the description (safe for dangerouslySetInnerHTML) */
  descriptionHtml: string;
  iconUrl: string | null;
  category: ExtensionCategory;
  categoryLabel: string;
  pricingLabel: string;
  supportContact: string;
};

/** The public URL of an icon from its storage key. */
export function iconUrlOf(iconKey: string | null): string | null {
  return iconKey ? `/developers/icons/${iconKey.split("/").pop()}` : null;
}

/** An extension's listing (null if unknown). Callers check who may edit it. */
export async function getListingView(db: Kysely<Database>, extensionId: string): Promise<ListingView | null> {
  const e = await selectExtension(db, extensionId);
  if (!e) return null;
  const vendor = await selectVendor(db, e.vendor_id);
  return {
    extensionId: e.id,
    handle: e.handle,
    vendorId: e.vendor_id,
    vendorName: vendor?.name ?? "",
    name: e.name,
    tagline: e.tagline,
    description: e.description,
    descriptionHtml: renderDescription(e.description),
    iconUrl: iconUrlOf(e.icon_key),
    category: e.category,
    categoryLabel: CATEGORY_LABELS[e.category],
    pricingLabel: e.pricing_label,
    supportContact: e.support_contact,
  };
}

/**
 * Saves the listing's texts (the guard checked the user is a member of the
 * extension's vendor). 400 with field errors for anything out of bounds.
 *
 * @example
 * await saveListing(db, user, extensionId, { name: "Points", tagline: "Earn and redeem", description: "**1 point** per CNY", category: "points", pricingLabel: "Free", supportContact: "help@acme.test" });
 */
export async function saveListing(db: Kysely<Database>, actor: { id: string }, extensionId: string, form: unknown): Promise<ListingView> {
  const parsed = ListingForm.safeParse(form);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const l = parsed.data;
  await (db.isTransaction ? (fn: (t: Kysely<Database>) => Promise<void>) => fn(db) : (fn: (t: Kysely<Database>) => Promise<void>) => db.transaction().execute(fn))(async (trx) => {
    const ok = await updateListing(trx, extensionId, {
      name: l.name,
      tagline: l.tagline,
      description: l.description,
      category: l.category,
      pricing_label: l.pricingLabel,
      support_contact: l.supportContact,
      at: new Date(),
    });
    if (!ok) throw notFound("Extension not found");
    await record(trx, { type: "user", id: actor.id }, "extension.listing_updated", { type: "extension", id: extensionId }, { name: l.name, category: l.category, pricingLabel: l.pricingLabel });
  });
  return (await getListingView(db, extensionId))!;
}

function refuse(message: string): AppError {
  return new AppError("bad_request", message, { fieldErrors: { icon: [message] } });
}

/**
 * Verifies, re-encodes (256×256 WebP) and stores an icon, and makes it the
 * listing's. 400 on `icon` for anything that is not a JPEG, PNG or WebP
 * that decodes, or is larger than 1 MB.
 */
export async function uploadListingIcon(platform: Pick<Platform, "db" | "config">, actor: { id: string }, extensionId: string, bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength === 0) throw refuse("Choose an image file");
  if (bytes.byteLength > MAX_ICON_BYTES) throw refuse("The icon is larger than 1 MB");
  const type = sniffImageType(bytes);
  if (type === null || type === "gif" || type === "other-image") throw refuse("The icon must be a JPEG, PNG or WebP image");
  let webp: Buffer;
  try {
    webp = await sharp(bytes, { limitInputPixels: 40_000_000, failOn: "warning" }).rotate().resize(ICON_SIZE, ICON_SIZE, { fit: "cover" }).webp({ quality: 90 }).toBuffer();
  } catch {
    throw refuse("The image could not be read; it may be damaged or not really an image");
  }
  const key = `marketplace/icons/${createHash("sha256").update(webp).digest("hex")}.webp`;
  await storageFor(platform).put(key, webp);
  await platform.db.transaction().execute(async (trx) => {
    if (!(await selectExtension(trx, extensionId))) throw notFound("Extension not found");
    await updateListingIcon(trx, extensionId, key, new Date());
    await record(trx, { type: "user", id: actor.id }, "extension.icon_updated", { type: "extension", id: extensionId }, { key });
  });
  return iconUrlOf(key)!;
}

/** An icon's bytes for serving, if some listing uses it (content-addressed: cacheable forever). */
export async function getIconForServing(platform: Pick<Platform, "db" | "config">, file: string) {
  if (!ICON_FILE.test(file)) return null;
  const key = `marketplace/icons/${file}`;
  if (!(await selectIconOwner(platform.db, key))) return null;
  return storageFor(platform).get(key);
}
