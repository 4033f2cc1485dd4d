/**
 * Promotions and coupons. Stateless apart from coupon use counters, which
 * change only through checkout reservations:
 *
 * - `coupon:<CODE>:uses` (+1 per order, bound `max` = uses in all), and
 * - `coupon:<CODE>:customer:<customerId>` (+1, bound `max` = uses per customer),
 *
 * applied atomically when the order is placed (so 20 buyers racing for the
 * last use cannot all get it) and given back when the order closes or is
 * refunded in full. The quote also reads them, to not offer a coupon that is
 * already used up.
 *
 * The order of the rules: buy X get Y (free units are the cheapest), then the
 * category percentage on what is left of each line, then the spend threshold
 * on what is left of the order, then the coupon on what is left after that.
 * Every amount is rounded down.
 */
import { definePlugin, formatMoney, percentOf, timesIn, type Discount, type QuoteLine, type Reservation, type Settings } from "@bazaar/plugins-sdk";

export interface PromotionsSettings extends Settings {
  spendEvery: number;
  spendOff: number;
  categoryId: string;
  categoryName: string;
  categoryPercent: number;
  bxgyProductId: string;
  bxgyProductName: string;
  bxgyBuy: number;
  bxgyGet: number;
  couponCodes: string;
  couponKind: "amount" | "percent";
  couponValue: number;
  couponMinSubtotal: number;
  couponTotalUses: number;
  couponPerCustomerUses: number;
}

/** A code as the buyer typed it → its canonical form, or null if it cannot be a code. */
export function normalizeCode(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const code = raw.trim().toUpperCase();
  return /^[A-Z0-9_-]{1,40}$/.test(code) ? code : null;
}

export function couponCodes(settings: PromotionsSettings): string[] {
  return settings.couponCodes
    .split(",")
    .map(normalizeCode)
    .filter((c): c is string => c !== null);
}

const usesKey = (code: string) => `coupon:${code}:uses`;
const customerKey = (code: string, customerId: string) => `coupon:${code}:customer:${customerId}`;

/** Free units of buy-X-get-Y, given to the cheapest units first. */
export function buyXGetY(lines: QuoteLine[], productId: string, buy: number, get: number): Map<string, number> {
  const eligible = lines.filter((l) => l.productId === productId).sort((a, b) => a.unitPrice - b.unitPrice || (a.lineId < b.lineId ? -1 : 1));
  const units = eligible.reduce((n, l) => n + l.quantity, 0);
  let free = Math.floor(units / (buy + get)) * get;
  const discounts = new Map<string, number>();
  for (const line of eligible) {
    if (free === 0) break;
    const take = Math.min(free, line.quantity);
    discounts.set(line.lineId, take * line.unitPrice);
    free -= take;
  }
  return discounts;
}

export default definePlugin<PromotionsSettings>({
  hooks: {
    "checkout.discounts": async (quote, ctx) => {
      const typed = normalizeCode(quote.attributes.coupon);
      const customerId = quote.buyer.customerId;
      // One round trip: the settings and, if a code was typed, its counters.
      const [settings, used, usedByCustomer] = await Promise.all([
        ctx.settings.get(),
        typed ? ctx.counters.get(usesKey(typed)) : 0,
        typed && customerId ? ctx.counters.get(customerKey(typed, customerId)) : 0,
      ]);

      const discounts: Discount[] = [];
      const reservations: Reservation[] = [];
      const left = new Map(quote.lines.map((l) => [l.lineId, l.lineTotal]));
      const onLine = (lineId: string, amount: number, label: string) => {
        const room = left.get(lineId) ?? 0;
        const take = Math.min(amount, room);
        if (take <= 0) return;
        left.set(lineId, room - take);
        discounts.push({ lineId, amount: take, label });
      };
      const orderLeft = () => [...left.values()].reduce((a, b) => a + b, 0);

      if (settings.bxgyProductId) {
        const label = `Buy ${settings.bxgyBuy} get ${settings.bxgyGet} free`;
        for (const [lineId, amount] of buyXGetY(quote.lines, settings.bxgyProductId, settings.bxgyBuy, settings.bxgyGet)) onLine(lineId, amount, label);
      }

      if (settings.categoryId && settings.categoryPercent > 0) {
        for (const line of quote.lines) {
          if (line.categoryId !== settings.categoryId) continue;
          onLine(line.lineId, percentOf(left.get(line.lineId) ?? 0, settings.categoryPercent), `${settings.categoryPercent}% off ${settings.categoryName}`);
        }
      }

      if (settings.spendEvery > 0 && settings.spendOff > 0) {
        const base = orderLeft();
        const amount = Math.min(timesIn(base, settings.spendEvery) * settings.spendOff, base);
        if (amount > 0) {
          discounts.push({ lineId: null, amount, label: `${formatMoney(settings.spendOff, quote.shop.currency)} off every ${formatMoney(settings.spendEvery, quote.shop.currency)}` });
        }
      }

      const code = typed && couponCodes(settings).includes(typed) ? typed : null;
      if (typed && !code) ctx.log(`unknown coupon code`);
      if (code) {
        const base = orderLeft() - discounts.filter((d) => d.lineId === null).reduce((n, d) => n + d.amount, 0);
        const needsCustomer = settings.couponPerCustomerUses > 0;
        if (needsCustomer && !customerId) ctx.log(`coupon ${code}: the buyer has no record in the shop yet`);
        else if (quote.subtotal < settings.couponMinSubtotal) ctx.log(`coupon ${code}: below the minimum order`);
        else if (settings.couponTotalUses > 0 && used >= settings.couponTotalUses) ctx.log(`coupon ${code}: used up`);
        else if (needsCustomer && usedByCustomer >= settings.couponPerCustomerUses) ctx.log(`coupon ${code}: already used by this buyer`);
        else {
          const amount = settings.couponKind === "percent" ? percentOf(base, Math.min(100, settings.couponValue)) : Math.min(settings.couponValue, base);
          if (amount > 0) {
            discounts.push({ lineId: null, amount, label: `Coupon ${code}` });
            if (settings.couponTotalUses > 0) reservations.push({ counterKey: usesKey(code), delta: 1, bound: { max: settings.couponTotalUses } });
            if (needsCustomer) reservations.push({ counterKey: customerKey(code, customerId!), delta: 1, bound: { max: settings.couponPerCustomerUses } });
          }
        }
      }
      return { discounts, reservations };
    },

    "storefront.blocks": async (input, ctx) => {
      const settings = await ctx.settings.get();
      const currency = input.shop.currency;
      const items: string[] = [];
      if (settings.spendEvery > 0 && settings.spendOff > 0) items.push(`${formatMoney(settings.spendOff, currency)} off every ${formatMoney(settings.spendEvery, currency)} you spend`);
      if (settings.categoryId && settings.categoryPercent > 0) items.push(`${settings.categoryPercent}% off ${settings.categoryName}`);
      if (settings.bxgyProductId) items.push(`Buy ${settings.bxgyBuy} ${settings.bxgyProductName}, get ${settings.bxgyGet} free`);
      return items.length ? { blocks: [{ type: "list", title: "Offers in this shop", items }] } : { blocks: [] };
    },
  },
});
