/**
 * /admin/shops/:shopId/products/:productId — the product editor: details,
 * the image gallery (upload, reorder, remove), spec dimensions, and the SKU
 * matrix (price, compare-at, stock and code of every SKU, saved in one
 * POST). Each part is its own form posting an `intent`; all work without
 * JavaScript. Uploads are multipart and capped before buffering
 * (`readLimitedForm`).
 */
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { parseSkuMatrixForm, parseSpecsForm, PRODUCT_STATUSES, STATUS_LABELS, type AdminSku, type ProductStatus } from "~/catalog/catalog.schema";
import { CategoryOptions, FieldErrorText, StatusBadge } from "~/catalog/components/admin-bits";
import { SpecRows } from "~/catalog/components/SpecRows";
import { imageUrl } from "~/catalog/media";
import { currencyDecimals, formatPriceRange, minorToDecimal } from "~/catalog/money";
import {
  getAdminProduct,
  listCategories,
  moveProductImage,
  readLimitedForm,
  removeProductImage,
  setSpecs,
  updateProduct,
  updateSkus,
  uploadProductImages,
} from "~/catalog/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import catalogStyles from "~/styles/catalog-admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.product.title} · Products · Bazaar` : "Product · Bazaar" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const { db } = context.platform;
  const [product, categories] = await Promise.all([getAdminProduct(db, shop.id, params.productId ?? ""), listCategories(db, shop.id)]);
  return json({
    shop: { id: shop.id, handle: shop.handle, currency: shop.currency },
    product,
    categories,
    created: new URL(request.url).searchParams.has("created"),
  });
}

type ActionResult = { ok: true; message: string } | ActionErrorData;

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readLimitedForm(request, context);
  const { db } = context.platform;
  const productId = params.productId ?? "";
  const actor = { type: "user" as const, id: user.id };
  switch (form.get("intent")) {
    case "details":
      await updateProduct(db, shop.id, productId, actor, {
        title: text(form, "title"),
        description: text(form, "description"),
        categoryId: text(form, "categoryId"),
        // Checked against the status list by the service (400 on `status`).
        status: text(form, "status") as ProductStatus | undefined,
      });
      return json<ActionResult>({ ok: true, message: "Details saved." });
    case "specs": {
      const { specs, rowIndexes } = parseSpecsForm(form);
      const s = await setSpecs(db, shop.id, productId, actor, specs, { rowIndexes });
      const parts = [`${s.skuCount} SKU${s.skuCount === 1 ? "" : "s"}`];
      if (s.created) parts.push(`${s.created} new`);
      if (s.reactivated) parts.push(`${s.reactivated} restored`);
      if (s.archived) parts.push(`${s.archived} archived`);
      return json<ActionResult>({ ok: true, message: `Specs saved: ${parts.join(", ")}.` });
    }
    case "skus": {
      const parsed = parseSkuMatrixForm(form, shop.currency);
      if (!parsed.ok) throw new AppError("bad_request", "Please correct the highlighted SKUs.", { fieldErrors: parsed.fieldErrors });
      const { changed } = await updateSkus(db, shop.id, productId, actor, parsed.rows);
      return json<ActionResult>({ ok: true, message: changed ? `Saved ${changed} SKU${changed === 1 ? "" : "s"}.` : "Nothing changed." });
    }
    case "upload": {
      const files = form.getAll("image").filter((f): f is File => typeof f !== "string" && f.size > 0);
      const uploads = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      await uploadProductImages(context.platform, shop.id, productId, actor, uploads);
      return json<ActionResult>({ ok: true, message: files.length === 1 ? "Image added." : `${files.length} images added.` });
    }
    case "image-up":
    case "image-down":
      await moveProductImage(db, shop.id, productId, actor, text(form, "imageId") ?? "", form.get("intent") === "image-up" ? "up" : "down");
      return json<ActionResult>({ ok: true, message: "Gallery order saved." });
    case "image-remove":
      await removeProductImage(db, shop.id, productId, actor, text(form, "imageId") ?? "");
      return json<ActionResult>({ ok: true, message: "Image removed from the gallery." });
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

export default function ProductEditorPage() {
  const { shop, product, categories, created } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result && !result.ok ? result : undefined;
  const fe = errors?.fieldErrors;
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const base = `/admin/shops/${shop.id}/products`;
  const active = product.skus.filter((s) => s.status === "active");
  const archived = product.skus.filter((s) => s.status === "archived");
  const decimals = currencyDecimals(shop.currency);
  // Remount the forms after every save, so inputs show what was stored.
  const version = product.updatedAt;

  return (
    <>
      <p className="small">
        <Link to={base}>← Products</Link>
      </p>
      <div className="row" style={{ marginBottom: "0.5rem" }}>
        <h1 style={{ margin: 0 }}>{product.title}</h1>
        <StatusBadge status={product.status} />
        <span className="spacer" />
        {product.status === "on_sale" ? (
          <a className="btn btn-sm" href={`/s/${shop.handle}/products/${product.id}`} target="_blank" rel="noreferrer">
            View in shop
          </a>
        ) : null}
      </div>
      <p className="muted small">
        {formatPriceRange(product.minPrice, product.maxPrice, shop.currency)} · {product.totalStock} in stock · {active.length} SKU
        {active.length === 1 ? "" : "s"}
      </p>

      {created && !result ? (
        <div className="alert alert-ok" role="status">
          Product created. Add photos and price each SKU below.
        </div>
      ) : null}
      {result?.ok ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}
      <FormError errors={errors} />

      <section className="card cat-section">
        <h2>Details</h2>
        <Form method="post" noValidate key={`details-${version}`}>
          <CsrfInput />
          <input type="hidden" name="intent" value="details" />
          <Field label="Title" name="title" errors={errors} defaultValue={product.title} maxLength={120} required />
          <div className={`field${fe?.description ? " field-invalid" : ""}`}>
            <label htmlFor="f-description">Description</label>
            <textarea id="f-description" name="description" rows={6} defaultValue={product.description} />
            <p className="hint">Markdown: **bold**, *italic*, lists, [links](https://…). HTML is removed.</p>
            <FieldErrorText errors={fe} name="description" />
          </div>
          <div className="grid grid-2">
            <div className={`field${fe?.categoryId ? " field-invalid" : ""}`}>
              <label htmlFor="f-categoryId">Category</label>
              <select id="f-categoryId" name="categoryId" defaultValue={product.categoryId ?? ""}>
                <option value="">No category</option>
                <CategoryOptions tree={categories} />
              </select>
              <FieldErrorText errors={fe} name="categoryId" />
            </div>
            <div className={`field${fe?.status ? " field-invalid" : ""}`}>
              <label htmlFor="f-status">Status</label>
              <select id="f-status" name="status" defaultValue={product.status}>
                {PRODUCT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
              <FieldErrorText errors={fe} name="status" />
            </div>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save details
          </button>
        </Form>
      </section>

      <section className="card cat-section">
        <h2>Images</h2>
        {product.images.length === 0 ? <p className="muted small">No images yet. The first image is the one shown on product cards.</p> : null}
        <ul className="cat-gallery">
          {product.images.map((img, i) => (
            <li key={img.id}>
              <img src={imageUrl(img.id, 320)} alt={`Image ${i + 1}`} loading="lazy" />
              <div className="row">
                <ImageButton intent="image-up" imageId={img.id} label="←" title="Move earlier" disabled={i === 0} />
                <ImageButton intent="image-remove" imageId={img.id} label="Remove" title="Remove from the gallery" />
                <ImageButton intent="image-down" imageId={img.id} label="→" title="Move later" disabled={i === product.images.length - 1} />
              </div>
            </li>
          ))}
        </ul>
        {/* Remounted (cleared) only when the gallery changes, so a file picked meanwhile survives other saves. */}
        <Form method="post" encType="multipart/form-data" key={`upload-${product.images.map((i) => i.id).join()}`}>
          <CsrfInput />
          <input type="hidden" name="intent" value="upload" />
          <div className={`field${fe?.image ? " field-invalid" : ""}`}>
            <label htmlFor="f-image">Add images</label>
            <input id="f-image" type="file" name="image" accept="image/jpeg,image/png,image/webp" multiple />
            <p className="hint">JPEG, PNG or WebP, up to 5 MB.</p>
            <FieldErrorText errors={fe} name="image" />
            <FieldErrorText errors={fe} name="images" />
          </div>
          <button type="submit" className="btn" disabled={busy}>
            Upload
          </button>
        </Form>
      </section>

      <section className="card cat-section">
        <h2>Specs</h2>
        <p className="muted small">
          Changing specs regenerates the SKUs: combinations that remain keep their price, stock and code; new ones start at the lowest current
          price with no stock; removed ones are archived and their stock written off in the ledger.
        </p>
        <Form method="post" noValidate key={`specs-${version}`}>
          <CsrfInput />
          <input type="hidden" name="intent" value="specs" />
          <SpecRows specs={product.specs} errors={fe} />
          <button type="submit" className="btn btn-primary" disabled={busy} style={{ marginTop: "0.75rem" }}>
            Save specs
          </button>
        </Form>
      </section>

      <section className="card cat-section">
        <h2>SKUs</h2>
        <p className="muted small">
          {`Prices in ${shop.currency}${decimals ? ` (e.g. ${minorToDecimal(1250, shop.currency)})` : ""}. Changing a stock number records a manual adjustment in the SKU's ledger.`}
        </p>
        <Form method="post" noValidate key={`skus-${version}`}>
          <CsrfInput />
          <input type="hidden" name="intent" value="skus" />
          <div className="table-wrap">
            <table className="table cat-matrix">
              <thead>
                <tr>
                  <th>SKU</th>
                  <th>Price</th>
                  <th>Compare-at</th>
                  <th>Stock</th>
                  <th>Code</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {active.map((sku) => (
                  <SkuRow key={sku.id} sku={sku} currency={shop.currency} errors={fe} ledgerHref={`${base}/${product.id}/skus/${sku.id}`} />
                ))}
              </tbody>
            </table>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy} style={{ marginTop: "0.75rem" }}>
            Save SKUs
          </button>
        </Form>
        {archived.length ? (
          <details style={{ marginTop: "1rem" }}>
            <summary className="small">{`${archived.length} archived SKU${archived.length === 1 ? "" : "s"} (kept for past orders)`}</summary>
            <ul className="small">
              {archived.map((s) => (
                <li key={s.id}>
                  {s.specLabel || "Default"} · <Link to={`${base}/${product.id}/skus/${s.id}`}>Stock ledger</Link>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>
    </>
  );
}

function SkuRow({ sku, currency, errors, ledgerHref }: { sku: AdminSku; currency: string; errors?: Record<string, string[]>; ledgerHref: string }) {
  const name = (field: string) => `skus.${sku.id}.${field}`;
  const invalid = (field: string) => (errors?.[name(field)] ? true : undefined);
  const label = sku.specLabel || "Default";
  return (
    <tr>
      <td className="cat-spec-label">{label}</td>
      <td>
        <input name={name("price")} defaultValue={minorToDecimal(sku.price, currency)} inputMode="decimal" aria-label={`${label} price`} aria-invalid={invalid("price")} />
        <FieldErrorText errors={errors} name={name("price")} />
      </td>
      <td>
        <input
          name={name("compareAt")}
          defaultValue={sku.compareAtPrice === null ? "" : minorToDecimal(sku.compareAtPrice, currency)}
          inputMode="decimal"
          aria-label={`${label} compare-at price`}
          aria-invalid={invalid("compareAt")}
        />
        <FieldErrorText errors={errors} name={name("compareAt")} />
      </td>
      <td>
        <input type="hidden" name={name("stockWas")} value={sku.stock} />
        <input name={name("stock")} defaultValue={String(sku.stock)} inputMode="numeric" aria-label={`${label} stock`} aria-invalid={invalid("stock")} />
        <FieldErrorText errors={errors} name={name("stock")} />
      </td>
      <td>
        <input className="cat-code" name={name("code")} defaultValue={sku.code} maxLength={64} aria-label={`${label} code`} aria-invalid={invalid("code")} />
        <FieldErrorText errors={errors} name={name("code")} />
      </td>
      <td className="small">
        <Link to={ledgerHref}>Ledger</Link>
      </td>
    </tr>
  );
}

function ImageButton({ intent, imageId, label, title, disabled }: { intent: string; imageId: string; label: string; title: string; disabled?: boolean }) {
  return (
    <Form method="post" style={{ margin: 0 }}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="imageId" value={imageId} />
      <button type="submit" className="btn-link" title={title} disabled={disabled}>
        {label}
      </button>
    </Form>
  );
}

export const ErrorBoundary = RouteErrorCard;
