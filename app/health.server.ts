import { sql } from "kysely";
import type { Platform } from "./platform.server";

/** `{db:"ok",queue:"ok"}` when both answer; otherwise names what is down. */
export async function health(platform: Platform): Promise<{ ok: boolean; body: Record<string, string> }> {
  const timeout = <T,>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("timeout")), ms).unref())]);
  const [db, queue] = await Promise.all([
    timeout(sql`SELECT 1`.execute(platform.db), 2000).then(() => "ok", () => "down"),
    timeout(platform.jobs.ping(), 2000).then((ok) => (ok ? "ok" : "down"), () => "down"),
  ]);
  return { ok: db === "ok" && queue === "ok", body: { db, queue } };
}
