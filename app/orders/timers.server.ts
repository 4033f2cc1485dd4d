/**
 * The order timers. They are delayed jobs enqueued by an outbox consumer,
 * never from inside the transaction that made the order (on PGlite that
 * enqueue would wait for the transaction forever; and a rolled-back order
 * must not leave a timer):
 *
 * - `order.created` → `orders.close_unpaid` after the shop's
 *   `unpaidCloseMinutes` (counted from the order's creation), job id
 *   `close-unpaid-<orderId>`;
 * - `order.shipped` → `orders.auto_complete` after `autoCompleteDays`,
 *   job id `auto-complete-<orderId>`.
 *
 * The job ids make a redelivered event a no-op. The handlers re-check the
 * order: one that has moved on (paid, cancelled, confirmed) is left alone.
 *
 * Shortening them (tests, demos): `shops.settings.orders` accepts fractions
 * — `{ unpaidCloseMinutes: 0.05 }` closes after 3 s (see
 * docs/decisions/0012-checkout-quotes-and-order-timers.md).
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { EventConsumer, OutboxEvent } from "../events/index.server";
import type { JobDefinition } from "../jobs/index.server";
import { AppError, fieldErrorsFromZod } from "../lib/errors";
import { getShop, setShopSettingsSection, type ShopView } from "../shops/index.server";
import { autoCompleteOrder, closeUnpaidOrder } from "./orders.service.server";
import { DEFAULT_ORDER_TIMERS, OrderTimerForm, OrderTimerSettings } from "./orders.schema";

export const CLOSE_UNPAID_JOB = "orders.close_unpaid";
export const AUTO_COMPLETE_JOB = "orders.auto_complete";

const TimerData = z.object({ shopId: z.string().min(1), orderId: z.string().min(1) });
type TimerData = z.infer<typeof TimerData>;

/** The shop's timer settings, with the defaults (30 minutes, 10 days) for anything missing or unreadable. */
export function orderTimersOf(shop: Pick<ShopView, "settings">): OrderTimerSettings {
  const parsed = OrderTimerSettings.safeParse(shop.settings?.orders ?? {});
  return parsed.success ? parsed.data : DEFAULT_ORDER_TIMERS;
}

/**
 * Saves timer settings as given (fractions allowed: tests and demos).
 *
 * @example await setOrderTimerSettings(db, { id: owner.id }, shop.id, { unpaidCloseMinutes: 0.05, autoCompleteDays: 10 });
 */
export async function setOrderTimerSettings(
  db: Kysely<Database>,
  actor: { id: string },
  shopId: string,
  input: z.input<typeof OrderTimerSettings>,
): Promise<OrderTimerSettings> {
  const parsed = OrderTimerSettings.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  await setShopSettingsSection(db, actor, shopId, "orders", parsed.data);
  return parsed.data;
}

/** Saves the merchant's timer form (whole minutes 5–1440, whole days 1–30). */
export async function saveOrderTimerForm(db: Kysely<Database>, actor: { id: string }, shopId: string, form: unknown): Promise<OrderTimerSettings> {
  const parsed = OrderTimerForm.safeParse(form);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  return setOrderTimerSettings(db, actor, shopId, parsed.data);
}

/** The jobs of the orders module, for the worker list. */
export const orderJobs: JobDefinition<TimerData>[] = [
  {
    name: CLOSE_UNPAID_JOB,
    concurrency: 4,
    handler: (platform) => async (data) => {
      await closeUnpaidOrder(platform, TimerData.parse(data));
    },
  },
  {
    name: AUTO_COMPLETE_JOB,
    concurrency: 4,
    handler: (platform) => async (data) => {
      await autoCompleteOrder(platform.db, TimerData.parse(data));
    },
  },
];

function delayFrom(event: OutboxEvent, ms: number): number {
  return Math.max(0, Math.round(event.createdAt.getTime() + ms - Date.now()));
}

/** Starts an order's timers from its events (see the module comment). */
export const orderTimersConsumer: EventConsumer = {
  name: "orders.timers",
  topics: ["order.created", "order.shipped"],
  async handle(platform, events) {
    const shops = new Map<string, ShopView | null>();
    for (const event of events) {
      const orderId = typeof event.payload.orderId === "string" ? event.payload.orderId : event.subjectId;
      if (!event.shopId || !orderId) continue;
      if (!shops.has(event.shopId)) shops.set(event.shopId, await getShop(platform.db, event.shopId));
      const shop = shops.get(event.shopId);
      if (!shop) continue;
      const timers = orderTimersOf(shop);
      const data: TimerData = { shopId: event.shopId, orderId };
      if (event.name === "order.created") {
        await platform.jobs.enqueue(CLOSE_UNPAID_JOB, data, { delayMs: delayFrom(event, timers.unpaidCloseMinutes * 60_000), jobId: `close-unpaid-${orderId}` });
      } else if (event.name === "order.shipped") {
        await platform.jobs.enqueue(AUTO_COMPLETE_JOB, data, { delayMs: delayFrom(event, timers.autoCompleteDays * 86_400_000), jobId: `auto-complete-${orderId}` });
      }
    }
  },
};
