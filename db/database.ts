/**
 * The one `Database` interface: every table, owned by one module each
 * (see DESIGN.md). Later issues add their tables here with their migrations.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Json = ColumnType<unknown, string, string>;
export type JsonObject = ColumnType<Record<string, unknown>, string | undefined, string>;

// ---- accounts --------------------------------------------------------------
export interface UsersTable {
  id: string;
  email: string; // stored lower-cased
  name: string;
  password_hash: string;
  /** what they came for at sign-up: buyer | merchant | developer (onboarding only, not a permission) */
  intent: string;
  is_reviewer: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface SessionsTable {
  /** sha256 of the cookie token, hex */
  id: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  revoked_at: Timestamp | null;
  user_agent: string | null;
  ip: string | null;
}
export interface PasswordResetsTable {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}
export interface LoginAttemptsTable {
  id: Generated<string>;
  email: string;
  ip: string | null;
  succeeded: boolean;
  created_at: CreatedAt;
}
export interface ShopMembersTable {
  shop_id: string;
  user_id: string;
  role: "owner" | "staff";
  created_at: CreatedAt;
}
export interface ShopInvitesTable {
  id: string;
  shop_id: string;
  email: string;
  role: "owner" | "staff";
  token_hash: string;
  invited_by: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: CreatedAt;
}

// ---- shops -----------------------------------------------------------------
export interface ShopsTable {
  id: string;
  handle: string;
  name: string;
  currency: string;
  settings: JsonObject;
  is_development: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<"active" | "closed", "active" | "closed" | undefined, "active" | "closed">;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface ShopCustomersTable {
  id: string;
  shop_id: string;
  user_id: string;
  email: string;
  name: string;
  created_at: CreatedAt;
}

// ---- audit -----------------------------------------------------------------
export interface AuditLogTable {
  id: Generated<string>;
  shop_id: string | null;
  actor_type: "user" | "system" | "extension" | "api" | "reviewer";
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: JsonObject;
  created_at: CreatedAt;
}

// ---- events ----------------------------------------------------------------
export interface OutboxTable {
  id: Generated<string>;
  /** the writing transaction's id (xid8 as text); the relay only reads rows older than every running transaction */
  txid: ColumnType<string, never, never>;
  name: string;
  shop_id: string | null;
  subject_id: string | null;
  payload: JsonObject;
  created_at: CreatedAt;
}
export interface EventConsumersTable {
  name: string;
  last_txid: string;
  last_id: string;
  updated_at: Timestamp;
}

// ---- notifications ---------------------------------------------------------
export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  data: JsonObject;
  read_at: Timestamp | null;
  created_at: CreatedAt;
}
export interface MailOutboxTable {
  id: string;
  notification_id: string | null;
  to_email: string;
  subject: string;
  text_body: string;
  status: "kept" | "sent" | "failed";
  error: string | null;
  sent_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  login_attempts: LoginAttemptsTable;
  shop_members: ShopMembersTable;
  shop_invites: ShopInvitesTable;
  shops: ShopsTable;
  shop_customers: ShopCustomersTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  event_consumers: EventConsumersTable;
  notifications: NotificationsTable;
  mail_outbox: MailOutboxTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Shop = Selectable<ShopsTable>;
export type Session = Selectable<SessionsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type Notification = Selectable<NotificationsTable>;
export type MailRow = Selectable<MailOutboxTable>;
