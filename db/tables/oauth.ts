/**
 * The OAuth module's tables (app/oauth): registered clients and what
 * oidc-provider stores through the Kysely adapter. `Database` extends
 * {@link OAuthTables}.
 */
import type { ColumnType, Selectable } from "kysely";
import type { CreatedAt, Timestamp } from "../database";

export interface OAuthClientsTable {
  /** the public client_id, `cli_…` */
  id: string;
  extension_id: string;
  name: string;
  /** AES-256-GCM of the secret (app/oauth/secrets.server.ts), never the secret itself */
  secret_ciphertext: string;
  /** shown in lists so the developer can tell secrets apart */
  secret_last4: string;
  redirect_uris: ColumnType<string[], string, string>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  secret_rotated_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface OAuthPayloadsTable {
  /** oidc-provider's model name: AccessToken, RefreshToken, AuthorizationCode, Grant, Interaction, … */
  model: string;
  /** sha256 (base64url) of the id oidc-provider gives the adapter */
  id_hash: string;
  grant_id: string | null;
  /** the grant's account: the install the tokens act for */
  install_id: string | null;
  uid_hash: string | null;
  payload: ColumnType<Record<string, unknown>, string, string>;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface OAuthTables {
  oauth_clients: OAuthClientsTable;
  oauth_payloads: OAuthPayloadsTable;
}

export type OAuthClientRow = Selectable<OAuthClientsTable>;
export type OAuthPayloadRow = Selectable<OAuthPayloadsTable>;
