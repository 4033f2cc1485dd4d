/**
 * Domain events: written to the outbox in the producer's transaction, read by
 * the relay in (transaction id, id) order, handed to each consumer at least
 * once. See docs/decisions/0004-outbox-ordered-by-transaction-id.md.
 */
import type { Platform } from "../platform.server";

/** The events DESIGN.md names; `publish` accepts any `noun.verb`, these autocomplete. */
export type KnownEventName =
  | "product.created"
  | "product.updated"
  | "stock.changed"
  | "order.created"
  | "order.paid"
  | "order.shipped"
  | "order.completed"
  | "order.closed"
  | "order.refunded"
  | "customer.created"
  | "aftersale.opened"
  | "aftersale.updated"
  | "app.uninstalled";

/** What a producer publishes. */
export type DomainEvent = {
  /** `noun.verb`: lower-case letters and `_`, one dot */
  name: KnownEventName | (string & {});
  shopId?: string | null;
  /** the id of the thing the event is about (order, product, customer …) */
  subjectId?: string | null;
  /** a JSON object; keep it small and self-contained (ids and the facts a consumer needs) */
  payload: object;
};

/** An event as the relay hands it to consumers. */
export type OutboxEvent = {
  /** the outbox row id (bigint as text): stable, use it to dedupe */
  id: string;
  /** the writing transaction's id (xid8 as text) */
  txid: string;
  name: string;
  shopId: string | null;
  subjectId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
};

/**
 * A consumer of the outbox, with its own cursor (a row in `event_consumers`
 * named after it). `handle` gets the events matching `topics`, in order,
 * at least once: the same batch comes again if `handle` throws or the
 * process dies before the cursor moves, so make it idempotent — typically by
 * enqueueing a job with the id `${consumer.name}-${event.id}`.
 */
export type EventConsumer = {
  /** lower-case letters, digits, `_`, `.` and `-`; never rename a live consumer (its cursor is keyed by it) */
  name: string;
  /** event names (`order.paid`), `noun.*` patterns, or "*" for everything */
  topics: readonly string[] | "*";
  handle(platform: Platform, events: OutboxEvent[]): Promise<void>;
};

export const EVENT_NAME = /^[a-z_]+\.[a-z_]+$/;
export const CONSUMER_NAME = /^[a-z][a-z0-9_.-]{0,99}$/;
