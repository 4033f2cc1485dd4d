/**
 * Shelves: the storefront's pages. A shelf is an ordered list of sections
 * made from five templates; this file is the one definition of what a valid
 * section is, used when the merchant saves a section, when a draft is
 * published, and when a stored version is read back. Browser-safe: no server
 * imports, so the editor's components may use the types and limits too.
 */
import { z } from "zod";

/** Section templates, in the order the editor offers them. */
export const SECTION_TYPES = ["banner", "product_grid", "product_list", "category_group", "rich_text"] as const;
export type SectionType = (typeof SECTION_TYPES)[number];

export const SECTION_LABELS: Record<SectionType, string> = {
  banner: "Banner",
  product_grid: "Product grid",
  product_list: "Product list",
  category_group: "Category group",
  rich_text: "Rich text",
};

export const SECTION_HINTS: Record<SectionType, string> = {
  banner: "A wide picture with a headline and a link.",
  product_grid: "Up to 20 hand-picked products in two columns.",
  product_list: "Hand-picked products as rows with a short line each.",
  category_group: "The newest products of one category.",
  rich_text: "Formatted text: your story, shipping notes, care guides.",
};

export const MAX_SECTIONS = 30;
export const MAX_GRID_PRODUCTS = 20;
export const MAX_LIST_PRODUCTS = 30;
export const MAX_CATEGORY_ITEMS = 20;
export const MAX_RICH_TEXT = 10_000;

// Ids come from `newId` (app/lib/ids.ts): a prefix, `_`, 26 Crockford base32 characters.
const idOf = (prefix: string, what: string) =>
  z.string({ error: `Choose a ${what}` }).regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `Not a valid ${what} id`);

/** Any opaque id made by `newId`, whatever its prefix (products, images and categories belong to the catalog). */
export const OpaqueId = z.string().regex(/^[a-z]{2,8}_[0-9a-z]{26}$/, "Not a valid id");
export const ShelfId = idOf("shf", "shelf");
export const SectionId = idOf("sec", "section");
export const ProductId = OpaqueId;
export const CategoryId = OpaqueId;
export const ImageId = OpaqueId;

/**
 * Where a banner points: a path on this site (`/s/demo/c/…`) or an absolute
 * http(s) URL. Never `javascript:` or a protocol-relative `//host`.
 */
export const BannerLink = z
  .string()
  .trim()
  .max(500, "Use at most 500 characters")
  .refine((v) => v === "" || /^\/(?![/\\])[^\s]*$/.test(v) || /^https?:\/\/[^\s/]+[^\s]*$/i.test(v), {
    message: "Use a path on this site (starting with /) or a full https:// address",
  });

const OptionalTitle = z.string().trim().max(80, "Use at most 80 characters").default("");

const uniqueIds = (ids: string[]) => new Set(ids).size === ids.length;

export const BannerSection = z.object({
  type: z.literal("banner"),
  id: SectionId,
  imageId: ImageId.nullable().default(null),
  headline: z.string().trim().min(1, "Write a headline").max(80, "Use at most 80 characters"),
  subline: z.string().trim().max(160, "Use at most 160 characters").default(""),
  link: BannerLink.default(""),
  linkLabel: z.string().trim().max(30, "Use at most 30 characters").default(""),
});

export const ProductGridSection = z.object({
  type: z.literal("product_grid"),
  id: SectionId,
  title: OptionalTitle,
  productIds: z
    .array(ProductId)
    .max(MAX_GRID_PRODUCTS, `A grid holds at most ${MAX_GRID_PRODUCTS} products`)
    .refine(uniqueIds, "A product can appear only once in a section")
    .default([]),
});

export const ProductListSection = z.object({
  type: z.literal("product_list"),
  id: SectionId,
  title: OptionalTitle,
  productIds: z
    .array(ProductId)
    .max(MAX_LIST_PRODUCTS, `A list holds at most ${MAX_LIST_PRODUCTS} products`)
    .refine(uniqueIds, "A product can appear only once in a section")
    .default([]),
});

export const CategoryGroupSection = z.object({
  type: z.literal("category_group"),
  id: SectionId,
  title: OptionalTitle,
  /** null while the merchant has not chosen yet; publishing refuses it (see `PublishableSections`). */
  categoryId: CategoryId.nullable().default(null),
  maxItems: z.coerce
    .number({ error: "Enter a number" })
    .int("Enter a whole number")
    .min(1, "Show at least 1 product")
    .max(MAX_CATEGORY_ITEMS, `Show at most ${MAX_CATEGORY_ITEMS} products`)
    .default(6),
});

export const RichTextSection = z.object({
  type: z.literal("rich_text"),
  id: SectionId,
  markdown: z.string().max(MAX_RICH_TEXT, `Use at most ${MAX_RICH_TEXT.toLocaleString("en")} characters`).default(""),
});

/** One section of a shelf, discriminated by `type`. */
export const Section = z.discriminatedUnion("type", [
  BannerSection,
  ProductGridSection,
  ProductListSection,
  CategoryGroupSection,
  RichTextSection,
]);
export type Section = z.infer<typeof Section>;
export type BannerSection = z.infer<typeof BannerSection>;
export type ProductGridSection = z.infer<typeof ProductGridSection>;
export type ProductListSection = z.infer<typeof ProductListSection>;
export type CategoryGroupSection = z.infer<typeof CategoryGroupSection>;
export type RichTextSection = z.infer<typeof RichTextSection>;

/** A draft: any valid sections, at most {@link MAX_SECTIONS}, each id once. */
export const DraftSections = z
  .array(Section)
  .max(MAX_SECTIONS, `A shelf holds at most ${MAX_SECTIONS} sections`)
  .refine((s) => uniqueIds(s.map((x) => x.id)), "Section ids must be unique");

/**
 * What may be published: a draft whose sections are complete. A half-set-up
 * section (a category group with no category, an empty rich text) would
 * render as a hole on the storefront, so publishing names it instead.
 */
export const PublishableSections = DraftSections.superRefine((sections, ctx) => {
  sections.forEach((s, i) => {
    if (s.type === "category_group" && !s.categoryId) {
      ctx.addIssue({ code: "custom", path: [i, "categoryId"], message: `Section ${i + 1} (category group): choose a category` });
    }
    if (s.type === "rich_text" && s.markdown.trim() === "") {
      ctx.addIssue({ code: "custom", path: [i, "markdown"], message: `Section ${i + 1} (rich text): write some text or remove the section` });
    }
  });
});

// ---- editor forms ----------------------------------------------------------

/** A shelf's address: `/s/:handle/p/:slug`. The database enforces the same shape. */
export const ShelfSlug = z
  .string({ error: "Choose an address" })
  .trim()
  .toLowerCase()
  .min(1, "Choose an address")
  .max(60, "Use at most 60 characters")
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "Use lower-case letters, digits and dashes (not at the start or end)");

export const ShelfTitle = z
  .string({ error: "Give the page a title" })
  .trim()
  .min(1, "Give the page a title")
  .max(80, "Use at most 80 characters");

export const CreateShelfForm = z.object({ title: ShelfTitle, slug: ShelfSlug });
export type CreateShelfForm = z.infer<typeof CreateShelfForm>;

export const ShelfSettingsForm = CreateShelfForm;

/**
 * The fields a merchant may set on a section of each type: the section minus
 * its `type` and `id` (which the server keeps) and, for product sections, the
 * product ids (edited one at a time with add/remove/move).
 */
export const SectionFields = {
  banner: BannerSection.omit({ type: true, id: true }).extend({
    imageId: z.preprocess((v) => (v === "" ? null : v), ImageId.nullable().default(null)),
  }),
  product_grid: ProductGridSection.pick({ title: true }),
  product_list: ProductListSection.pick({ title: true }),
  category_group: CategoryGroupSection.omit({ type: true, id: true }).extend({
    categoryId: z.preprocess((v) => (v === "" ? null : v), CategoryId.nullable().default(null)),
  }),
  rich_text: RichTextSection.omit({ type: true, id: true }),
} as const;

/** The editor's POST intents, each with what it needs. */
export const ShelfEditorForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add-section"), type: z.enum(SECTION_TYPES, { error: "Choose a section type" }) }),
  z.object({ intent: z.literal("remove-section"), sectionId: SectionId }),
  z.object({ intent: z.literal("move-section"), sectionId: SectionId, direction: z.enum(["up", "down"]) }),
  z.object({ intent: z.literal("update-section"), sectionId: SectionId }).loose(),
  z.object({ intent: z.literal("add-product"), sectionId: SectionId, productId: ProductId }),
  z.object({ intent: z.literal("remove-product"), sectionId: SectionId, productId: ProductId }),
  z.object({ intent: z.literal("move-product"), sectionId: SectionId, productId: ProductId, direction: z.enum(["up", "down"]) }),
  z.object({ intent: z.literal("publish") }),
  z.object({ intent: z.literal("discard-draft") }),
  z.object({ intent: z.literal("settings"), title: z.string(), slug: z.string() }),
]);
export type ShelfEditorForm = z.infer<typeof ShelfEditorForm>;

/** The shelf list's POST intents. */
export const ShelfListForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), title: z.string(), slug: z.string() }),
  z.object({ intent: z.literal("set-home"), shelfId: ShelfId }),
]);
export type ShelfListForm = z.infer<typeof ShelfListForm>;

/** A slug suggestion for a title: "Spring Tea Sale!" → "spring-tea-sale". */
export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60)
      .replace(/-+$/, "") || "page"
  );
}
