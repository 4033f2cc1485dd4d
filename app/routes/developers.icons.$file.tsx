/**
 * /developers/icons/:file — an extension listing's icon (a 256×256 WebP,
 * content-addressed: the name is its SHA-256, so it is cached forever).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { AppError } from "~/lib/errors";
import { getIconForServing } from "~/marketplace/index.server";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const icon = await getIconForServing(context.platform, params.file ?? "");
  if (!icon) throw new AppError("not_found", "Icon not found");
  return new Response(createReadableStreamFromReadable(icon.stream), {
    status: 200,
    headers: {
      "Content-Type": "image/webp",
      "Content-Length": String(icon.size),
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    },
  });
}
