/**
 * Small pieces every storefront page shares: the category chips, the pager,
 * and the error card a page shows inside the shop's header.
 */
import { Link, isRouteErrorResponse, useParams, useRouteError } from "@remix-run/react";

export type CategoryChip = { id: string; name: string };

export function CategoryChips({ shopHandle, categories, current }: { shopHandle: string; categories: CategoryChip[]; current?: string | null }) {
  if (categories.length === 0) return null;
  return (
    <nav className="sf-chips" aria-label="Categories">
      <Link to={`/s/${shopHandle}`} className="sf-chip" aria-current={current === null ? "page" : undefined} prefetch="intent">
        All
      </Link>
      {categories.map((c) => (
        <Link key={c.id} to={`/s/${shopHandle}/c/${c.id}`} className="sf-chip" aria-current={current === c.id ? "page" : undefined} prefetch="intent">
          {c.name}
        </Link>
      ))}
    </nav>
  );
}

/** "More" for cursor pages (the storefront's lists are newest first); "Back to start" once past the first page. */
export function Pager({ basePath, query, nextCursor, isFirstPage }: { basePath: string; query?: Record<string, string>; nextCursor: string | null; isFirstPage: boolean }) {
  if (!nextCursor && isFirstPage) return null;
  const href = (after?: string) => {
    const params = new URLSearchParams(query);
    if (after) params.set("after", after);
    const s = params.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  return (
    <nav className="sf-pager" aria-label="Pages">
      {isFirstPage ? null : <Link to={href()}>« First page</Link>}
      {nextCursor ? (
        <Link to={href(nextCursor)} rel="next">
          More products ›
        </Link>
      ) : null}
    </nav>
  );
}

/** A page's error inside the storefront shell: the header stays, so the buyer can search or go home. */
export function StorefrontPageError() {
  const error = useRouteError();
  const { shopHandle } = useParams();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const given = isRouteErrorResponse(error) && typeof error.data?.error?.message === "string" ? (error.data.error.message as string) : null;
  return (
    <main className="sf-main">
      <div className="sf-empty" role="alert">
        <h1>{status === 404 ? "Not found" : status < 500 ? "That didn't work" : "Something went wrong"}</h1>
        <p>{status === 404 ? "This page or product isn't here any more." : given ?? "Please try again in a moment."}</p>
        <p>
          <Link to={`/s/${shopHandle ?? ""}`} className="sf-btn sf-btn-ghost">
            Back to the shop
          </Link>
        </p>
      </div>
    </main>
  );
}
