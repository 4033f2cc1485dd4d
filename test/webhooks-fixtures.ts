/**
 * What the webhook tests share: a real local HTTP receiver whose answer per
 * path the test scripts, recording every request (headers, raw body, time
 * of arrival); a wait helper; and an extension published with given scopes.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { publish } from "../app/events/index.server";
import type { Platform } from "../app/platform.server";

export type Received = { path: string; headers: Record<string, string>; body: string; at: number };
/** What the receiver answers: a status (and headers/body), or "hang" to never answer. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export type Receiver = {
  url(path: string): string;
  /** answers for a path, used in turn; the last one repeats */
  script(path: string, answers: Answer[]): void;
  received(path: string): Received[];
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const scripts = new Map<string, Answer[]>();
  const log: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0];
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      log.push({ path, headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      const answers = scripts.get(path) ?? [{ status: 200 }];
      const answer = answers.length > 1 ? answers.shift()! : answers[0];
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
      res.end(answer.body ?? "ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    script: (path, answers) => void scripts.set(path, [...answers]),
    received: (path) => log.filter((r) => r.path === path),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Waits until `cond` holds (polling), failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Publishes an event of a shop straight to the outbox (what the shop core does in its transactions). */
export async function publishEvent(platform: Platform, shopId: string, name: string, payload: Record<string, unknown> = {}): Promise<string> {
  return publish(platform.db, { name, shopId, subjectId: (payload.orderId as string | undefined) ?? null, payload });
}

export async function deliveriesOf(platform: Platform, eventId: string) {
  return platform.db.selectFrom("webhook_deliveries").selectAll().where("event_id", "=", eventId).orderBy("id").execute();
}

export async function attemptsOf(platform: Platform, deliveryId: string) {
  return platform.db.selectFrom("webhook_attempts").selectAll().where("delivery_id", "=", deliveryId).orderBy("attempt").execute();
}
