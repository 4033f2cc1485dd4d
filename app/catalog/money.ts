/**
 * Money as the merchant types it and as buyers read it. Amounts are integer
 * minor units everywhere else (fen, cents, yen); this file is the one place
 * that converts between "12.50" and 1250, and it does so on the decimal
 * string itself — never through a float, so "0.1" is exactly 10 fen.
 * Browser-safe: no server imports.
 */

/**
 * Minor units per ISO 4217 for the currencies shops trade in. Anything not
 * listed falls back to what `Intl` knows (CLDR), then to 2.
 */
const DECIMALS: Record<string, number> = {
  CNY: 2, HKD: 2, TWD: 2, USD: 2, EUR: 2, GBP: 2, SGD: 2, AUD: 2, CAD: 2, CHF: 2,
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0,
  BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3,
};

/**
 * The largest amount a price field accepts, in minor units. The columns are
 * 32-bit integers; staying well under 2^31 also leaves room for sums of a
 * few lines without leaving the safe-integer range anywhere.
 */
export const MAX_MINOR = 1_000_000_000;

/** How many digits follow the decimal point in `currency` (2 for CNY, 0 for JPY). */
export function currencyDecimals(currency: string): number {
  const code = currency.toUpperCase();
  if (code in DECIMALS) return DECIMALS[code];
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Thrown by {@link parseMoney}; its message is written for the person who typed the amount. */
export class MoneyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyFormatError";
  }
}

/**
 * Parses an amount typed in the shop's currency into integer minor units.
 * Accepts plain digits with at most the currency's decimals ("12", "12.5",
 * "12.50" → 1250 for CNY; "1250" → 1250 for JPY), surrounding spaces
 * allowed. Refuses everything else with a {@link MoneyFormatError}: signs,
 * exponents ("1e3"), grouping commas, more decimals than the currency has
 * ("12.345" for CNY, "12.5" for JPY), and amounts above {@link MAX_MINOR}.
 *
 * @example
 * parseMoney("0.10", "CNY") + parseMoney("0.20", "CNY") === parseMoney("0.30", "CNY") // 10 + 20 === 30
 */
export function parseMoney(text: string, currency: string): number {
  const decimals = currencyDecimals(currency);
  const s = text.trim();
  if (s === "") throw new MoneyFormatError("Enter an amount");
  if (s.startsWith("-")) throw new MoneyFormatError("The amount cannot be negative");
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) {
    throw new MoneyFormatError(decimals === 0 ? "Enter a whole number, e.g. 1200" : `Enter an amount like 12.${"5".padEnd(decimals, "0")}`);
  }
  const whole = m[1];
  const fraction = m[2] ?? "";
  if (fraction.length > decimals) {
    throw new MoneyFormatError(
      decimals === 0
        ? `${currency.toUpperCase()} has no decimals; enter a whole number`
        : `Use at most ${decimals} decimal places for ${currency.toUpperCase()}`,
    );
  }
  // Concatenating the digits is the exact conversion: "12" + "50" → 1250.
  const digits = (whole + fraction.padEnd(decimals, "0")).replace(/^0+(?=\d)/, "");
  if (digits.length > String(MAX_MINOR).length || Number(digits) > MAX_MINOR) {
    throw new MoneyFormatError(`The amount is too large (at most ${minorToDecimal(MAX_MINOR, currency)})`);
  }
  return Number(digits);
}

/**
 * Minor units as a plain decimal string without symbol or grouping — what a
 * form field shows so that it parses back to the same number.
 *
 * @example minorToDecimal(1250, "CNY") // "12.50"; minorToDecimal(1250, "JPY") // "1250"
 */
export function minorToDecimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  const decimals = currencyDecimals(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? "-" : ""}${whole}${decimals ? `.${fraction}` : ""}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    const decimals = currencyDecimals(currency);
    try {
      f = new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        currencyDisplay: "narrowSymbol",
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      });
    } catch {
      // An unknown code still formats, as "XYZ 12.50".
      f = new Intl.NumberFormat(locale, { style: "currency", currency: "XXX", minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    }
    formatters.set(key, f);
  }
  return f;
}

/**
 * Minor units for display: "¥12.50", "$0.99", "¥1,250" (JPY). The number
 * handed to `Intl` is the exact decimal string (Intl.NumberFormat v3), so no
 * float rounding is involved.
 *
 * @example formatMoney(1250, "CNY") // "¥12.50"
 */
export function formatMoney(minor: number, currency: string, locale = "en-US"): string {
  const decimal = minorToDecimal(minor, currency);
  // `format` takes exact decimal strings since Intl.NumberFormat v3 (Node ≥ 19, all current browsers).
  return formatterFor(currency.toUpperCase(), locale).format(decimal as unknown as number);
}

/** A price range for a product card: "¥12.50" or "¥12.50 – ¥30.00". */
export function formatPriceRange(min: number, max: number, currency: string, locale = "en-US"): string {
  return min === max ? formatMoney(min, currency, locale) : `${formatMoney(min, currency, locale)} – ${formatMoney(max, currency, locale)}`;
}
