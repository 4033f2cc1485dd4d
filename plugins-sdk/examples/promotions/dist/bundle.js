// com.bazaar.promotions@1.0.0 (Bazaar API 2026-11), built by bazaar-plugin
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
  function timesIn(amount, every) {
    assertMoney(amount, "amount");
    assertMoney(every, "every");
    return every === 0 ? 0 : Math.floor(amount / every);
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
  function normalizeCode(raw) {
    if (typeof raw !== "string") return null;
    const code = raw.trim().toUpperCase();
    return /^[A-Z0-9_-]{1,40}$/.test(code) ? code : null;
  }
  function couponCodes(settings) {
    return settings.couponCodes.split(",").map(normalizeCode).filter((c) => c !== null);
  }
  var usesKey = (code) => `coupon:${code}:uses`;
  var customerKey = (code, customerId) => `coupon:${code}:customer:${customerId}`;
  function buyXGetY(lines, productId, buy, get) {
    const eligible = lines.filter((l) => l.productId === productId).sort((a, b) => a.unitPrice - b.unitPrice || (a.lineId < b.lineId ? -1 : 1));
    const units = eligible.reduce((n, l) => n + l.quantity, 0);
    let free = Math.floor(units / (buy + get)) * get;
    const discounts = /* @__PURE__ */ new Map();
    for (const line of eligible) {
      if (free === 0) break;
      const take = Math.min(free, line.quantity);
      discounts.set(line.lineId, take * line.unitPrice);
      free -= take;
    }
    return discounts;
  }
  var src_default = definePlugin({
    hooks: {
      "checkout.discounts": async (quote, ctx) => {
        const typed = normalizeCode(quote.attributes.coupon);
        const customerId = quote.buyer.customerId;
        const [settings, used, usedByCustomer] = await Promise.all([
          ctx.settings.get(),
          typed ? ctx.counters.get(usesKey(typed)) : 0,
          typed && customerId ? ctx.counters.get(customerKey(typed, customerId)) : 0
        ]);
        const discounts = [];
        const reservations = [];
        const left = new Map(quote.lines.map((l) => [l.lineId, l.lineTotal]));
        const onLine = (lineId, amount, label) => {
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
              if (needsCustomer) reservations.push({ counterKey: customerKey(code, customerId), delta: 1, bound: { max: settings.couponPerCustomerUses } });
            }
          }
        }
        return { discounts, reservations };
      },
      "storefront.blocks": async (input, ctx) => {
        const settings = await ctx.settings.get();
        const currency = input.shop.currency;
        const items = [];
        if (settings.spendEvery > 0 && settings.spendOff > 0) items.push(`${formatMoney(settings.spendOff, currency)} off every ${formatMoney(settings.spendEvery, currency)} you spend`);
        if (settings.categoryId && settings.categoryPercent > 0) items.push(`${settings.categoryPercent}% off ${settings.categoryName}`);
        if (settings.bxgyProductId) items.push(`Buy ${settings.bxgyBuy} ${settings.bxgyProductName}, get ${settings.bxgyGet} free`);
        return items.length ? { blocks: [{ type: "list", title: "Offers in this shop", items }] } : { blocks: [] };
      }
    }
  });

  // bazaar-plugin-entry.js
  globalThis.__bazaar_plugin = src_default;
})();
