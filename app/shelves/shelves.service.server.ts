/**
 * Shelves: the merchant edits a draft; publishing copies it into an immutable
 * version; the storefront reads only published versions. Every draft edit is
 * a read-modify-write of the shelf row under `FOR UPDATE`, in the same
 * transaction as its audit record.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { storeImage, type ImageTarget } from "../catalog/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { findCategory, findProductForShelf } from "./catalog-reader.server";
import {
  clearHomeShelf,
  countShelvesOfShop,
  insertShelf,
  insertShelfVersion,
  markHomeShelf,
  pointShelfAtVersion,
  selectHomeShelf,
  selectLatestVersionNumber,
  selectShelf,
  selectShelfBySlug,
  selectShelfForUpdate,
  selectShelfVersion,
  selectShelvesOfShop,
  updateShelfDraft,
  updateShelfSettings,
  type ShelfRow,
} from "./shelves.repository.server";
import {
  CreateShelfForm,
  DraftSections,
  MAX_GRID_PRODUCTS,
  MAX_LIST_PRODUCTS,
  MAX_SECTIONS,
  PublishableSections,
  Section,
  SectionFields,
  SECTION_LABELS,
  ShelfEditorForm,
  ShelfSettingsForm,
  type Section as SectionT,
  type SectionType,
} from "./shelves.schema";

/** Who makes a change: the signed-in merchant (or staff member), or an install through the open API (`type: "extension"`, `id`: the install). */
export type ShelfActor = { id: string; type?: "user" | "extension" };

/** A shelf in the merchant's list. */
export type ShelfSummary = {
  id: string;
  title: string;
  slug: string;
  isHome: boolean;
  /** the number of the version the storefront serves, or null before the first publish */
  publishedVersion: number | null;
  publishedAt: string | null;
  draftUpdatedAt: string;
  /** true when the draft was edited after the last publish */
  hasUnpublishedChanges: boolean;
};

/** A shelf as the editor sees it: its settings and its draft's sections. */
export type ShelfDraft = ShelfSummary & { sections: SectionT[] };

export const HOME_SLUG = "home";
const MAX_SHELVES = 100;

function toSummary(row: {
  id: string;
  title: string;
  slug: string;
  is_home: boolean;
  draft_updated_at: Date;
  published_at: Date | null;
  published_version: number | null;
}): ShelfSummary {
  const draftAt = new Date(row.draft_updated_at);
  const publishedAt = row.published_at ? new Date(row.published_at) : null;
  return {
    id: row.id,
    title: row.title,
    slug: row.slug,
    isHome: row.is_home,
    publishedVersion: row.published_version,
    publishedAt: publishedAt?.toISOString() ?? null,
    draftUpdatedAt: draftAt.toISOString(),
    hasUnpublishedChanges: !publishedAt || draftAt > publishedAt,
  };
}

/** Runs `fn` in a transaction, or in the caller's when `db` already is one (the seed publishes inside its own). */
function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Stored JSON is ours, but it is still read through the schema: a bad row is a bug to surface, not to render. */
function readDraft(row: ShelfRow): SectionT[] {
  const parsed = DraftSections.safeParse(row.draft_sections);
  if (!parsed.success) throw new Error(`shelf ${row.id}: stored draft does not match the section schema`);
  return parsed.data;
}

function badRequest(issues: { path: PropertyKey[]; message: string }[], message = "Please correct the highlighted fields."): AppError {
  return new AppError("bad_request", message, { fieldErrors: fieldErrorsFromZod(issues) });
}

// ---- the merchant's list ---------------------------------------------------

/**
 * The shop's shelves, home first.
 *
 * @example
 * const shelves = await listShelves(db, shop.id);
 */
export async function listShelves(db: Kysely<Database>, shopId: string): Promise<ShelfSummary[]> {
  const rows = await selectShelvesOfShop(db, shopId);
  return rows.map(toSummary);
}

/**
 * Makes sure the shop has its home shelf, creating an empty draft "Home" on
 * the first visit to the shelf admin. Concurrent first visits create one:
 * the partial unique index on the home flag turns the second insert into a no-op.
 */
export async function ensureHomeShelf(db: Kysely<Database>, shopId: string, actor: ShelfActor | null): Promise<void> {
  if (await selectHomeShelf(db, shopId)) return;
  await inTransaction(db, async (trx) => {
    const id = newId("shf");
    // "home" may already name a page that is not the home (the merchant moved the home elsewhere and back);
    // then the new home gets a suffixed address.
    const slug = (await selectShelfBySlug(trx, shopId, HOME_SLUG)) ? `${HOME_SLUG}-${id.slice(-6)}` : HOME_SLUG;
    const inserted = await insertShelf(trx, { id, shop_id: shopId, title: "Home", slug, is_home: true, now: new Date() });
    if (inserted) {
      await record(trx, actor ? { type: "user", id: actor.id } : { type: "system" }, "shelf.created", { shopId, type: "shelf", id }, { slug, home: true });
    }
  });
}

/**
 * Creates a page (not the home) with an empty draft.
 *
 * @example
 * const shelf = await createShelf(db, shop.id, user, { title: "Spring teas", slug: "spring" });
 */
export async function createShelf(db: Kysely<Database>, shopId: string, actor: ShelfActor, input: unknown): Promise<ShelfSummary> {
  const parsed = CreateShelfForm.safeParse(input);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const { title, slug } = parsed.data;
  return inTransaction(db, async (trx) => {
    if ((await countShelvesOfShop(trx, shopId)) >= MAX_SHELVES) {
      throw new AppError("unprocessable", `A shop can have at most ${MAX_SHELVES} pages.`, { code: "too_many_shelves" });
    }
    const id = newId("shf");
    const now = new Date();
    const inserted = await insertShelf(trx, { id, shop_id: shopId, title, slug, is_home: false, now });
    if (!inserted) {
      throw new AppError("conflict", "That address is already used by another page.", { fieldErrors: { slug: ["Already used by another page"] }, code: "slug_taken" });
    }
    await record(trx, { type: "user", id: actor.id }, "shelf.created", { shopId, type: "shelf", id }, { slug, title });
    return toSummary({ id, title, slug, is_home: false, draft_updated_at: now, published_at: null, published_version: null });
  });
}

/** Makes another page the shop's home; the old home stays as an ordinary page at its address. */
export async function setHomeShelf(db: Kysely<Database>, shopId: string, actor: ShelfActor, shelfId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const shelf = await selectShelfForUpdate(trx, shopId, shelfId);
    if (!shelf) throw notFound("Page not found");
    if (shelf.is_home) return;
    const now = new Date();
    await clearHomeShelf(trx, shopId, now);
    await markHomeShelf(trx, shopId, shelfId, now);
    await record(trx, { type: "user", id: actor.id }, "shelf.home_set", { shopId, type: "shelf", id: shelfId }, { slug: shelf.slug });
  });
}

/** Renames a page or moves it to another address. */
export async function changeShelfSettings(db: Kysely<Database>, shopId: string, actor: ShelfActor, shelfId: string, input: unknown): Promise<void> {
  const parsed = ShelfSettingsForm.safeParse(input);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const { title, slug } = parsed.data;
  await inTransaction(db, async (trx) => {
    const shelf = await selectShelfForUpdate(trx, shopId, shelfId);
    if (!shelf) throw notFound("Page not found");
    if (slug !== shelf.slug) {
      const other = await selectShelfBySlug(trx, shopId, slug);
      if (other) throw new AppError("conflict", "That address is already used by another page.", { fieldErrors: { slug: ["Already used by another page"] }, code: "slug_taken" });
    }
    await updateShelfSettings(trx, shopId, shelfId, title, slug, new Date());
    await record(trx, { type: "user", id: actor.id }, "shelf.settings_updated", { shopId, type: "shelf", id: shelfId }, { title, slug });
  });
}

// ---- the draft -------------------------------------------------------------

/**
 * A shelf and its draft for the editor; 404 for a shelf of another shop.
 *
 * @example
 * const draft = await getShelfDraft(db, shop.id, params.shelfId);
 */
export async function getShelfDraft(db: Kysely<Database>, shopId: string, shelfId: string): Promise<ShelfDraft> {
  const row = await selectShelf(db, shopId, shelfId);
  if (!row) throw notFound("Page not found");
  const version = row.published_version_id ? await selectShelfVersion(db, shopId, row.published_version_id) : undefined;
  return {
    ...toSummary({ ...row, published_at: version?.published_at ?? null, published_version: version?.version ?? null }),
    sections: readDraft(row),
  };
}

/** One change to a draft, as the editor's forms express it. */
export type DraftEdit =
  | { op: "add-section"; type: SectionType }
  | { op: "remove-section"; sectionId: string }
  | { op: "move-section"; sectionId: string; direction: "up" | "down" }
  | { op: "update-section"; sectionId: string; fields: Record<string, unknown> }
  | { op: "add-product"; sectionId: string; productId: string }
  | { op: "remove-product"; sectionId: string; productId: string }
  | { op: "move-product"; sectionId: string; productId: string; direction: "up" | "down" };

/** A new section of a type, valid as a draft, with what a merchant would most likely want. */
function newSection(type: SectionType): SectionT {
  const id = newId("sec");
  switch (type) {
    case "banner":
      return { type, id, imageId: null, headline: "Welcome to our shop", subline: "", link: "", linkLabel: "" };
    case "product_grid":
      return { type, id, title: "Bestsellers", productIds: [] };
    case "product_list":
      return { type, id, title: "", productIds: [] };
    case "category_group":
      return { type, id, title: "", categoryId: null, maxItems: 6 };
    case "rich_text":
      return { type, id, markdown: "" };
  }
}

function move<T>(list: T[], index: number, direction: "up" | "down"): T[] {
  const to = direction === "up" ? index - 1 : index + 1;
  if (to < 0 || to >= list.length) return list;
  const copy = list.slice();
  [copy[index], copy[to]] = [copy[to], copy[index]];
  return copy;
}

const AUDIT_ACTION: Record<DraftEdit["op"], string> = {
  "add-section": "shelf.section_added",
  "remove-section": "shelf.section_removed",
  "move-section": "shelf.section_moved",
  "update-section": "shelf.section_updated",
  "add-product": "shelf.product_added",
  "remove-product": "shelf.product_removed",
  "move-product": "shelf.product_moved",
};

/**
 * Applies one edit to the draft. Validation errors are 400 with field errors
 * named as in the section's form; a section or product the draft does not
 * hold is 404. The storefront never sees the draft.
 *
 * @example
 * await editShelfDraft(db, shop.id, user, shelfId, { op: "add-section", type: "product_grid" });
 * await editShelfDraft(db, shop.id, user, shelfId, { op: "update-section", sectionId, fields: { title: "New in" } });
 * @returns the id of the section the edit touched (the new one for add-section)
 */
export async function editShelfDraft(
  db: Kysely<Database>,
  shopId: string,
  actor: ShelfActor,
  shelfId: string,
  edit: DraftEdit,
): Promise<{ sectionId: string }> {
  // Checks that read the catalog run before the lock: they do not depend on the draft.
  if (edit.op === "add-product") {
    const product = await findProductForShelf(db, shopId, edit.productId);
    if (!product) throw notFound("Product not found");
  }
  if (edit.op === "update-section" && typeof edit.fields.categoryId === "string" && edit.fields.categoryId !== "") {
    const category = await findCategory(db, shopId, edit.fields.categoryId);
    if (!category) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: { categoryId: ["Choose one of your categories"] } });
  }

  return inTransaction(db, async (trx) => {
    const shelf = await selectShelfForUpdate(trx, shopId, shelfId);
    if (!shelf) throw notFound("Page not found");
    let sections = readDraft(shelf);
    const index = "sectionId" in edit ? sections.findIndex((s) => s.id === edit.sectionId) : -1;
    if ("sectionId" in edit && index < 0) throw notFound("That section is no longer on this page");
    let touched = "sectionId" in edit ? edit.sectionId : "";

    switch (edit.op) {
      case "add-section": {
        if (sections.length >= MAX_SECTIONS) {
          throw new AppError("unprocessable", `A page holds at most ${MAX_SECTIONS} sections.`, { code: "too_many_sections" });
        }
        const section = newSection(edit.type);
        sections = [...sections, section];
        touched = section.id;
        break;
      }
      case "remove-section":
        sections = sections.filter((s) => s.id !== edit.sectionId);
        break;
      case "move-section":
        sections = move(sections, index, edit.direction);
        break;
      case "update-section": {
        const current = sections[index];
        const schema = SectionFields[current.type];
        const fields = schema.safeParse(edit.fields);
        if (!fields.success) throw badRequest(fields.error.issues);
        // Only what the form sent changes: a field it left out keeps its value instead of falling back to a default.
        const patch = Object.fromEntries(Object.entries(fields.data).filter(([k]) => k in edit.fields));
        const next = Section.safeParse({ ...current, ...patch, type: current.type, id: current.id });
        if (!next.success) throw badRequest(next.error.issues);
        sections = sections.map((s, i) => (i === index ? next.data : s));
        break;
      }
      case "add-product":
      case "remove-product":
      case "move-product": {
        const current = sections[index];
        if (current.type !== "product_grid" && current.type !== "product_list") {
          throw new AppError("bad_request", `A ${SECTION_LABELS[current.type].toLowerCase()} section has no products to pick.`);
        }
        let ids = current.productIds;
        if (edit.op === "add-product") {
          if (ids.includes(edit.productId)) break; // adding twice is a no-op, not an error: double-clicks happen
          const max = current.type === "product_grid" ? MAX_GRID_PRODUCTS : MAX_LIST_PRODUCTS;
          if (ids.length >= max) {
            throw new AppError("unprocessable", `This ${SECTION_LABELS[current.type].toLowerCase()} already holds ${max} products, the most it can.`, {
              code: "section_full",
            });
          }
          ids = [...ids, edit.productId];
        } else {
          const at = ids.indexOf(edit.productId);
          if (at < 0) throw notFound("That product is not in this section");
          ids = edit.op === "remove-product" ? ids.filter((id) => id !== edit.productId) : move(ids, at, edit.direction);
        }
        sections = sections.map((s, i) => (i === index ? { ...current, productIds: ids } : s));
        break;
      }
    }

    const checked = DraftSections.safeParse(sections);
    if (!checked.success) throw badRequest(checked.error.issues);
    await updateShelfDraft(trx, shopId, shelfId, JSON.stringify(checked.data), new Date());
    await record(trx, { type: "user", id: actor.id }, AUDIT_ACTION[edit.op], { shopId, type: "shelf", id: shelfId }, {
      sectionId: touched,
      ...(edit.op === "add-section" ? { sectionType: edit.type } : {}),
      ...("productId" in edit ? { productId: edit.productId } : {}),
      ...("direction" in edit ? { direction: edit.direction } : {}),
    });
    return { sectionId: touched };
  });
}

/**
 * Publishes the draft: inserts version n+1 (immutable) and points the shelf
 * at it, in one transaction under the shelf's row lock, so two publishes
 * never take the same number and the storefront switches in one step.
 *
 * @example
 * const { version } = await publishShelf(db, shop.id, user, shelfId);
 */
export async function publishShelf(
  db: Kysely<Database>,
  shopId: string,
  actor: ShelfActor | null,
  shelfId: string,
): Promise<{ versionId: string; version: number }> {
  return inTransaction(db, async (trx) => {
    const shelf = await selectShelfForUpdate(trx, shopId, shelfId);
    if (!shelf) throw notFound("Page not found");
    const parsed = PublishableSections.safeParse(shelf.draft_sections);
    if (!parsed.success) {
      throw new AppError("unprocessable", parsed.error.issues[0]?.message ?? "This page cannot be published yet.", {
        code: "draft_incomplete",
        fieldErrors: fieldErrorsFromZod(parsed.error.issues),
      });
    }
    const version = (await selectLatestVersionNumber(trx, shopId, shelfId)) + 1;
    const versionId = newId("shv");
    const now = new Date();
    await insertShelfVersion(trx, {
      id: versionId,
      shop_id: shopId,
      shelf_id: shelfId,
      version,
      title: shelf.title,
      sections: JSON.stringify(parsed.data),
      published_by: actor?.id ?? null,
      published_at: now,
    });
    await pointShelfAtVersion(trx, shopId, shelfId, versionId, now);
    await record(trx, actor ? { type: actor.type ?? "user", id: actor.id } : { type: "system" }, "shelf.published", { shopId, type: "shelf", id: shelfId }, {
      version,
      versionId,
      sections: parsed.data.length,
    });
    return { versionId, version };
  });
}

/** Throws the draft away: it becomes the published version again (or empty, before the first publish). */
export async function discardShelfDraft(db: Kysely<Database>, shopId: string, actor: ShelfActor, shelfId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const shelf = await selectShelfForUpdate(trx, shopId, shelfId);
    if (!shelf) throw notFound("Page not found");
    const version = shelf.published_version_id ? await selectShelfVersion(trx, shopId, shelf.published_version_id) : undefined;
    const sections = version ? DraftSections.parse(version.sections) : [];
    // The draft is stamped with the version's own time, so it reads as "no unpublished changes".
    await updateShelfDraft(trx, shopId, shelfId, JSON.stringify(sections), version ? new Date(version.published_at) : new Date());
    await record(trx, { type: "user", id: actor.id }, "shelf.draft_discarded", { shopId, type: "shelf", id: shelfId }, { version: version?.version ?? null });
  });
}

/**
 * Writes a whole draft at once (the demo seed lays out its home page this
 * way). The same validation as the editor's edits applies.
 */
export async function replaceShelfDraft(db: Kysely<Database>, shopId: string, actor: ShelfActor | null, shelfId: string, sections: unknown): Promise<void> {
  const parsed = DraftSections.safeParse(sections);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  await inTransaction(db, async (trx) => {
    const shelf = await selectShelfForUpdate(trx, shopId, shelfId);
    if (!shelf) throw notFound("Page not found");
    await updateShelfDraft(trx, shopId, shelfId, JSON.stringify(parsed.data), new Date());
    await record(trx, actor ? { type: "user", id: actor.id } : { type: "system" }, "shelf.draft_replaced", { shopId, type: "shelf", id: shelfId }, {
      sections: parsed.data.length,
    });
  });
}

/** The home shelf's id (after {@link ensureHomeShelf}). */
export async function getHomeShelfId(db: Kysely<Database>, shopId: string): Promise<string | null> {
  return (await selectHomeShelf(db, shopId))?.id ?? null;
}

/** A new, unsaved section id, for callers that build sections themselves (the seed). */
export function newSectionId(): string {
  return newId("sec");
}

/** What the shelf editor's forms post: the fields, and a banner picture when one was uploaded. */
export type ShelfEditorInput = { fields: Record<string, unknown>; image?: Uint8Array | null };

/**
 * Handles one POST of the shelf editor: picks the change its `intent`
 * names and applies it. A banner's uploaded picture is stored through the
 * catalog's image checks first (JPEG, PNG or WebP by content, at most 5 MB).
 *
 * @example
 * const result = await submitShelfEditor(context.platform, shop.id, user, shelfId, { fields: Object.fromEntries(form) });
 * @returns a message for the merchant and the section the change touched
 */
export async function submitShelfEditor(
  target: ImageTarget,
  shopId: string,
  actor: ShelfActor,
  shelfId: string,
  input: ShelfEditorInput,
): Promise<{ message: string; sectionId?: string; version?: number }> {
  const parsed = ShelfEditorForm.safeParse(input.fields);
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const form = parsed.data;
  const { db } = target;
  switch (form.intent) {
    case "publish": {
      const { version } = await publishShelf(db, shopId, actor, shelfId);
      return { message: `Published — buyers now see version ${version}.`, version };
    }
    case "discard-draft":
      await discardShelfDraft(db, shopId, actor, shelfId);
      return { message: "Changes discarded: the draft is the published page again." };
    case "settings":
      await changeShelfSettings(db, shopId, actor, shelfId, { title: form.title, slug: form.slug });
      return { message: "Page settings saved." };
    case "add-section": {
      const { sectionId } = await editShelfDraft(db, shopId, actor, shelfId, { op: "add-section", type: form.type });
      return { message: `${SECTION_LABELS[form.type]} added at the bottom.`, sectionId };
    }
    case "remove-section":
      await editShelfDraft(db, shopId, actor, shelfId, { op: "remove-section", sectionId: form.sectionId });
      return { message: "Section removed." };
    case "move-section":
      await editShelfDraft(db, shopId, actor, shelfId, { op: "move-section", sectionId: form.sectionId, direction: form.direction });
      return { message: "Section moved.", sectionId: form.sectionId };
    case "update-section": {
      const { intent: _intent, sectionId, _csrf: _token, removeImage, ...fields } = form as Record<string, unknown> & { sectionId: string };
      if (removeImage === "1") fields.imageId = "";
      if (input.image && input.image.byteLength > 0) fields.imageId = await storeImage(target, shopId, input.image);
      await editShelfDraft(db, shopId, actor, shelfId, { op: "update-section", sectionId, fields });
      return { message: "Section saved.", sectionId };
    }
    case "add-product":
    case "remove-product":
      await editShelfDraft(db, shopId, actor, shelfId, { op: form.intent, sectionId: form.sectionId, productId: form.productId });
      return { message: form.intent === "add-product" ? "Product added." : "Product removed.", sectionId: form.sectionId };
    case "move-product":
      await editShelfDraft(db, shopId, actor, shelfId, { op: "move-product", sectionId: form.sectionId, productId: form.productId, direction: form.direction });
      return { message: "Product moved.", sectionId: form.sectionId };
  }
}
