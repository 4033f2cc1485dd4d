/**
 * /admin/shops/:shopId/products/:productId/skus/:skuId — one SKU's stock
 * ledger (every change, newest first, 50 a page) and a form to adjust the
 * stock with a reason. A SKU of another shop, or of another product than the
 * URL says, is a 404.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { StockAdjustForm, STOCK_REASON_LABELS } from "~/catalog/catalog.schema";
import { adjustStock, listLedger } from "~/catalog/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod } from "~/lib/errors";
import catalogStyles from "~/styles/catalog-admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const before = new URL(request.url).searchParams.get("before") || undefined;
  const page = await listLedger(context.platform.db, shop.id, params.skuId ?? "", { before });
  if (page.sku.productId !== params.productId) throw new AppError("not_found", "SKU not found");
  return json({ ...page, shopId: shop.id, isFirstPage: !before });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const parsed = StockAdjustForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  await adjustStock(context.platform.db, shop.id, params.skuId ?? "", parsed.data.change, { type: "user", id: user.id }, parsed.data.note, {
    productId: params.productId ?? "",
  });
  return redirect(new URL(request.url).pathname, 303);
}

export default function SkuLedgerPage() {
  const { sku, entries, nextBefore, shopId, isFirstPage } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const productHref = `/admin/shops/${shopId}/products/${sku.productId}`;
  return (
    <>
      <p className="small">
        <Link to={productHref}>← {sku.productTitle}</Link>
      </p>
      <div className="row" style={{ marginBottom: "0.75rem" }}>
        <h1 style={{ margin: 0 }}>{`Stock · ${sku.specLabel || "Default"}`}</h1>
        {sku.status === "archived" ? <span className="badge badge-warn">Archived</span> : null}
        <span className="spacer" />
        <span className="badge badge-accent" style={{ fontSize: "0.95rem" }}>{`${sku.stock} in stock`}</span>
      </div>
      {sku.code ? <p className="muted small">{`Code ${sku.code}`}</p> : null}

      {sku.status === "active" ? (
        <section className="card" style={{ marginBottom: "1rem" }}>
          <h2>Adjust stock</h2>
          <Form method="post" noValidate key={sku.stock}>
            <CsrfInput />
            <FormError errors={errors} />
            <div className="grid grid-3">
              <div className="field">
                <label htmlFor="f-mode">Change</label>
                <select id="f-mode" name="mode" defaultValue="delta">
                  <option value="delta">Add or remove (e.g. 5 or -2)</option>
                  <option value="set">Set to a counted number</option>
                </select>
              </div>
              <Field label="Amount" name="amount" errors={errors} inputMode="numeric" required />
              <Field label="Reason" name="note" errors={errors} maxLength={200} required placeholder="e.g. Stock count, damaged" />
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save adjustment
            </button>
          </Form>
        </section>
      ) : null}

      {entries.length === 0 ? (
        <div className="card empty">{isFirstPage ? "No stock changes yet." : "No older changes."}</div>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>When (UTC)</th>
                <th>Reason</th>
                <th className="num">Change</th>
                <th className="num">Balance</th>
                <th className="hide-sm">Reference / note</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="small nowrap">{e.createdAt.slice(0, 16).replace("T", " ")}</td>
                  <td>{STOCK_REASON_LABELS[e.reason]}</td>
                  <td className={`num ${e.delta > 0 ? "delta-pos" : "delta-neg"}`}>{e.delta > 0 ? `+${e.delta}` : e.delta}</td>
                  <td className="num">{e.balanceAfter}</td>
                  <td className="hide-sm small">
                    {e.refType ? `${e.refType} ${e.refId}` : null}
                    {e.refType && e.note ? " · " : null}
                    {e.note}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {isFirstPage ? null : (
          <Link className="btn" to="?">
            Newest
          </Link>
        )}
        {nextBefore ? (
          <Link className="btn" to={`?before=${encodeURIComponent(nextBefore)}`}>
            Older
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
