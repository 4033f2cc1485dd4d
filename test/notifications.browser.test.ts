/**
 * The notification pages in a real browser (Debian chromium): the mailbox
 * expands a mail and its link is a real link; marking a notification read
 * works through Remix's client-side form submission, CSRF token included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createUserAccount } from "../app/accounts/index.server";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { notify } from "../app/notifications/index.server";
import { launchBrowser, screenshot } from "./support/browser";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, type TestServer } from "./support/server";

let platform: TestPlatform;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  browser = await launchBrowser();
});

/** A page that does not ask for /favicon.ico (there is none; its 404 would be logged). */
async function newPage(context: { newPage(): Promise<Page> }) {
  const page = await context.newPage();
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  return page;
}

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await platform?.close();
});

describe("notification pages in a browser", () => {
  it("the development mailbox expands a mail and links its URL", async () => {
    const user = await createUserAccount(platform.db, { email: "reader@example.test", name: "Reader", password: "correct horse battery", intent: "buyer" });
    await notify(platform.db, {
      userId: user.id,
      kind: "order.shipped",
      title: "Your parcel is on its way",
      body: "Track it at https://track.example/p/42 <b>not bold</b>",
      email: true,
    });
    const page = await newPage(browser);
    await page.goto(`${server.url}/dev/mailbox`);
    const mail = page.locator("details", { hasText: "Your parcel is on its way" });
    const link = mail.getByRole("link", { name: "https://track.example/p/42" });
    await expect(link.isVisible()).resolves.toBe(false);
    await mail.locator("summary").click();
    await expect(link.isVisible()).resolves.toBe(true);
    expect(await link.getAttribute("href")).toBe("https://track.example/p/42");
    expect(await mail.locator("b").count()).toBe(0);
    await expect(mail.locator("pre").innerText()).resolves.toContain("<b>not bold</b>");
    await screenshot(page, "dev-mailbox");
    await page.close();
  });

  it("marks a notification read from /notifications", async () => {
    const user = await createUserAccount(platform.db, { email: "clicker@example.test", name: "Clicker", password: "correct horse battery", intent: "buyer" });
    await notify(platform.db, { userId: user.id, kind: "shop.staff_added", title: "You joined Demo Store", body: "Welcome aboard." });
    await notify(platform.db, { userId: user.id, kind: "order.paid", title: "Order 7 was paid", body: "" });
    const { token } = await createSession(platform.db, user.id);
    const context = await browser.newContext();
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
    const page = await newPage(context);
    await page.goto(`${server.url}/notifications`);
    await expect(page.getByText("2 unread").isVisible()).resolves.toBe(true);
    await screenshot(page, "notifications-unread");

    const item = page.locator("li", { hasText: "Order 7 was paid" });
    await item.getByRole("button", { name: "Mark read" }).click();
    await page.getByText("1 unread").waitFor();
    await expect(item.getByRole("button", { name: "Mark read" }).count()).resolves.toBe(0);

    await page.getByRole("button", { name: "Mark all read" }).click();
    await page.getByText("unread", { exact: false }).waitFor({ state: "detached" });
    expect(await platform.db.selectFrom("notifications").select("id").where("user_id", "=", user.id).where("read_at", "is", null).execute()).toEqual([]);
    await screenshot(page, "notifications-read");
    await context.close();
  });
});
