/**
 * Every Remix action refuses a POST without CSRF proof with 403, before the
 * action (or its guards) runs — generated from the route table of the real
 * build, so a new route with an action is covered without anyone remembering.
 * The POSTs are Remix data requests (`?_data=<route id>`, what a JS form
 * submission sends), which return the action's own answer; a document POST
 * additionally runs the layout loaders, whose guards may answer first with a
 * redirect to the login page.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { isCsrfExempt } from "../app/http/origin-guard.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";
import { startTestServer, createClient, type TestServer } from "./support/server";
import { ROOT } from "./support/paths";

let platform: TestPlatform;
let server: TestServer;
let actionPaths: string[] = [];

function fullPath(build: ServerBuild, id: string): string {
  const route = build.routes[id];
  const own = route.path ?? "";
  const parent = route.parentId ? fullPath(build, route.parentId) : "";
  return [parent, own].filter(Boolean).join("/").replace(/\/+/g, "/");
}

beforeAll(async () => {
  platform = await createTestPlatform();
  server = await startTestServer(platform);
  const build = (await import(pathToFileURL(path.join(ROOT, "build", "index.js")).href)) as ServerBuild;
  actionPaths = Object.entries(build.routes)
    .filter(([, r]) => (r.module as { action?: unknown }).action)
    .map(([id, r]) => {
      const p = "/" + fullPath(build, id).replace(/:[A-Za-z]+/g, "x1").replace(/\*$/, "x1").replace(/^\//, "");
      return isCsrfExempt(p) ? null : `${p}?${r.index ? "index&" : ""}_data=${encodeURIComponent(id)}`;
    })
    .filter((p): p is string => p !== null);
});

afterAll(async () => {
  await server?.close();
  await platform?.close();
});

it("finds the action routes", () => {
  expect(actionPaths).toContain("/login?_data=routes%2Flogin");
  expect(actionPaths).toContain("/signup?_data=routes%2Fsignup");
  expect(actionPaths.length).toBeGreaterThan(10);
});

it("refuses every action POST without a token with 403", async () => {
  const failures: string[] = [];
  for (const p of actionPaths) {
    const res = await fetch(server.url + p, {
      method: "POST",
      body: new URLSearchParams({ anything: "1" }),
      redirect: "manual",
    });
    if (res.status !== 403) failures.push(`${p} → ${res.status}`);
  }
  expect(failures).toEqual([]);
});

it("refuses a token that does not match the cookie, and a JSON body without the header", async () => {
  const client = createClient(server.url);
  await client.get("/login");
  for (const p of actionPaths.slice(0, 5)) {
    const wrong = await fetch(server.url + p, {
      method: "POST",
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; "), "content-type": "application/x-www-form-urlencoded" },
      body: "_csrf=forged.token",
      redirect: "manual",
    });
    expect(wrong.status, p).toBe(403);
    const asJson = await fetch(server.url + p, {
      method: "POST",
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; "), "content-type": "application/json" },
      body: JSON.stringify({ _csrf: "x" }),
      redirect: "manual",
    });
    expect(asJson.status, p).toBe(403);
  }
});
