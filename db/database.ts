/**
 * The one `Database` interface: every table, owned by one module each
 * (see DESIGN.md). Later issues add their tables here with their migrations.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { AftersaleTables } from "./tables/aftersale";
import type { CheckoutTables } from "./tables/checkout";
import type { ExtensionsTables } from "./tables/extensions";
import type { MarketplaceTables } from "./tables/marketplace";
import type { OAuthTables } from "./tables/oauth";
import type { OpenapiTables } from "./tables/openapi";
import type { OrdersTables } from "./tables/orders";
import type { PaymentsTables } from "./tables/payments";
import type { WebhooksTables } from "./tables/webhooks";

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

// ---- catalog ---------------------------------------------------------------
export type ProductStatus = "draft" | "on_sale" | "off_sale";
/** One spec dimension, e.g. `{ name: "Colour", values: ["Red", "Blue"] }`. */
export type SpecDefinition = { name: string; values: string[] };

export interface CategoriesTable {
  id: string;
  shop_id: string;
  parent_id: string | null;
  name: string;
  position: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface ProductsTable {
  id: string;
  shop_id: string;
  title: string;
  /** Markdown; rendered sanitized */
  description: ColumnType<string, string | undefined, string>;
  status: ColumnType<ProductStatus, ProductStatus | undefined, ProductStatus>;
  category_id: string | null;
  spec_definitions: ColumnType<SpecDefinition[], string | undefined, string>;
  /** denormalized from active SKUs for listing and sorting */
  min_price: ColumnType<number, number | undefined, number>;
  max_price: ColumnType<number, number | undefined, number>;
  total_stock: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface SkusTable {
  id: string;
  shop_id: string;
  product_id: string;
  /** the value per spec dimension, in dimension order */
  spec_values: ColumnType<string[], string | undefined, string>;
  /** spec_values joined, unique per product ("" for a product without specs) */
  spec_key: string;
  price: number;
  compare_at_price: number | null;
  stock: ColumnType<number, number | undefined, number>;
  code: ColumnType<string, string | undefined, string>;
  /** archived: its combination was removed from the specs (kept for old orders) */
  status: ColumnType<"active" | "archived", "active" | "archived" | undefined, "active" | "archived">;
  position: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export type StockReason = "initial" | "manual_adjust" | "order_reserved" | "order_released" | "refund_restock";
export interface StockLedgerTable {
  id: Generated<string>;
  shop_id: string;
  sku_id: string;
  delta: number;
  balance_after: number;
  reason: StockReason;
  ref_type: string | null;
  ref_id: string | null;
  actor_id: string | null;
  note: string | null;
  created_at: CreatedAt;
}
export interface ImagesTable {
  id: string;
  shop_id: string;
  sha256: string;
  mime: "image/jpeg" | "image/png" | "image/webp";
  bytes: number;
  width: number | null;
  height: number | null;
  created_at: CreatedAt;
}
export interface ProductImagesTable {
  shop_id: string;
  product_id: string;
  image_id: string;
  position: number;
}

// ---- shelves ---------------------------------------------------------------
export interface ShelvesTable {
  id: string;
  shop_id: string;
  title: string;
  slug: string;
  is_home: ColumnType<boolean, boolean | undefined, boolean>;
  draft_sections: ColumnType<unknown[], string | undefined, string>;
  draft_updated_at: Timestamp;
  published_version_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface ShelfVersionsTable {
  id: string;
  shop_id: string;
  shelf_id: string;
  version: number;
  title: string;
  sections: ColumnType<unknown[], string, never>;
  published_by: string | null;
  published_at: CreatedAt;
}

// ---- checkout --------------------------------------------------------------
export interface CartsTable {
  id: string;
  shop_id: string;
  user_id: string | null;
  guest_token_hash: string | null;
  attributes: JsonObject;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CartLinesTable {
  id: string;
  shop_id: string;
  cart_id: string;
  sku_id: string;
  quantity: number;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface Database extends AftersaleTables, OrdersTables, CheckoutTables, PaymentsTables, MarketplaceTables, ExtensionsTables, WebhooksTables, OAuthTables, OpenapiTables {
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
  categories: CategoriesTable;
  products: ProductsTable;
  skus: SkusTable;
  stock_ledger: StockLedgerTable;
  images: ImagesTable;
  product_images: ProductImagesTable;
  shelves: ShelvesTable;
  shelf_versions: ShelfVersionsTable;
  carts: CartsTable;
  cart_lines: CartLinesTable;
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
export type Category = Selectable<CategoriesTable>;
export type Product = Selectable<ProductsTable>;
export type Sku = Selectable<SkusTable>;
export type StockLedgerRow = Selectable<StockLedgerTable>;
export type Image = Selectable<ImagesTable>;
export type Shelf = Selectable<ShelvesTable>;
export type ShelfVersion = Selectable<ShelfVersionsTable>;
export type Cart = Selectable<CartsTable>;
export type CartLine = Selectable<CartLinesTable>;
