/**
 * GET /admin/shops/:shopId/extensions/:installId/export — the extension's
 * data in this shop (its storage and counters) as a JSON download, for the
 * shop's owner, while installed and after an uninstall until the retention
 * job deleted it. Audited. A resource route: no page of its own.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireShopMember } from "~/accounts/index.server";
import { exportInstallData } from "~/marketplace/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const file = await exportInstallData(context.platform.db, { type: "user", id: user.id }, shop.id, params.installId ?? "");
  const name = `${file.install.extension}-${file.install.id}-${file.exportedAt.slice(0, 10)}.json`.replace(/[^a-zA-Z0-9._-]/g, "_");
  return new Response(JSON.stringify(file, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
