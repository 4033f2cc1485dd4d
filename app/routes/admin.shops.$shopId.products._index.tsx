/**
 * /admin/shops/:shopId/products — the merchant's product list: title search,
 * status filter, 25 a page (cursor), and a bulk bar that puts the ticked
 * products on or off sale in one POST.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { BulkStatusForm, ProductListQuery, PRODUCT_STATUSES, STATUS_LABELS } from "~/catalog/catalog.schema";
import { StatusBadge } from "~/catalog/components/admin-bits";
import { imageUrl } from "~/catalog/media";
import { formatPriceRange } from "~/catalog/money";
import { listAdminProducts, setProductStatus } from "~/catalog/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod } from "~/lib/errors";
import catalogStyles from "~/styles/catalog-admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const url = new URL(request.url);
  const query = ProductListQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) throw new AppError("bad_request", "Invalid search", { fieldErrors: fieldErrorsFromZod(query.error.issues) });
  const page = await listAdminProducts(context.platform.db, shop.id, query.data);
  return json({ ...page, shop: { id: shop.id, currency: shop.currency }, query: query.data });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const parsed = BulkStatusForm.safeParse({ intent: form.get("intent"), ids: form.getAll("ids") });
  if (!parsed.success) throw new AppError("bad_request", "Tick the products to change first.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  await setProductStatus(context.platform.db, shop.id, parsed.data.ids, parsed.data.intent, { type: "user", id: user.id });
  // Back to the same filtered page (post/redirect/get).
  const back = new URL(request.url);
  back.searchParams.delete("index");
  return redirect(`${back.pathname}${back.search}`, 303);
}

export default function ProductListPage() {
  const { items, nextCursor, shop, query } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const [params] = useSearchParams();
  const base = `/admin/shops/${shop.id}/products`;
  const nextParams = new URLSearchParams(params);
  if (nextCursor) nextParams.set("after", nextCursor);
  const firstParams = new URLSearchParams(params);
  firstParams.delete("after");
  const filtered = Boolean(query.q || query.status);

  return (
    <>
      <div className="row" style={{ marginBottom: "0.75rem" }}>
        <h1 style={{ margin: 0 }}>Products</h1>
        <span className="spacer" />
        <Link to={`${base}/new`} className="btn btn-primary">
          Add product
        </Link>
      </div>

      <Form method="get" className="cat-toolbar" role="search">
        <div className="field">
          <label htmlFor="q">Search titles</label>
          <input id="q" type="search" name="q" defaultValue={query.q} placeholder="e.g. linen" />
        </div>
        <div className="field" style={{ flex: "0 0 auto" }}>
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={query.status ?? ""}>
            <option value="">All</option>
            {PRODUCT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn">
          Search
        </button>
        {filtered ? (
          <Link to={base} className="btn">
            Clear
          </Link>
        ) : null}
      </Form>

      <FormError errors={errors} />
      {items.length === 0 ? (
        <div className="card empty">
          {filtered ? "No products match." : query.after ? "No more products." : "No products yet. Add your first one — it takes a minute."}
        </div>
      ) : (
        <Form method="post" className="table-wrap">
          <CsrfInput />
          <div className="cat-bulkbar">
            <span className="small muted">With ticked:</span>
            <button type="submit" name="intent" value="on_sale" className="btn btn-sm">
              Put on sale
            </button>
            <button type="submit" name="intent" value="off_sale" className="btn btn-sm">
              Take off sale
            </button>
          </div>
          <table className="table">
            <thead>
              <tr>
                <th style={{ width: "2rem" }}>
                  <span className="sr-only" style={{ position: "absolute", left: "-9999px" }}>
                    Select
                  </span>
                </th>
                <th>Product</th>
                <th>Status</th>
                <th className="num hide-sm">Price</th>
                <th className="num hide-sm">Stock</th>
                <th className="num hide-sm">SKUs</th>
                <th className="hide-sm">Category</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <input type="checkbox" name="ids" value={p.id} className="cat-check" aria-label={`Select ${p.title}`} />
                  </td>
                  <td>
                    <div className="cat-title-cell">
                      {p.imageId ? <img className="cat-thumb" src={imageUrl(p.imageId, 160)} alt="" loading="lazy" /> : <span className="cat-thumb cat-thumb-empty" />}
                      <div>
                        <Link to={`${base}/${p.id}`}>{p.title}</Link>
                        {/* Phones: price and stock under the title instead of in columns of their own. */}
                        <div className="show-sm small muted">
                          {formatPriceRange(p.minPrice, p.maxPrice, shop.currency)} · {p.totalStock === 0 ? "sold out" : `${p.totalStock} in stock`}
                        </div>
                      </div>
                    </div>
                  </td>
                  <td className="nowrap">
                    <StatusBadge status={p.status} />
                  </td>
                  <td className="num hide-sm">{formatPriceRange(p.minPrice, p.maxPrice, shop.currency)}</td>
                  <td className="num hide-sm">{p.totalStock === 0 ? <span className="badge badge-err">Sold out</span> : p.totalStock}</td>
                  <td className="num hide-sm">{p.skuCount}</td>
                  <td className="hide-sm small">{p.categoryName ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Form>
      )}

      <nav className="pager" aria-label="Pages">
        {query.after ? (
          <Link className="btn" to={`${base}?${firstParams}`}>
            First page
          </Link>
        ) : null}
        {nextCursor ? (
          <Link className="btn" to={`${base}?${nextParams}`}>
            Next page
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
