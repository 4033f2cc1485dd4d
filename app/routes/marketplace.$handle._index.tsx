/**
 * /marketplace/:handle — a listing: what the extension does (the developer's
 * Markdown, sanitized), where it runs, the access it asks for in plain
 * language with the developer's reasons, its vendor, installs, rating and
 * reviews. Install goes to the consent page (/marketplace/:handle/install).
 * An owner of a shop that installed it at some point rates and reviews it
 * here (one review per shop, editable).
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getOptionalUser, requireUser } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import { getListing, getShopReview, listExtensionReviews, saveShopReview, viewerShopsFor } from "~/marketplace/index.server";
import { ListingIcon, Stars } from "~/marketplace/components/store-bits";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = context.platform.db;
  const listing = await getListing(db, params.handle ?? "");
  const url = new URL(request.url);
  const reviews = await listExtensionReviews(db, listing.extensionId, url.searchParams.get("before"));
  const user = await getOptionalUser(request, context);
  const shops = user ? await viewerShopsFor(db, user.id, listing.extensionId) : [];
  const reviewable = [];
  for (const s of shops.filter((s) => s.everInstalled)) reviewable.push({ ...s, review: await getShopReview(db, s.shopId, listing.extensionId) });
  return json({ listing, reviews, signedIn: !!user, shops, reviewable, reviewsFirstPage: !url.searchParams.get("before") });
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.listing.name} · Marketplace · Bazaar` }, { name: "description", content: data.listing.tagline }] : [{ title: "Marketplace · Bazaar" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const listing = await getListing(context.platform.db, params.handle ?? "");
  const shopId = form.get("shopId");
  if (typeof shopId !== "string" || !shopId) throw new AppError("bad_request", "Choose the shop you review for.", { fieldErrors: { shopId: ["Choose a shop"] } });
  await saveShopReview(context.platform.db, user, { shopId, extensionId: listing.extensionId, form: Object.fromEntries(form) });
  return redirect(`/marketplace/${encodeURIComponent(listing.handle)}#reviews`, 303);
}

export default function ListingPage() {
  const { listing, reviews, signedIn, shops, reviewable, reviewsFirstPage } = useLoaderData<typeof loader>();
  const installed = shops.filter((s) => s.installId);
  return (
    <>
      <TopBar />
      <main className="page" style={{ maxWidth: 860 }}>
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/marketplace">← Marketplace</Link>
        </p>
        <header className="mk-head">
          <ListingIcon handle={listing.handle} name={listing.name} iconUrl={listing.iconUrl} large />
          <div style={{ minWidth: 0 }}>
            <h1>{listing.name}</h1>
            <div className="muted">{listing.tagline}</div>
            <div className="mk-meta" style={{ marginTop: "0.35rem" }}>
              <span>
                by <strong>{listing.vendorName}</strong> <span className="badge badge-ok">verified</span>
              </span>
              <span className="badge">{listing.categoryLabel}</span>
              <span>{listing.pricingLabel}</span>
            </div>
          </div>
        </header>

        <div className="mk-stats">
          <div>
            <strong>{listing.rating.average === null ? "—" : listing.rating.average.toFixed(1)}</strong>
            <span>
              <Stars value={listing.rating.average} /> {listing.rating.count} review{listing.rating.count === 1 ? "" : "s"}
            </span>
          </div>
          <div>
            <strong>{listing.installCount}</strong>
            <span>shops use it</span>
          </div>
          <div>
            <strong>{listing.version}</strong>
            <span>version</span>
          </div>
        </div>

        <div className="mk-install">
          {installed.length > 0 ? (
            <p className="small" style={{ margin: "0 0 0.5rem" }}>
              Installed in{" "}
              {installed.map((s, i) => (
                <span key={s.shopId}>
                  {i > 0 ? ", " : ""}
                  <Link to={`/admin/shops/${s.shopId}/extensions/${s.installId}`}>{s.shopName}</Link>
                </span>
              ))}
              .
            </p>
          ) : null}
          <Link className="btn btn-primary btn-block" to={`/marketplace/${encodeURIComponent(listing.handle)}/install`}>
            {installed.length > 0 ? "Install in another shop" : "Install"}
          </Link>
        </div>

        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>What it does</h2>
          {listing.descriptionHtml ? <div className="mk-desc" dangerouslySetInnerHTML={{ __html: listing.descriptionHtml }} /> : <p className="muted">The developer has not described it yet.</p>}
          <h3 className="small" style={{ marginTop: "1rem" }}>Where it runs</h3>
          <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }}>
            {listing.hooks.map((h) => (
              <li key={h.hook}>{h.label}</li>
            ))}
          </ul>
        </section>

        <section className="card">
          <h2>Access it asks for</h2>
          {listing.scopes.length === 0 ? (
            <p className="small" style={{ margin: 0 }}>
              Nothing beyond its own data: it cannot read your customers, orders or products.
            </p>
          ) : (
            listing.scopes.map((s) => (
              <div className="mk-scope" key={s.scope}>
                <strong>{s.label}</strong>
                <div className="small muted">Why: {s.justification}</div>
              </div>
            ))
          )}
          <p className="small muted" style={{ marginBottom: 0 }}>
            If you uninstall it, its data is kept {listing.retentionDays === 0 ? "no longer than a day" : `for ${listing.retentionDays} day${listing.retentionDays === 1 ? "" : "s"}`} (you can export it), then deleted.
          </p>
        </section>

        {listing.settings.length > 0 ? (
          <section className="card">
            <h2>What you can set</h2>
            <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }}>
              {listing.settings.map((f) => (
                <li key={f.key}>
                  {f.label}
                  {f.description ? <span className="muted"> — {f.description}</span> : null}
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        <section className="card" id="reviews">
          <h2>Ratings and reviews</h2>
          {reviewable.map((s) => (
            <ReviewForm key={s.shopId} shopId={s.shopId} shopName={s.shopName} review={s.review} />
          ))}
          {signedIn && reviewable.length === 0 ? <p className="small muted">Shops that installed this extension can review it.</p> : null}
          {reviews.items.length === 0 ? (
            <p className="muted small">{reviewsFirstPage ? "No reviews yet." : "No more reviews."}</p>
          ) : (
            reviews.items.map((r) => (
              <div className="mk-review" key={r.id}>
                <div className="mk-meta">
                  <Stars value={r.rating} /> <strong style={{ color: "var(--text)" }}>{r.shopName}</strong>
                  <span>
                    {r.updatedAt.slice(0, 10)}
                    {r.edited ? " (edited)" : ""}
                  </span>
                </div>
                {r.body ? <p>{r.body}</p> : null}
              </div>
            ))
          )}
          <div className="pager">
            {!reviewsFirstPage ? <Link to="?#reviews">Newest</Link> : null}
            {reviews.next ? <Link to={`?before=${reviews.next}#reviews`}>Older reviews →</Link> : null}
          </div>
          <p className="small muted" style={{ marginBottom: 0 }}>
            Support: {listing.supportContact ?? "through the vendor"}
          </p>
        </section>
      </main>
    </>
  );
}

function ReviewForm({ shopId, shopName, review }: { shopId: string; shopName: string; review: { rating: number; body: string } | null }) {
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  return (
    <Form method="post" className="card" style={{ boxShadow: "none", marginBottom: "1rem" }}>
      <CsrfInput />
      <input type="hidden" name="shopId" value={shopId} />
      <p className="small" style={{ marginTop: 0 }}>
        <strong>{review ? `Your review for ${shopName}` : `Review it for ${shopName}`}</strong>
      </p>
      <FormError errors={errors} />
      <div className="field">
        <label htmlFor={`rating-${shopId}`}>Rating</label>
        <select id={`rating-${shopId}`} name="rating" defaultValue={String(review?.rating ?? 5)}>
          {[5, 4, 3, 2, 1].map((n) => (
            <option key={n} value={n}>
              {"★".repeat(n)} ({n})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`body-${shopId}`}>Review (optional)</label>
        <textarea id={`body-${shopId}`} name="body" maxLength={2000} defaultValue={review?.body ?? ""} />
      </div>
      <button className="btn" type="submit" disabled={busy}>
        {review ? "Update review" : "Post review"}
      </button>
    </Form>
  );
}

export { PageErrorBoundary as ErrorBoundary };
