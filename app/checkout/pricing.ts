/**
 * The arithmetic of a quote, as pure functions (no database, no clock):
 * discounts from each install applied in order and clamped, order-wide
 * discounts spread over the lines by largest remainder, the freight charge,
 * and the totals. Money is integer minor units throughout; the one
 * multiplication that could leave the safe-integer range is done in BigInt.
 */
import { formatMoney } from "../catalog/money";
import {
  DiscountLineSchema,
  type FreightSettings,
  type InstallDiscounts,
  type QuoteAdjustment,
} from "./checkout.schema";

/**
 * Splits `amount` over `weights` in proportion, exactly: each share is the
 * floor of its exact part, and the units left over go to the largest
 * remainders (ties: the larger weight, then the earlier index). The shares
 * sum to `amount`, and none exceeds its weight when `amount <= sum(weights)`.
 *
 * @example allocateProportionally(100, [1, 1, 1]) // [34, 33, 33]
 */
export function allocateProportionally(amount: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`allocate: bad amount ${amount}`);
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError("allocate: weights must be non-negative integers");
  const total = weights.reduce((a, b) => a + b, 0);
  if (amount === 0) return weights.map(() => 0);
  if (total === 0) throw new RangeError("allocate: nothing to allocate over");
  const A = BigInt(amount);
  const W = BigInt(total);
  const shares = weights.map((w) => Number((A * BigInt(w)) / W));
  const remainders = weights.map((w, i) => ({ i, w, r: (A * BigInt(w)) % W }));
  let left = amount - shares.reduce((a, b) => a + b, 0);
  remainders.sort((a, b) => (a.r === b.r ? b.w - a.w || a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0) break;
    shares[i] += 1;
    left -= 1;
  }
  return shares;
}

/** Why an offered discount line had no effect (kept for the extension's invocation log, not shown to buyers). */
export type DroppedDiscount = { installId: string; reason: "invalid" | "foreign_source" | "unknown_line" | "nothing_left"; line: unknown };

export type AppliedDiscounts = {
  /** the discounts that took effect, in the order applied, each with what was asked and what was applied */
  adjustments: QuoteAdjustment[];
  /** the discount allocated to each line id */
  perLine: Record<string, number>;
  dropped: DroppedDiscount[];
};

/**
 * Applies each install's discount lines in the given (the merchant's
 * install) order. A line discount takes at most what is left of its line; an
 * order discount takes at most what is left of all lines and is allocated
 * over them at once in proportion to what is left of each — so after every
 * step no line, and so no total, is below zero. Lines that fail validation,
 * name another install as their source, or name an unknown line are dropped.
 */
export function applyDiscounts(lines: readonly { lineId: string; lineTotal: number }[], installs: readonly InstallDiscounts[]): AppliedDiscounts {
  const ids = lines.map((l) => l.lineId);
  const left = new Map(lines.map((l) => [l.lineId, l.lineTotal]));
  const perLine: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  const adjustments: QuoteAdjustment[] = [];
  const dropped: DroppedDiscount[] = [];

  for (const install of installs) {
    for (const raw of install.lines ?? []) {
      const parsed = DiscountLineSchema.safeParse(raw);
      if (!parsed.success) {
        dropped.push({ installId: install.installId, reason: "invalid", line: raw });
        continue;
      }
      const d = parsed.data;
      if (d.source.installId !== install.installId) {
        dropped.push({ installId: install.installId, reason: "foreign_source", line: raw });
        continue;
      }
      let applied: number;
      if (d.lineId !== null) {
        const room = left.get(d.lineId);
        if (room === undefined) {
          dropped.push({ installId: install.installId, reason: "unknown_line", line: raw });
          continue;
        }
        applied = Math.min(d.amount, room);
        left.set(d.lineId, room - applied);
        perLine[d.lineId] += applied;
      } else {
        const rooms = ids.map((id) => left.get(id)!);
        applied = Math.min(d.amount, rooms.reduce((a, b) => a + b, 0));
        const shares = allocateProportionally(applied, rooms);
        ids.forEach((id, i) => {
          left.set(id, rooms[i] - shares[i]);
          perLine[id] += shares[i];
        });
      }
      if (applied === 0) {
        dropped.push({ installId: install.installId, reason: "nothing_left", line: raw });
        continue;
      }
      adjustments.push({
        kind: "discount",
        lineId: d.lineId,
        amount: applied,
        requested: d.amount,
        label: d.label,
        source: { type: "extension", installId: d.source.installId, extensionName: d.source.extensionName },
      });
    }
  }
  return { adjustments, perLine, dropped };
}

/**
 * The freight charge for `itemCount` units whose total after discounts is
 * `goods`, as an adjustment naming the platform's freight template.
 */
export function shippingAdjustment(freight: FreightSettings, itemCount: number, goods: number, currency: string): QuoteAdjustment {
  const base = freight.mode === "flat" ? freight.amount : freight.amount + freight.perItem * Math.max(0, itemCount - 1);
  const free = freight.freeOver !== null && goods >= freight.freeOver;
  const label =
    base === 0
      ? "Free shipping"
      : free
        ? `Free shipping on orders over ${formatMoney(freight.freeOver!, currency)}`
        : freight.mode === "flat"
          ? "Shipping"
          : `Shipping (${itemCount} ${itemCount === 1 ? "item" : "items"})`;
  return { kind: "shipping", lineId: null, amount: free ? 0 : base, requested: base, label, source: { type: "platform", name: "freight" } };
}

export type PricedLines<L extends { lineId: string; lineTotal: number; quantity: number }> = {
  lines: (L & { discount: number; total: number })[];
  adjustments: QuoteAdjustment[];
  dropped: DroppedDiscount[];
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  itemCount: number;
};

/**
 * The whole quote arithmetic: discounts (clamped, allocated), then shipping
 * on what is left, then the totals. `total = subtotal − discountTotal +
 * shippingTotal`, and every line's `total = lineTotal − discount >= 0`.
 */
export function priceLines<L extends { lineId: string; lineTotal: number; quantity: number }>(
  lines: readonly L[],
  installs: readonly InstallDiscounts[],
  freight: FreightSettings,
  currency: string,
): PricedLines<L> {
  const { adjustments, perLine, dropped } = applyDiscounts(lines, installs);
  const subtotal = lines.reduce((a, l) => a + l.lineTotal, 0);
  const discountTotal = adjustments.reduce((a, d) => a + d.amount, 0);
  const itemCount = lines.reduce((a, l) => a + l.quantity, 0);
  const shipping = shippingAdjustment(freight, itemCount, subtotal - discountTotal, currency);
  return {
    lines: lines.map((l) => ({ ...l, discount: perLine[l.lineId], total: l.lineTotal - perLine[l.lineId] })),
    adjustments: [...adjustments, shipping],
    dropped,
    subtotal,
    discountTotal,
    shippingTotal: shipping.amount,
    total: subtotal - discountTotal + shipping.amount,
    itemCount,
  };
}
