import type { Kysely } from "kysely";
import { runStatements } from "./statements";

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE users (
      id text PRIMARY KEY,
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      name text NOT NULL,
      password_hash text NOT NULL,
      intent text NOT NULL DEFAULT 'buyer' CHECK (intent IN ('buyer', 'merchant', 'developer')),
      is_reviewer boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      user_agent text,
      ip text
    );
    CREATE INDEX sessions_user_idx ON sessions (user_id);
    CREATE TABLE password_resets (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE login_attempts (
      id bigserial PRIMARY KEY,
      email text NOT NULL,
      ip text,
      succeeded boolean NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX login_attempts_email_idx ON login_attempts (email, created_at);
    CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, created_at);
    CREATE TABLE shop_members (
      shop_id text NOT NULL REFERENCES shops(id),
      user_id text NOT NULL REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('owner', 'staff')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (shop_id, user_id)
    );
    CREATE INDEX shop_members_user_idx ON shop_members (user_id);
    CREATE TABLE shop_invites (
      id text PRIMARY KEY,
      shop_id text NOT NULL REFERENCES shops(id),
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'staff')),
      token_hash text NOT NULL UNIQUE,
      invited_by text NOT NULL REFERENCES users(id),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX shop_invites_shop_idx ON shop_invites (shop_id, created_at);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `DROP TABLE shop_invites, shop_members, login_attempts, password_resets, sessions, users;`);
}
