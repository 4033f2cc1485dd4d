/**
 * /s/:shopHandle — the shop's home: its published home shelf. Before the
 * merchant publishes one, the newest products stand in, so a new shop is
 * never a blank page. Drafts are never shown here.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getOptionalUser } from "~/accounts/guards.server";
import { listCategories, listStorefrontProducts } from "~/catalog/index.server";
import { ExtensionBlocks } from "~/components/extension-blocks";
import { storefrontBlocks } from "~/extensions/index.server";
import { getPublishedPage, requireStorefrontShop, toCardView } from "~/shelves/index.server";
import { ProductGrid } from "~/shelves/components/ProductCard";
import { ShelfSections } from "~/shelves/components/ShelfSections";
import { CategoryChips, StorefrontPageError } from "~/shelves/components/StorefrontChrome";

const FALLBACK_COUNT = 12;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  // Extension blocks are per buyer (a points balance): they are loader data, so the render cache keys on them.
  const [page, tree, blocks] = await Promise.all([
    getPublishedPage(db, shop.id, { home: true }),
    listCategories(db, shop.id),
    getOptionalUser(request, context).then((user) => storefrontBlocks(context.platform, shop.id, user ? { userId: user.id } : null, { page: "home" })),
  ]);
  const categories = tree.map((c) => ({ id: c.id, name: c.name }));
  if (page) return { shop, categories, page, newest: null, blocks };
  const newest = await listStorefrontProducts(db, shop.id, { limit: FALLBACK_COUNT });
  return { shop, categories, page: null, newest: newest.items.map(toCardView), blocks };
}

export default function StorefrontHome() {
  const { shop, categories, page, newest, blocks } = useLoaderData<typeof loader>();
  return (
    <>
      <CategoryChips shopHandle={shop.handle} categories={categories} current={null} />
      <main className="sf-main">
        <ExtensionBlocks groups={blocks} />
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
