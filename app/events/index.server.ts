/**
 * The events module: the outbox and its relay.
 *
 * - {@link publish} writes an event in the caller's transaction, so the event
 *   exists exactly when the change it describes does.
 * - The relay (`relay.server.ts`) hands committed events to each consumer in
 *   order, at least once, with a cursor per consumer. The consumers that run
 *   in production are listed in `consumers.server.ts`.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import { EVENT_NAME, type DomainEvent } from "./events.types";

export type { DomainEvent, EventConsumer, KnownEventName, OutboxEvent } from "./events.types";
export { createRelay, relayOnce, type Relay, type RelayOptions, type RelayTickResult } from "./relay.server";
export { pruneOutbox, outboxJobs, OUTBOX_RETENTION, type PruneOutboxResult } from "./prune.server";

/**
 * Writes `event` to the outbox through `db` — pass the transaction that makes
 * the change (`trx`), never the root `db` from inside one, or the event would
 * commit even if the change rolls back. Resolves to the outbox id.
 *
 * Throws (a programming error, not a client's) if the name is not `noun.verb`
 * or the payload is not a JSON object.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   const order = await insertOrder(trx, …);
 *   await publish(trx, { name: "order.created", shopId, subjectId: order.id, payload: { orderId: order.id } });
 * });
 */
export async function publish(db: Kysely<Database>, event: DomainEvent): Promise<string> {
  if (typeof event.name !== "string" || !EVENT_NAME.test(event.name)) {
    throw new Error(`invalid event name ${JSON.stringify(event.name)}: expected noun.verb in lower case`);
  }
  const { payload } = event;
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new Error(`event ${event.name}: payload must be a JSON object`);
  }
  const row = await db
    .insertInto("outbox")
    .values({
      name: event.name,
      shop_id: event.shopId ?? null,
      subject_id: event.subjectId ?? null,
      payload: JSON.stringify(payload),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}
