/**
 * /admin/shops/:shopId/shelves/:shelfId — the shelf editor. The merchant
 * edits the draft (add, remove, reorder and configure sections; pick
 * products by search), previews it, and publishes. Each section's forms post
 * through their own fetcher, so an error shows next to the section it is
 * about and the page keeps its scroll position.
 *
 * `?q=…&for=<sectionId>` searches the shop's products for that section.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { listAdminProducts, readLimitedForm } from "~/catalog/index.server";
import { imageUrl } from "~/catalog/media";
import { formatMoney } from "~/catalog/money";
import { CsrfInput, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import type { ActionErrorData } from "~/http/errors.server";
import { categoryOptions, describePlacedProducts, getShelfDraft, submitShelfEditor } from "~/shelves/index.server";
import {
  MAX_GRID_PRODUCTS,
  MAX_LIST_PRODUCTS,
  SECTION_HINTS,
  SECTION_LABELS,
  SECTION_TYPES,
  SectionId,
  type Section,
} from "~/shelves/shelves.schema";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.shelf.title} · Shelves · Admin` : "Shelf editor" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const { db } = context.platform;
  const shelf = await getShelfDraft(db, shop.id, params.shelfId ?? "");
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 100);
  const searchFor = SectionId.safeParse(url.searchParams.get("for"));
  const productIds = shelf.sections.flatMap((s) => (s.type === "product_grid" || s.type === "product_list" ? s.productIds : []));
  const [placed, categories, search] = await Promise.all([
    describePlacedProducts(db, shop.id, productIds),
    categoryOptions(db, shop.id),
    searchFor.success ? listAdminProducts(db, shop.id, { q }) : Promise.resolve(null),
  ]);
  return json({
    shop: { id: shop.id, handle: shop.handle, name: shop.name, currency: shop.currency },
    shelf,
    placed,
    categories,
    search: searchFor.success && search ? { for: searchFor.data, q, results: search.items } : null,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  // Multipart when a banner picture is uploaded; capped at 5 MB either way.
  const form = await readLimitedForm(request, context);
  const file = form.get("image");
  const image = file && typeof file !== "string" && file.size > 0 ? new Uint8Array(await file.arrayBuffer()) : null;
  const fields = Object.fromEntries([...form].filter(([, v]) => typeof v === "string"));
  const result = await submitShelfEditor(context.platform, shop.id, user, params.shelfId ?? "", { fields, image });
  return json({ ok: true as const, ...result });
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Result = { ok: true; message: string; sectionId?: string } | ActionErrorData;

function SectionMessage({ data }: { data: Result | undefined }) {
  if (!data) return null;
  if (!data.ok) {
    const fields = data.fieldErrors ? Object.entries(data.fieldErrors).filter(([k]) => k !== "_form") : [];
    return (
      <div className="alert alert-error small" role="alert">
        {data.formError}
        {fields.length ? (
          <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.1rem" }}>
            {fields.map(([k, v]) => (
              <li key={k}>
                <strong>{k}</strong>: {v.join(" ")}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  return (
    <div className="alert alert-ok small" role="status">
      {data.message}
    </div>
  );
}

function FieldError({ data, name }: { data: Result | undefined; name: string }) {
  const errs = data && !data.ok ? data.fieldErrors?.[name] : undefined;
  return errs?.length ? <p className="field-error">{errs.join(" ")}</p> : null;
}

function Hidden({ values }: { values: Record<string, string> }) {
  return (
    <>
      <CsrfInput />
      {Object.entries(values).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
    </>
  );
}

function ProductPicker({ section, data }: { section: Extract<Section, { type: "product_grid" | "product_list" }>; data: LoaderData }) {
  const fetcher = useFetcher<Result>();
  const [params] = useSearchParams();
  const searching = data.search?.for === section.id;
  const max = section.type === "product_grid" ? MAX_GRID_PRODUCTS : MAX_LIST_PRODUCTS;
  const busy = fetcher.state !== "idle";
  return (
    <div style={{ marginTop: "0.75rem" }}>
      <SectionMessage data={fetcher.data && !fetcher.data.ok ? fetcher.data : undefined} />
      <p className="small muted" style={{ margin: "0 0 0.5rem" }}>
        {section.productIds.length} of {max} products
      </p>
      {section.productIds.length ? (
        <ol className="stack" style={{ listStyle: "none", padding: 0, margin: "0 0 0.75rem" }}>
          {section.productIds.map((id, i) => {
            const p = data.placed[id];
            return (
              <li key={id} className="row" style={{ gap: "0.6rem" }} data-testid="placed-product">
                {p?.imageId ? (
                  <img src={imageUrl(p.imageId, 160)} alt="" width={40} height={40} style={{ borderRadius: 6, objectFit: "cover" }} />
                ) : (
                  <span style={{ width: 40, height: 40, borderRadius: 6, background: "#eee", display: "inline-block" }} />
                )}
                <span style={{ flex: 1, minWidth: 0 }}>
                  {p?.title ?? id}{" "}
                  {p?.state === "hidden" ? <span className="badge badge-warn">Not on sale — hidden</span> : null}
                  {p?.state === "missing" ? <span className="badge badge-err">Deleted</span> : null}
                </span>
                <fetcher.Form method="post">
                  <Hidden values={{ intent: "move-product", sectionId: section.id, productId: id, direction: "up" }} />
                  <button className="btn" type="submit" disabled={busy || i === 0} aria-label="Move product up">
                    ↑
                  </button>
                </fetcher.Form>
                <fetcher.Form method="post">
                  <Hidden values={{ intent: "move-product", sectionId: section.id, productId: id, direction: "down" }} />
                  <button className="btn" type="submit" disabled={busy || i === section.productIds.length - 1} aria-label="Move product down">
                    ↓
                  </button>
                </fetcher.Form>
                <fetcher.Form method="post">
                  <Hidden values={{ intent: "remove-product", sectionId: section.id, productId: id }} />
                  <button className="btn" type="submit" disabled={busy} aria-label={`Remove ${p?.title ?? "product"}`}>
                    ✕
                  </button>
                </fetcher.Form>
              </li>
            );
          })}
        </ol>
      ) : null}
      <Form method="get" className="row" preventScrollReset>
        <input type="hidden" name="for" value={section.id} />
        <input
          type="search"
          name="q"
          placeholder="Search your products by title"
          defaultValue={searching ? params.get("q") ?? "" : ""}
          aria-label="Search products to add"
          style={{ flex: 1, minWidth: "12rem" }}
        />
        <button className="btn" type="submit">
          {searching ? "Search" : "Add products…"}
        </button>
      </Form>
      {searching && data.search ? (
        <div style={{ marginTop: "0.5rem" }}>
          {data.search.results.length === 0 ? (
            <p className="small muted">No products match.</p>
          ) : (
            <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="product-search-results">
              {data.search.results.map((r) => {
                const added = section.productIds.includes(r.id);
                return (
                  <li key={r.id} className="row" style={{ gap: "0.6rem" }}>
                    {r.imageId ? (
                      <img src={imageUrl(r.imageId, 160)} alt="" width={32} height={32} style={{ borderRadius: 6, objectFit: "cover" }} />
                    ) : null}
                    <span style={{ flex: 1 }}>
                      {r.title} <span className="muted small">{formatMoney(r.minPrice, data.shop.currency)}</span>{" "}
                      {r.status !== "on_sale" ? <span className="badge">{r.status === "draft" ? "Draft" : "Off sale"}</span> : null}
                    </span>
                    <fetcher.Form method="post">
                      <Hidden values={{ intent: "add-product", sectionId: section.id, productId: r.id }} />
                      <button className="btn" type="submit" disabled={busy || added || section.productIds.length >= max}>
                        {added ? "Added" : "Add"}
                      </button>
                    </fetcher.Form>
                  </li>
                );
              })}
            </ul>
          )}
          <p className="small" style={{ margin: "0.5rem 0 0" }}>
            <Link to="." preventScrollReset>
              Done adding
            </Link>
          </p>
        </div>
      ) : null}
    </div>
  );
}

function SectionFieldsForm({ section, data }: { section: Section; data: LoaderData }) {
  const fetcher = useFetcher<Result>();
  const busy = fetcher.state !== "idle";
  const result = fetcher.data;
  const save = (
    <button type="submit" className="btn btn-primary" disabled={busy}>
      {busy ? "Saving…" : "Save section"}
    </button>
  );
  const common = <Hidden values={{ intent: "update-section", sectionId: section.id }} />;
  switch (section.type) {
    case "banner":
      return (
        <fetcher.Form method="post" encType="multipart/form-data">
          {common}
          <SectionMessage data={result} />
          <div className="grid grid-2">
            <div className="field">
              <label htmlFor={`${section.id}-headline`}>Headline</label>
              <input id={`${section.id}-headline`} name="headline" defaultValue={section.headline} maxLength={80} required />
              <FieldError data={result} name="headline" />
            </div>
            <div className="field">
              <label htmlFor={`${section.id}-subline`}>Line under it</label>
              <input id={`${section.id}-subline`} name="subline" defaultValue={section.subline} maxLength={160} />
              <FieldError data={result} name="subline" />
            </div>
            <div className="field">
              <label htmlFor={`${section.id}-link`}>Link</label>
              <input id={`${section.id}-link`} name="link" defaultValue={section.link} placeholder={`/s/${data.shop.handle}/c/…`} maxLength={500} />
              <p className="hint">A page of your shop (starting with /) or a full https:// address.</p>
              <FieldError data={result} name="link" />
            </div>
            <div className="field">
              <label htmlFor={`${section.id}-linkLabel`}>Button text</label>
              <input id={`${section.id}-linkLabel`} name="linkLabel" defaultValue={section.linkLabel} placeholder="Shop now" maxLength={30} />
              <FieldError data={result} name="linkLabel" />
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${section.id}-image`}>Picture</label>
            {section.imageId ? (
              <div className="row" style={{ marginBottom: "0.4rem" }}>
                <img src={imageUrl(section.imageId, 320)} alt="" width={160} height={80} style={{ objectFit: "cover", borderRadius: 8 }} />
                <label className="small">
                  <input type="checkbox" name="removeImage" value="1" /> Remove picture
                </label>
              </div>
            ) : null}
            <input id={`${section.id}-image`} type="file" name="image" accept="image/jpeg,image/png,image/webp" />
            <p className="hint">JPEG, PNG or WebP, at most 5 MB; wide pictures (2:1) look best.</p>
            <FieldError data={result} name="image" />
          </div>
          {save}
        </fetcher.Form>
      );
    case "product_grid":
    case "product_list":
      return (
        <>
          <fetcher.Form method="post" className="row">
            {common}
            <label htmlFor={`${section.id}-title`} className="small" style={{ fontWeight: 600 }}>
              Title
            </label>
            <input id={`${section.id}-title`} name="title" defaultValue={section.title} maxLength={80} placeholder="(no title)" style={{ flex: 1, minWidth: "10rem" }} />
            {save}
          </fetcher.Form>
          <SectionMessage data={result} />
          <ProductPicker section={section} data={data} />
        </>
      );
    case "category_group":
      return (
        <fetcher.Form method="post">
          {common}
          <SectionMessage data={result} />
          <div className="grid grid-3">
            <div className="field">
              <label htmlFor={`${section.id}-cat`}>Category</label>
              <select id={`${section.id}-cat`} name="categoryId" defaultValue={section.categoryId ?? ""}>
                <option value="">Choose a category…</option>
                {data.categories.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </select>
              <FieldError data={result} name="categoryId" />
            </div>
            <div className="field">
              <label htmlFor={`${section.id}-title`}>Title</label>
              <input id={`${section.id}-title`} name="title" defaultValue={section.title} maxLength={80} placeholder="(the category's name)" />
            </div>
            <div className="field">
              <label htmlFor={`${section.id}-max`}>Products shown</label>
              <input id={`${section.id}-max`} name="maxItems" type="number" min={1} max={20} defaultValue={section.maxItems} />
              <FieldError data={result} name="maxItems" />
            </div>
          </div>
          {save}
        </fetcher.Form>
      );
    case "rich_text":
      return (
        <fetcher.Form method="post">
          {common}
          <SectionMessage data={result} />
          <div className="field">
            <label htmlFor={`${section.id}-md`}>Text</label>
            <textarea id={`${section.id}-md`} name="markdown" defaultValue={section.markdown} rows={7} maxLength={10000} />
            <p className="hint">Markdown: **bold**, *italic*, ## headings, - lists, [links](https://…). No pictures or scripts.</p>
            <FieldError data={result} name="markdown" />
          </div>
          {save}
        </fetcher.Form>
      );
  }
}

function SectionCard({ section, index, count, data }: { section: Section; index: number; count: number; data: LoaderData }) {
  const fetcher = useFetcher<Result>();
  const busy = fetcher.state !== "idle";
  return (
    <section className="card" id={section.id} data-testid={`section-${section.type}`}>
      <div className="row" style={{ marginBottom: "0.75rem" }}>
        <span className="badge badge-accent">{index + 1}</span>
        <strong>{SECTION_LABELS[section.type]}</strong>
        <span className="muted small">{SECTION_HINTS[section.type]}</span>
        <span className="spacer" />
        <fetcher.Form method="post">
          <Hidden values={{ intent: "move-section", sectionId: section.id, direction: "up" }} />
          <button type="submit" className="btn" disabled={busy || index === 0} aria-label="Move section up">
            ↑
          </button>
        </fetcher.Form>
        <fetcher.Form method="post">
          <Hidden values={{ intent: "move-section", sectionId: section.id, direction: "down" }} />
          <button type="submit" className="btn" disabled={busy || index === count - 1} aria-label="Move section down">
            ↓
          </button>
        </fetcher.Form>
        <fetcher.Form method="post">
          <Hidden values={{ intent: "remove-section", sectionId: section.id }} />
          <button type="submit" className="btn" disabled={busy} aria-label="Remove section">
            Remove
          </button>
        </fetcher.Form>
      </div>
      {fetcher.data && !fetcher.data.ok ? <SectionMessage data={fetcher.data} /> : null}
      <SectionFieldsForm section={section} data={data} />
    </section>
  );
}

export default function ShelfEditorPage() {
  const data = useLoaderData<typeof loader>();
  const { shop, shelf } = data;
  const result = useActionData<Result>();
  const busy = useNavigation().state === "submitting";
  const address = shelf.isHome ? `/s/${shop.handle}` : `/s/${shop.handle}/p/${shelf.slug}`;
  const base = `/admin/shops/${shop.id}/shelves`;

  return (
    <>
      <p className="small" style={{ margin: "0 0 0.5rem" }}>
        <Link to={base}>← All shelves</Link>
      </p>
      <div className="row" style={{ marginBottom: "0.5rem", alignItems: "flex-start" }}>
        <div>
          <h1 style={{ margin: 0 }}>
            {shelf.title} {shelf.isHome ? <span className="badge badge-accent">Home</span> : null}
          </h1>
          <p className="small muted" style={{ margin: "0.25rem 0 0" }}>
            {shelf.publishedVersion === null ? (
              <>Not published yet — buyers see nothing at {address}.</>
            ) : (
              <>
                Buyers see version {shelf.publishedVersion} at{" "}
                <a href={address} target="_blank" rel="noreferrer">
                  {address}
                </a>
                .{shelf.hasUnpublishedChanges ? " The draft below has changes they don't see yet." : " The draft matches it."}
              </>
            )}
          </p>
        </div>
        <span className="spacer" />
        <a className="btn" href={`${base}/${shelf.id}/preview`} target="_blank" rel="noreferrer">
          Preview draft ↗
        </a>
        {shelf.publishedVersion !== null && shelf.hasUnpublishedChanges ? (
          <Form method="post">
            <Hidden values={{ intent: "discard-draft" }} />
            <button type="submit" className="btn" disabled={busy}>
              Discard changes
            </button>
          </Form>
        ) : null}
        <Form method="post">
          <Hidden values={{ intent: "publish" }} />
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="publish">
            {busy ? "Publishing…" : "Publish"}
          </button>
        </Form>
      </div>

      {result ? (
        result.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
          </div>
        ) : (
          <FormError errors={result} />
        )
      ) : null}

      <div className="stack" style={{ marginTop: "1rem" }}>
        {shelf.sections.length === 0 ? (
          <div className="card empty">This page has no sections yet. Add one below — a banner and a product grid make a good start.</div>
        ) : (
          shelf.sections.map((s, i) => <SectionCard key={s.id} section={s} index={i} count={shelf.sections.length} data={data} />)
        )}
      </div>

      <section className="card" style={{ marginTop: "1rem" }}>
        <h2>Add a section</h2>
        <Form method="post" className="row" preventScrollReset>
          <Hidden values={{ intent: "add-section" }} />
          {SECTION_TYPES.map((t) => (
            <button key={t} type="submit" name="type" value={t} className="btn" disabled={busy} title={SECTION_HINTS[t]}>
              + {SECTION_LABELS[t]}
            </button>
          ))}
        </Form>
      </section>

      <details className="card" style={{ marginTop: "1rem" }}>
        <summary style={{ cursor: "pointer", fontWeight: 600 }}>Page settings</summary>
        <Form method="post" style={{ marginTop: "0.75rem", maxWidth: "30rem" }}>
          <Hidden values={{ intent: "settings" }} />
          <div className="field">
            <label htmlFor="shelf-title">Title</label>
            <input id="shelf-title" name="title" defaultValue={shelf.title} maxLength={80} />
          </div>
          <div className="field">
            <label htmlFor="shelf-slug">Address</label>
            <input id="shelf-slug" name="slug" defaultValue={shelf.slug} maxLength={60} />
            <p className="hint">{shelf.isHome ? "The home page is always at your shop's address; this one is used if it stops being the home." : `/s/${shop.handle}/p/…`}</p>
          </div>
          <button type="submit" className="btn" disabled={busy}>
            Save settings
          </button>
        </Form>
      </details>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
