/**
 * /admin/shops/:shopId/shelves — the shop's pages ("shelves"): which one is
 * the home, what is published, what has unpublished changes; create a page,
 * make a page the home. The home shelf is created on the first visit.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { requireShopMember } from "~/accounts/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod } from "~/lib/errors";
import { createShelf, ensureHomeShelf, listShelves, setHomeShelf } from "~/shelves/index.server";
import { ShelfListForm, slugify } from "~/shelves/shelves.schema";

export const meta: MetaFunction = () => [{ title: "Shelves · Admin · Bazaar" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const { db } = context.platform;
  await ensureHomeShelf(db, shop.id, user);
  const shelves = await listShelves(db, shop.id);
  return json({ shop: { id: shop.id, handle: shop.handle, name: shop.name }, shelves });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const parsed = ShelfListForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const { db } = context.platform;
  if (parsed.data.intent === "create") {
    const shelf = await createShelf(db, shop.id, user, { title: parsed.data.title, slug: parsed.data.slug });
    return redirect(`/admin/shops/${shop.id}/shelves/${shelf.id}`, 303);
  }
  await setHomeShelf(db, shop.id, user, parsed.data.shelfId);
  return redirect(`/admin/shops/${shop.id}/shelves`, 303);
}

function StatusBadge({ shelf }: { shelf: { publishedVersion: number | null; hasUnpublishedChanges: boolean } }) {
  if (shelf.publishedVersion === null) return <span className="badge">Not published</span>;
  return (
    <>
      <span className="badge badge-ok">Published v{shelf.publishedVersion}</span>{" "}
      {shelf.hasUnpublishedChanges ? <span className="badge badge-warn">Unpublished changes</span> : null}
    </>
  );
}

export default function ShelvesPage() {
  const { shop, shelves } = useLoaderData<typeof loader>();
  const result = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const [title, setTitle] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const base = `/admin/shops/${shop.id}/shelves`;

  return (
    <>
      <div className="row" style={{ marginBottom: "1rem" }}>
        <h1 style={{ margin: 0 }}>Shelves</h1>
        <span className="spacer" />
        <a className="btn" href={`/s/${shop.handle}`} target="_blank" rel="noreferrer">
          View storefront ↗
        </a>
      </div>
      <p className="muted" style={{ marginTop: 0 }}>
        Shelves are your storefront's pages. Edit a draft freely — buyers only see a page once you publish it.
      </p>

      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Page</th>
              <th>Address</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shelves.map((s) => {
              const address = s.isHome ? `/s/${shop.handle}` : `/s/${shop.handle}/p/${s.slug}`;
              return (
                <tr key={s.id}>
                  <td>
                    <Link to={`${base}/${s.id}`}>
                      <strong>{s.title}</strong>
                    </Link>{" "}
                    {s.isHome ? <span className="badge badge-accent">Home</span> : null}
                  </td>
                  <td className="small">
                    {s.publishedVersion !== null ? (
                      <a href={address} target="_blank" rel="noreferrer">
                        {address}
                      </a>
                    ) : (
                      <span className="muted">{address}</span>
                    )}
                  </td>
                  <td>
                    <StatusBadge shelf={s} />
                  </td>
                  <td className="num">
                    <div className="row" style={{ justifyContent: "flex-end" }}>
                      <Link className="btn" to={`${base}/${s.id}`}>
                        Edit
                      </Link>
                      {s.isHome ? null : (
                        <Form method="post">
                          <CsrfInput />
                          <input type="hidden" name="intent" value="set-home" />
                          <input type="hidden" name="shelfId" value={s.id} />
                          <button type="submit" className="btn" disabled={busy}>
                            Make home
                          </button>
                        </Form>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <section className="card" style={{ marginTop: "1.5rem", maxWidth: "36rem" }}>
        <h2>New page</h2>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="create" />
          <FormError errors={result} />
          <Field
            label="Title"
            name="title"
            value={title}
            required
            maxLength={80}
            placeholder="Spring tea festival"
            errors={result}
            onChange={(e) => {
              setTitle(e.target.value);
              if (!slugTouched) setSlug(slugify(e.target.value));
            }}
          />
          <Field
            label="Address"
            name="slug"
            value={slug}
            required
            maxLength={60}
            placeholder="spring-tea"
            hint={`Buyers open it at /s/${shop.handle}/p/${slug || "…"}`}
            errors={result}
            onChange={(e) => {
              setSlug(e.target.value);
              setSlugTouched(true);
            }}
          />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Create page
          </button>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
