/**
 * Membership tiers by cumulative paid spend.
 *
 * - The spend is one counter per buyer, `spend:<customerId>`, changed only by
 *   counter effects from `order.paid` (+ what the order counted) and
 *   `order.refunded` (− what the refund takes back). The tier is always
 *   computed from that counter and the current settings, so a merchant who
 *   moves a threshold moves every member at once.
 * - Deliveries come at least once: the platform applies an effect at most
 *   once per delivery, and the `order:<id>` record in storage makes a second
 *   event about the same order or refund change nothing either.
 */
import { definePlugin, formatMoney, isBazaarError, percentOf, type PluginContext, type Settings } from "@bazaar/plugins-sdk";

export interface MembershipSettings extends Settings {
  silverSpend: number;
  silverPercent: number;
  goldSpend: number;
  goldPercent: number;
  platinumSpend: number;
  platinumPercent: number;
}

export interface Tier {
  name: "Member" | "Silver" | "Gold" | "Platinum";
  /** Paid spend (minor units) from which the tier applies. */
  from: number;
  percent: number;
}

/** What this extension remembers about one order (storage `order:<id>`). */
type OrderRecord = {
  /** The delivery that counted the order, or null while only refunds have arrived. */
  paidKey: string | null;
  /** What the order added to the spend. */
  counted: number;
  /** By refund id: what the refund took back from the spend, and the delivery that did it. */
  refunds: Record<string, { amount: number; deducted: number; key: string }>;
};

const spendKey = (customerId: string) => `spend:${customerId}`;
const orderKey = (orderId: string) => `order:${orderId}`;

/** The tiers, lowest first. A misconfigured order of thresholds is sorted, not trusted. */
export function tiersOf(s: MembershipSettings): Tier[] {
  const paid: Tier[] = [
    { name: "Silver", from: s.silverSpend, percent: s.silverPercent },
    { name: "Gold", from: s.goldSpend, percent: s.goldPercent },
    { name: "Platinum", from: s.platinumSpend, percent: s.platinumPercent },
  ];
  return [{ name: "Member", from: 0, percent: 0 }, ...paid.sort((a, b) => a.from - b.from)];
}

/** The tier a spend reaches, and the next one up (null at the top). */
export function tierFor(spend: number, tiers: Tier[]): { tier: Tier; next: Tier | null } {
  let index = 0;
  for (let i = 1; i < tiers.length; i++) if (spend >= tiers[i].from) index = i;
  return { tier: tiers[index], next: tiers[index + 1] ?? null };
}

const sum = (refunds: OrderRecord["refunds"], field: "amount" | "deducted") => Object.values(refunds).reduce((n, r) => n + r[field], 0);

async function logTierChange(ctx: PluginContext<"order.paid" | "order.refunded", MembershipSettings>, before: number, after: number): Promise<void> {
  const tiers = tiersOf(await ctx.settings.get());
  const was = tierFor(before, tiers).tier;
  const now = tierFor(after, tiers).tier;
  if (was.name !== now.name) ctx.log(`${now.from > was.from ? "upgraded" : "downgraded"} from ${was.name} to ${now.name}`);
}

async function firstName(ctx: PluginContext<"storefront.blocks", MembershipSettings>, customerId: string): Promise<string | null> {
  try {
    const customer = await ctx.customers.get(customerId);
    return customer.name.trim().split(/\s+/)[0] || null;
  } catch (e) {
    // Without read_customers (or the record gone) the card simply has no greeting.
    if (isBazaarError(e, "ScopeError") || isBazaarError(e, "NotFoundError")) return null;
    throw e;
  }
}

export default definePlugin<MembershipSettings>({
  hooks: {
    "checkout.discounts": async (quote, ctx) => {
      const customerId = quote.buyer.customerId;
      if (!customerId) return { discounts: [] };
      const [settings, spend] = await Promise.all([ctx.settings.get(), ctx.counters.get(spendKey(customerId))]);
      const { tier } = tierFor(spend, tiersOf(settings));
      const amount = percentOf(quote.subtotal, tier.percent);
      if (amount <= 0) return { discounts: [] };
      return { discounts: [{ lineId: null, amount, label: `${tier.name} member ${tier.percent}% off` }] };
    },

    "order.paid": async (input, ctx) => {
      const { order, idempotencyKey } = input;
      const key = spendKey(order.customerId);
      const [record, before] = await Promise.all([ctx.storage.get<OrderRecord>(orderKey(order.id)), ctx.counters.get(key)]);
      if (record?.paidKey === idempotencyKey) {
        // This delivery again (it failed after the write): the same effect; the platform applies it at most once.
        return record.counted > 0 ? { counters: [{ key, delta: record.counted }] } : undefined;
      }
      if (record?.paidKey) return; // another event about an order already counted

      // Refunds that arrived first are already out of what is counted.
      const refunds = record?.refunds ?? {};
      const counted = Math.max(0, order.total - sum(refunds, "amount"));
      await ctx.storage.set(orderKey(order.id), { paidKey: idempotencyKey, counted, refunds });
      if (counted === 0) return;
      await logTierChange(ctx, before, before + counted);
      return { counters: [{ key, delta: counted }] };
    },

    "order.refunded": async (input, ctx) => {
      const { order, refund, idempotencyKey } = input;
      const key = spendKey(order.customerId);
      const [record, before] = await Promise.all([ctx.storage.get<OrderRecord>(orderKey(order.id)), ctx.counters.get(key)]);
      const seen = record?.refunds[refund.id];
      if (seen) {
        return seen.key === idempotencyKey && seen.deducted > 0 ? { counters: [{ key, delta: -seen.deducted, min: 0 }] } : undefined;
      }
      const refunds = { ...record?.refunds };
      // Before the order was counted, nothing to take back: order.paid counts the order net of this refund.
      const deducted = record?.paidKey ? Math.min(refund.amount, Math.max(0, record.counted - sum(refunds, "deducted"))) : 0;
      refunds[refund.id] = { amount: refund.amount, deducted, key: idempotencyKey };
      await ctx.storage.set(orderKey(order.id), { paidKey: record?.paidKey ?? null, counted: record?.counted ?? 0, refunds });
      if (deducted === 0) return;
      await logTierChange(ctx, before, Math.max(0, before - deducted));
      return { counters: [{ key, delta: -deducted, min: 0 }] };
    },

    "storefront.blocks": async (input, ctx) => {
      const customerId = input.buyer?.customerId ?? null;
      const currency = input.shop.currency;
      const settings = await ctx.settings.get();
      const tiers = tiersOf(settings);
      const best = tiers.reduce((a, b) => (b.percent > a.percent ? b : a));
      if (!customerId) {
        return best.percent > 0 ? { blocks: [{ type: "text", text: `Members save up to ${best.percent}% on every order. Sign in to see your tier.`, tone: "info" }] } : { blocks: [] };
      }
      const [spend, name] = await Promise.all([ctx.counters.get(spendKey(customerId)), firstName(ctx, customerId)]);
      const { tier, next } = tierFor(spend, tiers);
      const greeting = name ? `Welcome back, ${name}. ` : "";
      const perk = tier.percent > 0 ? `You save ${tier.percent}% on every order.` : "Members save on every order once they reach Silver.";
      return {
        blocks: [
          { type: "badge", label: `${tier.name} member`, tone: tier.percent > 0 ? "success" : "neutral" },
          { type: "text", text: greeting + perk },
          next
            ? { type: "progress", label: `To ${next.name}`, value: spend, max: next.from, caption: `${formatMoney(next.from - spend, currency)} to go for ${next.percent}% off` }
            : { type: "text", text: `${tier.name} is our top tier. Thank you!`, tone: "success" },
        ],
      };
    },
  },
});
