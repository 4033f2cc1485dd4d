/**
 * SQL for the shelves module's tables (shelves, shelf_versions). Every query
 * names the shop, so a shelf id from another shop never matches. Functions
 * that lock take the transaction they lock in.
 */
import type { Kysely } from "kysely";
import type { Database, Shelf, ShelfVersion } from "../../db/database";

export type ShelfRow = Shelf;
export type ShelfVersionRow = ShelfVersion;

/** A shelf with its published version's number and date, for the shelf list. */
export type ShelfListRow = Pick<Shelf, "id" | "title" | "slug" | "is_home" | "draft_updated_at" | "published_version_id" | "created_at"> & {
  published_version: number | null;
  published_at: Date | null;
};

export async function selectShelvesOfShop(db: Kysely<Database>, shopId: string): Promise<ShelfListRow[]> {
  return db
    .selectFrom("shelves as s")
    .leftJoin("shelf_versions as v", (j) => j.onRef("v.id", "=", "s.published_version_id").onRef("v.shop_id", "=", "s.shop_id"))
    .select([
      "s.id",
      "s.title",
      "s.slug",
      "s.is_home",
      "s.draft_updated_at",
      "s.published_version_id",
      "s.created_at",
      "v.version as published_version",
      "v.published_at",
    ])
    .where("s.shop_id", "=", shopId)
    .orderBy("s.is_home", "desc")
    .orderBy("s.created_at", "asc")
    .orderBy("s.id", "asc")
    .limit(200)
    .execute();
}

export async function countShelvesOfShop(db: Kysely<Database>, shopId: string): Promise<number> {
  const row = await db.selectFrom("shelves").select((eb) => eb.fn.countAll<string>().as("n")).where("shop_id", "=", shopId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function selectShelf(db: Kysely<Database>, shopId: string, shelfId: string): Promise<ShelfRow | undefined> {
  return db.selectFrom("shelves").selectAll().where("shop_id", "=", shopId).where("id", "=", shelfId).executeTakeFirst();
}

/** Locks the shelf row (call it inside a transaction) for a read-modify-write of its draft, so two editors' saves never lose one another. */
export async function selectShelfForUpdate(trx: Kysely<Database>, shopId: string, shelfId: string): Promise<ShelfRow | undefined> {
  return trx.selectFrom("shelves").selectAll().where("shop_id", "=", shopId).where("id", "=", shelfId).forUpdate().executeTakeFirst();
}

export async function selectHomeShelf(db: Kysely<Database>, shopId: string): Promise<ShelfRow | undefined> {
  return db.selectFrom("shelves").selectAll().where("shop_id", "=", shopId).where("is_home", "=", true).executeTakeFirst();
}

export async function selectShelfBySlug(db: Kysely<Database>, shopId: string, slug: string): Promise<ShelfRow | undefined> {
  return db.selectFrom("shelves").selectAll().where("shop_id", "=", shopId).where("slug", "=", slug).executeTakeFirst();
}

/**
 * Inserts a shelf; returns false when the slug (or, for a home shelf, the
 * shop's one home) is already taken, so concurrent first visits create one home.
 */
export async function insertShelf(
  db: Kysely<Database>,
  row: { id: string; shop_id: string; title: string; slug: string; is_home: boolean; now: Date },
): Promise<boolean> {
  const result = await db
    .insertInto("shelves")
    .values({
      id: row.id,
      shop_id: row.shop_id,
      title: row.title,
      slug: row.slug,
      is_home: row.is_home,
      draft_sections: "[]",
      draft_updated_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function updateShelfDraft(trx: Kysely<Database>, shopId: string, shelfId: string, sectionsJson: string, now: Date): Promise<void> {
  await trx
    .updateTable("shelves")
    .set({ draft_sections: sectionsJson, draft_updated_at: now, updated_at: now })
    .where("shop_id", "=", shopId)
    .where("id", "=", shelfId)
    .execute();
}

export async function updateShelfSettings(trx: Kysely<Database>, shopId: string, shelfId: string, title: string, slug: string, now: Date): Promise<void> {
  await trx.updateTable("shelves").set({ title, slug, updated_at: now }).where("shop_id", "=", shopId).where("id", "=", shelfId).execute();
}

/** Clears the shop's home flag (the partial unique index allows one home, so this comes before setting the new one). */
export async function clearHomeShelf(trx: Kysely<Database>, shopId: string, now: Date): Promise<void> {
  await trx.updateTable("shelves").set({ is_home: false, updated_at: now }).where("shop_id", "=", shopId).where("is_home", "=", true).execute();
}

export async function markHomeShelf(trx: Kysely<Database>, shopId: string, shelfId: string, now: Date): Promise<boolean> {
  const r = await trx
    .updateTable("shelves")
    .set({ is_home: true, updated_at: now })
    .where("shop_id", "=", shopId)
    .where("id", "=", shelfId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function selectLatestVersionNumber(trx: Kysely<Database>, shopId: string, shelfId: string): Promise<number> {
  const row = await trx
    .selectFrom("shelf_versions")
    .select((eb) => eb.fn.max("version").as("v"))
    .where("shop_id", "=", shopId)
    .where("shelf_id", "=", shelfId)
    .executeTakeFirst();
  return row?.v == null ? 0 : Number(row.v);
}

export async function insertShelfVersion(
  trx: Kysely<Database>,
  row: { id: string; shop_id: string; shelf_id: string; version: number; title: string; sections: string; published_by: string | null; published_at: Date },
): Promise<void> {
  await trx.insertInto("shelf_versions").values(row).execute();
}

export async function pointShelfAtVersion(trx: Kysely<Database>, shopId: string, shelfId: string, versionId: string, now: Date): Promise<void> {
  await trx
    .updateTable("shelves")
    .set({ published_version_id: versionId, updated_at: now })
    .where("shop_id", "=", shopId)
    .where("id", "=", shelfId)
    .execute();
}

export async function selectShelfVersion(db: Kysely<Database>, shopId: string, versionId: string): Promise<ShelfVersionRow | undefined> {
  return db.selectFrom("shelf_versions").selectAll().where("shop_id", "=", shopId).where("id", "=", versionId).executeTakeFirst();
}

/** A published page as the storefront reads it: one indexed query for the shelf and its current version. */
export type PublishedShelfRow = { shelf_id: string; slug: string; is_home: boolean; version_id: string; version: number; title: string; sections: unknown[] };

export async function selectPublishedShelf(
  db: Kysely<Database>,
  shopId: string,
  which: { home: true } | { slug: string },
): Promise<PublishedShelfRow | undefined> {
  let q = db
    .selectFrom("shelves as s")
    .innerJoin("shelf_versions as v", (j) => j.onRef("v.id", "=", "s.published_version_id").onRef("v.shop_id", "=", "s.shop_id"))
    .select(["s.id as shelf_id", "s.slug", "s.is_home", "v.id as version_id", "v.version", "v.title", "v.sections"])
    .where("s.shop_id", "=", shopId);
  q = "home" in which ? q.where("s.is_home", "=", true) : q.where("s.slug", "=", which.slug);
  return q.executeTakeFirst();
}
