/**
 * The shop admin shell: /admin/shops/:shopId/*. Every child route runs its
 * own guard too (loaders run in parallel, so this one protects nothing below it).
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { TopBar } from "~/components/topbar";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop, membership } = await requireShopMember(request, context, params.shopId);
  return json({
    shop: { id: shop.id, name: shop.name, handle: shop.handle, currency: shop.currency, isDevelopment: shop.isDevelopment },
    role: membership.role,
  });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.shop.name} · Admin · Bazaar` : "Admin · Bazaar" }];

/** The navigation of the shop admin; later features add their entries here. */
function navFor(shopId: string, role: "owner" | "staff") {
  const base = `/admin/shops/${shopId}`;
  return [
    { to: base, label: "Overview", end: true },
    { to: `${base}/orders`, label: "Orders" },
    { to: `${base}/claims`, label: "Claims" },
    { to: `${base}/products`, label: "Products" },
    { to: `${base}/categories`, label: "Categories" },
    { to: `${base}/shelves`, label: "Shelves" },
    { to: `${base}/extensions`, label: "Extensions" },
    { to: `${base}/staff`, label: "Staff" },
    ...(role === "owner" ? [{ to: `${base}/audit`, label: "Audit log" }] : []),
    ...(role === "owner" ? [{ to: `${base}/settings`, label: "Settings" }] : []),
  ];
}

export default function ShopAdminLayout() {
  const { shop, role } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <div className="admin">
        <nav className="admin-nav" aria-label="Shop admin">
          <div className="small muted" style={{ padding: "0 0.75rem 0.5rem", whiteSpace: "nowrap" }}>
            <strong style={{ color: "var(--text)" }}>{shop.name}</strong>
            <br />
            {role === "owner" ? "Owner" : "Staff"}
            {shop.isDevelopment ? (
              <>
                <br />
                <span className="badge badge-warn" data-testid="dev-shop-badge" title="Not listed anywhere; payments are simulated">
                  Development shop
                </span>
              </>
            ) : null}
          </div>
          {navFor(shop.id, role).map((item) => (
            <NavLink key={item.to} to={item.to} end={item.end} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
        <main className="admin-main">
          <Outlet />
        </main>
      </div>
    </>
  );
}
