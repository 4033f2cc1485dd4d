// com.bazaar.membership@1.0.0 (Bazaar API 2026-11), built by bazaar-plugin
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
  function isBazaarError(e, name) {
    if (e === null || typeof e !== "object") return false;
    const n = e.name;
    const code = e.code;
    if (typeof n !== "string" || typeof code !== "string") return false;
    return name === void 0 ? BAZAAR_ERROR_NAMES.includes(n) : n === name;
  }
  var BAZAAR_ERROR_NAMES = [
    "BazaarError",
    "ScopeError",
    "NotFoundError",
    "LimitError",
    "InvalidArgumentError",
    "BridgeTimeoutError",
    "HostError"
  ];
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
  var spendKey = (customerId) => `spend:${customerId}`;
  var orderKey = (orderId) => `order:${orderId}`;
  function tiersOf(s) {
    const paid = [
      { name: "Silver", from: s.silverSpend, percent: s.silverPercent },
      { name: "Gold", from: s.goldSpend, percent: s.goldPercent },
      { name: "Platinum", from: s.platinumSpend, percent: s.platinumPercent }
    ];
    return [{ name: "Member", from: 0, percent: 0 }, ...paid.sort((a, b) => a.from - b.from)];
  }
  function tierFor(spend, tiers) {
    let index = 0;
    for (let i = 1; i < tiers.length; i++) if (spend >= tiers[i].from) index = i;
    return { tier: tiers[index], next: tiers[index + 1] ?? null };
  }
  var sum = (refunds, field) => Object.values(refunds).reduce((n, r) => n + r[field], 0);
  async function logTierChange(ctx, before, after) {
    const tiers = tiersOf(await ctx.settings.get());
    const was = tierFor(before, tiers).tier;
    const now = tierFor(after, tiers).tier;
    if (was.name !== now.name) ctx.log(`${now.from > was.from ? "upgraded" : "downgraded"} from ${was.name} to ${now.name}`);
  }
  async function firstName(ctx, customerId) {
    try {
      const customer = await ctx.customers.get(customerId);
      return customer.name.trim().split(/\s+/)[0] || null;
    } catch (e) {
      if (isBazaarError(e, "ScopeError") || isBazaarError(e, "NotFoundError")) return null;
      throw e;
    }
  }
  var src_default = definePlugin({
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
        const [record, before] = await Promise.all([ctx.storage.get(orderKey(order.id)), ctx.counters.get(key)]);
        if (record?.paidKey === idempotencyKey) {
          return record.counted > 0 ? { counters: [{ key, delta: record.counted }] } : void 0;
        }
        if (record?.paidKey) return;
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
        const [record, before] = await Promise.all([ctx.storage.get(orderKey(order.id)), ctx.counters.get(key)]);
        const seen = record?.refunds[refund.id];
        if (seen) {
          return seen.key === idempotencyKey && seen.deducted > 0 ? { counters: [{ key, delta: -seen.deducted, min: 0 }] } : void 0;
        }
        const refunds = { ...record?.refunds };
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
        const best = tiers.reduce((a, b) => b.percent > a.percent ? b : a);
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
            next ? { type: "progress", label: `To ${next.name}`, value: spend, max: next.from, caption: `${formatMoney(next.from - spend, currency)} to go for ${next.percent}% off` } : { type: "text", text: `${tier.name} is our top tier. Thank you!`, tone: "success" }
          ]
        };
      }
    }
  });

  // bazaar-plugin-entry.js
  globalThis.__bazaar_plugin = src_default;
})();
