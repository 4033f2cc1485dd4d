/**
 * Reading a multipart upload without letting a client make the server
 * buffer an unbounded body: the declared Content-Length is checked first,
 * and the body stream is counted as it is read and cut off at the cap —
 * `request.formData()` (undici) would otherwise buffer all of it. The CSRF
 * check is the usual one (`readForm`).
 */
import type { AppLoadContext } from "@remix-run/node";
import { readForm } from "../http/csrf.server";
import { AppError } from "../lib/errors";
import { MAX_IMAGE_BYTES } from "./images.service.server";

/** An upload's body: one 5 MB image (or several smaller ones) plus the form's other fields. */
export const MAX_UPLOAD_BODY = MAX_IMAGE_BYTES + 64 * 1024;

function tooLarge(): AppError {
  const message = "The upload is larger than 5 MB. Upload images of at most 5 MB each, one at a time if needed.";
  return new AppError("bad_request", message, { code: "payload_too_large", fieldErrors: { image: [message] } });
}

/** Wraps `body` so that reading more than `max` bytes fails (and marks `state.exceeded`). */
function limitStream(body: ReadableStream<Uint8Array>, max: number, state: { exceeded: boolean }): ReadableStream<Uint8Array> {
  let seen = 0;
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      seen += value.byteLength;
      if (seen > max) {
        state.exceeded = true;
        await reader.cancel().catch(() => {});
        return controller.error(new Error("body too large"));
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Reads a form POST — multipart or not — with a body cap, then checks CSRF.
 * Over the cap: 400 (`payload_too_large`) with a field error on `image`.
 *
 * @example
 * const form = await readLimitedForm(request, context);
 * const files = form.getAll("image").filter((f): f is File => typeof f !== "string");
 */
export async function readLimitedForm(request: Request, context: AppLoadContext, max = MAX_UPLOAD_BODY): Promise<FormData> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  if (!request.body) return readForm(request, context);
  const state = { exceeded: false };
  const limited = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: limitStream(request.body, max, state),
    signal: request.signal,
    // Node's fetch requires this for a streamed request body.
    duplex: "half",
  } as RequestInit & { duplex: "half" });
  try {
    return await readForm(limited, context);
  } catch (e) {
    if (state.exceeded) throw tooLarge();
    throw e;
  }
}
