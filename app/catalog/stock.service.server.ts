/**
 * Stock: a number per SKU that only ever changes together with a ledger row
 * saying why (initial, manual adjustment, order reserved / released, refund
 * restock) and what the balance became, so every count is explainable.
 *
 * `reserve` and `release` are what the order module calls inside its own
 * transaction. They lock SKU rows in one global order (id, byte-wise) — the
 * same order every catalog writer uses — so two carts holding the same SKUs
 * in opposite orders queue up instead of deadlocking, and the conditional
 * `stock >= q` update means stock can never go below zero even if a caller
 * skipped the lock.
 */
import type { Kysely } from "kysely";
import type { Database, StockReason } from "../../db/database";
import { publish } from "../events/index.server";
import { record } from "../audit/index.server";
import { AppError, type FieldErrors } from "../lib/errors";
import { LEDGER_PAGE_SIZE, MAX_STOCK, SkuId, type LedgerEntry } from "./catalog.schema";
import { actorId, inTransaction, invalid, parseInput, type CatalogActor } from "./internal.server";
import { addToTotalStock, selectProduct } from "./products.repository.server";
import {
  addToSkuStock,
  insertLedgerRows,
  lockSkus,
  selectLedgerPage,
  selectSku,
  type LedgerInsert,
} from "./skus.repository.server";
import { specLabel } from "./specs";

/** A line to reserve or release: `quantity` units of one SKU. */
export type StockLine = { skuId: string; quantity: number };

/** What a reservation is for, kept on its ledger rows: e.g. `{ type: "order", id: "ord_…" }`. */
export type StockRef = { type: string; id: string };

/** One SKU a reservation could not take. */
export type StockShortage = {
  skuId: string;
  requested: number;
  /** what is left to sell (0 when the SKU or its product is not for sale) */
  available: number;
  /** insufficient: not enough stock; unavailable: archived SKU or product not on sale; not_found: no such SKU in the shop */
  reason: "insufficient" | "unavailable" | "not_found";
};

/**
 * A reservation that could not be made: 409 with code `out_of_stock`,
 * listing every SKU that fell short (and, for forms, a field error per SKU
 * keyed `lines.<skuId>`). Nothing was written.
 */
export class OutOfStockError extends AppError {
  readonly shortages: StockShortage[];
  constructor(shortages: StockShortage[]) {
    const fieldErrors: FieldErrors = {};
    for (const s of shortages) {
      fieldErrors[`lines.${s.skuId}`] = [
        s.reason === "insufficient"
          ? s.available === 0
            ? "Sold out"
            : `Only ${s.available} left`
          : "No longer available",
      ];
    }
    super("conflict", "Some items are no longer available in the quantity requested.", { code: "out_of_stock", fieldErrors });
    this.shortages = shortages;
  }
}

/** Sums quantities per SKU and checks them; the result is sorted by id (the lock order). */
function mergeLines(lines: readonly StockLine[]): StockLine[] {
  if (!Array.isArray(lines) || lines.length === 0) throw invalid({ lines: ["Nothing to reserve"] }, "No lines given");
  const merged = new Map<string, number>();
  for (const [i, line] of lines.entries()) {
    const skuId = parseInput(SkuId, line?.skuId, `lines.${i}.skuId`);
    const q = line?.quantity;
    if (!Number.isInteger(q) || q < 1 || q > MAX_STOCK) throw invalid({ [`lines.${i}.quantity`]: ["Quantity must be a whole number of at least 1"] });
    merged.set(skuId, (merged.get(skuId) ?? 0) + q);
  }
  return [...merged].map(([skuId, quantity]) => ({ skuId, quantity })).sort((a, b) => (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0));
}

function checkRef(ref: StockRef): StockRef {
  if (!ref || typeof ref.type !== "string" || !/^[a-z][a-z0-9_]{0,39}$/.test(ref.type) || typeof ref.id !== "string" || ref.id.length < 1 || ref.id.length > 100) {
    throw new Error(`stock: invalid ref ${JSON.stringify(ref)}`); // a caller's bug, not a buyer's
  }
  return ref;
}

async function publishStockChanged(
  trx: Kysely<Database>,
  shopId: string,
  change: { skuId: string; productId: string; delta: number; stock: number; reason: StockReason; ref?: StockRef | null },
): Promise<void> {
  await publish(trx, {
    name: "stock.changed",
    shopId,
    subjectId: change.skuId,
    payload: {
      skuId: change.skuId,
      productId: change.productId,
      delta: change.delta,
      stock: change.stock,
      reason: change.reason,
      ref: change.ref ?? null,
    },
  });
}

/**
 * Writes one stock change of a SKU the caller has locked: the conditional
 * update, its ledger row, and `stock.changed`. Product aggregates are the
 * caller's job (reservations move total_stock by the delta; editors
 * recompute it). Throws if the change would go below zero.
 */
export async function writeStockChange(
  trx: Kysely<Database>,
  shopId: string,
  sku: { id: string; product_id: string },
  delta: number,
  entry: { reason: StockReason; actor?: CatalogActor | null; note?: string | null; ref?: StockRef | null },
): Promise<number> {
  const stock = await addToSkuStock(trx, shopId, sku.id, delta);
  if (stock === null) throw new AppError("conflict", "Stock cannot go below zero.", { code: "out_of_stock" });
  await insertLedgerRows(trx, [
    {
      shop_id: shopId,
      sku_id: sku.id,
      delta,
      balance_after: stock,
      reason: entry.reason,
      ref_type: entry.ref?.type ?? null,
      ref_id: entry.ref?.id ?? null,
      actor_id: entry.actor ? actorId(entry.actor) : null,
      note: entry.note ?? null,
    },
  ]);
  await publishStockChanged(trx, shopId, { skuId: sku.id, productId: sku.product_id, delta, stock, reason: entry.reason, ref: entry.ref });
  return stock;
}

/**
 * Takes stock for an order, inside the caller's transaction: merges lines of
 * the same SKU, locks the SKUs in id order, and checks that each is active,
 * its product on sale, and that enough is left. If any line falls short,
 * throws {@link OutOfStockError} (409 `out_of_stock`) listing all of them and
 * writes nothing; otherwise decrements each SKU, writes `order_reserved`
 * ledger rows and publishes `stock.changed`.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   const order = await insertOrder(trx, …);
 *   await reserve(trx, shopId, cart.lines.map((l) => ({ skuId: l.skuId, quantity: l.quantity })), { type: "order", id: order.id });
 * });
 */
export async function reserve(db: Kysely<Database>, shopId: string, lines: readonly StockLine[], ref: StockRef): Promise<void> {
  const merged = mergeLines(lines);
  checkRef(ref);
  await inTransaction(db, async (trx) => {
    const locked = await lockSkus(trx, shopId, merged.map((l) => l.skuId));
    const byId = new Map(locked.map((s) => [s.id, s]));
    const shortages: StockShortage[] = [];
    for (const line of merged) {
      const sku = byId.get(line.skuId);
      if (!sku) shortages.push({ skuId: line.skuId, requested: line.quantity, available: 0, reason: "not_found" });
      else if (sku.status !== "active" || sku.product_status !== "on_sale") {
        shortages.push({ skuId: sku.id, requested: line.quantity, available: 0, reason: "unavailable" });
      } else if (sku.stock < line.quantity) {
        shortages.push({ skuId: sku.id, requested: line.quantity, available: sku.stock, reason: "insufficient" });
      }
    }
    if (shortages.length) throw new OutOfStockError(shortages);

    const productDeltas = new Map<string, number>();
    for (const line of merged) {
      const sku = byId.get(line.skuId)!;
      await writeStockChange(trx, shopId, sku, -line.quantity, { reason: "order_reserved", ref });
      productDeltas.set(sku.product_id, (productDeltas.get(sku.product_id) ?? 0) - line.quantity);
    }
    // Product rows after all SKU rows, in id order: the global lock order.
    for (const productId of [...productDeltas.keys()].sort()) await addToTotalStock(trx, shopId, productId, productDeltas.get(productId)!);
  });
}

/**
 * Gives reserved stock back, inside the caller's transaction: when an
 * unpaid order closes (`order_released`) or a refund puts goods back on the
 * shelf (`refund_restock`). Works on archived SKUs and off-sale products too
 * (the goods exist); an unknown SKU is a 404. Callers make it idempotent per
 * order (a release is written once per closed order or refund).
 *
 * @example
 * await release(trx, shopId, order.lines, { type: "order", id: order.id }, "order_released");
 */
export async function release(
  db: Kysely<Database>,
  shopId: string,
  lines: readonly StockLine[],
  ref: StockRef,
  reason: "order_released" | "refund_restock",
): Promise<void> {
  const merged = mergeLines(lines);
  checkRef(ref);
  if (reason !== "order_released" && reason !== "refund_restock") throw new Error(`stock: invalid release reason ${reason}`);
  await inTransaction(db, async (trx) => {
    const locked = await lockSkus(trx, shopId, merged.map((l) => l.skuId));
    const byId = new Map(locked.map((s) => [s.id, s]));
    const missing = merged.filter((l) => !byId.has(l.skuId));
    if (missing.length) throw new AppError("not_found", `SKU not found: ${missing.map((l) => l.skuId).join(", ")}`);
    const productDeltas = new Map<string, number>();
    for (const line of merged) {
      const sku = byId.get(line.skuId)!;
      await writeStockChange(trx, shopId, sku, line.quantity, { reason, ref });
      // total_stock counts active SKUs only; an archived SKU's returned units show up if it is reactivated.
      if (sku.status === "active") productDeltas.set(sku.product_id, (productDeltas.get(sku.product_id) ?? 0) + line.quantity);
    }
    for (const productId of [...productDeltas.keys()].sort()) await addToTotalStock(trx, shopId, productId, productDeltas.get(productId)!);
  });
}

/**
 * A merchant's stock correction: add/remove `change` units, or `{ set: n }`
 * to the counted number. Written as a `manual_adjust` ledger row with the
 * note. Removing more than there is is a 400 on `amount`. With
 * `opts.productId`, a SKU of another product is a 404.
 *
 * @example
 * await adjustStock(trx, shopId, skuId, { set: 40 }, { type: "user", id: user.id }, "Stock count, 1 March");
 * await adjustStock(trx, shopId, skuId, -2, actor, "Damaged in storage");
 */
export async function adjustStock(
  db: Kysely<Database>,
  shopId: string,
  skuId: string,
  change: number | { set: number },
  actor: CatalogActor,
  note: string,
  opts: { productId?: string } = {},
): Promise<{ stock: number; delta: number }> {
  const id = parseInput(SkuId, skuId, "skuId");
  const cleanNote = String(note ?? "").trim().slice(0, 200);
  if (!cleanNote) throw invalid({ note: ["Say why (e.g. stock count, damaged)"] });
  const target = typeof change === "number" ? null : change.set;
  if (target !== null && (!Number.isInteger(target) || target < 0 || target > MAX_STOCK)) {
    throw invalid({ amount: [target < 0 ? "Stock cannot be negative" : `Enter a whole number from 0 to ${MAX_STOCK.toLocaleString("en")}`] });
  }
  if (typeof change === "number" && (!Number.isInteger(change) || Math.abs(change) > MAX_STOCK)) throw invalid({ amount: ["Enter a whole number"] });

  return inTransaction(db, async (trx) => {
    const [sku] = await lockSkus(trx, shopId, [id]);
    // `productId`: the page the form was on names the product too; a mismatch is as unknown as a missing SKU.
    if (!sku || (opts.productId !== undefined && sku.product_id !== opts.productId)) throw new AppError("not_found", "SKU not found");
    const delta = target !== null ? target - sku.stock : (change as number);
    if (sku.stock + delta < 0) throw invalid({ amount: [`Only ${sku.stock} in stock; cannot remove ${-delta}`] });
    if (sku.stock + delta > MAX_STOCK) throw invalid({ amount: [`Stock can be at most ${MAX_STOCK.toLocaleString("en")}`] });
    if (sku.status === "archived" && delta > 0) throw invalid({ amount: ["This SKU is archived (its combination was removed from the specs)"] });
    if (delta === 0) return { stock: sku.stock, delta: 0 };
    const stock = await writeStockChange(trx, shopId, sku, delta, { reason: "manual_adjust", actor, note: cleanNote });
    if (sku.status === "active") await addToTotalStock(trx, shopId, sku.product_id, delta);
    await record(trx, actor, "product.stock_adjusted", { shopId, type: "product", id: sku.product_id }, {
      skuId: sku.id,
      delta,
      stock,
      note: cleanNote,
    });
    return { stock, delta };
  });
}

/** The ledger page of one SKU: the SKU, its rows newest first, and the cursor of the next page. */
export type LedgerPage = {
  sku: { id: string; productId: string; productTitle: string; specLabel: string; code: string; stock: number; status: "active" | "archived" };
  entries: LedgerEntry[];
  nextBefore: string | null;
};

/** One page of a SKU's ledger, newest first. A SKU of another shop is a 404. */
export async function listLedger(db: Kysely<Database>, shopId: string, skuId: string, page: { before?: string } = {}): Promise<LedgerPage> {
  const id = parseInput(SkuId, skuId, "skuId");
  if (page.before !== undefined && !/^[1-9][0-9]{0,18}$/.test(page.before)) throw invalid({ before: ["Invalid page cursor"] }, "Invalid page cursor");
  const sku = await selectSku(db, shopId, id);
  if (!sku) throw new AppError("not_found", "SKU not found");
  const [product, rows] = await Promise.all([
    selectProduct(db, shopId, sku.product_id),
    selectLedgerPage(db, shopId, id, { before: page.before, limit: LEDGER_PAGE_SIZE + 1 }),
  ]);
  const entries = rows.slice(0, LEDGER_PAGE_SIZE).map(
    (r): LedgerEntry => ({
      id: String(r.id),
      delta: r.delta,
      balanceAfter: r.balance_after,
      reason: r.reason,
      refType: r.ref_type,
      refId: r.ref_id,
      actorId: r.actor_id,
      note: r.note,
      createdAt: new Date(r.created_at).toISOString(),
    }),
  );
  return {
    sku: {
      id: sku.id,
      productId: sku.product_id,
      productTitle: product?.title ?? "",
      specLabel: specLabel(sku.spec_values),
      code: sku.code,
      stock: sku.stock,
      status: sku.status,
    },
    entries,
    nextBefore: rows.length > LEDGER_PAGE_SIZE ? entries[entries.length - 1].id : null,
  };
}

export type { LedgerInsert };
