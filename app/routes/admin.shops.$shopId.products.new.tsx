/**
 * /admin/shops/:shopId/products/new — add a product: details, one price and
 * stock for every SKU, and optional specs (e.g. colour × size). Then the
 * editor opens, where each SKU can be priced on its own.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { parseNewProductForm, PRODUCT_STATUSES, STATUS_LABELS } from "~/catalog/catalog.schema";
import { CategoryOptions } from "~/catalog/components/admin-bits";
import { SpecRows } from "~/catalog/components/SpecRows";
import { currencyDecimals } from "~/catalog/money";
import { createProduct, listCategories } from "~/catalog/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import catalogStyles from "~/styles/catalog-admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const categories = await listCategories(context.platform.db, shop.id);
  return json({ shop: { id: shop.id, currency: shop.currency }, categories });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const parsed = parseNewProductForm(form, shop.currency);
  if (!parsed.ok) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: parsed.fieldErrors });
  const product = await createProduct(context.platform.db, shop.id, { type: "user", id: user.id }, parsed.data);
  return redirect(`/admin/shops/${shop.id}/products/${product.id}?created=1`, 303);
}

export default function NewProductPage() {
  const { shop, categories } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const decimals = currencyDecimals(shop.currency);
  const moneyHint = decimals ? `In ${shop.currency}, e.g. 12.50` : `In ${shop.currency}, whole numbers`;
  return (
    <>
      <p className="small">
        <Link to={`/admin/shops/${shop.id}/products`}>← Products</Link>
      </p>
      <h1>Add product</h1>
      <Form method="post" noValidate className="stack">
        <CsrfInput />
        <FormError errors={errors} />
        <section className="card">
          <Field label="Title" name="title" errors={errors} maxLength={120} required placeholder="e.g. Linen shirt" />
          <div className={`field${errors?.fieldErrors?.description ? " field-invalid" : ""}`}>
            <label htmlFor="f-description">Description</label>
            <textarea id="f-description" name="description" rows={5} placeholder="What makes it good. Markdown works: **bold**, lists, links." />
            {errors?.fieldErrors?.description ? <p className="field-error">{errors.fieldErrors.description.join(" ")}</p> : null}
          </div>
          <div className="grid grid-2">
            <div className={`field${errors?.fieldErrors?.categoryId ? " field-invalid" : ""}`}>
              <label htmlFor="f-categoryId">Category</label>
              <select id="f-categoryId" name="categoryId" defaultValue="">
                <option value="">No category</option>
                <CategoryOptions tree={categories} />
              </select>
              {errors?.fieldErrors?.categoryId ? <p className="field-error">{errors.fieldErrors.categoryId.join(" ")}</p> : null}
            </div>
            <div className="field">
              <label htmlFor="f-status">Status</label>
              <select id="f-status" name="status" defaultValue="draft">
                {PRODUCT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </section>

        <section className="card">
          <h2>Price and stock</h2>
          <p className="muted small">Every SKU starts with these; price them one by one in the editor afterwards.</p>
          <div className="grid grid-3">
            <Field label="Price" name="price" errors={errors} inputMode="decimal" required hint={moneyHint} />
            <Field label="Compare-at price" name="compareAtPrice" errors={errors} inputMode="decimal" hint="Optional “was” price, higher than the price" />
            <Field label="Stock per SKU" name="stock" errors={errors} inputMode="numeric" defaultValue="0" />
          </div>
          <Field label="SKU code" name="code" errors={errors} maxLength={64} hint="Optional, for products without specs" />
        </section>

        <section className="card">
          <h2>Specs</h2>
          <p className="muted small">Leave empty for a product that comes in one version. Two specs of 2 and 3 values make 6 SKUs.</p>
          <SpecRows specs={[]} errors={errors?.fieldErrors} />
        </section>

        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Saving…" : "Create product"}
          </button>
          <Link to={`/admin/shops/${shop.id}/products`} className="btn">
            Cancel
          </Link>
        </div>
      </Form>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
