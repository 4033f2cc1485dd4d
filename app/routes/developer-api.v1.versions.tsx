/**
 * POST /developer-api/v1/versions — publishes a version (`bazaar-plugin
 * publish`): `{ manifest, bundle }` as JSON, `Authorization: Bearer bzdev_…`
 * (a developer API token of the vendor). 201 with the version; its automated
 * checks start at once — poll GET /developer-api/v1/versions/:id.
 * Bearer-authenticated, never the session cookie: exempt from CSRF.
 */
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { AppError } from "~/lib/errors";
import { developerApi, publishWithToken, readJsonBody } from "~/marketplace/index.server";

export async function loader() {
  throw new AppError("not_found", "POST a version here; GET /developer-api/v1/versions/:id reads one.");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { db, config } = context.platform;
  return developerApi(request, db, async (principal) => {
    if (request.method !== "POST") throw new AppError("not_found", "Not found");
    const body = await readJsonBody(request);
    const version = await publishWithToken(db, principal, { manifest: body.manifest, bundle: body.bundle }, { publicUrl: config.publicUrl });
    return json({ version }, { status: 201, headers: { Location: `/developer-api/v1/versions/${version.id}` } });
  });
}
