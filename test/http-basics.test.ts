/**
 * The basics every page relies on, over real HTTP against the production
 * express app (server.ts) and Remix build: health, a 404 that leaks nothing,
 * CSRF on cookie-authenticated forms (token and Origin), the sign-in guard,
 * and the development mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import { createSession, SESSION_COOKIE } from "../app/accounts/session.server";
import { notify } from "../app/notifications/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { createClient, startTestServer, type TestServer } from "./support/server";
import { allowConsoleError } from "./support/setup-file";

let platform: TestPlatform;
let server: TestServer;

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
});

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

/** A client already signed in as a new user (a session made the way sign-in makes it). */
async function signedInClient(email: string) {
  const user = await createUserAccount(platform.db, { email, name: email.split("@")[0], password: "correct horse battery", intent: "buyer" });
  const { token } = await createSession(platform.db, user.id);
  const client = createClient(server.url);
  client.cookies.set(SESSION_COOKIE, token);
  return { user, client };
}

function expectNoLeaks(body: string) {
  expect(body).not.toMatch(/\n\s+at\s/); // stack frames
  expect(body).not.toMatch(/\/work\/|node_modules|\.tsx?\b|file:\/\//); // file paths
}

describe("http basics", () => {
  it("GET /healthz answers 200 when the database and queue are up", async () => {
    const res = await createClient(server.url).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ db: "ok", queue: "ok" });
  });

  it("an unknown path is a 404 page with no stack trace or file path", async () => {
    // Remix's default handleError console.errors every unmatched URL; until the
    // app quiets 4xx there (entry.server handleError), allow it here.
    allowConsoleError();
    const res = await createClient(server.url).get("/no/such/page-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.body).toContain("Page not found");
    expectNoLeaks(res.body);
  });

  it("a bad page cursor is a 400, not a 500", async () => {
    const res = await createClient(server.url).get("/dev/mailbox?before=%27%20OR%201%3D1--");
    expect(res.status).toBe(400);
    expectNoLeaks(res.body);
  });

  it("/notifications sends a signed-out visitor to /login", async () => {
    const client = createClient(server.url);
    const get = await client.get("/notifications");
    expect([302, 303]).toContain(get.status);
    expect(get.location).toMatch(/^\/login(\?|$)/);
    // Without a CSRF cookie the central check answers first (403); with one, the guard redirects.
    const noToken = await client.post("/notifications", { intent: "read-all" });
    expect(noToken.status).toBe(403);
    await client.get("/login");
    const post = await client.post("/notifications", { intent: "read-all" });
    expect([302, 303]).toContain(post.status);
    expect(post.location).toMatch(/^\/login(\?|$)/);
  });

  it("CSRF on the log-in form: no _csrf field → 403, foreign Origin → 403 even with the token", async () => {
    const client = createClient(server.url);
    expect((await client.get("/login")).status).toBe(200);
    const form = { email: "nobody@example.test", password: "whatever-password" };
    expect((await client.post("/login", form, { csrf: false })).status).toBe(403);
    expect((await client.post("/login", form, { headers: { Origin: "https://evil.example" } })).status).toBe(403);
    // The same form with the token from the same origin gets past CSRF to the password check.
    const ok = await client.post("/login", form, { headers: { Origin: server.url } });
    expect(ok.status).not.toBe(403);
  });

  describe("CSRF on a cookie-authenticated form (mark all read)", () => {
    it("refuses a POST without the _csrf field with 403, and changes nothing", async () => {
      const { user, client } = await signedInClient("csrf-missing@example.test");
      await notify(platform.db, { userId: user.id, kind: "a.b", title: "unread", body: "" });
      expect((await client.get("/notifications")).status).toBe(200);
      expect(client.cookies.get("bz_csrf")).toBeTruthy();

      const res = await client.post("/notifications", { intent: "read-all" }, { csrf: false });
      expect(res.status).toBe(403);
      expectNoLeaks(res.body);
      const page = await client.get("/notifications");
      expect(page.body).toContain("1 unread");
    });

    it("refuses a POST whose token does not match the cookie", async () => {
      const { client } = await signedInClient("csrf-wrong@example.test");
      await client.get("/notifications");
      const res = await client.post("/notifications", { intent: "read-all", _csrf: "forged.value" });
      expect(res.status).toBe(403);
    });

    it("refuses a POST from another origin with 403 even with a valid token", async () => {
      const { client } = await signedInClient("csrf-origin@example.test");
      await client.get("/notifications");
      const res = await client.post("/notifications", { intent: "read-all" }, { headers: { Origin: "https://evil.example" } });
      expect(res.status).toBe(403);
    });

    it("accepts the same POST with the token from the same origin", async () => {
      const { user, client } = await signedInClient("csrf-ok@example.test");
      const { notificationId } = await notify(platform.db, { userId: user.id, kind: "a.b", title: "to read", body: "" });
      await client.get("/notifications");
      const res = await client.post("/notifications", { intent: "read", id: notificationId }, { headers: { Origin: server.url } });
      expect(res.status).toBe(303);
      expect(res.location).toBe("/notifications");
      const row = await platform.db.selectFrom("notifications").select("read_at").where("id", "=", notificationId).executeTakeFirstOrThrow();
      expect(row.read_at).toBeInstanceOf(Date);
    });
  });

  it("/notifications lists the user's own notifications only", async () => {
    const { user, client } = await signedInClient("lister@example.test");
    const other = await createUserAccount(platform.db, { email: "other@example.test", name: "Other", password: "correct horse battery", intent: "buyer" });
    await notify(platform.db, { userId: user.id, kind: "order.paid", title: "Mine: order paid", body: "Yours", link: "/orders/1" });
    await notify(platform.db, { userId: other.id, kind: "order.paid", title: "Someone else's", body: "Not yours" });
    const res = await client.get("/notifications");
    expect(res.status).toBe(200);
    expect(res.body).toContain("Mine: order paid");
    expect(res.body).toContain('href="/orders/1"');
    expect(res.body).not.toContain("Someone else&#x27;s");
    expect(res.body).not.toContain("Someone else's");
  });

  it("/dev/mailbox lists a mail after notify, with links clickable and markup escaped", async () => {
    const user = await createUserAccount(platform.db, { email: "mailbox@example.test", name: "Mailbox", password: "correct horse battery", intent: "buyer" });
    await notify(platform.db, {
      userId: user.id,
      kind: "order.shipped",
      title: "Your order shipped",
      body: 'Track it at https://track.example/p?id=1&x=2. <script>alert("x")</script>',
      email: true,
    });
    const res = await createClient(server.url).get("/dev/mailbox");
    expect(res.status).toBe(200);
    expect(res.body).toContain("Your order shipped");
    expect(res.body).toContain("mailbox@example.test");
    expect(res.body).toContain('<a href="https://track.example/p?id=1&amp;x=2" target="_blank" rel="noopener noreferrer nofollow">');
    expect(res.body).toContain("&lt;script&gt;alert(");
    expect(res.body).not.toContain('<script>alert("x")');
  });
});

describe("in production", () => {
  let prod: TestPlatform;
  let prodServer: TestServer;
  beforeAll(async () => {
    prod = await createTestPlatform({ env: "production" });
    prodServer = await startTestServer(prod);
  });
  afterAll(async () => {
    await prodServer?.close();
    await prod?.close();
  });

  it("the development mailbox does not exist", async () => {
    const res = await createClient(prodServer.url).get("/dev/mailbox");
    expect(res.status).toBe(404);
    expectNoLeaks(res.body);
  });
});
