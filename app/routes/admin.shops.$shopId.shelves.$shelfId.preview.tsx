/**
 * /admin/shops/:shopId/shelves/:shelfId/preview — the draft, rendered with
 * the storefront's own components and styles at phone width, under a banner
 * that says it is not published. Only members of the shop can open it.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { RouteErrorCard } from "~/components/route-error";
import { getDraftPreview } from "~/shelves/index.server";
import { ShelfSections } from "~/shelves/components/ShelfSections";
import storefrontStyles from "~/styles/storefront.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: storefrontStyles }];
export const meta: MetaFunction = () => [{ title: "Preview · Shelves · Admin" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const page = await getDraftPreview(context.platform.db, shop.id, params.shelfId ?? "");
  return json(
    { shop: { id: shop.id, handle: shop.handle, name: shop.name, currency: shop.currency }, page, shelfId: params.shelfId ?? "" },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function ShelfPreviewPage() {
  const { shop, page, shelfId } = useLoaderData<typeof loader>();
  return (
    <div style={{ display: "flex", justifyContent: "center" }}>
      <div className="sf" style={{ width: "100%", maxWidth: 430, minHeight: "auto", border: "1px solid var(--line)", borderRadius: 16, overflow: "hidden" }}>
        <div className="sf-preview-banner" role="status">
          Preview — not published
          <Link to={`/admin/shops/${shop.id}/shelves/${shelfId}`}>Back to the editor</Link>
        </div>
        <header className="sf-header" style={{ position: "static" }}>
          <div className="sf-header-inner" style={{ gridTemplateColumns: "1fr", gridTemplateAreas: '"brand"' }}>
            <span className="sf-brand">
              <span className="sf-brand-mark" aria-hidden="true">
                {Array.from(shop.name)[0]?.toUpperCase()}
              </span>
              <span className="sf-brand-name">{shop.name}</span>
            </span>
          </div>
        </header>
        <main className="sf-main">
          {page.isHome ? null : <h1 className="sf-page-title">{page.title}</h1>}
          <ShelfSections sections={page.sections} shopHandle={shop.handle} currency={shop.currency} preview />
        </main>
      </div>
    </div>
  );
}

export const ErrorBoundary = RouteErrorCard;
