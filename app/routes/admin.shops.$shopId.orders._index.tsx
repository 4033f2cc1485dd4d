/**
 * /admin/shops/:shopId/orders — the merchant's orders: a tab per status
 * with its count, newest first, 20 a page.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { formatMoney } from "~/catalog/money";
import { imageUrl } from "~/catalog/media";
import { RouteErrorCard } from "~/components/route-error";
import { listShopOrders } from "~/orders/index.server";
import { ORDER_STATUS_LABELS, ORDER_STATUSES } from "~/orders/orders.schema";
import { OrderStatusBadge, formatWhen } from "~/orders/components/order-bits";
import ordersStyles from "~/orders/orders.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: ordersStyles }];
export const meta: MetaFunction = () => [{ title: "Orders · Admin · Bazaar" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const url = new URL(request.url);
  const page = await listShopOrders(context.platform.db, shop.id, Object.fromEntries(url.searchParams));
  return json({ ...page, shop: { id: shop.id, currency: shop.currency } });
}

export default function MerchantOrdersPage() {
  const { orders, nextBefore, counts, query, shop } = useLoaderData<typeof loader>();
  const base = `/admin/shops/${shop.id}/orders`;
  const tab = (status?: string) => (status ? `${base}?status=${status}` : base);
  const next = new URLSearchParams();
  if (query.status) next.set("status", query.status);
  if (nextBefore) next.set("before", nextBefore);
  return (
    <>
      <h1>Orders</h1>
      <nav className="ord-tabs" aria-label="Filter by status">
        <Link to={tab()} aria-current={!query.status ? "page" : undefined}>
          All<span className="ord-count">{counts.all}</span>
        </Link>
        {ORDER_STATUSES.map((s) => (
          <Link key={s} to={tab(s)} aria-current={query.status === s ? "page" : undefined} data-testid={`tab-${s}`}>
            {ORDER_STATUS_LABELS[s]}
            <span className="ord-count">{counts[s]}</span>
          </Link>
        ))}
      </nav>
      {orders.length === 0 ? (
        <div className="card empty">{query.before ? "No more orders." : query.status ? "No orders with this status." : "No orders yet. They appear here as soon as a buyer checks out."}</div>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Order</th>
                <th>Status</th>
                <th className="num">Total</th>
                <th className="hide-sm">Placed</th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.id} data-testid="order-row">
                  <td>
                    <div style={{ display: "flex", gap: "0.6rem", alignItems: "center", minWidth: "12rem" }}>
                      {o.firstImageId ? <img className="ord-thumb" style={{ width: 40, height: 40 }} src={imageUrl(o.firstImageId, 160)} alt="" loading="lazy" /> : null}
                      <div>
                        <Link to={`${base}/${o.id}`} style={{ fontWeight: 600 }}>
                          {o.firstTitle}
                          {o.itemCount > 1 ? ` +${o.itemCount - 1}` : ""}
                        </Link>
                        <div className="ord-id">{o.id}</div>
                      </div>
                    </div>
                  </td>
                  <td>
                    <OrderStatusBadge status={o.status} refunding={o.refunding} />
                  </td>
                  <td className="num">
                    {formatMoney(o.total, o.currency)}
                    {o.refundedTotal > 0 ? <div className="small muted">−{formatMoney(o.refundedTotal, o.currency)} refunded</div> : null}
                  </td>
                  <td className="hide-sm small">{formatWhen(o.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {query.before ? (
          <Link className="btn" to={tab(query.status)}>
            Newest
          </Link>
        ) : null}
        {nextBefore ? (
          <Link className="btn" to={`${base}?${next}`} rel="next">
            Older orders
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
