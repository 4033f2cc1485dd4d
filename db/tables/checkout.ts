/**
 * The checkout module's tables (besides the carts, typed in db/database.ts):
 * the buyer's address book, quotes, and the idempotency keys of checkout.
 * `Database` extends {@link CheckoutTables}.
 */
import type { ColumnType, Selectable } from "kysely";
import type { CreatedAt, JsonObject, Timestamp } from "../database";

/** jsonb holding an array (lines, adjustments, reservations). */
export type JsonArray<T> = ColumnType<T[], string, string>;

export interface AddressesTable {
  id: string;
  user_id: string;
  recipient: string;
  phone: string;
  /** province / city / district as the buyer writes it */
  region: string;
  street: string;
  postal_code: ColumnType<string, string | undefined, string>;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/**
 * A priced snapshot of what the buyer is about to order. `lines`,
 * `adjustments` and `reservations` hold the shapes of `QuoteLine`,
 * `QuoteAdjustment` and `Reservation` (app/checkout/checkout.schema.ts).
 */
export interface CheckoutQuotesTable {
  id: string;
  shop_id: string;
  user_id: string;
  currency: string;
  lines: JsonArray<unknown>;
  adjustments: JsonArray<unknown>;
  reservations: JsonArray<unknown>;
  attributes: JsonObject;
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  total: number;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  order_id: string | null;
  created_at: CreatedAt;
}

/** One row per checkout submit key, written in the order's transaction: a double submit finds it. */
export interface CheckoutIdempotencyKeysTable {
  shop_id: string;
  user_id: string;
  key: string;
  quote_id: string;
  order_id: string;
  created_at: CreatedAt;
}

export interface CheckoutTables {
  addresses: AddressesTable;
  checkout_quotes: CheckoutQuotesTable;
  checkout_idempotency_keys: CheckoutIdempotencyKeysTable;
}

export type AddressRow = Selectable<AddressesTable>;
export type QuoteRow = Selectable<CheckoutQuotesTable>;
