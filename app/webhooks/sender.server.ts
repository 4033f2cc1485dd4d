/**
 * One HTTP POST of a webhook: no redirects followed, a hard deadline over the
 * whole exchange (connect, headers and the part of the body we read), DNS
 * through the SSRF guard, and only the first KB of the response kept.
 */
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { RESPONSE_EXCERPT_BYTES } from "./webhooks.schema";
import { blockedAddressReason, guardedLookup, type Resolver, type TargetPolicy } from "./ssrf.server";

export type SendResult = {
  /** the response status, or null when none came (refused, timed out, connection error) */
  statusCode: number | null;
  durationMs: number;
  /** the first {@link RESPONSE_EXCERPT_BYTES} bytes of the body (UTF-8, cut on a character boundary) */
  excerpt: string | null;
  /** the `Retry-After` header in milliseconds, when the receiver sent one */
  retryAfterMs: number | null;
  error: string | null;
  timedOut: boolean;
  /** the target was refused by the SSRF guard (no connection was made) */
  blocked: boolean;
};

export type SendInput = {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: TargetPolicy;
  resolve?: Resolver;
};

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

function excerptOf(chunks: Buffer[]): string {
  const buf = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES);
  let text = buf.toString("utf8");
  // A multi-byte character cut at the edge decodes as U+FFFD; drop it and stay within the byte budget.
  while (Buffer.byteLength(text) > RESPONSE_EXCERPT_BYTES || text.endsWith("\uFFFD")) text = text.slice(0, -1);
  return text;
}

/** POSTs `body` to `url`; never throws — every failure is in the result. */
export function sendWebhook(input: SendInput): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Partial<SendResult>): SendResult => ({
    statusCode: null,
    excerpt: null,
    retryAfterMs: null,
    error: null,
    timedOut: false,
    blocked: false,
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return Promise.resolve(done({ error: "invalid URL", blocked: true }));
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && input.policy.allowHttp)) {
    return Promise.resolve(done({ error: `refused: ${url.protocol} is not allowed`, blocked: true }));
  }
  // An IP literal never goes through `lookup`, so it is checked here.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const why = blockedAddressReason(host, input.policy);
    if (why) return Promise.resolve(done({ error: `refused to connect: ${why}`, blocked: true }));
  }

  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Partial<SendResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, {
      method: "POST",
      headers: { ...input.headers, "content-length": String(Buffer.byteLength(input.body)) },
      lookup: guardedLookup(input.policy, input.resolve) as never,
      agent: false,
    });
    const timer = setTimeout(() => {
      finish({ error: `timed out after ${input.timeoutMs} ms`, timedOut: true });
      req.destroy();
    }, input.timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => {
      finish({ error: e.message, blocked: e.code === "EBLOCKEDADDRESS" });
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
      const complete = () => {
        finish({ statusCode: res.statusCode ?? null, excerpt: excerptOf(chunks), retryAfterMs });
        res.destroy();
      };
      res.on("data", (chunk: Buffer) => {
        if (kept < RESPONSE_EXCERPT_BYTES + 4) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        // Enough for the excerpt: stop reading a large (or endless) body.
        if (kept >= RESPONSE_EXCERPT_BYTES + 4) complete();
      });
      res.on("end", complete);
      res.on("error", complete);
    });
    req.end(input.body);
  });
}
