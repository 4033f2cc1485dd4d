/**
 * The webhooks module's tables (app/webhooks): endpoints (URL, topics,
 * encrypted secret), deliveries (one event for one endpoint) and attempts.
 * `Database` extends {@link WebhooksTables}.
 */
import type { ColumnType, Selectable } from "kysely";
import type { CreatedAt, Timestamp } from "../database";

export type WebhookEndpointStatus = "active" | "disabled" | "deleted";
export type WebhookDeliveryStatus = "pending" | "succeeded" | "failed";
export type WebhookAttemptOutcome = "succeeded" | "failed" | "timeout" | "blocked" | "gone" | "throttled";

export interface WebhookEndpointsTable {
  id: string;
  extension_id: string;
  /** set: this install only (with its shop); null: every install of the extension */
  install_id: string | null;
  shop_id: string | null;
  url: string;
  topics: ColumnType<string[], string, string>;
  /** AES-256-GCM, keyed from SESSION_SECRET (app/webhooks/secrets.server.ts) */
  secret_ciphertext: string;
  /** the secret before the last rotation, still signed with until it expires */
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Timestamp | null;
  status: ColumnType<WebhookEndpointStatus, WebhookEndpointStatus | undefined, WebhookEndpointStatus>;
  status_reason: string | null;
  disabled_at: Timestamp | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  extension_id: string;
  install_id: string;
  shop_id: string;
  /** the outbox id of the event */
  event_id: string;
  topic: string;
  /** the exact JSON body, the same bytes on every attempt */
  body: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempt_count: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  next_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  outcome: WebhookAttemptOutcome;
  response_excerpt: string | null;
  error: string | null;
}

export interface WebhooksTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
