/**
 * The webhooks module's browser-safe part: the topic catalog (each topic and
 * the scope an install needs to receive it), the retry schedule, and the
 * developer's forms.
 */
import { z } from "zod";
import type { Scope } from "../marketplace/marketplace.schema";

/**
 * Every topic an endpoint can subscribe to, with the scope its resource
 * needs (DESIGN.md "Scopes"); `app.uninstalled` needs none.
 */
export const WEBHOOK_TOPICS = {
  "product.created": "read_products",
  "product.updated": "read_products",
  "stock.changed": "read_products",
  "order.created": "read_orders",
  "order.paid": "read_orders",
  "order.shipped": "read_orders",
  "order.completed": "read_orders",
  "order.closed": "read_orders",
  "order.refunded": "read_orders",
  "customer.created": "read_customers",
  "aftersale.opened": "read_aftersales",
  "aftersale.updated": "read_aftersales",
  "app.uninstalled": null,
} as const satisfies Record<string, Scope | null>;

export type WebhookTopic = keyof typeof WEBHOOK_TOPICS;
export const TOPIC_NAMES = Object.keys(WEBHOOK_TOPICS) as WebhookTopic[];

export function isWebhookTopic(name: string): name is WebhookTopic {
  return Object.prototype.hasOwnProperty.call(WEBHOOK_TOPICS, name);
}

/** The scope a topic needs, or null for none. */
export function scopeOfTopic(topic: WebhookTopic): Scope | null {
  return WEBHOOK_TOPICS[topic];
}

/**
 * The Standard Webhooks retry schedule: the delay before each attempt,
 * counted from the previous failure (the first is immediate). Ten attempts
 * over about three days.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  14 * 3600_000,
  20 * 3600_000,
  24 * 3600_000,
];

/** Longest Retry-After a 429 can impose on the next attempt. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;
/** A response excerpt is cut to this many bytes (UTF-8) in the attempt log. */
export const RESPONSE_EXCERPT_BYTES = 1024;
/** After a rotation the old secret keeps signing (a second signature) this long, so receivers can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600_000;
export const DELIVERY_PAGE_SIZE = 25;
/** Finished deliveries and their attempts are kept this long in the log. */
export const DELIVERY_RETENTION_DAYS = 30;
export const MAX_ENDPOINTS_PER_EXTENSION = 10;

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export const DeliveryStatusFilter = z.enum(DELIVERY_STATUSES);

const topicList = z.preprocess(
  (v) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(z.string().refine(isWebhookTopic, "Unknown topic"))
    .min(1, "Pick at least one topic")
    .max(TOPIC_NAMES.length),
);

/** An endpoint as the developer registers or edits it. The URL's safety is checked by the service (it resolves the host). */
export const EndpointForm = z.object({
  url: z.string().trim().min(1, "Enter the endpoint's URL").max(2048, "At most 2048 characters").url("Enter a full URL, e.g. https://example.com/webhooks"),
  topics: topicList,
});
export type EndpointInput = z.infer<typeof EndpointForm>;

/** Ids are `newId` strings: prefix, `_`, 26 Crockford base32 characters. */
export const EndpointId = z.string().regex(/^whe_[0-9a-z]{26}$/, "Not a valid endpoint id");
export const DeliveryId = z.string().regex(/^msg_[0-9a-z]{26}$/, "Not a valid delivery id");
