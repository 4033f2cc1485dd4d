/**
 * Ratings and reviews: one per shop per extension, written by an owner of
 * the shop, only for an extension the shop installed at some point (it may
 * have uninstalled it since); editable, each write audited. The listing page
 * shows them newest first; the store shows the average.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import { record } from "../audit/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { getShopMembership } from "../accounts/index.server";
import { ExtensionId } from "./marketplace.schema";
import { selectExtension } from "./marketplace.repository.server";
import { hasEverInstalled, selectReviews, selectShopReview, upsertReviewRow } from "./store.repository.server";

export const REVIEWS_PAGE_SIZE = 10;

/** The review form, on both sides: 1–5 stars and up to 2,000 characters. */
export const ReviewForm = z.object({
  rating: z.coerce.number({ message: "Choose 1 to 5 stars" }).int("Choose 1 to 5 stars").min(1, "Choose 1 to 5 stars").max(5, "Choose 1 to 5 stars"),
  body: z.string().trim().max(2000, "At most 2,000 characters").default(""),
});

export type ReviewView = { id: string; rating: number; body: string; shopName: string; createdAt: string; updatedAt: string; edited: boolean };

/**
 * Writes (or rewrites) the shop's review of an extension. Only an owner of
 * the shop, and only if the shop installed the extension at some point.
 *
 * @example await saveShopReview(db, owner, { shopId, extensionId, form: { rating: "5", body: "Doubled repeat orders." } });
 */
export async function saveShopReview(
  db: Kysely<Database>,
  user: { id: string },
  input: { shopId: string; extensionId: string; form: unknown },
): Promise<{ review: ReviewView; created: boolean }> {
  const parsed = ReviewForm.safeParse(input.form);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  if (!ExtensionId.safeParse(input.extensionId).success) throw notFound("Extension not found");
  const membership = await getShopMembership(db, input.shopId, user.id);
  if (!membership) throw notFound("Shop not found");
  if (membership.role !== "owner") throw new AppError("forbidden", "Only the shop owner can review extensions.");
  const ext = await selectExtension(db, input.extensionId);
  if (!ext) throw notFound("Extension not found");
  if (!(await hasEverInstalled(db, input.shopId, ext.id))) {
    throw new AppError("unprocessable", "Only shops that installed this extension can review it.", { code: "never_installed" });
  }
  return db.transaction().execute(async (trx) => {
    const { review, created } = await upsertReviewRow(trx, {
      id: newId("rvw"),
      extension_id: ext.id,
      shop_id: input.shopId,
      author_id: user.id,
      rating: parsed.data.rating,
      body: parsed.data.body,
      at: new Date(),
    });
    await record(trx, { type: "user", id: user.id }, created ? "extension.reviewed" : "extension.review_edited", { shopId: input.shopId, type: "extension", id: ext.id }, { rating: review.rating });
    return { review: viewOf({ ...review, shop_name: "" }), created };
  });
}

function viewOf(r: { id: string; rating: number; body: string; created_at: Date | string; updated_at: Date | string; shop_name: string }): ReviewView {
  const createdAt = new Date(r.created_at).toISOString();
  const updatedAt = new Date(r.updated_at).toISOString();
  return { id: r.id, rating: r.rating, body: r.body, shopName: r.shop_name, createdAt, updatedAt, edited: updatedAt.slice(0, 16) !== createdAt.slice(0, 16) };
}

/** The shop's own review of the extension (for the edit form), if any. */
export async function getShopReview(db: Kysely<Database>, shopId: string, extensionId: string): Promise<ReviewView | null> {
  const r = await selectShopReview(db, shopId, extensionId);
  return r ? viewOf({ ...r, shop_name: "" }) : null;
}

/** A page of an extension's reviews, newest first, with a `before` id cursor. */
export async function listExtensionReviews(db: Kysely<Database>, extensionId: string, before: string | null): Promise<{ items: ReviewView[]; next: string | null }> {
  const cursor = before && /^rvw_[0-9a-z]{26}$/.test(before) ? before : null;
  const rows = await selectReviews(db, extensionId, cursor, REVIEWS_PAGE_SIZE + 1);
  const page = rows.slice(0, REVIEWS_PAGE_SIZE);
  return { items: page.map(viewOf), next: rows.length > REVIEWS_PAGE_SIZE ? page[page.length - 1].id : null };
}
