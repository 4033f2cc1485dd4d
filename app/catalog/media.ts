/**
 * Where images are served from. Browser-safe, so components can build image
 * URLs from the ids loaders hand them.
 */

/** Widths `/media/:id?w=` serves; anything else is snapped up to the next one so the variant cache stays small. */
export const IMAGE_WIDTHS = [160, 320, 480, 640, 960, 1280] as const;
export type ImageWidth = (typeof IMAGE_WIDTHS)[number];

/** The served width for a wanted width: the smallest listed one at least as wide (the largest for anything bigger). */
export function snapWidth(width: number): ImageWidth {
  return IMAGE_WIDTHS.find((w) => w >= width) ?? IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1];
}

/**
 * The URL of an image, or of a resized WebP variant at least `width` pixels
 * wide (never wider than the original).
 *
 * @example
 * <img src={imageUrl(card.imageId, 480)} srcSet={`${imageUrl(card.imageId, 960)} 2x`} alt="" />
 */
export function imageUrl(imageId: string, width?: number): string {
  const base = `/media/${encodeURIComponent(imageId)}`;
  return width ? `${base}?w=${snapWidth(width)}` : base;
}
