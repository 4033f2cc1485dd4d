/**
 * The Kysely adapter under oidc-provider, directly: ids stored hashed,
 * `consume()` atomic under concurrency (exactly one winner; losers revoke
 * the grant), `revokeByGrantId` per model, no provider sessions, expiry
 * clean-up; and tokens follow their install's state (suspension, a
 * reviewer's suspension of the extension) with no clean-up needed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resumeInstall, suspendInstall } from "../app/marketplace/index.server";
import { hashId } from "../app/oauth/secrets.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { authorize, createOAuthWorld, introspect, refresh, type OAuthWorld } from "./oauth-fixtures";

let platform: TestPlatform;
let server: TestServer;
let w: OAuthWorld;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  w = await createOAuthWorld(platform, server.url);
});
afterAll(async () => {
  await server?.close();
  await platform?.close();
});

async function adapterOf(model: string) {
  const provider = await platform.oauth.providerFor(server.url);
  return (provider as any)[model].adapter as {
    upsert(id: string, payload: object, ttl: number): Promise<void>;
    find(id: string): Promise<any>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(id: string): Promise<void>;
  };
}

const rowsOfGrant = (grantId: string) => platform.db.selectFrom("oauth_payloads").select(["model"]).where("grant_id", "=", grantId).execute();

describe("the adapter", () => {
  it("stores ids hashed and finds by the hash", async () => {
    const codes = await adapterOf("AuthorizationCode");
    await codes.upsert("plain-code-value-123", { jti: "plain-code-value-123", kind: "AuthorizationCode", grantId: "g-hash", exp: Math.floor(Date.now() / 1000) + 60 }, 60);
    const row = await platform.db.selectFrom("oauth_payloads").select(["id_hash"]).where("grant_id", "=", "g-hash").executeTakeFirstOrThrow();
    expect(row.id_hash).toBe(hashId("plain-code-value-123"));
    expect(row.id_hash).not.toContain("plain-code-value-123");
    expect((await codes.find("plain-code-value-123"))?.grantId).toBe("g-hash");
    expect(await codes.find(row.id_hash)).toBeUndefined(); // the hash itself is not a key
  });

  it("consume is atomic: of 20 concurrent consumers exactly one wins; the losers revoke the grant", async () => {
    const codes = await adapterOf("AuthorizationCode");
    const tokens = await adapterOf("AccessToken");
    const grants = await adapterOf("Grant");
    const exp = Math.floor(Date.now() / 1000) + 60;
    await grants.upsert("g-race", { jti: "g-race", kind: "Grant", exp }, 60);
    await tokens.upsert("at-race", { jti: "at-race", kind: "AccessToken", grantId: "g-race", exp }, 60);
    await codes.upsert("code-race", { jti: "code-race", kind: "AuthorizationCode", grantId: "g-race", exp }, 60);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => codes.consume("code-race")));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) expect(r.reason).toMatchObject({ error: "invalid_grant" });
    expect(await rowsOfGrant("g-race")).toEqual([]); // grant, token and code gone
  });

  it("consume on its own marks the row once; a second consume is invalid_grant", async () => {
    const rts = await adapterOf("RefreshToken");
    const exp = Math.floor(Date.now() / 1000) + 60;
    await rts.upsert("rt-once", { jti: "rt-once", kind: "RefreshToken", grantId: "g-once", exp }, 60);
    await rts.consume("rt-once");
    expect(typeof (await rts.find("rt-once"))?.consumed).toBe("number");
    await expect(rts.consume("rt-once")).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("revokeByGrantId removes that model's rows of the grant only", async () => {
    const ats = await adapterOf("AccessToken");
    const rts = await adapterOf("RefreshToken");
    const exp = Math.floor(Date.now() / 1000) + 60;
    await ats.upsert("at-g1", { jti: "at-g1", kind: "AccessToken", grantId: "g1", exp }, 60);
    await rts.upsert("rt-g1", { jti: "rt-g1", kind: "RefreshToken", grantId: "g1", exp }, 60);
    await ats.upsert("at-g2", { jti: "at-g2", kind: "AccessToken", grantId: "g2", exp }, 60);
    await ats.revokeByGrantId("g1");
    expect(await ats.find("at-g1")).toBeUndefined();
    expect(await rts.find("rt-g1")).toBeDefined();
    expect(await ats.find("at-g2")).toBeDefined();
  });

  it("keeps no provider sessions (the platform's session is the login)", async () => {
    const sessions = await adapterOf("Session");
    await sessions.upsert("sess-1", { jti: "sess-1", kind: "Session", uid: "u1", accountId: "x" }, 60);
    expect(await sessions.find("sess-1")).toBeUndefined();
    expect(await platform.db.selectFrom("oauth_payloads").select("model").where("model", "=", "Session").execute()).toEqual([]);
  });

  it("cleanupExpired deletes expired rows and keeps live ones", async () => {
    const ats = await adapterOf("AccessToken");
    await ats.upsert("at-old", { jti: "at-old", kind: "AccessToken", grantId: "g-old" }, 60);
    await platform.db.updateTable("oauth_payloads").set({ expires_at: new Date(Date.now() - 1000) }).where("id_hash", "=", hashId("at-old")).execute();
    await ats.upsert("at-live", { jti: "at-live", kind: "AccessToken", grantId: "g-live" }, 60);
    expect(await platform.oauth.cleanupExpired()).toBeGreaterThanOrEqual(1);
    const left = await platform.db.selectFrom("oauth_payloads").select("id_hash").where("id_hash", "in", [hashId("at-old"), hashId("at-live")]).execute();
    expect(left.map((r) => r.id_hash)).toEqual([hashId("at-live")]);
  });
});

describe("verifyAccessToken", () => {
  it("is null for a token of another audience, an expired one, a revoked client's, and garbage", async () => {
    const { tokens } = await authorize(w);
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).not.toBeNull();
    const h = hashId(tokens.access_token);
    const row = await platform.db.selectFrom("oauth_payloads").select(["payload"]).where("model", "=", "AccessToken").where("id_hash", "=", h).executeTakeFirstOrThrow();
    const payload = row.payload as Record<string, unknown>;
    const setPayload = (p: Record<string, unknown>) => platform.db.updateTable("oauth_payloads").set({ payload: JSON.stringify(p) }).where("model", "=", "AccessToken").where("id_hash", "=", h).execute();

    await setPayload({ ...payload, aud: "https://other.example/api/v1" });
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
    await setPayload({ ...payload, exp: Math.floor(Date.now() / 1000) - 1 });
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
    await setPayload(payload);
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).not.toBeNull();

    await platform.db.updateTable("oauth_clients").set({ revoked_at: new Date() }).where("id", "=", w.app.client.client_id).execute();
    try {
      expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
    } finally {
      await platform.db.updateTable("oauth_clients").set({ revoked_at: null }).where("id", "=", w.app.client.client_id).execute();
    }
    for (const junk of ["", "x", "a".repeat(500), "Bearer abc", tokens.access_token.slice(0, -1)]) expect(await platform.oauth.verifyAccessToken(junk)).toBeNull();
  });
});

describe("tokens follow their install", () => {
  it("stop while the install is suspended and work again when it resumes", async () => {
    const { tokens } = await authorize(w);
    const p = (await platform.oauth.verifyAccessToken(tokens.access_token))!;
    const actor = { type: "user" as const, id: w.shop.ownerId };
    await suspendInstall(platform.db, actor, { shopId: p.shopId, installId: p.installId, reason: "merchant" });
    expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
    expect((await introspect(w, tokens.access_token)).active).toBe(false);
    await resumeInstall(platform.db, actor, { shopId: p.shopId, installId: p.installId });
    expect((await platform.oauth.verifyAccessToken(tokens.access_token))?.installId).toBe(p.installId);
    const next = await refresh(w, tokens.refresh_token!);
    expect(await platform.oauth.verifyAccessToken(next.access_token)).not.toBeNull();
  });

  it("stop while a reviewer has suspended the extension", async () => {
    const { tokens } = await authorize(w);
    const p = (await platform.oauth.verifyAccessToken(tokens.access_token))!;
    await platform.db.updateTable("extensions").set({ suspended_at: new Date() }).where("id", "=", p.extensionId).execute();
    try {
      expect(await platform.oauth.verifyAccessToken(tokens.access_token)).toBeNull();
      await expect(refresh(w, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    } finally {
      await platform.db.updateTable("extensions").set({ suspended_at: null }).where("id", "=", p.extensionId).execute();
    }
  });
});
