/**
 * Development shops and listings: a vendor member opens a development shop
 * and installs the vendor's unapproved version there; the same version is
 * refused in a normal shop, in another developer's development shop, and to
 * a non-member; dev shops say so on the storefront and are not indexed; the
 * listing's Markdown is rendered sanitized and its icon verified and served.
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import { isAppError } from "../app/lib/errors";
import {
  createDevelopmentShop,
  getListingView,
  installExtension,
  installIntoDevelopmentShop,
  listDevelopmentShops,
  saveListing,
  submitVersion,
  uploadListingIcon,
} from "../app/marketplace/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";
import { createMerchantShop } from "./support/storefront-fixtures";
import { bundleOf, createMarketplace, type Marketplace } from "./extensions-fixtures";

let platform: TestPlatform;
let server: TestServer;
let m: Marketplace;
let versionId: string;
let extensionId: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  m = await createMarketplace(platform);
  const v = await submitVersion(platform.db, { id: m.developerId }, {
    vendorId: m.vendorId,
    manifest: { id: "devshop.try-me", name: "Try me", version: "0.1.0", apiVersion: "2026-11", hooks: ["checkout.discounts"], scopes: [], settings: [], retentionDays: 0 },
    bundle: bundleOf(`{ "checkout.discounts": () => null }`),
  });
  versionId = v.id;
  extensionId = v.extensionId;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await platform?.close();
});

async function errorOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(isAppError(e), String(e)).toBe(true);
  return e as { kind: string; code: string };
}

describe("development shops", () => {
  it("a vendor member installs an unapproved version in their own development shop", async () => {
    const shop = await createDevelopmentShop(platform.db, { id: m.developerId }, { name: "Dev playground", handle: "dev-playground" });
    expect((await listDevelopmentShops(platform.db, m.developerId)).map((s) => s.id)).toEqual([shop.id]);
    const row = await platform.db.selectFrom("shops").select("is_development").where("id", "=", shop.id).executeTakeFirstOrThrow();
    expect(row.is_development).toBe(true);
    const install = await installIntoDevelopmentShop(platform.db, { id: m.developerId }, { shopId: shop.id, versionId });
    expect(install).toMatchObject({ status: "active", versionId, shopId: shop.id });
    const audit = await platform.db.selectFrom("audit_log").select("details").where("action", "=", "extension.installed").where("target_id", "=", install.installId).executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ development: true });
  });

  it("the same unapproved version is refused in a normal shop, another developer's dev shop, and to a non-member", async () => {
    const normal = await createMerchantShop(platform);
    // even when the developer owns the normal shop
    await platform.db.insertInto("shop_members").values({ shop_id: normal.shop.id, user_id: m.developerId, role: "owner" }).execute();
    const e1 = await errorOf(installExtension(platform.db, { type: "user", id: m.developerId }, { shopId: normal.shop.id, versionId }));
    expect([e1.kind, e1.code]).toEqual(["unprocessable", "version_not_installable"]);

    const other = await createMarketplace(platform);
    const theirs = await createDevelopmentShop(platform.db, { id: other.developerId }, { name: "Their playground", handle: "their-playground" });
    const e2 = await errorOf(installExtension(platform.db, { type: "user", id: m.developerId }, { shopId: theirs.id, versionId }));
    expect([e2.kind, e2.code]).toEqual(["unprocessable", "version_not_installable"]);
    const e3 = await errorOf(installIntoDevelopmentShop(platform.db, { id: m.developerId }, { shopId: theirs.id, versionId }));
    expect(e3.kind).toBe("not_found");
    // the other developer is not a member of this vendor
    const e4 = await errorOf(installIntoDevelopmentShop(platform.db, { id: other.developerId }, { shopId: theirs.id, versionId }));
    expect([e4.kind, e4.code]).toEqual(["unprocessable", "version_not_installable"]);
    expect(await platform.db.selectFrom("installs").select("id").where("version_id", "=", versionId).where("shop_id", "in", [normal.shop.id, theirs.id]).execute()).toEqual([]);
  });

  it("only members of a vendor open development shops, and the flag never comes from a form", async () => {
    const stranger = await createUserAccount(platform.db, { email: "stranger@example.test", name: "Stranger", password: "correct horse battery", intent: "developer" });
    const e = await errorOf(createDevelopmentShop(platform.db, stranger, { name: "Nope", handle: "nope-shop" }));
    expect([e.kind, e.code]).toEqual(["forbidden", "not_a_developer"]);
  });

  it("the storefront of a development shop says so and asks not to be indexed", async () => {
    const shop = await createDevelopmentShop(platform.db, { id: m.developerId }, { name: "Banner test", handle: "banner-test" });
    const res = await fetch(`${server.url}/s/${shop.handle}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Development shop");
    expect(html).toMatch(/<meta name="robots" content="noindex, nofollow"/);
    const normal = await createMerchantShop(platform);
    const normalHtml = await (await fetch(`${server.url}/s/${normal.shop.handle}`)).text();
    expect(normalHtml).not.toContain("dev-shop-banner");
  });
});

describe("listings", () => {
  it("saves the listing, renders its Markdown sanitized, and refuses bad fields", async () => {
    const e = await errorOf(saveListing(platform.db, { id: m.developerId }, extensionId, { name: "", category: "games", pricingLabel: "", supportContact: "not contact" }));
    expect(e.kind).toBe("bad_request");
    const listing = await saveListing(platform.db, { id: m.developerId }, extensionId, {
      name: "Try me",
      tagline: "A test listing",
      description: "**Bold** claims.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>",
      category: "promotions",
      pricingLabel: "Free",
      supportContact: "help@example.test",
    });
    expect(listing).toMatchObject({ name: "Try me", tagline: "A test listing", category: "promotions", categoryLabel: "Promotions", pricingLabel: "Free", supportContact: "help@example.test" });
    expect(listing.descriptionHtml).toContain("<strong>Bold</strong>");
    expect(listing.descriptionHtml).not.toMatch(/script|onerror|<img/);
  });

  it("verifies, re-encodes and serves the icon; a non-image is refused", async () => {
    const e = await errorOf(uploadListingIcon(platform, { id: m.developerId }, extensionId, new TextEncoder().encode("<svg onload=alert(1)>")));
    expect(e.kind).toBe("bad_request");
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#3a7" } }).png().toBuffer();
    const url = await uploadListingIcon(platform, { id: m.developerId }, extensionId, new Uint8Array(png));
    expect(url).toMatch(/^\/developers\/icons\/[0-9a-f]{64}\.webp$/);
    expect((await getListingView(platform.db, extensionId))!.iconUrl).toBe(url);
    const res = await fetch(`${server.url}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 256, 256]);
    expect((await fetch(`${server.url}/developers/icons/${"0".repeat(64)}.webp`)).status).toBe(404);
  });
});
