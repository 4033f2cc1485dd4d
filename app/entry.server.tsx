/**
 * Server rendering. Pages wait for all data (loaders return plain JSON, no
 * deferred data), which keeps responses simple for bots and browsers alike.
 * Security headers are set on every document.
 */
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { renderCacheOf, renderKey, setDocumentHeaders } from "./shelves/render-cache.server";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext?: AppLoadContext,
) {
  setDocumentHeaders(responseHeaders);
  // Storefront pages whose loader data an earlier render already saw reuse its HTML (app/shelves/render-cache.server.ts).
  const cache = loadContext?.platform ? renderCacheOf(loadContext.platform) : null;
  const key = cache?.enabled ? renderKey(request, responseStatusCode, remixContext) : null;
  const cached = key ? cache!.get(key) : null;
  if (cached !== null) return wholeDocument(cached, responseHeaders, responseStatusCode);

  return new Promise<Response>((resolve, reject) => {
    let failed = false;
    const timer = setTimeout(() => abort(), ABORT_DELAY);
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />,
      {
        onAllReady() {
          const body = new PassThrough();
          body.once("end", () => clearTimeout(timer)).once("close", () => clearTimeout(timer));
          if (key) {
            // A cacheable page: collect the whole document (it is all ready), remember it, send it.
            const chunks: Buffer[] = [];
            body.on("data", (chunk: Buffer) => chunks.push(chunk));
            body.once("end", () => {
              const html = Buffer.concat(chunks).toString("utf8");
              if (!failed) cache!.set(key, html);
              resolve(wholeDocument(html, responseHeaders, failed ? 500 : responseStatusCode));
            });
            pipe(body);
            return;
          }
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: failed ? 500 : responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          failed = true;
          console.error("[render]", error);
        },
      },
    );
  });
}

/** A document sent in one piece: with its length, so it goes out as one write instead of a chunked stream. */
function wholeDocument(html: string, headers: Headers, status: number): Response {
  headers.set("Content-Length", String(Buffer.byteLength(html)));
  return new Response(html, { headers, status });
}

/**
 * Remix logs every error it sees, including the 404s and 403s we throw on
 * purpose. Log only what is a server fault.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (error instanceof Response && error.status < 500) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  console.error("[remix]", error);
};
