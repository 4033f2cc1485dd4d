/**
 * The storefront shell of /s/:shopHandle: the shop's header (name, search,
 * cart with its count) around every storefront page. A shop that does not
 * exist or is closed is a 404.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, Outlet, isRouteErrorResponse, useLoaderData, useRouteError, useSearchParams } from "@remix-run/react";
import { cartIdentity, cartItemCount, visibleCartRefs } from "~/cart/index.server";
import { requireStorefrontShop } from "~/shelves/index.server";
import storefrontStyles from "~/styles/storefront.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: storefrontStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const refs = visibleCartRefs(await cartIdentity(request, context, shop.id));
  const cartCount = refs.length ? await cartItemCount(db, shop.id, refs) : 0;
  return { shop, cartCount };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? data.shop.name : "Shop not found" },
  // a developer's test shop is listed nowhere, search engines included
  ...(data?.shop.isDevelopment ? [{ name: "robots", content: "noindex, nofollow" }] : []),
];

function SearchIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" aria-hidden="true">
      <circle cx="11" cy="11" r="7" />
      <path d="m20 20-3.5-3.5" />
    </svg>
  );
}

function CartIcon() {
  return (
    <svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.9" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M3 4h2l2.4 11.2a2 2 0 0 0 2 1.6h7.7a2 2 0 0 0 2-1.5L21 8H6.2" />
      <circle cx="10" cy="20" r="1.3" />
      <circle cx="17" cy="20" r="1.3" />
    </svg>
  );
}

/** The header: also used by the preview, so it renders from plain props. */
export function StorefrontHeader({ shop, cartCount }: { shop: { handle: string; name: string }; cartCount: number }) {
  const [params] = useSearchParams();
  const base = `/s/${shop.handle}`;
  return (
    <header className="sf-header">
      <div className="sf-header-inner">
        <Link to={base} className="sf-brand" prefetch="intent">
          <span className="sf-brand-mark" aria-hidden="true">
            {Array.from(shop.name)[0]?.toUpperCase()}
          </span>
          <span className="sf-brand-name">{shop.name}</span>
        </Link>
        <Form method="get" action={`${base}/search`} role="search" className="sf-search">
          <SearchIcon />
          <input type="search" name="q" placeholder={`Search ${shop.name}`} aria-label="Search this shop" defaultValue={params.get("q") ?? ""} maxLength={100} />
        </Form>
        <Link to={`${base}/cart`} className="sf-cart-link" aria-label={`Cart, ${cartCount} ${cartCount === 1 ? "item" : "items"}`}>
          <CartIcon />
          {cartCount > 0 ? (
            <span className="sf-cart-count" data-testid="cart-count">
              {cartCount > 99 ? "99+" : cartCount}
            </span>
          ) : null}
        </Link>
      </div>
    </header>
  );
}

export default function StorefrontLayout() {
  const { shop, cartCount } = useLoaderData<typeof loader>();
  return (
    <div className="sf">
      {shop.isDevelopment ? (
        <div role="note" data-testid="dev-shop-banner" style={{ background: "#fff4d6", color: "#6b4e00", textAlign: "center", fontSize: "0.85rem", padding: "0.35rem 0.75rem" }}>
          Development shop — for testing extensions. Not listed anywhere; payments are simulated.
        </div>
      ) : null}
      <StorefrontHeader shop={shop} cartCount={cartCount} />
      <Outlet />
      <footer className="sf-footer">
        <Link to={`/s/${shop.handle}`}>{shop.name}</Link>
        <span>
          Powered by <Link to="/">Bazaar</Link>
        </span>
      </footer>
    </div>
  );
}

/** A 404 here means the shop itself is unknown or closed; there is no shop header to show. */
export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="sf">
      <main className="sf-main sf-notfound">
        <p aria-hidden="true">{notFound ? "🛍️" : "⚠️"}</p>
        <h1>{notFound ? "This shop doesn't exist" : "Something went wrong"}</h1>
        <p className="muted">{notFound ? "Check the address, or the shop may have closed." : "Please try again in a moment."}</p>
        <p>
          <Link to="/">Back to Bazaar</Link>
        </p>
      </main>
    </div>
  );
}
