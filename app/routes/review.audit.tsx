/**
 * /review/audit: the whole platform's audit log for reviewers, newest first,
 * 50 a page with an id cursor.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { AUDIT_PAGE_SIZE, AuditCursor, listPlatformAudit } from "~/audit/index.server";
import { AuditTable } from "~/components/audit-table";
import { TopBar } from "~/components/topbar";
import { AppError } from "~/lib/errors";

export const meta: MetaFunction = () => [{ title: "Audit log · Review · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const cursor = AuditCursor.safeParse(new URL(request.url).searchParams.get("before"));
  if (!cursor.success) throw new AppError("bad_request", "Not a valid page cursor");
  const page = await listPlatformAudit(context.platform.db, { before: cursor.data, limit: AUDIT_PAGE_SIZE });
  return json({ ...page, isFirstPage: !cursor.data });
}

export default function PlatformAuditPage() {
  const { entries, nextBefore, isFirstPage } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to="/review">← Review console</Link>
        </p>
        <h1>Platform audit log</h1>
        <AuditTable entries={entries} nextBefore={nextBefore} isFirstPage={isFirstPage} showShop />
      </main>
    </>
  );
}
