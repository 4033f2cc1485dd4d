/**
 * /orders — the signed-in buyer's orders from every shop, newest first,
 * filtered by status, 20 a page.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { formatMoney } from "~/catalog/money";
import { imageUrl } from "~/catalog/media";
import { TopBar } from "~/components/topbar";
import { PageErrorBoundary } from "~/components/route-error";
import { listBuyerOrders } from "~/orders/index.server";
import { ORDER_STATUS_LABELS, ORDER_STATUSES } from "~/orders/orders.schema";
import { OrderStatusBadge, formatWhen } from "~/orders/components/order-bits";
import ordersStyles from "~/orders/orders.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: ordersStyles }];
export const meta: MetaFunction = () => [{ title: "Your orders · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  return json(await listBuyerOrders(context.platform.db, user.id, Object.fromEntries(url.searchParams)));
}

export default function BuyerOrdersPage() {
  const { orders, nextBefore, query, shops } = useLoaderData<typeof loader>();
  const tab = (status?: string) => (status ? `/orders?status=${status}` : "/orders");
  const next = new URLSearchParams();
  if (query.status) next.set("status", query.status);
  if (nextBefore) next.set("before", nextBefore);
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Your orders</h1>
        <nav className="ord-tabs" aria-label="Filter by status">
          <Link to={tab()} aria-current={!query.status ? "page" : undefined}>
            All
          </Link>
          {ORDER_STATUSES.map((s) => (
            <Link key={s} to={tab(s)} aria-current={query.status === s ? "page" : undefined}>
              {ORDER_STATUS_LABELS[s]}
            </Link>
          ))}
        </nav>
        {orders.length === 0 ? (
          <div className="card empty">{query.before ? "No more orders." : query.status ? "No orders with this status." : "You haven't ordered anything yet."}</div>
        ) : (
          <ul className="ord-list">
            {orders.map((o) => (
              <li key={o.id}>
                <Link to={`/orders/${o.id}`} className="ord-card" data-testid="order-card">
                  {o.firstImageId ? <img className="ord-thumb" src={imageUrl(o.firstImageId, 160)} alt="" loading="lazy" /> : <span className="ord-thumb" />}
                  <div style={{ minWidth: 0 }}>
                    <div className="ord-card-title">
                      {o.firstTitle}
                      {o.itemCount > 1 ? <span className="muted"> and more</span> : null}
                    </div>
                    <div className="ord-card-meta">
                      {shops[o.shopId]?.name} · {formatWhen(o.createdAt)}
                    </div>
                    <OrderStatusBadge status={o.status} refunding={o.refunding} />
                  </div>
                  <div className="ord-card-total">
                    {formatMoney(o.total, o.currency)}
                    <div className="ord-card-meta">
                      {o.itemCount} {o.itemCount === 1 ? "item" : "items"}
                    </div>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <nav className="pager" aria-label="Pages">
          {query.before ? (
            <Link className="btn" to={tab(query.status)}>
              Newest
            </Link>
          ) : null}
          {nextBefore ? (
            <Link className="btn" to={`/orders?${next}`} rel="next">
              Older orders
            </Link>
          ) : null}
        </nav>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
