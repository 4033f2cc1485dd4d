/**
 * /s/:shopHandle — the shop's home: its published home shelf. Before the
 * merchant publishes one, the newest products stand in, so a new shop is
 * never a blank page. Drafts are never shown here.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listCategories, listStorefrontProducts } from "~/catalog/index.server";
import { getPublishedPage, requireStorefrontShop, toCardView } from "~/shelves/index.server";
import { ProductGrid } from "~/shelves/components/ProductCard";
import { ShelfSections } from "~/shelves/components/ShelfSections";
import { CategoryChips, StorefrontPageError } from "~/shelves/components/StorefrontChrome";

const FALLBACK_COUNT = 12;

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const [page, tree] = await Promise.all([getPublishedPage(db, shop.id, { home: true }), listCategories(db, shop.id)]);
  const categories = tree.map((c) => ({ id: c.id, name: c.name }));
  if (page) return { shop, categories, page, newest: null };
  const newest = await listStorefrontProducts(db, shop.id, { limit: FALLBACK_COUNT });
  return { shop, categories, page: null, newest: newest.items.map(toCardView) };
}

export default function StorefrontHome() {
  const { shop, categories, page, newest } = useLoaderData<typeof loader>();
  return (
    <>
      <CategoryChips shopHandle={shop.handle} categories={categories} current={null} />
      <main className="sf-main">
        {page ? (
          <ShelfSections sections={page.sections} shopHandle={shop.handle} currency={shop.currency} />
        ) : newest && newest.length > 0 ? (
          <section className="sf-section">
            <h1 className="sf-section-title">New arrivals</h1>
            <ProductGrid products={newest} shopHandle={shop.handle} currency={shop.currency} eagerCount={4} />
          </section>
        ) : (
          <div className="sf-empty">
            <h1>{shop.name}</h1>
            <p>This shop is getting ready. Check back soon!</p>
          </div>
        )}
      </main>
    </>
  );
}

export const ErrorBoundary = StorefrontPageError;
