/**
 * SQL for `images`. Every query names the shop, except the public lookup the
 * media route makes by image id (see {@link selectPublicImage}).
 */
import type { Kysely } from "kysely";
import type { Database, Image } from "../../db/database";

/** Inserts the image unless the shop already has these bytes; resolves to the shop's row either way. */
export async function insertImageOnce(
  db: Kysely<Database>,
  row: { id: string; shop_id: string; sha256: string; mime: Image["mime"]; bytes: number; width: number; height: number },
): Promise<Image> {
  const inserted = await db
    .insertInto("images")
    .values(row)
    .onConflict((oc) => oc.columns(["shop_id", "sha256"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  return db
    .selectFrom("images")
    .selectAll()
    .where("shop_id", "=", row.shop_id)
    .where("sha256", "=", row.sha256)
    .executeTakeFirstOrThrow();
}

export async function selectImagesOfShop(db: Kysely<Database>, shopId: string, ids: string[]): Promise<Image[]> {
  if (ids.length === 0) return [];
  return db.selectFrom("images").selectAll().where("shop_id", "=", shopId).where("id", "in", ids).execute();
}

/**
 * An image by id alone, for `/media/:imageId`. Images are public assets of a
 * storefront, addressed by an unguessable id; the route serves bytes and
 * nothing about the shop, so the lookup need not know the shop.
 */
export async function selectPublicImage(db: Kysely<Database>, id: string): Promise<Pick<Image, "id" | "sha256" | "mime"> | undefined> {
  return db.selectFrom("images").select(["id", "sha256", "mime"]).where("id", "=", id).executeTakeFirst();
}

export async function selectShopImageIdBySha(db: Kysely<Database>, shopId: string, sha256: string): Promise<string | null> {
  const row = await db.selectFrom("images").select("id").where("shop_id", "=", shopId).where("sha256", "=", sha256).executeTakeFirst();
  return row?.id ?? null;
}
