/**
 * Turns stored sections into what the storefront renders. Products are read
 * from the catalog at render time through its storefront queries, which
 * return on-sale products only: a product taken off sale disappears from
 * every published shelf at once, without a republish, and a product id of
 * another shop can never show.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { imageUrl, listCategories, listStorefrontProducts, renderDescription, type CategoryNode, type ProductCard } from "../catalog/index.server";
import { notFound } from "../lib/errors";
import { selectPublishedShelf, selectShelf } from "./shelves.repository.server";
import { DraftSections, type Section } from "./shelves.schema";
import type { ImageView, ProductCardView, SectionView, ShelfPageView } from "./shelf-view";

/** Widths the media route serves (see IMAGE_WIDTHS): a card is ~190 CSS px wide on a phone, so 640 covers 3× screens. */
const CARD_WIDTHS = [320, 640] as const;
const BANNER_WIDTHS = [640, 960, 1280] as const;

/** An image's `src` (the first width) and `srcSet` (all of them). */
export function imageView(imageId: string | null, widths: readonly number[] = CARD_WIDTHS): ImageView | null {
  if (!imageId) return null;
  return { src: imageUrl(imageId, widths[0]), srcSet: widths.map((w) => `${imageUrl(imageId, w)} ${w}w`).join(", ") };
}

/** A catalog card as the storefront's components take it. */
export function toCardView(card: ProductCard): ProductCardView {
  return {
    id: card.id,
    title: card.title,
    minPrice: card.minPrice,
    maxPrice: card.maxPrice,
    compareAtPrice: card.compareAtPrice,
    soldOut: card.soldOut,
    image: imageView(card.imageId),
  };
}

// Rendered rich text by its Markdown. Versions are immutable and a shop's
// "About us" is read on every home page view, so the (comparatively slow)
// Markdown + sanitizer pass runs once per distinct text, not once per request.
const RICH_TEXT_CACHE_LIMIT = 500;
const richTextCache = new Map<string, string>();

function renderRichText(markdown: string): string {
  const cached = richTextCache.get(markdown);
  if (cached !== undefined) return cached;
  const html = renderDescription(markdown);
  if (richTextCache.size >= RICH_TEXT_CACHE_LIMIT) richTextCache.delete(richTextCache.keys().next().value!);
  richTextCache.set(markdown, html);
  return html;
}

function flattenCategories(nodes: CategoryNode[], into = new Map<string, string>()): Map<string, string> {
  for (const n of nodes) {
    into.set(n.id, n.name);
    flattenCategories(n.children, into);
  }
  return into;
}

/**
 * Resolves sections against the catalog with as few queries as the page
 * allows: one for all hand-picked products, one per category group, one for
 * category names when a group has no title of its own — all in parallel.
 */
export async function resolveSections(db: Kysely<Database>, shopId: string, sections: Section[]): Promise<SectionView[]> {
  const pickedIds = [...new Set(sections.flatMap((s) => (s.type === "product_grid" || s.type === "product_list" ? s.productIds : [])))];
  const groups = sections.filter((s): s is Extract<Section, { type: "category_group" }> => s.type === "category_group" && !!s.categoryId);
  const needNames = groups.some((g) => !g.title);

  const [picked, groupPages, categoryNames] = await Promise.all([
    pickedIds.length ? listStorefrontProducts(db, shopId, { ids: pickedIds, limit: pickedIds.length }) : Promise.resolve({ items: [] as ProductCard[] }),
    Promise.all(groups.map((g) => listStorefrontProducts(db, shopId, { categoryId: g.categoryId!, limit: g.maxItems }))),
    needNames ? listCategories(db, shopId).then((tree) => flattenCategories(tree)) : Promise.resolve(new Map<string, string>()),
  ]);
  const cards = new Map(picked.items.map((c) => [c.id, toCardView(c)]));
  const groupById = new Map(groups.map((g, i) => [g.id, groupPages[i]]));

  return sections.map((s): SectionView => {
    switch (s.type) {
      case "banner":
        return {
          type: "banner",
          id: s.id,
          headline: s.headline,
          subline: s.subline,
          link: s.link,
          linkLabel: s.linkLabel,
          image: imageView(s.imageId, BANNER_WIDTHS),
        };
      case "product_grid":
      case "product_list":
        // The section's own order; ids the catalog did not return (off sale, gone, another shop's) simply drop out.
        return { type: s.type, id: s.id, title: s.title, products: s.productIds.flatMap((id) => cards.get(id) ?? []) };
      case "category_group": {
        const page = groupById.get(s.id);
        return {
          type: "category_group",
          id: s.id,
          title: s.title || (s.categoryId ? categoryNames.get(s.categoryId) : undefined) || "",
          categoryId: s.categoryId,
          products: page ? page.items.map(toCardView) : [],
          hasMore: !!page?.nextCursor,
        };
      }
      case "rich_text":
        return { type: "rich_text", id: s.id, html: renderRichText(s.markdown) };
    }
  });
}

/**
 * A published page of the storefront — the home (`{ home: true }`) or a page
 * by its address — or null when there is none or it was never published.
 * Drafts are never read here.
 *
 * @example
 * const page = await getPublishedPage(db, shop.id, { home: true });
 */
export async function getPublishedPage(db: Kysely<Database>, shopId: string, which: { home: true } | { slug: string }): Promise<ShelfPageView | null> {
  const row = await selectPublishedShelf(db, shopId, which);
  if (!row) return null;
  const sections = DraftSections.safeParse(row.sections);
  if (!sections.success) throw new Error(`shelf version ${row.version_id}: stored sections do not match the section schema`);
  return { title: row.title, version: row.version, sections: await resolveSections(db, shopId, sections.data) };
}

/**
 * The draft rendered exactly as the storefront would render it once
 * published, for the merchant's preview.
 */
export async function getDraftPreview(db: Kysely<Database>, shopId: string, shelfId: string): Promise<ShelfPageView & { slug: string; isHome: boolean }> {
  const shelf = await selectShelf(db, shopId, shelfId);
  if (!shelf) throw notFound("Page not found");
  const sections = DraftSections.parse(shelf.draft_sections);
  return { title: shelf.title, version: null, slug: shelf.slug, isHome: shelf.is_home, sections: await resolveSections(db, shopId, sections) };
}
