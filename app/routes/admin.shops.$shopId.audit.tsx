/**
 * /admin/shops/:shopId/audit: the shop's audit log (owner only), newest
 * first, 50 a page with an id cursor.
 */
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { AUDIT_PAGE_SIZE, AuditCursor, listShopAudit } from "~/audit/index.server";
import { AuditTable } from "~/components/audit-table";
import { RouteErrorCard } from "~/components/route-error";
import { AppError } from "~/lib/errors";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const cursor = AuditCursor.safeParse(new URL(request.url).searchParams.get("before"));
  if (!cursor.success) throw new AppError("bad_request", "Not a valid page cursor");
  const page = await listShopAudit(context.platform.db, shop.id, { before: cursor.data, limit: AUDIT_PAGE_SIZE });
  return json({ ...page, isFirstPage: !cursor.data });
}

export default function ShopAuditPage() {
  const { entries, nextBefore, isFirstPage } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Everything done in this shop — by people, the platform and extensions — newest first.</p>
      <AuditTable entries={entries} nextBefore={nextBefore} isFirstPage={isFirstPage} />
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
