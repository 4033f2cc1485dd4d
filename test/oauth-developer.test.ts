/**
 * The developer's OAuth clients page over HTTP: register a client (redirect
 * URIs validated, the secret shown once and never again), rotate the secret
 * (the old one fails at once), revoke; strangers get 404; every change is
 * audited.
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createUser } from "./support/storefront-fixtures";
import { createMarketplace, publishVersion, type Marketplace } from "./extensions-fixtures";
import { discover, insecure, signedIn } from "./oauth-fixtures";

let platform: TestPlatform;
let server: TestServer;
let m: Marketplace;
let extensionId: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  m = await createMarketplace(platform);
  ({ extensionId } = await publishVersion(platform, m, { hooks: ["order.paid"], scopes: ["read_orders"], source: `{ "order.paid": async () => null }` }));
});
afterAll(async () => {
  await server?.close();
  await platform?.close();
});

const secretIn = (html: string) => html.match(/data-testid="client-secret">(bzs_[A-Za-z0-9_-]+)</)?.[1] ?? null;

async function canAuthenticate(clientId: string, secret: string): Promise<number> {
  const as = await discover(server.url);
  const res = await oauth.introspectionRequest(as, { client_id: clientId }, oauth.ClientSecretBasic(secret), "some-token-0123456789abcdef", insecure);
  return res.status;
}

describe("developer OAuth clients page", () => {
  it("registers, shows the secret once, rotates, revokes; audits each change; strangers get 404", async () => {
    const dev = await signedIn(platform, server.url, m.developerId);
    const path = `/developer/extensions/${extensionId}/oauth`;
    let page = await dev.get(path);
    expect(page.status).toBe(200);
    expect(page.body).toContain("No clients yet.");
    expect(page.body).toContain(`${server.url}/.well-known/oauth-authorization-server`);

    const bad = await dev.post(path, [["intent", "create"], ["name", "Backend"], ["redirectUris", "http://evil.example/cb"]]);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("Use https");

    const created = await dev.post(path, [["intent", "create"], ["name", "Backend"], ["redirectUris", "https://cb.example/oauth/callback\nhttp://127.0.0.1:9000/cb"]]);
    expect(created.status).toBe(200);
    const secret = secretIn(created.body)!;
    expect(secret).toMatch(/^bzs_[A-Za-z0-9_-]{32,}$/);
    const row = await platform.db.selectFrom("oauth_clients").selectAll().where("extension_id", "=", extensionId).executeTakeFirstOrThrow();
    expect(row.redirect_uris).toEqual(["https://cb.example/oauth/callback", "http://127.0.0.1:9000/cb"]);
    expect(await canAuthenticate(row.id, secret)).toBe(200);

    page = await dev.get(path);
    expect(page.body).toContain(row.id);
    expect(page.body).toContain(`…${secret.slice(-4)}`);
    expect(page.body).not.toContain(secret);

    const rotated = await dev.post(path, [["intent", "rotate"], ["clientId", row.id]]);
    expect(rotated.status).toBe(200);
    const secret2 = secretIn(rotated.body)!;
    expect(secret2).toMatch(/^bzs_[A-Za-z0-9_-]{32,}$/);
    expect(secret2).not.toBe(secret);
    expect(await canAuthenticate(row.id, secret)).toBe(401);
    expect(await canAuthenticate(row.id, secret2)).toBe(200);

    const stranger = await signedIn(platform, server.url, (await createUser(platform, "merchant")).id);
    expect((await stranger.get(path)).status).toBe(404);
    await stranger.get("/");
    expect((await stranger.post(path, [["intent", "rotate"], ["clientId", row.id]])).status).toBe(404);

    const revoked = await dev.post(path, [["intent", "revoke"], ["clientId", row.id]]);
    expect(revoked.status).toBe(200);
    expect(await canAuthenticate(row.id, secret2)).toBe(401);

    const audit = await platform.db.selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", row.id).orderBy("id").execute();
    expect(audit.map((a) => a.action)).toEqual(["oauth_client.created", "oauth_client.secret_rotated", "oauth_client.revoked"]);
    expect(new Set(audit.map((a) => a.actor_id))).toEqual(new Set([m.developerId]));
  });
});
