/**
 * /review/vendors — vendor verification: pending vendors oldest first with
 * how long each has waited; tabs for the other states. Reviewers only.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { vendorQueue } from "~/marketplace/index.server";
import { VENDOR_STATUS_LABELS } from "~/marketplace/workflows.schema";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];
export const meta: MetaFunction = () => [{ title: "Vendors · Review console · Bazaar" }];

const TABS = ["pending", "verified", "rejected", "suspended"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const url = new URL(request.url);
  const page = await vendorQueue(context.platform.db, Object.fromEntries(url.searchParams));
  return json({ ...page, isFirst: !url.searchParams.get("after") });
}

export default function VendorQueue() {
  const { items, next, status, counts, isFirst } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review">← Review console</Link>
        </p>
        <h1>Vendors</h1>
        <p className="small muted" style={{ marginTop: 0 }}>
          Only verified vendors can submit versions. Oldest first; your reason is sent to the vendor's team.
        </p>
        <nav className="rv-tabs" aria-label="Vendor status">
          {TABS.map((t) => (
            <Link key={t} to={`/review/vendors?status=${t}`} aria-current={t === status ? "true" : undefined}>
              {VENDOR_STATUS_LABELS[t]} ({counts[t] ?? 0})
            </Link>
          ))}
        </nav>
        {items.length === 0 ? (
          <div className="card empty">{isFirst ? "Nothing here." : "No more vendors."}</div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Vendor</th>
                  <th>Contact</th>
                  <th>Registered</th>
                  <th className="num">Waiting</th>
                </tr>
              </thead>
              <tbody>
                {items.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/review/vendors/${v.id}`}>{v.name}</Link>
                      <div className="small muted">{v.slug}</div>
                    </td>
                    <td className="small">
                      {v.contactEmail}
                      {v.website ? <div className="muted">{v.website}</div> : null}
                    </td>
                    <td className="small nowrap">{v.createdAt.slice(0, 16).replace("T", " ")} UTC</td>
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
            <Link className="btn" to={`/review/vendors?status=${status}`}>
              First page
            </Link>
          ) : null}
          {next ? (
            <Link className="btn" to={`/review/vendors?status=${status}&after=${encodeURIComponent(next)}`}>
              Next page
            </Link>
          ) : null}
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
