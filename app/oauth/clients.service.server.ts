/**
 * OAuth clients, registered by an extension's developers: redirect URIs
 * validated at registration (https, or http on loopback; no fragment,
 * wildcard or userinfo), the secret generated here, shown once, stored
 * encrypted, and rotatable. Every change is audited.
 */
import type { Kysely } from "kysely";
import type { AdapterPayload } from "oidc-provider";
import type { Database } from "../../db/database";
import type { OAuthClientRow } from "../../db/tables/oauth";
import { record } from "../audit/index.server";
import { AppError, fieldErrorsFromZod, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { ClientForm } from "./oauth.schema";
import { insertClient, markClientRevoked, selectClient, selectClientsOfExtension, updateClientSecret } from "./oauth.repository.server";
import { decryptSecret, encryptSecret, newClientSecret } from "./secrets.server";

export const MAX_CLIENTS_PER_EXTENSION = 20;

export type ClientView = {
  clientId: string;
  extensionId: string;
  name: string;
  redirectUris: string[];
  secretLast4: string;
  createdAt: string;
  secretRotatedAt: string | null;
  revokedAt: string | null;
};

function clientView(row: OAuthClientRow): ClientView {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    clientId: row.id,
    extensionId: row.extension_id,
    name: row.name,
    redirectUris: Array.isArray(row.redirect_uris) ? row.redirect_uris : [],
    secretLast4: row.secret_last4,
    createdAt: new Date(row.created_at).toISOString(),
    secretRotatedAt: iso(row.secret_rotated_at),
    revokedAt: iso(row.revoked_at),
  };
}

type Actor = { id: string };

/**
 * Registers a client for the extension. The caller has checked the actor is
 * one of its developers (`requireDeveloperExtension`). Resolves to the client
 * and its secret — the only time the secret is shown.
 *
 * @example const { client, secret } = await registerClient(db, config.sessionSecret, user, ext.id, { name: "Backend", redirectUris: "https://app.example/cb" });
 */
export async function registerClient(
  db: Kysely<Database>,
  sessionSecret: string,
  actor: Actor,
  extensionId: string,
  form: unknown,
): Promise<{ client: ClientView; secret: string }> {
  const parsed = ClientForm.safeParse(form);
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  return db.transaction().execute(async (trx) => {
    const existing = await selectClientsOfExtension(trx, extensionId, MAX_CLIENTS_PER_EXTENSION + 1);
    if (existing.filter((c) => !c.revoked_at).length >= MAX_CLIENTS_PER_EXTENSION) {
      throw new AppError("unprocessable", `An extension can have at most ${MAX_CLIENTS_PER_EXTENSION} OAuth clients.`, { code: "too_many_clients" });
    }
    const id = newId("cli");
    const secret = newClientSecret();
    const row = await insertClient(trx, {
      id,
      extension_id: extensionId,
      name: parsed.data.name,
      secret_ciphertext: encryptSecret(sessionSecret, secret, id),
      secret_last4: secret.slice(-4),
      redirect_uris: parsed.data.redirectUris,
      created_by: actor.id,
    });
    await record(trx, { type: "user", id: actor.id }, "oauth_client.created", { type: "oauth_client", id }, { extensionId, name: row.name, redirectUris: parsed.data.redirectUris });
    return { client: clientView(row), secret };
  });
}

/** A new secret for the client; the old one stops working at once. Resolves to the new secret (shown once). */
export async function rotateClientSecret(
  db: Kysely<Database>,
  sessionSecret: string,
  actor: Actor,
  extensionId: string,
  clientId: string,
): Promise<{ client: ClientView; secret: string }> {
  return db.transaction().execute(async (trx) => {
    const secret = newClientSecret();
    const at = new Date();
    if (!(await updateClientSecret(trx, extensionId, clientId, encryptSecret(sessionSecret, secret, clientId), secret.slice(-4), at))) throw notFound("Client not found");
    await record(trx, { type: "user", id: actor.id }, "oauth_client.secret_rotated", { type: "oauth_client", id: clientId }, { extensionId });
    return { client: clientView((await selectClient(trx, clientId))!), secret };
  });
}

/** Revokes a client: it can no longer authenticate, and its access tokens stop working. */
export async function revokeClient(db: Kysely<Database>, actor: Actor, extensionId: string, clientId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await markClientRevoked(trx, extensionId, clientId, new Date()))) throw notFound("Client not found");
    await record(trx, { type: "user", id: actor.id }, "oauth_client.revoked", { type: "oauth_client", id: clientId }, { extensionId });
  });
}

/** The extension's clients, oldest first (at most {@link MAX_CLIENTS_PER_EXTENSION} live ones exist). */
export async function listClients(db: Kysely<Database>, extensionId: string): Promise<ClientView[]> {
  return (await selectClientsOfExtension(db, extensionId, 100)).map(clientView);
}

/** A live client by id, with its extension, or null. */
export async function getClient(db: Kysely<Database>, clientId: string): Promise<ClientView | null> {
  const row = await selectClient(db, clientId);
  return row && !row.revoked_at ? clientView(row) : null;
}

/** What oidc-provider sees of a client (the adapter's `Client` model). */
export async function clientMetadata(db: Kysely<Database>, sessionSecret: string, clientId: string): Promise<AdapterPayload | undefined> {
  if (!/^cli_[0-9a-z]{26}$/.test(clientId)) return undefined;
  const row = await selectClient(db, clientId);
  if (!row || row.revoked_at) return undefined;
  const secret = decryptSecret(sessionSecret, row.secret_ciphertext, row.id);
  if (!secret) return undefined;
  return {
    client_id: row.id,
    client_secret: secret,
    client_name: row.name,
    redirect_uris: Array.isArray(row.redirect_uris) ? row.redirect_uris : [],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  };
}
