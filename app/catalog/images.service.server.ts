/**
 * Product images: accepted only when the bytes really are a JPEG, PNG or
 * WebP — the magic bytes say which, and a full decode with sharp proves it
 * (a renamed text file, a GIF or a truncated PNG is refused whatever its
 * name or Content-Type said). Accepted images are re-encoded, which drops
 * EXIF (camera serials, GPS) after applying its orientation, and stored
 * content-addressed: the key is the SHA-256 of the uploaded bytes, so the
 * same upload twice is one file and, per shop, one `images` row.
 *
 * Served by `/media/:imageId`, optionally as a resized WebP variant that is
 * made once and then kept in storage.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import sharp from "sharp";
import type { Database, Image } from "../../db/database";
import type { Platform } from "../platform.server";
import { storageFor, type ObjectStorage } from "../storage/index.server";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { ImageId, MAX_PRODUCT_IMAGES, ProductId } from "./catalog.schema";
import { insertImageOnce, selectImagesOfShop, selectPublicImage, selectShopImageIdBySha } from "./images.repository.server";
import { invalid, type CatalogActor } from "./internal.server";
import { selectProduct } from "./products.repository.server";
import { attachImages } from "./products.service.server";
import { IMAGE_WIDTHS, type ImageWidth } from "./media";

/** The largest image accepted, in bytes. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Decoded size limit: refuses decompression bombs (a tiny file that inflates to gigabytes). */
const MAX_PIXELS = 40_000_000;

type Mime = Image["mime"];
const EXT: Record<Mime, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };
const SHARP_FORMAT: Record<Mime, string> = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" };

/** Where images are written: the platform's storage, or (tests, seed) a database handle and a storage of your own. */
export type ImageTarget = Pick<Platform, "db" | "config"> | { db: Kysely<Database>; storage: ObjectStorage };

function resolveTarget(target: ImageTarget): { db: Kysely<Database>; storage: ObjectStorage } {
  return "storage" in target ? target : { db: target.db, storage: storageFor(target) };
}

const startsWith = (bytes: Uint8Array, sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);

/**
 * The image type by content. Returns null for anything that is not JPEG,
 * PNG or WebP; names GIF (and a few other image formats people try) so the
 * message can say so.
 */
export function sniffImageType(bytes: Uint8Array): Mime | "gif" | "other-image" | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return "gif";
  if (startsWith(bytes, [0x42, 0x4d]) || startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return "other-image";
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return "other-image"; // HEIC / AVIF (ISO media)
  return null;
}

function refuse(message: string): AppError {
  return invalid({ image: [message] }, message);
}

/** The storage key of an original: content-addressed by the SHA-256 of the uploaded bytes. */
function originalKey(sha256: string, mime: Mime): string {
  return `images/${sha256.slice(0, 2)}/${sha256}.${EXT[mime]}`;
}

function variantKey(sha256: string, width: ImageWidth): string {
  return `variants/${sha256.slice(0, 2)}/${sha256}-w${width}.webp`;
}

/**
 * Verifies and stores an uploaded image for a shop; resolves to its image
 * id (the existing one if the shop uploaded these bytes before). 400 with a
 * field error on `image` for anything that is not a JPEG, PNG or WebP that
 * decodes, or is larger than 5 MB.
 *
 * @example
 * const imageId = await storeImage(context.platform, shop.id, new Uint8Array(await file.arrayBuffer()));
 * await attachImages(trx, shop.id, productId, [imageId]);
 */
export async function storeImage(target: ImageTarget, shopId: string, bytes: Uint8Array): Promise<string> {
  const { db, storage } = resolveTarget(target);
  if (bytes.byteLength === 0) throw refuse("The file is empty");
  if (bytes.byteLength > MAX_IMAGE_BYTES) throw refuse(`The image is larger than 5 MB (${(bytes.byteLength / 1048576).toFixed(1)} MB); make it smaller and try again`);
  const type = sniffImageType(bytes);
  if (type === "gif") throw refuse("GIF images are not supported; use JPEG, PNG or WebP");
  if (type === null || type === "other-image") throw refuse("That file is not a JPEG, PNG or WebP image");
  const mime: Mime = type;

  const sha256 = createHash("sha256").update(bytes).digest("hex");
  // Same bytes again: already verified and stored once for this shop.
  const existing = await selectShopImageIdBySha(db, shopId, sha256);
  if (existing && (await storage.has(originalKey(sha256, mime)))) return existing;

  let encoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata();
    if (meta.format !== SHARP_FORMAT[mime]) throw new Error(`content says ${mime}, decoder says ${meta.format}`);
    if ((meta.pages ?? 1) > 1) throw refuse("Animated images are not supported; use a still JPEG, PNG or WebP");
    // A full decode (failOn "warning" is the default): truncated or corrupt data fails here, not in a buyer's browser.
    const pipeline = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: "warning" }).rotate();
    const out =
      mime === "image/jpeg"
        ? pipeline.jpeg({ quality: 90, mozjpeg: true })
        : mime === "image/png"
          ? pipeline.png({ compressionLevel: 8 })
          : pipeline.webp({ quality: 90 });
    encoded = await out.toBuffer({ resolveWithObject: true });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw refuse("The image could not be read; it may be damaged or not really an image");
  }

  await storage.put(originalKey(sha256, mime), encoded.data);
  const row = await insertImageOnce(db, {
    id: newId("img"),
    shop_id: shopId,
    sha256,
    mime,
    bytes: encoded.data.byteLength,
    width: encoded.info.width,
    height: encoded.info.height,
  });
  return row.id;
}

/**
 * The product editor's upload: verifies and stores every file, then appends
 * them to the product's gallery in one transaction. If any file is refused,
 * none is attached (the error names the file). A product of another shop is
 * a 404 before anything is stored.
 *
 * @example
 * await uploadProductImages(context.platform, shop.id, productId, actor, [{ name: file.name, bytes }]);
 */
export async function uploadProductImages(
  target: ImageTarget,
  shopId: string,
  productId: string,
  actor: CatalogActor,
  files: { name: string; bytes: Uint8Array }[],
): Promise<string[]> {
  const { db } = resolveTarget(target);
  if (!ProductId.safeParse(productId).success || !(await selectProduct(db, shopId, productId))) throw new AppError("not_found", "Product not found");
  if (files.length === 0) throw refuse("Choose an image to upload");
  if (files.length > MAX_PRODUCT_IMAGES) throw refuse(`Upload at most ${MAX_PRODUCT_IMAGES} images at once`);
  const ids: string[] = [];
  for (const file of files) {
    try {
      ids.push(await storeImage(target, shopId, file.bytes));
    } catch (e) {
      if (e instanceof AppError && files.length > 1) throw refuse(`${file.name.slice(0, 80)}: ${e.message}`);
      throw e;
    }
  }
  return attachImages(db, shopId, productId, ids, actor);
}

/** The shop's images among `ids` (others and unknown ids are left out). */
export async function getShopImages(db: Kysely<Database>, shopId: string, ids: string[]): Promise<{ id: string; width: number | null; height: number | null }[]> {
  const rows = await selectImagesOfShop(db, shopId, ids.filter((id) => ImageId.safeParse(id).success));
  return rows.map((r) => ({ id: r.id, width: r.width, height: r.height }));
}

export type ServedImage = { stream: Readable; size: number; contentType: string };

// One resize per variant at a time in this process; concurrent requests for it wait for the same work.
const inFlight = new Map<string, Promise<void>>();

/**
 * The bytes to serve for `/media/:imageId` (`width` = a listed variant
 * width), or null when there is no such image. Variants are WebP, made on
 * first request and kept.
 */
export async function getImageForServing(target: ImageTarget, imageId: string, width?: number): Promise<ServedImage | null> {
  const { db, storage } = resolveTarget(target);
  if (!ImageId.safeParse(imageId).success) return null;
  if (width !== undefined && !IMAGE_WIDTHS.includes(width as ImageWidth)) {
    throw new AppError("bad_request", `Width must be one of ${IMAGE_WIDTHS.join(", ")}`);
  }
  const image = await selectPublicImage(db, imageId);
  if (!image) return null;
  const original = originalKey(image.sha256, image.mime);
  if (width === undefined) {
    const file = await storage.get(original);
    return file ? { ...file, contentType: image.mime } : null;
  }
  const key = variantKey(image.sha256, width as ImageWidth);
  if (!(await storage.has(key))) {
    let work = inFlight.get(key);
    if (!work) {
      work = (async () => {
        const file = await storage.get(original);
        if (!file) return;
        const chunks: Buffer[] = [];
        for await (const chunk of file.stream) chunks.push(chunk as Buffer);
        const resized = await sharp(Buffer.concat(chunks), { limitInputPixels: MAX_PIXELS })
          .resize({ width, withoutEnlargement: true })
          .webp({ quality: 80 })
          .toBuffer();
        await storage.put(key, resized);
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, work);
    }
    await work;
  }
  const file = await storage.get(key);
  return file ? { ...file, contentType: "image/webp" } : null;
}
