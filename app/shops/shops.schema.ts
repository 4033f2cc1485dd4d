/**
 * The shops module's schemas, the currency list and the shop view type.
 * Browser-safe: no server imports.
 */
import { z } from "zod";

/**
 * The currencies a shop can trade in (ISO 4217), with their minor units:
 * money is stored as integer minor units, so ¥12.34 is 1234 and ¥1234 (JPY) is 1234.
 */
export const CURRENCIES = [
  { code: "CNY", name: "Chinese yuan", minorUnits: 2 },
  { code: "HKD", name: "Hong Kong dollar", minorUnits: 2 },
  { code: "TWD", name: "New Taiwan dollar", minorUnits: 2 },
  { code: "USD", name: "US dollar", minorUnits: 2 },
  { code: "EUR", name: "Euro", minorUnits: 2 },
  { code: "GBP", name: "Pound sterling", minorUnits: 2 },
  { code: "JPY", name: "Japanese yen", minorUnits: 0 },
  { code: "KRW", name: "South Korean won", minorUnits: 0 },
  { code: "SGD", name: "Singapore dollar", minorUnits: 2 },
  { code: "AUD", name: "Australian dollar", minorUnits: 2 },
  { code: "CAD", name: "Canadian dollar", minorUnits: 2 },
  { code: "CHF", name: "Swiss franc", minorUnits: 2 },
] as const;

export type CurrencyCode = (typeof CURRENCIES)[number]["code"];
export const DEFAULT_CURRENCY: CurrencyCode = "CNY";
const CURRENCY_CODES = CURRENCIES.map((c) => c.code) as [CurrencyCode, ...CurrencyCode[]];

/** Minor units of a currency code (2 for codes not in the list, the common case). */
export function minorUnitsOf(code: string): number {
  return CURRENCIES.find((c) => c.code === code)?.minorUnits ?? 2;
}

/** Lower-case letters, digits and inner hyphens, 3–40 long; the same rule as the database CHECK. */
export const HANDLE_PATTERN = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

export const ShopHandle = z
  .string({ error: "Choose a handle" })
  .trim()
  .toLowerCase()
  .min(3, "Use 3–40 characters")
  .max(40, "Use 3–40 characters")
  .regex(HANDLE_PATTERN, "Use lower-case letters, digits and hyphens, not starting or ending with a hyphen");

const ShopName = z.string({ error: "Enter the shop's name" }).trim().min(1, "Enter the shop's name").max(80, "Use at most 80 characters");

export const CreateShopForm = z.object({
  name: ShopName,
  handle: ShopHandle,
  currency: z.enum(CURRENCY_CODES, { error: "Choose a currency from the list" }).default(DEFAULT_CURRENCY),
});
export type CreateShopForm = z.input<typeof CreateShopForm>;

/** Settings the owner may change; the handle and currency are fixed once the shop exists. */
export const ShopSettingsForm = z.object({ name: ShopName });

/** A shop as services and pages see it. */
export type ShopView = {
  id: string;
  handle: string;
  name: string;
  currency: string;
  settings: Record<string, unknown>;
  isDevelopment: boolean;
  status: "active" | "closed";
  createdAt: Date;
};
