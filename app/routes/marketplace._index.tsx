/**
 * /marketplace — the extension marketplace, public to browse: search,
 * categories, and the listed extensions (verified vendor, approved version,
 * not suspended), most installed first, 12 a page.
 */
import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { searchListings } from "~/marketplace/index.server";
import { ListingCardLink } from "~/marketplace/components/store-bits";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];
export const meta: MetaFunction = () => [
  { title: "Marketplace · Bazaar" },
  { name: "description", content: "Extensions for your Bazaar shop: memberships, points, promotions and more — reviewed by Bazaar." },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return json(await searchListings(context.platform.db, Object.fromEntries(url.searchParams)));
}

export default function Marketplace() {
  const { items, q, category, page, hasNext, categories } = useLoaderData<typeof loader>();
  const href = (over: { category?: string | null; page?: number }) => {
    const p = new URLSearchParams();
    if (q) p.set("q", q);
    const c = over.category === undefined ? category : over.category;
    if (c) p.set("category", c);
    if (over.page && over.page > 1) p.set("page", String(over.page));
    const s = p.toString();
    return `/marketplace${s ? `?${s}` : ""}`;
  };
  return (
    <>
      <TopBar />
      <main className="page">
        <section className="mk-hero">
          <h1>Marketplace</h1>
          <p>Add memberships, points and promotions to your shop. Every extension is reviewed by Bazaar and runs only with the access you grant.</p>
          <Form method="get" className="mk-search" role="search">
            {category ? <input type="hidden" name="category" value={category} /> : null}
            <input type="search" name="q" defaultValue={q} placeholder="Search extensions" aria-label="Search extensions" />
            <button className="btn btn-primary" type="submit">
              Search
            </button>
          </Form>
        </section>
        <nav className="mk-chips" aria-label="Categories">
          <Link className="mk-chip" to={href({ category: null })} aria-current={!category ? "true" : undefined}>
            All
          </Link>
          {categories.map((c) => (
            <Link key={c.id} className="mk-chip" to={href({ category: c.id })} aria-current={category === c.id ? "true" : undefined}>
              {c.label}
            </Link>
          ))}
        </nav>
        {items.length === 0 ? (
          <div className="card empty">{q ? `Nothing matches “${q}”.` : "No extensions here yet."}</div>
        ) : (
          <div className="mk-grid">
            {items.map((item) => (
              <ListingCardLink key={item.handle} item={item} />
            ))}
          </div>
        )}
        <div className="pager">
          {page > 1 ? (
            <Link className="btn" to={href({ page: page - 1 })}>
              Previous
            </Link>
          ) : null}
          {hasNext ? (
            <Link className="btn" to={href({ page: page + 1 })}>
              Next
            </Link>
          ) : null}
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
