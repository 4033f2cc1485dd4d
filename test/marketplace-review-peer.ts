/**
 * A second platform process for the suspension test
 * (test/marketplace-review-suspension.test.ts): it opens the same PostgreSQL
 * database as the test, with its own extension host (its own runner
 * processes), and serves requests read line by line from stdin:
 *
 * - `{ "id": 1, "op": "quote", "shopId": "shp_…", "user": { id, email, name } }`
 *   → a checkout quote through `createQuote` (the web process's path);
 * - `{ "id": 2, "op": "hook", "job": { installId, hook, event } }`
 *   → one asynchronous hook delivery (the worker process's path).
 *
 * Each answer is one JSON line on stdout. Run: `node --no-node-snapshot --import tsx test/marketplace-review-peer.ts`
 * with PEER_DATABASE_URL (and PEER_QUEUE_PREFIX) set.
 */
import readline from "node:readline";
import { createQuote } from "../app/checkout/index.server";
import { createExtensionHost } from "../app/extensions/host.server";
import { createPlatform } from "../app/platform.server";
import { testConfig } from "./support/platform";

const url = process.env.PEER_DATABASE_URL;
if (!url) throw new Error("PEER_DATABASE_URL is required");
const platform = await createPlatform(testConfig({ databaseUrl: url, mode: "services" }), { migrate: false, queuePrefix: process.env.PEER_QUEUE_PREFIX });
const limits = { cpuMs: 2_000, wallMs: 10_000 };
platform.extensions = createExtensionHost(platform, {
  runners: 1,
  limits: Object.fromEntries(["checkout.discounts", "order.paid", "order.completed", "order.refunded", "customer.created", "storefront.blocks"].map((h) => [h, limits])),
});

const out = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
out({ ready: true, pid: process.pid });

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let req: { id: number; op: string; shopId?: string; user?: { id: string; email: string; name: string }; job?: never };
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  try {
    if (req.op === "quote") {
      const quote = await createQuote(platform, { shopId: req.shopId!, user: req.user! });
      const sources = quote.adjustments
        .filter((a) => a.kind === "discount")
        .map((a) => (a as { source?: { type: string; installId?: string } }).source)
        .filter((s) => s?.type === "extension")
        .map((s) => s!.installId);
      out({ id: req.id, ok: true, pid: process.pid, discountTotal: quote.discountTotal, sources });
    } else if (req.op === "hook") {
      const r = await platform.extensions.runAsyncHook(req.job!);
      out({ id: req.id, ok: true, pid: process.pid, status: r.status, outcome: r.outcome });
    } else if (req.op === "exit") {
      rl.close();
    }
  } catch (e) {
    out({ id: req.id, ok: false, error: String(e) });
  }
});
rl.on("close", async () => {
  await platform.close();
  process.exit(0);
});
