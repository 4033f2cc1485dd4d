/**
 * /review/claims — the arbitration queue: claims escalated to a platform
 * reviewer, from every shop, oldest escalation first, with how long each has
 * waited. Reviewers only.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { listEscalatedClaims } from "~/aftersale/index.server";
import { ClaimRow } from "~/aftersale/components/claim-bits";
import aftersaleStyles from "~/aftersale/aftersale.css";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: aftersaleStyles }];
export const meta: MetaFunction = () => [{ title: "Arbitration · Review console · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const url = new URL(request.url);
  const page = await listEscalatedClaims(context.platform.db, Object.fromEntries(url.searchParams));
  return json({ ...page, after: url.searchParams.get("after") });
}

export default function ArbitrationQueue() {
  const { claims, next, after } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review">← Review console</Link>
        </p>
        <h1>Arbitration</h1>
        <p className="small muted" style={{ marginTop: 0 }}>
          Claims a shop refused (and the buyer escalated) or did not answer in time. Oldest first. Your decision is final and both sides see its reason.
        </p>
        {claims.length === 0 ? (
          <div className="card empty">{after ? "No more claims." : "Nothing is waiting for a decision."}</div>
        ) : (
          <ul className="clm-list">
            {claims.map((c) => (
              <ClaimRow key={c.id} claim={c} to={`/review/claims/${c.id}`} showAge />
            ))}
          </ul>
        )}
        <div className="pager">
          {after ? (
            <Link className="btn btn-sm" to="/review/claims">
              First page
            </Link>
          ) : null}
          {next ? (
            <Link className="btn btn-sm" to={`/review/claims?after=${encodeURIComponent(next)}`}>
              Next page
            </Link>
          ) : null}
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
