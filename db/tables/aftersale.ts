/**
 * The after-sale module's tables (app/aftersale owns them): claims, their
 * lines and photos, the timeline both sides see, and the platform-wide
 * deadline setting. `Database` (db/database.ts) extends {@link AftersaleTables}.
 */
import type { ColumnType, Generated, Selectable } from "kysely";
import type { CreatedAt, JsonObject, Timestamp } from "../database";

export type ClaimStatusColumn =
  | "awaiting_merchant"
  | "awaiting_return_shipment"
  | "awaiting_return_receipt"
  | "refused"
  | "escalated"
  | "refund_pending"
  | "refunded"
  | "closed";
export type ClaimKindColumn = "refund_only" | "return_refund" | "complaint";
export type DeadlineKindColumn = "merchant_answer" | "return_shipment" | "return_receipt" | "escalation_window";

export interface ClaimsTable {
  id: string;
  shop_id: string;
  order_id: string;
  /** the buyer who opened it (the order's user) */
  user_id: string;
  kind: ClaimKindColumn;
  status: ClaimStatusColumn;
  reason: string;
  description: string;
  currency: string;
  /** what the buyer asks for, minor units (0 for a complaint without money) */
  amount: number;
  /** the refund granted (merchant agreement or reviewer decision), minor units */
  refund_amount: number | null;
  /** put the returned / refunded units back into stock (merchant's or reviewer's choice) */
  restock: boolean | null;
  /** the payments module's refund row, once requested */
  refund_id: string | null;
  return_carrier: string | null;
  return_tracking: string | null;
  refusal_reason: string | null;
  decision_reason: string | null;
  /** how a final claim ended: refunded, withdrawn, return_not_shipped, refusal_stands, rejected, complaint_resolved */
  resolution: string | null;
  deadline_kind: DeadlineKindColumn | null;
  deadline_at: Timestamp | null;
  /** `claim-<id>-<kind>-<n>`: the job id of the current deadline; a timer acts only while it still matches */
  deadline_id: string | null;
  /** n of the last deadline set (counts up, so a re-entered status gets a new job id) */
  deadline_seq: ColumnType<number, number | undefined, number>;
  escalated_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
}

export interface ClaimLinesTable {
  claim_id: string;
  shop_id: string;
  /** the order line */
  line_id: string;
  quantity: number;
  amount: number;
}

export interface ClaimPhotosTable {
  claim_id: string;
  shop_id: string;
  image_id: string;
  position: number;
}

export type ClaimEventActor = "buyer" | "merchant" | "reviewer" | "system";

export interface ClaimEventsTable {
  id: Generated<string>;
  claim_id: string;
  shop_id: string;
  /** `opened` or a transition action (claim-machine.ts) */
  action: string;
  from_status: ClaimStatusColumn | null;
  to_status: ClaimStatusColumn;
  actor_type: ClaimEventActor;
  actor_id: string | null;
  /** free text the actor wrote (refusal reason, decision reason, tracking number …) */
  note: string | null;
  details: JsonObject;
  /** the deadline this step started, shown on the timeline */
  deadline_kind: DeadlineKindColumn | null;
  deadline_at: Timestamp | null;
  created_at: CreatedAt;
}

/** One row: the scale applied to every after-sale deadline (1 in production; tests shorten it). */
export interface AftersaleSettingsTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  time_scale: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface AftersaleTables {
  claims: ClaimsTable;
  claim_lines: ClaimLinesTable;
  claim_photos: ClaimPhotosTable;
  claim_events: ClaimEventsTable;
  aftersale_settings: AftersaleSettingsTable;
}

export type ClaimRow = Selectable<ClaimsTable>;
export type ClaimLineRow = Selectable<ClaimLinesTable>;
export type ClaimEventRow = Selectable<ClaimEventsTable>;
