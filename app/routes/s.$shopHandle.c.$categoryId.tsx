/**
 * /s/:shopHandle/c/:categoryId — a category's on-sale products (its
 * subcategories' too), newest first, 24 a page (`?after=` cursor).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listCategories, listStorefrontProducts } from "~/catalog/index.server";
import { CategoryId, ProductId, type CategoryNode } from "~/catalog/catalog.schema";
import { AppError } from "~/lib/errors";
import { requireStorefrontShop, toCardView } from "~/shelves/index.server";
import { ProductGrid } from "~/shelves/components/ProductCard";
import { CategoryChips, Pager, StorefrontPageError } from "~/shelves/components/StorefrontChrome";

const STOREFRONT_PAGE_SIZE = 24;

/** The category and the path of its ancestors, or null when the id is not this shop's. */
function findWithPath(nodes: CategoryNode[], id: string, path: CategoryNode[] = []): { node: CategoryNode; path: CategoryNode[] } | null {
  for (const n of nodes) {
    if (n.id === id) return { node: n, path };
    const found = findWithPath(n.children, id, [...path, n]);
    if (found) return found;
  }
  return null;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const categoryId = CategoryId.safeParse(params.categoryId);
  if (!categoryId.success) throw new AppError("not_found", "Category not found");
  const afterParam = new URL(request.url).searchParams.get("after");
  const after = afterParam ? ProductId.safeParse(afterParam) : null;
  if (after && !after.success) throw new AppError("bad_request", "Invalid page cursor");

  const tree = await listCategories(db, shop.id);
  const found = findWithPath(tree, categoryId.data);
  if (!found) throw new AppError("not_found", "Category not found");
  const page = await listStorefrontProducts(db, shop.id, { categoryId: categoryId.data, limit: STOREFRONT_PAGE_SIZE, after: after?.data });
  return {
    shop,
    categories: tree.map((c) => ({ id: c.id, name: c.name })),
    category: { id: found.node.id, name: found.node.name, children: found.node.children.map((c) => ({ id: c.id, name: c.name })) },
    ancestors: found.path.map((c) => ({ id: c.id, name: c.name })),
    topId: (found.path[0] ?? found.node).id,
    products: page.items.map(toCardView),
    nextCursor: page.nextCursor,
    isFirstPage: !after,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.category.name} · ${data.shop.name}` : "Not found" }];

export default function StorefrontCategoryPage() {
  const { shop, categories, category, ancestors, topId, products, nextCursor, isFirstPage } = useLoaderData<typeof loader>();
  const base = `/s/${shop.handle}`;
  return (
    <>
      <CategoryChips shopHandle={shop.handle} categories={categories} current={topId} />
      <main className="sf-main">
        {ancestors.length ? (
          <nav className="sf-crumbs" aria-label="Breadcrumb">
            {ancestors.map((a) => (
              <span key={a.id}>
                <Link to={`${base}/c/${a.id}`}>{a.name}</Link> ›
              </span>
            ))}
          </nav>
        ) : null}
        <h1 className="sf-page-title">{category.name}</h1>
        {category.children.length ? (
          <nav className="sf-chips" style={{ padding: "0 0 12px" }} aria-label="Subcategories">
            {category.children.map((c) => (
              <Link key={c.id} to={`${base}/c/${c.id}`} className="sf-chip">
                {c.name}
              </Link>
            ))}
          </nav>
        ) : null}
        {products.length ? (
          <ProductGrid products={products} shopHandle={shop.handle} currency={shop.currency} eagerCount={isFirstPage ? 4 : 0} />
        ) : (
          <div className="sf-empty">{isFirstPage ? "Nothing on sale in this category right now." : "No more products."}</div>
        )}
        <Pager basePath={`${base}/c/${category.id}`} nextCursor={nextCursor} isFirstPage={isFirstPage} />
      </main>
    </>
  );
}

export const ErrorBoundary = StorefrontPageError;
