/**
 * The freight template in `shops.settings.freight`: read with defaults
 * (free shipping), saved from the merchant's settings form.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import { MoneyFormatError, parseMoney } from "../catalog/index.server";
import { AppError, fieldErrorsFromZod, type FieldErrors } from "../lib/errors";
import { getShop, setShopSettingsSection, type ShopView } from "../shops/index.server";
import { FREE_SHIPPING, FreightSettings } from "./checkout.schema";

/** The shop's freight template; a missing or unreadable one ships free. */
export function freightOf(shop: Pick<ShopView, "settings">): FreightSettings {
  const parsed = FreightSettings.safeParse(shop.settings?.freight);
  return parsed.success ? parsed.data : FREE_SHIPPING;
}

/**
 * Saves a freight template given in minor units (tests, seeds).
 *
 * @example await setFreightSettings(db, { id: owner.id }, shop.id, { mode: "flat", amount: 1000, freeOver: 9900 });
 */
export async function setFreightSettings(db: Kysely<Database>, actor: { id: string }, shopId: string, input: z.input<typeof FreightSettings>): Promise<FreightSettings> {
  const parsed = FreightSettings.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  await setShopSettingsSection(db, actor, shopId, "freight", parsed.data);
  return parsed.data;
}

/**
 * Saves the merchant's freight form: `mode`, and amounts as typed in the
 * shop's currency (`amount`, `perItem`, `freeOver` — empty for none).
 */
export async function saveFreightForm(db: Kysely<Database>, actor: { id: string }, shopId: string, form: Record<string, unknown>): Promise<FreightSettings> {
  const shop = await getShop(db, shopId);
  if (!shop) throw new AppError("not_found", "Shop not found");
  const errors: FieldErrors = {};
  const money = (field: string, optional: boolean): number | null => {
    const raw = typeof form[field] === "string" ? (form[field] as string).trim() : "";
    if (raw === "") {
      if (optional) return null;
      errors[field] = ["Enter an amount (0 for free)"];
      return 0;
    }
    try {
      return parseMoney(raw, shop.currency);
    } catch (e) {
      errors[field] = [e instanceof MoneyFormatError ? e.message : "Enter an amount"];
      return 0;
    }
  };
  const mode = form.mode === "per_item" ? "per_item" : form.mode === "flat" ? "flat" : null;
  if (!mode) errors.mode = ["Choose flat or per item"];
  const amount = money("amount", false);
  const perItem = mode === "per_item" ? money("perItem", false) : 0;
  const freeOver = money("freeOver", true);
  if (freeOver === 0) errors.freeOver = ["Leave empty for no free-shipping threshold"];
  if (Object.keys(errors).length) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: errors });
  return setFreightSettings(db, actor, shopId, { mode: mode!, amount: amount ?? 0, perItem: perItem ?? 0, freeOver });
}
