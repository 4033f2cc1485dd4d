/**
 * The buyer's address book: at most {@link MAX_ADDRESSES}, exactly one
 * default once there is any (the first one added, the one marked, or — when
 * the default is deleted — the oldest left). Addresses belong to the buyer,
 * not to a shop: every query names the user.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { AddressRow } from "../../db/tables/checkout";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  deleteAddress as deleteAddressRow,
  insertAddress,
  lockAddresses,
  selectAddress,
  selectAddresses,
  setDefaultAddress as setDefaultRow,
  updateAddress as updateAddressRow,
} from "./checkout.repository.server";
import { AddressForm, AddressId, MAX_ADDRESSES, type AddressSnapshot, type AddressView } from "./checkout.schema";

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(r.error.issues) });
  return r.data;
}

function toView(r: AddressRow): AddressView {
  return { id: r.id, recipient: r.recipient, phone: r.phone, region: r.region, street: r.street, postalCode: r.postal_code, isDefault: r.is_default };
}

export function addressSnapshot(a: AddressView): AddressSnapshot {
  return { recipient: a.recipient, phone: a.phone, region: a.region, street: a.street, postalCode: a.postalCode };
}

function checkId(addressId: unknown): string {
  const r = AddressId.safeParse(addressId);
  if (!r.success) throw notFound("Address not found");
  return r.data;
}

/** The buyer's addresses, the default first. */
export async function listAddresses(db: Kysely<Database>, userId: string): Promise<AddressView[]> {
  return (await selectAddresses(db, userId)).map(toView);
}

/** One of the buyer's addresses, or null. */
export async function getAddress(db: Kysely<Database>, userId: string, addressId: string): Promise<AddressView | null> {
  if (!AddressId.safeParse(addressId).success) return null;
  const row = await selectAddress(db, userId, addressId);
  return row ? toView(row) : null;
}

/**
 * Adds an address; the first one, or one sent with `isDefault`, becomes the default.
 *
 * @example const a = await addAddress(db, user.id, { recipient: "Li Lei", phone: "13800000000", region: "Zhejiang Hangzhou", street: "1 West Lake Rd" });
 */
export async function addAddress(db: Kysely<Database>, userId: string, input: unknown): Promise<AddressView> {
  const data = parse(AddressForm, input);
  return inTransaction(db, async (trx) => {
    const existing = await lockAddresses(trx, userId);
    if (existing.length >= MAX_ADDRESSES) {
      throw new AppError("unprocessable", `You can keep at most ${MAX_ADDRESSES} addresses. Delete one first.`, { code: "too_many_addresses" });
    }
    const now = new Date();
    const id = newId("addr");
    await insertAddress(trx, {
      id,
      user_id: userId,
      recipient: data.recipient,
      phone: data.phone,
      region: data.region,
      street: data.street,
      postal_code: data.postalCode,
      is_default: false,
      updated_at: now,
    });
    if (existing.length === 0 || data.isDefault) await setDefaultRow(trx, userId, id, now);
    return toView((await selectAddress(trx, userId, id))!);
  });
}

/** Changes an address's fields (and makes it the default when `isDefault` is sent). */
export async function updateAddress(db: Kysely<Database>, userId: string, addressId: string, input: unknown): Promise<AddressView> {
  const id = checkId(addressId);
  const data = parse(AddressForm, input);
  return inTransaction(db, async (trx) => {
    await lockAddresses(trx, userId);
    const now = new Date();
    const changed = await updateAddressRow(trx, userId, id, {
      recipient: data.recipient,
      phone: data.phone,
      region: data.region,
      street: data.street,
      postal_code: data.postalCode,
      updated_at: now,
    });
    if (!changed) throw notFound("Address not found");
    if (data.isDefault) await setDefaultRow(trx, userId, id, now);
    return toView((await selectAddress(trx, userId, id))!);
  });
}

/** Makes an address the default. */
export async function makeDefaultAddress(db: Kysely<Database>, userId: string, addressId: string): Promise<void> {
  const id = checkId(addressId);
  await inTransaction(db, async (trx) => {
    const rows = await lockAddresses(trx, userId);
    if (!rows.some((r) => r.id === id)) throw notFound("Address not found");
    await setDefaultRow(trx, userId, id, new Date());
  });
}

/** Deletes an address; deleting the default makes the oldest remaining one the default. Deleting a missing one is a no-op. */
export async function removeAddress(db: Kysely<Database>, userId: string, addressId: string): Promise<void> {
  const id = checkId(addressId);
  await inTransaction(db, async (trx) => {
    const rows = await lockAddresses(trx, userId);
    const target = rows.find((r) => r.id === id);
    if (!target) return;
    await deleteAddressRow(trx, userId, id);
    if (target.is_default) {
      const next = rows.filter((r) => r.id !== id).sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || (a.id < b.id ? -1 : 1))[0];
      if (next) await setDefaultRow(trx, userId, next.id, new Date());
    }
  });
}
