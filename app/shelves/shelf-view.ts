/**
 * What the storefront's shelf components render: a published version (or a
 * draft, in the merchant's preview) with its products, categories and
 * images already resolved by the server. Browser-safe types only.
 */

/** An image as a page embeds it: a default `src` and a `srcSet` of widths. */
export type ImageView = { src: string; srcSet: string };

/** A product card: the catalog's card plus its image's URLs. Prices in minor units. */
export type ProductCardView = {
  id: string;
  title: string;
  minPrice: number;
  maxPrice: number;
  compareAtPrice: number | null;
  soldOut: boolean;
  image: ImageView | null;
};

export type BannerView = {
  type: "banner";
  id: string;
  headline: string;
  subline: string;
  link: string;
  linkLabel: string;
  image: ImageView | null;
};

export type ProductsSectionView = {
  type: "product_grid" | "product_list";
  id: string;
  title: string;
  products: ProductCardView[];
};

export type CategoryGroupView = {
  type: "category_group";
  id: string;
  title: string;
  categoryId: string | null;
  products: ProductCardView[];
  /** more products than shown: the section links to the category page */
  hasMore: boolean;
};

export type RichTextView = { type: "rich_text"; id: string; /** sanitized */ html: string };

export type SectionView = BannerView | ProductsSectionView | CategoryGroupView | RichTextView;

/** A page of the storefront made of sections. */
export type ShelfPageView = {
  title: string;
  /** the published version's number; null for a draft preview */
  version: number | null;
  sections: SectionView[];
};
