/**
 * /s/:shopHandle/p/:slug — one of the shop's other published pages (shelves).
 * A page that was never published is a 404, like one that does not exist.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppError } from "~/lib/errors";
import { getPublishedPage, requireStorefrontShop } from "~/shelves/index.server";
import { ShelfSlug } from "~/shelves/shelves.schema";
import { ShelfSections } from "~/shelves/components/ShelfSections";
import { StorefrontPageError } from "~/shelves/components/StorefrontChrome";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const slug = ShelfSlug.safeParse(params.slug);
  const page = slug.success ? await getPublishedPage(db, shop.id, { slug: slug.data }) : null;
  if (!page) throw new AppError("not_found", "Page not found");
  return { shop, page };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.page.title} · ${data.shop.name}` : "Not found" }];

export default function StorefrontShelfPage() {
  const { shop, page } = useLoaderData<typeof loader>();
  return (
    <main className="sf-main">
      <h1 className="sf-page-title">{page.title}</h1>
      <ShelfSections sections={page.sections} shopHandle={shop.handle} currency={shop.currency} />
    </main>
  );
}

export const ErrorBoundary = StorefrontPageError;
