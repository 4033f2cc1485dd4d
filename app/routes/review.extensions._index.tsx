/**
 * /review/extensions — every extension on the platform (search by name or
 * id), with its vendor, live installs and whether a reviewer suspended it.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { listExtensionsForReview } from "~/marketplace/index.server";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];
export const meta: MetaFunction = () => [{ title: "Extensions · Review console · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const url = new URL(request.url);
  return json(await listExtensionsForReview(context.platform.db, { q: url.searchParams.get("q"), page: url.searchParams.get("page") }));
}

export default function ExtensionsForReview() {
  const { items, page, q, hasNext } = useLoaderData<typeof loader>();
  const qs = (p: number) => `/review/extensions?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review">← Review console</Link>
        </p>
        <h1>Extensions</h1>
        <Form method="get" className="mk-search" style={{ marginBottom: "1rem" }}>
          <input type="search" name="q" defaultValue={q ?? ""} placeholder="Name or id" aria-label="Search extensions" />
          <button className="btn" type="submit">
            Search
          </button>
        </Form>
        {items.length === 0 ? (
          <div className="card empty">No extensions.</div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Extension</th>
                  <th>Vendor</th>
                  <th className="num">Live installs</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/review/extensions/${e.id}`}>{e.name}</Link>
                      <div className="small muted">{e.handle}</div>
                    </td>
                    <td className="small">
                      {e.vendorName} <span className="badge">{e.vendorStatus}</span>
                    </td>
                    <td className="num">{e.liveInstalls}</td>
                    <td>{e.suspended ? <span className="badge badge-err">suspended</span> : <span className="badge badge-ok">running</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="pager">
          {page > 1 ? (
            <Link className="btn" to={qs(page - 1)}>
              Previous
            </Link>
          ) : null}
          {hasNext ? (
            <Link className="btn" to={qs(page + 1)}>
              Next
            </Link>
          ) : null}
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
