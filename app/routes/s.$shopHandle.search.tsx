/**
 * /s/:shopHandle/search?q= — the shop's on-sale products whose title matches,
 * newest first, 24 a page.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listStorefrontProducts } from "~/catalog/index.server";
import { ProductId } from "~/catalog/catalog.schema";
import { AppError } from "~/lib/errors";
import { requireStorefrontShop, toCardView } from "~/shelves/index.server";
import { ProductGrid } from "~/shelves/components/ProductCard";
import { Pager, StorefrontPageError } from "~/shelves/components/StorefrontChrome";

const PAGE_SIZE = 24;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 100);
  const afterParam = url.searchParams.get("after");
  const after = afterParam ? ProductId.safeParse(afterParam) : null;
  if (after && !after.success) throw new AppError("bad_request", "Invalid page cursor");
  if (!q) return { shop, q, products: [], nextCursor: null, isFirstPage: true };
  const page = await listStorefrontProducts(db, shop.id, { search: q, limit: PAGE_SIZE, after: after?.data });
  return { shop, q, products: page.items.map(toCardView), nextCursor: page.nextCursor, isFirstPage: !after };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? (data.q ? `“${data.q}” · ${data.shop.name}` : `Search · ${data.shop.name}`) : "Search" },
  { name: "robots", content: "noindex" },
];

export default function StorefrontSearchPage() {
  const { shop, q, products, nextCursor, isFirstPage } = useLoaderData<typeof loader>();
  return (
    <main className="sf-main">
      <h1 className="sf-page-title">{q ? <>Results for “{q}”</> : "Search"}</h1>
      {!q ? (
        <div className="sf-empty">Type what you are looking for in the search box above.</div>
      ) : products.length ? (
        <ProductGrid products={products} shopHandle={shop.handle} currency={shop.currency} eagerCount={isFirstPage ? 4 : 0} />
      ) : (
        <div className="sf-empty">{isFirstPage ? `Nothing matches “${q}”. Try a shorter word.` : "No more results."}</div>
      )}
      <Pager basePath={`/s/${shop.handle}/search`} query={{ q }} nextCursor={nextCursor} isFirstPage={isFirstPage} />
    </main>
  );
}

export const ErrorBoundary = StorefrontPageError;
