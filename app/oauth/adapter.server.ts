/**
 * oidc-provider's storage on Kysely (PostgreSQL or PGlite), one table
 * (`oauth_payloads`) for every model, keyed by (model, sha256(id)):
 *
 * - ids are stored hashed; for opaque tokens the id *is* the token value, so
 *   the table holds nothing a client could present;
 * - `consume()` is one conditional UPDATE (`… AND consumed_at IS NULL`): of N
 *   concurrent redemptions of a code or refresh token exactly one wins; a
 *   loser (or a replay that slips past the provider's own check) revokes the
 *   whole grant and gets `invalid_grant`;
 * - `revokeByGrantId` deletes a model's rows of a grant;
 * - a token of an install that does not run (uninstalled or suspended, or its
 *   version or extension suspended by a reviewer) is not found: uninstall and
 *   suspension take effect on the next request, before any clean-up runs;
 * - `Session` is never stored: the platform's own session (bz_session) is the
 *   login, so each authorization request starts from a fresh provider session;
 * - `Client` comes from `oauth_clients` (secrets decrypted on read).
 */
import { sql, type Kysely } from "kysely";
import type { Adapter, AdapterPayload, errors } from "oidc-provider";
import type { Database } from "../../db/database";
import { hashId } from "./secrets.server";

/** Models whose `accountId` is an install id (see provider.server.ts). */
const INSTALL_BOUND = new Set(["AccessToken", "RefreshToken", "AuthorizationCode", "Grant"]);
const GRANT_MODELS = ["AccessToken", "RefreshToken", "AuthorizationCode", "Grant"] as const;

export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/** Deletes every stored row of a grant (the grant itself included). Resolves to the number of rows. */
export async function deleteGrant(db: Kysely<Database>, grantId: string): Promise<number> {
  const r = await db.deleteFrom("oauth_payloads").where("grant_id", "=", grantId).where("model", "in", GRANT_MODELS).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Deletes every grant, token and code of an install at once. */
export async function deleteInstallPayloads(db: Kysely<Database>, installId: string): Promise<number> {
  const r = await db.deleteFrom("oauth_payloads").where("install_id", "=", installId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Removes rows whose lifetime is over (consumed codes and rotated refresh tokens stay until then, for reuse detection). */
export async function deleteExpiredPayloads(db: Kysely<Database>, now = new Date()): Promise<number> {
  const r = await db.deleteFrom("oauth_payloads").where("expires_at", "<", now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

function epoch(d: Date | string): number {
  return Math.floor(new Date(d).getTime() / 1000);
}

/** An adapter class for one provider, over `db`. */
export function kyselyAdapter(db: Kysely<Database>, findClient: ClientLookup, InvalidGrant: typeof errors.InvalidGrant): new (name: string) => Adapter {
  return class KyselyAdapter implements Adapter {
    constructor(readonly name: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.name === "Session") return;
      if (this.name === "Client") throw new Error("oauth: clients are registered through app/oauth, not the provider");
      const installId = INSTALL_BOUND.has(this.name) && typeof payload.accountId === "string" ? payload.accountId : null;
      const grantId = this.name === "Grant" ? id : (payload.grantId ?? null);
      const row = {
        model: this.name,
        id_hash: hashId(id),
        grant_id: grantId,
        install_id: installId,
        uid_hash: payload.uid ? hashId(payload.uid) : null,
        payload: JSON.stringify(payload),
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await db
        .insertInto("oauth_payloads")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["model", "id_hash"]).doUpdateSet({ payload: row.payload, grant_id: row.grant_id, install_id: row.install_id, uid_hash: row.uid_hash, expires_at: row.expires_at }),
        )
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === "Session") return undefined;
      if (this.name === "Client") return findClient(id);
      const row = await db
        .selectFrom("oauth_payloads as p")
        .leftJoin("installs as i", "i.id", "p.install_id")
        .leftJoin("extension_versions as v", "v.id", "i.version_id")
        .leftJoin("extensions as e", "e.id", "i.extension_id")
        .select(["p.payload", "p.consumed_at", "p.expires_at", "p.install_id", "i.status as install_status", "v.status as version_status", "e.suspended_at as extension_suspended_at"])
        .where("p.model", "=", this.name)
        .where("p.id_hash", "=", hashId(id))
        .executeTakeFirst();
      if (!row) return undefined;
      // A token of an install that does not run (uninstalled, suspended, its version or extension suspended) is unknown.
      if (row.install_id && (row.install_status !== "active" || row.version_status === "suspended" || row.extension_suspended_at !== null)) return undefined;
      const payload = { ...(row.payload as AdapterPayload) };
      if (row.consumed_at) payload.consumed = epoch(row.consumed_at);
      return payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (this.name === "Session") return undefined;
      const row = await db.selectFrom("oauth_payloads").select(["payload"]).where("model", "=", this.name).where("uid_hash", "=", hashId(uid)).executeTakeFirst();
      return row ? (row.payload as AdapterPayload) : undefined;
    }

    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined; // no device flow
    }

    async consume(id: string): Promise<void> {
      const won = await db
        .updateTable("oauth_payloads")
        .set({ consumed_at: sql<Date>`now()` })
        .where("model", "=", this.name)
        .where("id_hash", "=", hashId(id))
        .where("consumed_at", "is", null)
        .returning(["grant_id"])
        .executeTakeFirst();
      if (won) return;
      // Someone else consumed it first (a concurrent redemption or a replay): the grant is compromised.
      const row = await db.selectFrom("oauth_payloads").select(["grant_id"]).where("model", "=", this.name).where("id_hash", "=", hashId(id)).executeTakeFirst();
      if (row?.grant_id) await deleteGrant(db, row.grant_id);
      throw new InvalidGrant(`${this.name === "RefreshToken" ? "refresh token" : "authorization code"} already used`);
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom("oauth_payloads").where("model", "=", this.name).where("id_hash", "=", hashId(id)).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom("oauth_payloads").where("model", "=", this.name).where("grant_id", "=", grantId).execute();
    }
  };
}
