/**
 * Shops through their routes: opening a shop, the member guard (404 for
 * strangers, 403 for staff on owner pages), staff invitations end to end,
 * removing staff, and the services other modules call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { TestClient, auditActions, bodyOf, lastMailTo } from "./accounts-helpers";
import * as loginRoute from "../app/routes/login";
import * as signupRoute from "../app/routes/signup";
import * as adminRoute from "../app/routes/admin._index";
import * as shopLayout from "../app/routes/admin.shops.$shopId";
import * as overviewRoute from "../app/routes/admin.shops.$shopId._index";
import * as staffRoute from "../app/routes/admin.shops.$shopId.staff";
import * as auditRoute from "../app/routes/admin.shops.$shopId.audit";
import * as settingsRoute from "../app/routes/admin.shops.$shopId.settings";
import * as inviteRoute from "../app/routes/invites.$token";
import { createUserAccount } from "../app/accounts/index.server";
import { createShop, ensureShopCustomer, getShop, getShopByHandle, listShopsForUser } from "../app/shops/index.server";

let platform: TestPlatform;
const PASSWORD = "correct horse battery";
let ipCounter = 1;

beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

function client(): TestClient {
  return new TestClient(platform, `10.2.0.${ipCounter++}`);
}

async function userWithClient(email: string, intent: "buyer" | "merchant" = "merchant") {
  const user = await createUserAccount(platform.db, { email, name: email.split("@")[0], password: PASSWORD, intent });
  const c = client();
  const res = await c.post(loginRoute, "/login", { email, password: PASSWORD });
  expect(res.status).toBe(303);
  return { user, c };
}

async function membership(shopId: string, userId: string) {
  return platform.db.selectFrom("shop_members").select("role").where("shop_id", "=", shopId).where("user_id", "=", userId).executeTakeFirst();
}

describe("opening a shop", () => {
  it("creates the shop with the creator as owner, records shop.created, and redirects to its admin", async () => {
    const { user, c } = await userWithClient("opener@example.com");
    const res = await c.post(adminRoute, "/admin", { name: "Tea House", handle: "Tea-House", currency: "JPY" });
    expect(res.status).toBe(303);
    const shopId = res.headers.get("location")!.replace("/admin/shops/", "");
    const shop = await getShop(platform.db, shopId);
    expect(shop).toMatchObject({ name: "Tea House", handle: "tea-house", currency: "JPY", isDevelopment: false, status: "active" });
    expect(await membership(shopId, user.id)).toEqual({ role: "owner" });
    expect(await auditActions(platform, { shopId })).toEqual(["shop.created"]);
    const listed = await bodyOf(await c.get(adminRoute, "/admin"));
    expect(listed.shops).toEqual([{ id: shopId, name: "Tea House", handle: "tea-house", currency: "JPY", role: "owner", isDevelopment: false }]);
    expect((await getShopByHandle(platform.db, "tea-house"))?.id).toBe(shopId);
    expect(await getShopByHandle(platform.db, "no-such-shop")).toBeNull();
  });

  it("defaults the currency to CNY and ignores an isDevelopment field from the form", async () => {
    const { c } = await userWithClient("defaults@example.com");
    const res = await c.post(adminRoute, "/admin", { name: "Plain", handle: "plain-shop", isDevelopment: "true", is_development: "on" });
    const shop = await getShop(platform.db, res.headers.get("location")!.replace("/admin/shops/", ""));
    expect(shop).toMatchObject({ currency: "CNY", isDevelopment: false });
  });

  it("answers 400 with field errors for a bad handle, name and currency", async () => {
    const { c } = await userWithClient("bad-shop@example.com");
    for (const handle of ["ab", "-lead", "trail-", "has space", "UPPER_CASE", "x".repeat(41)]) {
      const res = await c.post(adminRoute, "/admin", { name: "Shop", handle, currency: "CNY" });
      expect(res.status, handle).toBe(400);
      expect(Object.keys((await bodyOf(res)).fieldErrors), handle).toEqual(["handle"]);
    }
    const res = await c.post(adminRoute, "/admin", { name: "", handle: "fine-handle", currency: "XXX" });
    expect(res.status).toBe(400);
    expect(Object.keys((await bodyOf(res)).fieldErrors).sort()).toEqual(["currency", "name"]);
  });

  it("answers 400 with a field error on handle when it is taken", async () => {
    const { c } = await userWithClient("second@example.com");
    expect((await c.post(adminRoute, "/admin", { name: "First", handle: "taken-handle" })).status).toBe(303);
    const res = await c.post(adminRoute, "/admin", { name: "Second", handle: "Taken-Handle" });
    expect(res.status).toBe(400);
    expect((await bodyOf(res)).fieldErrors).toEqual({ handle: ["That handle is taken. Try another one."] });
  });
});

describe("the member guard", () => {
  it("answers 404 to a signed-in stranger on every shop page and action, same as for a shop that does not exist", async () => {
    const { user: owner } = await userWithClient("guard-owner@example.com");
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Guarded", handle: "guarded" });
    const { c: stranger } = await userWithClient("stranger@example.com");
    const params = { shopId: shop.id };
    const base = `/admin/shops/${shop.id}`;
    for (const [mod, path] of [
      [shopLayout, base],
      [overviewRoute, base],
      [staffRoute, `${base}/staff`],
      [auditRoute, `${base}/audit`],
      [settingsRoute, `${base}/settings`],
    ] as const) {
      expect((await stranger.get(mod, path, params)).status, path).toBe(404);
    }
    expect((await stranger.post(staffRoute, `${base}/staff`, { intent: "invite", email: "x@example.com" }, { params })).status).toBe(404);
    expect((await stranger.post(settingsRoute, `${base}/settings`, { name: "Hijacked" }, { params })).status).toBe(404);
    expect((await getShop(platform.db, shop.id))?.name).toBe("Guarded");
    // A made-up id reads the same.
    expect((await stranger.get(overviewRoute, "/admin/shops/shp_nope", { shopId: "shp_nope" })).status).toBe(404);
    // A visitor is sent to log in.
    const visitor = await client().get(overviewRoute, base, params);
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(base)}`);
  });
});

describe("staff invitations", () => {
  function tokenFrom(text: string): string {
    const m = text.match(/\/invites\/([A-Za-z0-9_-]+)/);
    if (!m) throw new Error(`no invite link in: ${text}`);
    return m[1];
  }

  it("invite → sign up with the invited address → accept → staff, with audit rows and a notice to the owner", async () => {
    const { user: owner, c: ownerClient } = await userWithClient("inviter@example.com");
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Noodle Bar", handle: "noodle-bar" });
    const params = { shopId: shop.id };
    const staffPath = `/admin/shops/${shop.id}/staff`;

    const sent = await ownerClient.post(staffRoute, staffPath, { intent: "invite", email: " New.Staff@Example.com " }, { params });
    expect(sent.status).toBe(200);
    expect(await bodyOf(sent)).toEqual({ ok: true, message: "Invitation sent to new.staff@example.com." });
    const mail = await lastMailTo(platform, "new.staff@example.com");
    expect(mail?.subject).toContain("Noodle Bar");
    const token = tokenFrom(mail!.text);
    const invitePath = `/invites/${token}`;
    const team = await bodyOf(await ownerClient.get(staffRoute, staffPath, params));
    expect(team.invites.map((i: any) => i.email)).toEqual(["new.staff@example.com"]);

    // A visitor sees the invitation and is asked to sign up.
    const visitor = client();
    const seen = await bodyOf(await visitor.get(inviteRoute, invitePath, { token }));
    expect(seen.invitation).toMatchObject({ state: "pending", shopName: "Noodle Bar", role: "staff", email: "new.staff@example.com", viewer: "anonymous", accountExists: false });
    // Accepting needs a session.
    const anon = await visitor.post(inviteRoute, invitePath, {}, { params: { token } });
    expect(anon.status).toBe(302);
    expect(anon.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(invitePath)}`);

    // Someone signed in with another address cannot take it.
    const { c: other } = await userWithClient("someone-else@example.com");
    expect((await bodyOf(await other.get(inviteRoute, invitePath, { token }))).invitation.viewer).toBe("mismatch");
    expect((await other.post(inviteRoute, invitePath, {}, { params: { token } })).status).toBe(403);

    // Sign up with the invited address; sign-up brings them back to the invitation.
    const signed = await visitor.post(signupRoute, "/signup", { name: "New Staff", email: "new.staff@example.com", password: "a long password", intent: "merchant", redirectTo: invitePath });
    expect(signed.headers.get("location")).toBe(invitePath);
    expect((await bodyOf(await visitor.get(inviteRoute, invitePath, { token }))).invitation.viewer).toBe("match");
    const accepted = await visitor.post(inviteRoute, invitePath, {}, { params: { token } });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe(`/admin/shops/${shop.id}`);

    const staffUser = await platform.db.selectFrom("users").select("id").where("email", "=", "new.staff@example.com").executeTakeFirstOrThrow();
    expect(await membership(shop.id, staffUser.id)).toEqual({ role: "staff" });
    expect(await auditActions(platform, { shopId: shop.id })).toEqual(["shop.created", "shop.staff_invited", "shop.staff_joined"]);
    const notice = await platform.db.selectFrom("notifications").select(["kind", "link"]).where("user_id", "=", owner.id).execute();
    expect(notice).toEqual([{ kind: "shop.staff_joined", link: staffPath }]);

    // The link is used up.
    expect((await visitor.post(inviteRoute, invitePath, {}, { params: { token } })).status).toBe(400);
    expect((await bodyOf(await visitor.get(inviteRoute, invitePath, { token }))).invitation).toEqual({ state: "invalid" });

    // Staff see the shop and the team, but not the owner's pages or actions.
    expect((await visitor.get(overviewRoute, `/admin/shops/${shop.id}`, params)).status).toBe(200);
    const staffView = await bodyOf(await visitor.get(staffRoute, staffPath, params));
    expect(staffView.isOwner).toBe(false);
    expect((await visitor.get(auditRoute, `/admin/shops/${shop.id}/audit`, params)).status).toBe(403);
    expect((await visitor.get(settingsRoute, `/admin/shops/${shop.id}/settings`, params)).status).toBe(403);
    expect((await visitor.post(settingsRoute, `/admin/shops/${shop.id}/settings`, { name: "Mine now" }, { params })).status).toBe(403);
    expect((await visitor.post(staffRoute, staffPath, { intent: "invite", email: "friend@example.com" }, { params })).status).toBe(403);
    expect((await visitor.post(staffRoute, staffPath, { intent: "remove", userId: owner.id }, { params })).status).toBe(403);
    const layout = await bodyOf(await visitor.get(shopLayout, `/admin/shops/${shop.id}`, params));
    expect(layout.role).toBe("staff");

    // The owner cannot be removed; staff can, and then the shop is a 404 for them.
    expect((await ownerClient.post(staffRoute, staffPath, { intent: "remove", userId: owner.id }, { params })).status).toBe(422);
    const removed = await ownerClient.post(staffRoute, staffPath, { intent: "remove", userId: staffUser.id }, { params });
    expect(removed.status).toBe(200);
    expect(await membership(shop.id, staffUser.id)).toBeUndefined();
    expect((await visitor.get(overviewRoute, `/admin/shops/${shop.id}`, params)).status).toBe(404);
    expect(await auditActions(platform, { shopId: shop.id })).toEqual(["shop.created", "shop.staff_invited", "shop.staff_joined", "shop.staff_removed"]);
  });

  it("an existing user logs in to accept; re-inviting replaces the older link; a withdrawn invitation stops working", async () => {
    const { user: owner, c: ownerClient } = await userWithClient("owner2@example.com");
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Dumplings", handle: "dumplings" });
    const params = { shopId: shop.id };
    const staffPath = `/admin/shops/${shop.id}/staff`;
    const { c: existing } = await userWithClient("existing@example.com");

    await ownerClient.post(staffRoute, staffPath, { intent: "invite", email: "existing@example.com" }, { params });
    const first = tokenFrom((await lastMailTo(platform, "existing@example.com"))!.text);
    await ownerClient.post(staffRoute, staffPath, { intent: "invite", email: "existing@example.com" }, { params });
    const second = tokenFrom((await lastMailTo(platform, "existing@example.com"))!.text);
    expect(second).not.toBe(first);
    expect((await bodyOf(await existing.get(inviteRoute, `/invites/${first}`, { token: first }))).invitation).toEqual({ state: "invalid" });
    const view = (await bodyOf(await existing.get(inviteRoute, `/invites/${second}`, { token: second }))).invitation;
    expect(view).toMatchObject({ state: "pending", viewer: "match", accountExists: true });

    // Withdraw it: the link stops working.
    const team = await bodyOf(await ownerClient.get(staffRoute, staffPath, params));
    expect(team.invites).toHaveLength(1);
    const revoked = await ownerClient.post(staffRoute, staffPath, { intent: "revoke-invite", inviteId: team.invites[0].id }, { params });
    expect(revoked.status).toBe(200);
    expect((await existing.post(inviteRoute, `/invites/${second}`, {}, { params: { token: second } })).status).toBe(400);
    expect(await auditActions(platform, { shopId: shop.id })).toEqual(["shop.created", "shop.staff_invited", "shop.staff_invited", "shop.invite_revoked"]);

    // Inviting someone who already is a member is a field error.
    const self = await ownerClient.post(staffRoute, staffPath, { intent: "invite", email: "owner2@example.com" }, { params });
    expect(self.status).toBe(400);
    expect(Object.keys((await bodyOf(self)).fieldErrors)).toEqual(["email"]);
  });

  it("refuses an expired invitation", async () => {
    const { user: owner, c: ownerClient } = await userWithClient("owner3@example.com");
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Bakery", handle: "bakery" });
    const { c: late } = await userWithClient("late-staff@example.com");
    await ownerClient.post(staffRoute, `/admin/shops/${shop.id}/staff`, { intent: "invite", email: "late-staff@example.com" }, { params: { shopId: shop.id } });
    const token = tokenFrom((await lastMailTo(platform, "late-staff@example.com"))!.text);
    await platform.db.updateTable("shop_invites").set({ expires_at: new Date(Date.now() - 1000) }).where("shop_id", "=", shop.id).execute();
    expect((await late.post(inviteRoute, `/invites/${token}`, {}, { params: { token } })).status).toBe(400);
  });
});

describe("settings", () => {
  it("the owner renames the shop; the handle and currency stay", async () => {
    const { user: owner, c } = await userWithClient("renamer@example.com");
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Old Name", handle: "renamed-shop", currency: "USD" });
    const res = await c.post(settingsRoute, `/admin/shops/${shop.id}/settings`, { name: "New Name", handle: "stolen", currency: "EUR" }, { params: { shopId: shop.id } });
    expect(res.status).toBe(200);
    expect(await getShop(platform.db, shop.id)).toMatchObject({ name: "New Name", handle: "renamed-shop", currency: "USD" });
    expect(await auditActions(platform, { shopId: shop.id })).toEqual(["shop.created", "shop.updated"]);
  });
});

describe("services for other modules", () => {
  it("ensureShopCustomer creates the record once and reports whether it did", async () => {
    const owner = await createUserAccount(platform.db, { email: "cust-owner@example.com", name: "O", password: PASSWORD, intent: "merchant" });
    const buyer = await createUserAccount(platform.db, { email: "cust-buyer@example.com", name: "Bo", password: PASSWORD, intent: "buyer" });
    const shop = await createShop(platform.db, { ownerId: owner.id, name: "Customers", handle: "customers" });
    const first = await platform.db.transaction().execute((trx) => ensureShopCustomer(trx, shop.id, buyer));
    const second = await platform.db.transaction().execute((trx) => ensureShopCustomer(trx, shop.id, buyer));
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    const rows = await platform.db.selectFrom("shop_customers").selectAll().where("shop_id", "=", shop.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: buyer.id, email: "cust-buyer@example.com", name: "Bo" });
  });

  it("createShop joins the caller's transaction (the seed's), and listShopsForUser shows staff shops too", async () => {
    const owner = await createUserAccount(platform.db, { email: "trx-owner@example.com", name: "O", password: PASSWORD, intent: "merchant" });
    await expect(
      platform.db.transaction().execute(async (trx) => {
        await createShop(trx, { ownerId: owner.id, name: "Rolled back", handle: "rolled-back" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await getShopByHandle(platform.db, "rolled-back")).toBeNull();
    expect(await listShopsForUser(platform.db, owner.id)).toEqual([]);
    const dev = await createShop(platform.db, { ownerId: owner.id, name: "Dev", handle: "dev-shop", isDevelopment: true });
    expect((await listShopsForUser(platform.db, owner.id)).map((s) => [s.handle, s.role, s.isDevelopment])).toEqual([["dev-shop", "owner", true]]);
    expect(dev.isDevelopment).toBe(true);
  });
});
