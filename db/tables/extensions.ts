/**
 * The extensions module's tables (app/extensions, the host side of the
 * sandbox): each install's key/value storage and counters, the reservations
 * applied to counters by orders, asynchronous hook deliveries, and the
 * invocation log. `Database` extends {@link ExtensionsTables}.
 */
import type { ColumnType, Generated, Selectable } from "kysely";
import type { CreatedAt, Json, Timestamp } from "../database";

export type InvocationOutcome = "ok" | "timeout" | "memory" | "error" | "invalid_output" | "crash" | "rejected" | "skipped";

export interface ExtensionStorageTable {
  install_id: string;
  key: string;
  value: Json;
  /** UTF-8 size of the value's JSON text, summed for the install's quota */
  bytes: number;
  updated_at: Timestamp;
}

export interface ExtensionCountersTable {
  install_id: string;
  key: string;
  value: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

/** One `counters.add` applied from an asynchronous hook, keyed so a replayed hook does not apply it twice. */
export interface ExtensionCounterOpsTable {
  install_id: string;
  /** `<idempotency key>|<counter key>|<n>`: the n-th add to that counter in that delivery */
  op_key: string;
  delta: number;
  created_at: CreatedAt;
}

/** A reservation an order applied to an install's counter; reversed at most once. */
export interface ExtensionReservationsTable {
  id: Generated<string>;
  shop_id: string;
  order_id: string;
  install_id: string;
  counter_key: string;
  delta: number;
  applied_at: CreatedAt;
  reversed_at: Timestamp | null;
  reverse_reason: string | null;
}

export type DeliveryStatus = "pending" | "done" | "failed" | "skipped";

/** One asynchronous hook delivery: an (install, event) pair. */
export interface ExtensionHookDeliveriesTable {
  install_id: string;
  event_id: string;
  shop_id: string;
  hook: string;
  idempotency_key: string;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_outcome: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** One bridge call as the invocation log keeps it: what was asked, whether it was allowed, what data it read. */
export type BridgeCallRecord = {
  method: string;
  /** the subject asked for (a key, a customer or order id) */
  target: string | null;
  result: "ok" | "not_found" | "denied" | "invalid" | "limit" | "error";
  /** what data left the platform: e.g. `customer cus_… (id, name, email)` */
  read?: string;
  /** why it was refused */
  reason?: string;
};

export interface ExtensionInvocationsTable {
  id: string;
  shop_id: string;
  install_id: string;
  extension_id: string;
  version_id: string;
  hook: string;
  /** what the call was about: a checkout (quote of a buyer), an order, a customer, a storefront page */
  subject_type: string | null;
  subject_id: string | null;
  outcome: InvocationOutcome;
  /** the sandbox's message, or why the host dropped the output */
  error: string | null;
  wall_ms: number;
  cpu_ms: number;
  host_wait_ms: number;
  bytes_in: number;
  bytes_out: number;
  bridge_calls: number;
  logs: ColumnType<string[], string | undefined, string>;
  reads: ColumnType<BridgeCallRecord[], string | undefined, string>;
  /** what the platform did with the result (discount lines kept, blocks rendered, …) */
  summary: ColumnType<Record<string, unknown>, string | undefined, string>;
  idempotency_key: string | null;
  retried: ColumnType<boolean, boolean | undefined, boolean>;
  /** a fault charged to the extension (counts towards suspension) */
  charged: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ExtensionsTables {
  extension_storage: ExtensionStorageTable;
  extension_counters: ExtensionCountersTable;
  extension_counter_ops: ExtensionCounterOpsTable;
  extension_reservations: ExtensionReservationsTable;
  extension_hook_deliveries: ExtensionHookDeliveriesTable;
  extension_invocations: ExtensionInvocationsTable;
}

export type InvocationRow = Selectable<ExtensionInvocationsTable>;
export type HookDeliveryRow = Selectable<ExtensionHookDeliveriesTable>;
