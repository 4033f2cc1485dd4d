/**
 * /admin/shops/:shopId/claims — the shop's after-sale queue: open claims by
 * default, nearest deadline first (claims with no deadline of the shop's —
 * with a reviewer, refund in progress, final — after), 20 a page, with a
 * filter per status.
 */
import { json, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { listShopClaims } from "~/aftersale/index.server";
import { STATUS_LABELS } from "~/aftersale/aftersale.schema";
import { CLAIM_STATUSES } from "~/aftersale/claim-machine";
import { ClaimRow } from "~/aftersale/components/claim-bits";
import aftersaleStyles from "~/aftersale/aftersale.css";
import { RouteErrorCard } from "~/components/route-error";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: aftersaleStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const page = await listShopClaims(context.platform.db, shop.id, Object.fromEntries(new URL(request.url).searchParams));
  return json({ shopId: shop.id, ...page });
}

const TABS = [{ value: "open", label: "Open" }, ...CLAIM_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })), { value: "all", label: "All" }];

export default function ShopClaimsQueue() {
  const { shopId, claims, next, query } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const base = `/admin/shops/${shopId}/claims`;
  const nextParams = new URLSearchParams(params);
  if (next) nextParams.set("after", next);
  return (
    <>
      <h1>Claims</h1>
      <p className="small muted" style={{ marginTop: 0 }}>
        Answer within 48 hours, or the claim goes to a platform reviewer. Nearest deadline first.
      </p>
      <nav className="clm-tabs" aria-label="Filter by status">
        {TABS.map((t) => (
          <Link key={t.value} to={t.value === "open" ? base : `${base}?status=${t.value}`} aria-current={query.status === t.value ? "page" : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {claims.length === 0 ? (
        <div className="card empty">{query.after ? "No more claims." : query.status === "open" ? "No open claims. Nothing is waiting for you." : "No claims here."}</div>
      ) : (
        <ul className="clm-list">
          {claims.map((c) => (
            <ClaimRow key={c.id} claim={c} to={`${base}/${c.id}`} />
          ))}
        </ul>
      )}
      <div className="pager">
        {query.after ? (
          <Link className="btn btn-sm" to={`${base}${query.status !== "open" ? `?status=${query.status}` : ""}`}>
            First page
          </Link>
        ) : null}
        {next ? (
          <Link className="btn btn-sm" to={`${base}?${nextParams}`} data-testid="next-page">
            Next page
          </Link>
        ) : null}
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteErrorCard />;
}
