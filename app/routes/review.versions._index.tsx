/**
 * /review/versions — the version review queue: versions whose automated
 * checks passed wait here for a decision, oldest submission first, with how
 * long each has waited. Tabs show the other states. Reviewers only.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { versionQueue } from "~/marketplace/index.server";
import { VERSION_STATUS_LABELS } from "~/marketplace/workflows.schema";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];
export const meta: MetaFunction = () => [{ title: "Versions · Review console · Bazaar" }];

const TABS = ["checks_passed", "submitted", "checks_failed", "approved", "rejected", "suspended"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const url = new URL(request.url);
  const page = await versionQueue(context.platform.db, Object.fromEntries(url.searchParams));
  return json({ ...page, isFirst: !url.searchParams.get("after") });
}

export default function VersionQueue() {
  const { items, next, status, counts, isFirst } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review">← Review console</Link>
        </p>
        <h1>Extension versions</h1>
        <p className="small muted" style={{ marginTop: 0 }}>
          Versions whose automated checks passed wait for a decision, oldest first. Your reason is shown to the developer.
        </p>
        <nav className="rv-tabs" aria-label="Version status">
          {TABS.map((t) => (
            <Link key={t} to={`/review/versions?status=${t}`} aria-current={t === status ? "true" : undefined}>
              {VERSION_STATUS_LABELS[t]} ({counts[t] ?? 0})
            </Link>
          ))}
        </nav>
        {items.length === 0 ? (
          <div className="card empty">{isFirst ? "Nothing here." : "No more versions."}</div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Extension</th>
                  <th>Version</th>
                  <th>Vendor</th>
                  <th>Submitted</th>
                  <th className="num">Waiting</th>
                </tr>
              </thead>
              <tbody>
                {items.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/review/versions/${v.id}`}>{v.extensionName}</Link>
                      <div className="small muted">{v.extensionHandle}</div>
                    </td>
                    <td>{v.version}</td>
                    <td>
                      <Link to={`/review/vendors/${v.vendorId}`}>{v.vendorName}</Link>
                    </td>
                    <td className="small nowrap">{v.submittedAt.slice(0, 16).replace("T", " ")} UTC</td>
                    <td className="num">
                      <span className={v.age.hours >= 48 ? "badge badge-warn" : "badge"}>{v.age.label}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="pager">
          {!isFirst ? (
            <Link className="btn" to={`/review/versions?status=${status}`}>
              First page
            </Link>
          ) : null}
          {next ? (
            <Link className="btn" to={`/review/versions?status=${status}&after=${encodeURIComponent(next)}`}>
              Next page
            </Link>
          ) : null}
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
