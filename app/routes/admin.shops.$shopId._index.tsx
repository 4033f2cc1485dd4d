/**
 * /admin/shops/:shopId: the shop's overview.
 */
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listShopTeam, requireShopMember } from "~/accounts/index.server";
import { RouteErrorCard } from "~/components/route-error";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop, membership } = await requireShopMember(request, context, params.shopId);
  const team = await listShopTeam(context.platform.db, shop.id);
  return json({
    shop: { id: shop.id, name: shop.name, handle: shop.handle, currency: shop.currency, isDevelopment: shop.isDevelopment, createdAt: shop.createdAt },
    role: membership.role,
    memberCount: team.members.length,
    pendingInvites: team.invites.length,
  });
}

export default function ShopOverview() {
  const { shop, role, memberCount, pendingInvites } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="row" style={{ marginBottom: "1rem" }}>
        <h1 style={{ margin: 0 }}>{shop.name}</h1>
        {shop.isDevelopment ? <span className="badge badge-warn">Development shop</span> : null}
      </div>
      <div className="grid grid-3">
        <section className="card">
          <h2>Storefront</h2>
          <p className="small muted">Buyers find your shop at this address.</p>
          <Link to={`/s/${shop.handle}`}>/s/{shop.handle}</Link>
        </section>
        <section className="card">
          <h2>Team</h2>
          <p className="small muted">
            {memberCount} member{memberCount === 1 ? "" : "s"}
            {pendingInvites ? `, ${pendingInvites} invitation${pendingInvites === 1 ? "" : "s"} pending` : ""}.
          </p>
          <Link to="staff">{role === "owner" ? "Manage staff" : "See the team"}</Link>
        </section>
        <section className="card">
          <h2>Currency</h2>
          <p className="small muted">Every price and payment in this shop is in {shop.currency}.</p>
          <span className="badge">{shop.currency}</span>
        </section>
      </div>
      <p className="muted small" style={{ marginTop: "1.5rem" }}>
        Products, shelves, orders and after-sale arrive in the admin as those features ship.
      </p>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
