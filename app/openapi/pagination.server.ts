/**
 * Cursor pagination for every list of the open API. The cursor is opaque to
 * clients (base64url JSON naming the list it belongs to and the position),
 * so the modules' own page cursors can change without breaking anyone.
 *
 * The modules' list functions have their own fixed page sizes; `collect`
 * turns them into pages of any `limit` (1–100): it reads as many of their
 * pages as it needs and, when it stops inside one, restarts from the last
 * item it returned (their cursors are "after this item").
 */
import { AppError } from "../lib/errors";

type CursorData = { l: string; k: string };

export function encodeCursor(list: string, key: string): string {
  return Buffer.from(JSON.stringify({ l: list, k: key } satisfies CursorData)).toString("base64url");
}

/** The position in `list`, or undefined without a cursor; a cursor of another list or a forged one is a 422 on `cursor`. */
export function decodeCursor(list: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const data = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorData;
    if (data && data.l === list && typeof data.k === "string" && data.k.length > 0 && data.k.length <= 200) return data.k;
  } catch {
    // falls through to the 422
  }
  throw new AppError("unprocessable", "Not a valid cursor for this list", { code: "validation_failed", fieldErrors: { cursor: ["Not a valid cursor for this list"] } });
}

export type Page<T> = { data: T[]; nextCursor: string | null };

/**
 * Reads pages from a module's list function until `limit` items are
 * collected. `fetchPage(after)` returns a page and the module's cursor of the
 * next one; `keyOf(item)` is the module cursor that continues right after
 * `item`.
 */
export async function collect<T>(
  list: string,
  cursor: string | undefined,
  limit: number,
  fetchPage: (after: string | undefined) => Promise<{ items: T[]; next: string | null }>,
  keyOf: (item: T) => string,
): Promise<Page<T>> {
  let after = decodeCursor(list, cursor);
  const data: T[] = [];
  for (let guard = 0; guard < 200; guard++) {
    const page = await fetchPage(after);
    for (let i = 0; i < page.items.length; i++) {
      if (data.length === limit) return { data, nextCursor: encodeCursor(list, keyOf(data[data.length - 1])) };
      data.push(page.items[i]);
    }
    if (page.next === null || page.items.length === 0) return { data, nextCursor: null };
    if (data.length === limit) return { data, nextCursor: encodeCursor(list, keyOf(data[data.length - 1])) };
    after = page.next;
  }
  throw new Error(`pagination of ${list} did not finish`);
}

/** A page of a list the module returns whole (categories, shelves, a product's SKUs), continuing after the cursor's id. */
export function sliceById<T extends { id: string }>(list: string, all: T[], cursor: string | undefined, limit: number): Page<T> {
  const after = decodeCursor(list, cursor);
  let start = 0;
  if (after !== undefined) {
    const i = all.findIndex((x) => x.id === after);
    // the item was deleted meanwhile: continue from where ids sort after it
    start = i >= 0 ? i + 1 : all.filter((x) => x.id <= after).length;
  }
  const data = all.slice(start, start + limit);
  const more = start + limit < all.length;
  return { data, nextCursor: more ? encodeCursor(list, data[data.length - 1].id) : null };
}
