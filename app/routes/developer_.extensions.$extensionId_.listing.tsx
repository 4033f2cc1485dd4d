/**
 * /developer/extensions/:extensionId/listing: the extension's listing as
 * its vendor's developers edit it (name, tagline, Markdown description with
 * a sanitized preview, icon, category, pricing label, support contact) and
 * its versions, newest first. Anyone else gets 404.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { readLimitedForm } from "~/catalog/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import {
  CATEGORY_LABELS,
  EXTENSION_CATEGORIES,
  getListingView,
  listVersionSummaries,
  requireDeveloperExtension,
  saveListing,
  uploadListingIcon,
} from "~/marketplace/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const [listing, versions] = await Promise.all([getListingView(db, extension.id), listVersionSummaries(db, extension.id)]);
  return json({ listing: listing!, versions });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.listing.name}: listing · Bazaar` : "Listing · Bazaar" }];

type Result = { ok: true; message: string } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const extension = await requireDeveloperExtension(context.platform.db, user.id, params.extensionId ?? "");
  // one multipart form (texts + an optional icon), capped like catalog uploads, CSRF checked by readLimitedForm
  const form = await readLimitedForm(request, context);
  const intent = form.get("intent");
  if (intent === "icon") {
    const file = form.get("icon");
    if (!file || typeof file === "string" || file.size === 0) throw new AppError("bad_request", "Choose an image.", { fieldErrors: { icon: ["Choose an image"] } });
    await uploadListingIcon(context.platform, user, extension.id, new Uint8Array(await file.arrayBuffer()));
    return json({ ok: true as const, message: "Icon updated." });
  }
  if (intent !== "save") throw new AppError("bad_request", "Unknown action");
  const fields = Object.fromEntries([...form].filter(([, v]) => typeof v === "string"));
  await saveListing(context.platform.db, user, extension.id, fields);
  return json({ ok: true as const, message: "Listing saved." });
}

const BADGE: Record<string, string> = { submitted: "badge", checks_passed: "badge badge-accent", checks_failed: "badge badge-err", approved: "badge badge-ok", rejected: "badge badge-err", suspended: "badge badge-err" };

export default function ListingPage() {
  const { listing, versions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const errors = result && !result.ok ? result : undefined;
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to={`/developer/vendors/${listing.vendorId}`}>← {listing.vendorName}</Link> · <Link to={`/developer/extensions/${listing.extensionId}`}>Metrics</Link>
        </p>
        <h1 className="row" style={{ gap: "0.75rem" }}>
          {listing.iconUrl ? <img src={listing.iconUrl} alt="" width={48} height={48} style={{ borderRadius: 10 }} /> : null}
          {listing.name}
        </h1>
        <p className="muted">
          <code>{listing.handle}</code> · {listing.categoryLabel} · {listing.pricingLabel}
        </p>
        {result?.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
          </div>
        ) : null}
        <FormError errors={errors} />
        <div className="grid grid-2">
          <section className="card">
            <h2>Listing</h2>
            <p className="small muted">Merchants see this in the marketplace once a version is approved.</p>
            <Form method="post" encType="multipart/form-data" noValidate>
              <CsrfInput />
              <input type="hidden" name="intent" value="save" />
              <Field label="Name" name="name" required maxLength={60} defaultValue={listing.name} errors={errors} />
              <Field label="Tagline" name="tagline" maxLength={120} defaultValue={listing.tagline} errors={errors} />
              <Field label="Description (Markdown)" name="description" errors={errors}>
                <textarea id="f-description" name="description" rows={8} maxLength={10000} defaultValue={listing.description} />
              </Field>
              <Field label="Category" name="category" errors={errors}>
                <select id="f-category" name="category" defaultValue={listing.category}>
                  {EXTENSION_CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {CATEGORY_LABELS[c]}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Pricing" name="pricingLabel" required maxLength={60} defaultValue={listing.pricingLabel} hint="e.g. Free, or CNY 29 a month" errors={errors} />
              <Field label="Support contact" name="supportContact" maxLength={254} defaultValue={listing.supportContact} hint="An e-mail address or a URL" errors={errors} />
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Save listing
              </button>
            </Form>
          </section>
          <div className="stack">
            <section className="card">
              <h2>Icon</h2>
              <Form method="post" encType="multipart/form-data" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="icon" />
                <Field label="Image (JPEG, PNG or WebP, up to 1 MB; shown at 256×256)" name="icon" type="file" accept="image/jpeg,image/png,image/webp" errors={errors} />
                <button type="submit" className="btn" disabled={busy}>
                  Upload icon
                </button>
              </Form>
            </section>
            <section className="card">
              <h2>Description preview</h2>
              {listing.descriptionHtml ? (
                <div className="prose small" dangerouslySetInnerHTML={{ __html: listing.descriptionHtml }} />
              ) : (
                <p className="small muted">No description yet.</p>
              )}
            </section>
          </div>
        </div>

        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Versions</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Status</th>
                  <th>Submitted</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id}>
                    <td>{v.version}</td>
                    <td>
                      <span className={BADGE[v.status] ?? "badge"}>{v.statusLabel}</span>
                      {v.statusReason ? <div className="small muted">{v.statusReason.slice(0, 160)}</div> : null}
                    </td>
                    <td className="small">{v.createdAt.slice(0, 16).replace("T", " ")}</td>
                    <td className="num">
                      <Link to={`/developer/extensions/${listing.extensionId}/versions/${v.id}`}>Checks and details</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </main>
    </>
  );
}
