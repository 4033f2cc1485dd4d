/**
 * /review/vendors/:vendorId — a vendor as the reviewer verifies it: who they
 * say they are, their team and extensions, and the decision (verify or reject
 * a pending vendor, suspend a verified one — which suspends all its
 * extensions everywhere) with a reason the vendor's team is sent.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { decideVendorReview, getVendorReview } from "~/marketplace/index.server";
import { VENDOR_STATUS_LABELS } from "~/marketplace/workflows.schema";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  return json(await getVendorReview(context.platform.db, params.vendorId ?? ""));
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.vendor.name} · Vendors · Bazaar` : "Vendor · Bazaar" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const reviewer = await requireReviewer(request, context);
  const form = Object.fromEntries(await readForm(request, context));
  await decideVendorReview(context.platform, reviewer, { ...form, vendorId: params.vendorId ?? "" });
  return redirect(`/review/vendors/${params.vendorId}`, 303);
}

const LABEL = { verify: "Verify", reject: "Reject", suspend: "Suspend vendor and all its extensions" } as const;

export default function VendorReviewPage() {
  const { vendor, members, extensions } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const decisions = vendor.status === "pending" ? (["verify", "reject"] as const) : vendor.status === "verified" ? (["suspend"] as const) : [];
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review/vendors">← Vendors</Link>
        </p>
        <h1>
          {vendor.name} <span className={vendor.status === "verified" ? "badge badge-ok" : vendor.status === "pending" ? "badge badge-accent" : "badge badge-warn"}>{VENDOR_STATUS_LABELS[vendor.status]}</span>
        </h1>
        <p className="small muted" style={{ marginTop: 0 }}>
          {vendor.slug} · registered {vendor.createdAt.slice(0, 16).replace("T", " ")} UTC ({vendor.age.label} ago)
        </p>
        {vendor.statusReason ? (
          <p className="small">
            <strong>Recorded reason:</strong> {vendor.statusReason}
          </p>
        ) : null}
        <div className="grid grid-2">
          <section className="card">
            <h2>Identity</h2>
            <dl className="small" style={{ margin: 0 }}>
              <dt className="muted">Legal name</dt>
              <dd style={{ margin: "0 0 0.5rem" }}>{vendor.legalName ?? "—"}</dd>
              <dt className="muted">Contact</dt>
              <dd style={{ margin: "0 0 0.5rem" }}>{vendor.contactEmail}</dd>
              <dt className="muted">Website</dt>
              <dd style={{ margin: "0 0 0.5rem" }}>{vendor.website ?? "—"}</dd>
              <dt className="muted">Description</dt>
              <dd style={{ margin: 0, whiteSpace: "pre-wrap" }}>{vendor.description || "—"}</dd>
            </dl>
          </section>
          <section className="card">
            <h2>Team</h2>
            <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }}>
              {members.map((m) => (
                <li key={m.userId}>
                  {m.name} · {m.email} <span className="badge">{m.role}</span>
                </li>
              ))}
            </ul>
            <h2 style={{ marginTop: "1rem" }}>Extensions</h2>
            {extensions.length === 0 ? <p className="small muted">None yet.</p> : null}
            <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }}>
              {extensions.map((e) => (
                <li key={e.id}>
                  <Link to={`/review/extensions/${e.id}`}>{e.name}</Link> <span className="muted">{e.handle}</span>
                </li>
              ))}
            </ul>
          </section>
        </div>
        {decisions.length > 0 ? (
          <section className="card rv-decide" style={{ marginTop: "1rem" }}>
            <h2>Decision</h2>
            <FormError errors={errors} />
            <Form method="post">
              <CsrfInput />
              <div className="field">
                <label htmlFor="f-reason">Reason (sent to the vendor's team)</label>
                <textarea id="f-reason" name="reason" required minLength={3} maxLength={2000} />
                {errors?.fieldErrors?.reason ? <p className="field-error">{errors.fieldErrors.reason.join(" ")}</p> : null}
              </div>
              <div className="row">
                {decisions.map((d) => (
                  <button key={d} type="submit" name="decision" value={d} className={d === "verify" ? "btn btn-primary" : "btn"} disabled={busy}>
                    {LABEL[d]}
                  </button>
                ))}
              </div>
            </Form>
          </section>
        ) : null}
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
