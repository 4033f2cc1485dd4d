// com.bazaar.points@1.0.0 (Bazaar API 2026-11), built by bazaar-plugin
(() => {
  // ../../src/hooks.ts
  var HOOK_NAMES = [
    "checkout.discounts",
    "order.paid",
    "order.completed",
    "order.refunded",
    "customer.created",
    "storefront.blocks"
  ];

  // ../../src/runtime.ts
  var BUNDLE_API_VERSION = 1;
  function definePlugin(definition) {
    const hooks = definition?.hooks;
    if (hooks === null || typeof hooks !== "object") throw new TypeError("definePlugin: `hooks` must be an object");
    const known = HOOK_NAMES;
    const copy = {};
    for (const name of Object.keys(hooks)) {
      const handler = hooks[name];
      if (!known.includes(name)) throw new TypeError(`definePlugin: unknown hook "${name}" (known: ${HOOK_NAMES.join(", ")})`);
      if (typeof handler !== "function") throw new TypeError(`definePlugin: hook "${name}" must be a function`);
      copy[name] = handler;
    }
    return Object.freeze({ apiVersion: BUNDLE_API_VERSION, hooks: Object.freeze(copy) });
  }
  function percentOf(amount, percent) {
    assertMoney(amount, "amount");
    if (!Number.isFinite(percent)) throw new RangeError("percentOf: percent must be a finite number");
    const basisPoints = Math.round(Math.min(100, Math.max(0, percent)) * 100);
    if (amount <= 900719925474) return Math.floor(amount * basisPoints / 1e4);
    return Number(BigInt(amount) * BigInt(basisPoints) / 10000n);
  }
  var CURRENCY_DIGITS = {
    BIF: 0,
    CLP: 0,
    DJF: 0,
    GNF: 0,
    ISK: 0,
    JPY: 0,
    KMF: 0,
    KRW: 0,
    PYG: 0,
    RWF: 0,
    UGX: 0,
    UYI: 0,
    VND: 0,
    VUV: 0,
    XAF: 0,
    XOF: 0,
    XPF: 0,
    BHD: 3,
    IQD: 3,
    JOD: 3,
    KWD: 3,
    LYD: 3,
    OMR: 3,
    TND: 3,
    CLF: 4,
    UYW: 4
  };
  function currencyDigits(currency) {
    return CURRENCY_DIGITS[currency.toUpperCase()] ?? 2;
  }
  function minorPerMajor(currency) {
    return 10 ** currencyDigits(currency);
  }
  function formatMoney(amount, currency) {
    if (!Number.isSafeInteger(amount)) throw new RangeError("formatMoney: amount must be an integer number of minor units");
    const digits = currencyDigits(currency);
    const abs = Math.abs(amount);
    const scale = 10 ** digits;
    const major = Math.floor(abs / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const minor = digits === 0 ? "" : "." + (abs % scale).toString().padStart(digits, "0");
    return `${amount < 0 ? "-" : ""}${currency.toUpperCase()} ${major}${minor}`;
  }
  function assertMoney(value, what) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer number of minor units`);
  }

  // src/index.ts
  var balanceKey = (customerId) => `balance:${customerId}`;
  var orderKey = (orderId) => `order:${orderId}`;
  function pointsFor(amount, currency, pointsPerUnit) {
    return Math.floor(Math.max(0, amount) * pointsPerUnit / minorPerMajor(currency));
  }
  var refundedSoFar = (record) => Object.values(record?.refunds ?? {}).reduce((n, r) => n + r.amount, 0);
  var src_default = definePlugin({
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
          reservations: [{ counterKey: balanceKey(customerId), delta: -points, bound: { min: 0 } }]
        };
      },
      "order.paid": async (input, ctx) => {
        const { order, idempotencyKey } = input;
        const key = balanceKey(order.customerId);
        const record = await ctx.storage.get(orderKey(order.id));
        if (record?.paidKey === idempotencyKey) {
          return record.earned > 0 ? { counters: [{ key, delta: record.earned }] } : void 0;
        }
        if (record?.paidKey) return;
        const { pointsPerUnit } = await ctx.settings.get();
        const earned = pointsFor(order.total - refundedSoFar(record), order.currency, pointsPerUnit);
        const next = { paidKey: idempotencyKey, total: order.total, currency: order.currency, pointsPerUnit, earned, refunds: record?.refunds ?? {} };
        await ctx.storage.set(orderKey(order.id), next);
        if (earned === 0) return;
        ctx.log(`earned ${earned} points on ${order.id}`);
        return { counters: [{ key, delta: earned }] };
      },
      "order.refunded": async (input, ctx) => {
        const { order, refund, idempotencyKey } = input;
        const key = balanceKey(order.customerId);
        const record = await ctx.storage.get(orderKey(order.id));
        const seen = record?.refunds[refund.id];
        if (seen) {
          return seen.key === idempotencyKey && seen.reversed > 0 ? { counters: [{ key, delta: -seen.reversed, min: 0 }] } : void 0;
        }
        const base = record ?? { paidKey: null, total: order.total, currency: order.currency, pointsPerUnit: 0, earned: 0, refunds: {} };
        let reversed = 0;
        let shortfall = 0;
        if (base.paidKey) {
          const keptBefore = base.total - refundedSoFar(base);
          const due = pointsFor(keptBefore, base.currency, base.pointsPerUnit) - pointsFor(keptBefore - refund.amount, base.currency, base.pointsPerUnit);
          const balance = due > 0 ? await ctx.counters.get(key) : 0;
          reversed = Math.min(due, Math.max(0, balance));
          shortfall = due - reversed;
          if (shortfall > 0) ctx.log(`${shortfall} points of refund ${refund.id} were already spent`);
        }
        await ctx.storage.set(orderKey(order.id), { ...base, refunds: { ...base.refunds, [refund.id]: { amount: refund.amount, reversed, shortfall, key: idempotencyKey } } });
        return reversed > 0 ? { counters: [{ key, delta: -reversed, min: 0 }] } : void 0;
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
              text: balance > 0 ? `Worth ${formatMoney(balance * settings.pointValue, currency)} at checkout (up to ${settings.maxRedeemPercent}% of an order). ${earnLine}` : earnLine
            }
          ]
        };
      }
    }
  });

  // bazaar-plugin-entry.js
  globalThis.__bazaar_plugin = src_default;
})();
