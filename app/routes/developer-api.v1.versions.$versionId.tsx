/**
 * GET /developer-api/v1/versions/:versionId — a version of the token's
 * vendor with its status and check lines (another vendor's: 404).
 */
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { developerApi, getPublishedVersion } from "~/marketplace/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db, config } = context.platform;
  return developerApi(request, db, async (principal) =>
    json({ version: await getPublishedVersion(db, principal, params.versionId ?? "", { publicUrl: config.publicUrl }) }, { headers: { "Cache-Control": "no-store" } }),
  );
}
