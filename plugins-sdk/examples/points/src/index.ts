/**
 * Loyalty points.
 *
 * - The balance is one counter per buyer, `balance:<customerId>`.
 * - Earning and reversing are counter effects returned by `order.paid` and
 *   `order.refunded` (applied at most once per delivery by the platform); the
 *   `order:<id>` record in storage makes a second event about the same order
 *   or refund change nothing.
 * - Spending is a checkout reservation on the balance with `bound.min = 0`:
 *   the platform applies it atomically when the order is placed, so two
 *   checkouts racing for the same points cannot both have them, and gives the
 *   points back when the order closes or is refunded in full.
 */
import { definePlugin, formatMoney, minorPerMajor, percentOf, type Settings } from "@bazaar/plugins-sdk";

export interface PointsSettings extends Settings {
  pointsPerUnit: number;
  pointValue: number;
  maxRedeemPercent: number;
}

/** What this extension remembers about one order (storage `order:<id>`). */
type OrderRecord = {
  /** The delivery that credited the order, or null while only refunds have arrived. */
  paidKey: string | null;
  total: number;
  currency: string;
  /** The earning rate when the order was paid (a later settings change does not rewrite history). */
  pointsPerUnit: number;
  earned: number;
  /** By refund id: the amount, the points taken back, and those already spent (not taken back). */
  refunds: Record<string, { amount: number; reversed: number; shortfall: number; key: string }>;
};

const balanceKey = (customerId: string) => `balance:${customerId}`;
const orderKey = (orderId: string) => `order:${orderId}`;

/** Points for an amount paid: whole currency units × rate, rounded down, in integer arithmetic. */
export function pointsFor(amount: number, currency: string, pointsPerUnit: number): number {
  return Math.floor((Math.max(0, amount) * pointsPerUnit) / minorPerMajor(currency));
}

const refundedSoFar = (record: OrderRecord | null) => Object.values(record?.refunds ?? {}).reduce((n, r) => n + r.amount, 0);

export default definePlugin<PointsSettings>({
  hooks: {
    "checkout.discounts": async (quote, ctx) => {
      const customerId = quote.buyer.customerId;
      if (!customerId || quote.attributes.usePoints !== true) return { discounts: [] };
      const [settings, balance] = await Promise.all([ctx.settings.get(), ctx.counters.get(balanceKey(customerId))]);
      const cap = percentOf(quote.subtotal, settings.maxRedeemPercent);
      const points = Math.min(balance, Math.floor(cap / settings.pointValue));
      if (points <= 0) return { discounts: [] };
      return {
        discounts: [{ lineId: null, amount: points * settings.pointValue, label: `${points} points redeemed` }],
        reservations: [{ counterKey: balanceKey(customerId), delta: -points, bound: { min: 0 } }],
      };
    },

    "order.paid": async (input, ctx) => {
      const { order, idempotencyKey } = input;
      const key = balanceKey(order.customerId);
      const record = await ctx.storage.get<OrderRecord>(orderKey(order.id));
      if (record?.paidKey === idempotencyKey) {
        // This delivery again: the same effect; the platform applies it at most once.
        return record.earned > 0 ? { counters: [{ key, delta: record.earned }] } : undefined;
      }
      if (record?.paidKey) return; // another event about an order already credited

      const { pointsPerUnit } = await ctx.settings.get();
      // Refunds that arrived first earn nothing.
      const earned = pointsFor(order.total - refundedSoFar(record), order.currency, pointsPerUnit);
      const next: OrderRecord = { paidKey: idempotencyKey, total: order.total, currency: order.currency, pointsPerUnit, earned, refunds: record?.refunds ?? {} };
      await ctx.storage.set(orderKey(order.id), next);
      if (earned === 0) return;
      ctx.log(`earned ${earned} points on ${order.id}`);
      return { counters: [{ key, delta: earned }] };
    },

    "order.refunded": async (input, ctx) => {
      const { order, refund, idempotencyKey } = input;
      const key = balanceKey(order.customerId);
      const record = await ctx.storage.get<OrderRecord>(orderKey(order.id));
      const seen = record?.refunds[refund.id];
      if (seen) {
        return seen.key === idempotencyKey && seen.reversed > 0 ? { counters: [{ key, delta: -seen.reversed, min: 0 }] } : undefined;
      }
      const base: OrderRecord = record ?? { paidKey: null, total: order.total, currency: order.currency, pointsPerUnit: 0, earned: 0, refunds: {} };
      let reversed = 0;
      let shortfall = 0;
      if (base.paidKey) {
        // Points kept before minus points kept after this refund: over all refunds this sums to exactly what was earned on the refunded part.
        const keptBefore = base.total - refundedSoFar(base);
        const due =
          pointsFor(keptBefore, base.currency, base.pointsPerUnit) - pointsFor(keptBefore - refund.amount, base.currency, base.pointsPerUnit);
        // Points already spent stay spent: take back what the balance still holds, never below zero.
        const balance = due > 0 ? await ctx.counters.get(key) : 0;
        reversed = Math.min(due, Math.max(0, balance));
        shortfall = due - reversed;
        if (shortfall > 0) ctx.log(`${shortfall} points of refund ${refund.id} were already spent`);
      }
      await ctx.storage.set(orderKey(order.id), { ...base, refunds: { ...base.refunds, [refund.id]: { amount: refund.amount, reversed, shortfall, key: idempotencyKey } } });
      return reversed > 0 ? { counters: [{ key, delta: -reversed, min: 0 }] } : undefined;
    },

    "storefront.blocks": async (input, ctx) => {
      const customerId = input.buyer?.customerId ?? null;
      const currency = input.shop.currency;
      const settings = await ctx.settings.get();
      if (settings.pointsPerUnit === 0) return { blocks: [] };
      const earnLine = `Earn ${settings.pointsPerUnit} ${settings.pointsPerUnit === 1 ? "point" : "points"} for every ${formatMoney(minorPerMajor(currency), currency)} you spend.`;
      if (!customerId) return { blocks: [{ type: "text", text: earnLine, tone: "info" }] };
      const balance = await ctx.counters.get(balanceKey(customerId));
      return {
        blocks: [
          { type: "badge", label: `${balance} points`, tone: balance > 0 ? "success" : "neutral" },
          {
            type: "text",
            text:
              balance > 0
                ? `Worth ${formatMoney(balance * settings.pointValue, currency)} at checkout (up to ${settings.maxRedeemPercent}% of an order). ${earnLine}`
                : earnLine,
          },
        ],
      };
    },
  },
});
