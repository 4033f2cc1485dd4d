/**
 * Images: the type is decided by content (magic bytes, then a full decode),
 * never by the name or Content-Type; EXIF is stripped; storage is
 * content-addressed and deduplicated per shop; uploads are capped before
 * buffering; `/media/:imageId` serves the right type with immutable caching
 * and `nosniff`, and resized WebP variants.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProduct, getAdminProduct, imageUrl, MAX_IMAGE_BYTES, sniffImageType, storeImage, type AdminProduct } from "../app/catalog/index.server";
import { isAppError, type AppError } from "../app/lib/errors";
import * as editorRoute from "../app/routes/admin.shops.$shopId.products.$productId";
import * as mediaRoute from "../app/routes/media.$imageId";
import { storageFor } from "../app/storage/index.server";
import { actorOf, callAction, callLoader, createMerchant, makeGif, makeJpegWithExif, makePng, makeWebp, type Merchant } from "./catalog-fixtures";
import { createTestPlatform, type TestPlatform } from "./support/platform";

let platform: TestPlatform;
let m: Merchant;
let product: AdminProduct;

beforeAll(async () => {
  platform = await createTestPlatform();
  m = await createMerchant(platform);
  product = await createProduct(platform.db, m.shopId, actorOf(m), { title: "Photo subject", price: 100 });
});

afterAll(async () => {
  await platform?.close();
});

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

async function imageRow(id: string) {
  return platform.db.selectFrom("images").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

function upload(files: File[]) {
  const form = new FormData();
  form.set("intent", "upload");
  for (const f of files) form.append("image", f);
  return callAction(platform, editorRoute, m, `/admin/shops/${m.shopId}/products/${product.id}`, { shopId: m.shopId, productId: product.id }, form);
}

const media = (id: string, query = "") => callLoader(platform, mediaRoute, null, `/media/${id}${query}`, { imageId: id });

describe("type by content", () => {
  it("recognises JPEG, PNG and WebP by their magic bytes, and GIF as GIF", async () => {
    expect(sniffImageType(await makePng())).toBe("image/png");
    expect(sniffImageType(await makeWebp())).toBe("image/webp");
    expect(sniffImageType(await makeJpegWithExif())).toBe("image/jpeg");
    expect(sniffImageType(await makeGif())).toBe("gif");
    expect(sniffImageType(new TextEncoder().encode("hello, I am text"))).toBeNull();
  });

  it("accepts a PNG uploaded as photo.jpg with Content-Type image/jpeg — as a PNG", async () => {
    const res = await upload([new File([new Uint8Array(await makePng(50, 40))], "photo.jpg", { type: "image/jpeg" })]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, message: "Image added." });
    const [img] = (await getAdminProduct(platform.db, m.shopId, product.id)).images;
    expect(await imageRow(img.id)).toMatchObject({ mime: "image/png", width: 50, height: 40, shop_id: m.shopId });
    const served = await media(img.id);
    expect(served.headers.get("content-type")).toBe("image/png");
  });

  it("refuses a text file named .png, with 400 on the image field", async () => {
    const res = await upload([new File(["just some text, honest"], "cat.png", { type: "image/png" })]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, fieldErrors: { image: ["That file is not a JPEG, PNG or WebP image"] } });
  });

  it("refuses a truncated PNG (valid header, cut-off data)", async () => {
    const png = await makePng(300, 200);
    const e = await refusal(storeImage(platform, m.shopId, png.subarray(0, png.length - 40)));
    expect(e.fieldErrors).toEqual({ image: ["The image could not be read; it may be damaged or not really an image"] });
  });

  it("refuses a PNG header followed by garbage", async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
    expect((await refusal(storeImage(platform, m.shopId, bytes))).fieldErrors).toEqual({
      image: ["The image could not be read; it may be damaged or not really an image"],
    });
  });

  it("refuses GIF, even named .jpg", async () => {
    const res = await upload([new File([new Uint8Array(await makeGif())], "anim.jpg", { type: "image/jpeg" })]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ fieldErrors: { image: ["GIF images are not supported; use JPEG, PNG or WebP"] } });
  });

  it("refuses an empty file and names the failing file in a multi-upload, attaching none", async () => {
    const before = (await getAdminProduct(platform.db, m.shopId, product.id)).images.length;
    const res = await upload([
      new File([new Uint8Array(await makeWebp(10, 10))], "good.webp", { type: "image/webp" }),
      new File(["nope"], "bad.jpg", { type: "image/jpeg" }),
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ fieldErrors: { image: ["bad.jpg: That file is not a JPEG, PNG or WebP image"] } });
    expect((await getAdminProduct(platform.db, m.shopId, product.id)).images.length).toBe(before);
    expect((await refusal(storeImage(platform, m.shopId, new Uint8Array()))).fieldErrors).toEqual({ image: ["The file is empty"] });
  });

  it("accepts WebP", async () => {
    const id = await storeImage(platform, m.shopId, await makeWebp(33, 22));
    expect(await imageRow(id)).toMatchObject({ mime: "image/webp", width: 33, height: 22 });
  });
});

describe("stored bytes", () => {
  it("strips EXIF by re-encoding, after applying its orientation", async () => {
    const jpeg = await makeJpegWithExif(80, 40);
    const before = await sharp(jpeg).metadata();
    expect(before.exif).toBeDefined();
    expect(before.orientation).toBe(6);
    const id = await storeImage(platform, m.shopId, jpeg);
    const row = await imageRow(id);
    expect(row).toMatchObject({ mime: "image/jpeg", width: 40, height: 80 }); // rotated upright
    const res = await media(id);
    const stored = Buffer.from(await res.arrayBuffer());
    const after = await sharp(stored).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(stored.includes(Buffer.from("Secret Serial"))).toBe(false);
    expect(jpeg.includes(Buffer.from("Secret Serial"))).toBe(true);
  });

  it("dedupes by hash: same bytes twice → one row per shop, one file for all shops", async () => {
    const bytes = await makePng(12, 34, "#0f0f0f");
    const first = await storeImage(platform, m.shopId, bytes);
    const again = await storeImage(platform, m.shopId, Buffer.from(bytes));
    expect(again).toBe(first);
    const other = await createMerchant(platform);
    const theirs = await storeImage(platform, other.shopId, bytes);
    expect(theirs).not.toBe(first);
    const rows = await platform.db.selectFrom("images").select(["id", "shop_id", "sha256"]).where("sha256", "=", (await imageRow(first)).sha256).execute();
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.shop_id))).toEqual(new Set([m.shopId, other.shopId]));
    const sha = rows[0].sha256;
    const dir = path.join(platform.config.dataDir, "media", "images", sha.slice(0, 2));
    expect(readdirSync(dir).filter((f) => f.startsWith(sha))).toEqual([`${sha}.png`]);
  });
});

describe("size cap", () => {
  it("refuses more than 5 MB in the service", async () => {
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set(await makePng());
    const e = await refusal(storeImage(platform, m.shopId, big));
    expect(e.fieldErrors?.image?.[0]).toMatch(/^The image is larger than 5 MB/);
  });

  it("refuses an oversized upload by its Content-Length before reading the body", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const request = new Request(`http://localhost/admin/shops/${m.shopId}/products/${product.id}`, {
      method: "POST",
      headers: { cookie: m.cookie, "content-type": "multipart/form-data; boundary=x", "content-length": String(6 * 1024 * 1024) },
      body,
      duplex: "half",
    } as RequestInit);
    const res = await editorRoute.action({ request, params: { shopId: m.shopId, productId: product.id }, context: { platform, clientIp: "127.0.0.1" } } as never).catch((e) => e);
    expect(res).toMatchObject({ kind: "bad_request", code: "payload_too_large", fieldErrors: { image: [expect.stringMatching(/larger than 5 MB/)] } });
    expect(pulled).toBeLessThanOrEqual(1); // at most the stream's own first pre-pull
  });

  it("cuts off a body without Content-Length once it passes the cap (streamed, not buffered whole)", async () => {
    let sent = 0;
    const chunk = new Uint8Array(256 * 1024);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent > 50 * 1024 * 1024) return c.close(); // a 50 MB body, if anyone read it all
        sent += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
    const request = new Request(`http://localhost/admin/shops/${m.shopId}/products/${product.id}`, {
      method: "POST",
      headers: { cookie: m.cookie, "content-type": "multipart/form-data; boundary=x" },
      body,
      duplex: "half",
    } as RequestInit);
    const res = await editorRoute.action({ request, params: { shopId: m.shopId, productId: product.id }, context: { platform, clientIp: "127.0.0.1" } } as never).catch((e) => e);
    expect(res).toMatchObject({ kind: "bad_request", code: "payload_too_large" });
    expect(sent).toBeLessThan(7 * 1024 * 1024);
  });
});

describe("/media/:imageId", () => {
  let id: string;
  beforeAll(async () => {
    id = await storeImage(platform, m.shopId, await makePng(1000, 500, "#123456"));
  });

  it("serves the stored bytes with the type, immutable caching and nosniff", async () => {
    const res = await media(id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect((await sharp(bytes).metadata()).width).toBe(1000);
  });

  it("serves a resized WebP variant and keeps it in storage", async () => {
    expect(imageUrl(id, 300)).toBe(`/media/${id}?w=320`);
    const res = await media(id, "?w=320");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 320, 160]);
    const sha = (await imageRow(id)).sha256;
    expect(await storageFor(platform).has(`variants/${sha.slice(0, 2)}/${sha}-w320.webp`)).toBe(true);
    // Never enlarged: a 1280 variant of a 1000-wide image stays 1000 wide.
    const big = await media(id, "?w=1280");
    expect((await sharp(Buffer.from(await big.arrayBuffer())).metadata()).width).toBe(1000);
  });

  it("answers 404 for unknown or malformed ids and 400 for widths it does not make", async () => {
    expect((await media("img_00000000000000000000000000")).status).toBe(404);
    expect((await media("../../etc/passwd")).status).toBe(404);
    expect((await media(id, "?w=123")).status).toBe(400);
    expect((await media(id, "?w=abc")).status).toBe(400);
  });

  it("keys storage by content hash under the data folder", async () => {
    const sha = (await imageRow(id)).sha256;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(path.join(platform.config.dataDir, "media", "images", sha.slice(0, 2), `${sha}.png`))).toBe(true);
  });
});
