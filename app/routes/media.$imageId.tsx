/**
 * /media/:imageId[?w=320] — a stored image, or a resized WebP variant of it.
 * Image ids are content-bound (an id's bytes never change), so responses
 * are cacheable forever; `nosniff` and a no-op CSP keep a browser from ever
 * treating the bytes as anything but the declared image.
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { getImageForServing } from "~/catalog/index.server";
import { AppError } from "~/lib/errors";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const w = new URL(request.url).searchParams.get("w");
  if (w !== null && !/^\d{1,4}$/.test(w)) throw new AppError("bad_request", "w must be a width in pixels");
  const image = await getImageForServing(context.platform, params.imageId ?? "", w === null ? undefined : Number(w));
  if (!image) throw new AppError("not_found", "Image not found");
  return new Response(createReadableStreamFromReadable(image.stream), {
    status: 200,
    headers: {
      "Content-Type": image.contentType,
      "Content-Length": String(image.size),
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cross-Origin-Resource-Policy": "cross-origin",
    },
  });
}
