/**
 * /review/extensions/:extensionId — one extension: its versions and their
 * states, and the whole-extension decision: suspend it (every version stops
 * in every shop within the same transaction, it leaves the store, owners and
 * the vendor are notified) or reinstate it. A reason is required.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { decideExtensionReview, getExtensionReview } from "~/marketplace/index.server";
import { VERSION_STATUS_LABELS } from "~/marketplace/workflows.schema";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const data = await getExtensionReview(context.platform.db, params.extensionId ?? "");
  return json({ ...data, done: new URL(request.url).searchParams.get("done") });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.extension.name} · Extensions · Review · Bazaar` : "Extension · Bazaar" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const reviewer = await requireReviewer(request, context);
  const form = Object.fromEntries(await readForm(request, context));
  const r = await decideExtensionReview(context.platform, reviewer, { ...form, extensionId: params.extensionId ?? "" });
  return redirect(`/review/extensions/${params.extensionId}?done=${r.suspended ? "suspended" : "reinstated"}-${r.shopsAffected}`, 303);
}

export default function ExtensionReviewPage() {
  const { extension, versions, done } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const [what, count] = (done ?? "").split("-");
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review/extensions">← Extensions</Link>
        </p>
        <h1>
          {extension.name} {extension.suspended ? <span className="badge badge-err">suspended</span> : <span className="badge badge-ok">running</span>}
        </h1>
        <p className="small muted" style={{ marginTop: 0 }}>
          {extension.handle} · by <Link to={`/review/vendors/${extension.vendorId}`}>{extension.vendorName}</Link> · {extension.liveInstalls} live install(s)
        </p>
        {what === "suspended" ? <div className="alert alert-ok">Suspended: it stopped running in {count} shop(s); their owners and the vendor were notified.</div> : null}
        {what === "reinstated" ? <div className="alert alert-ok">Reinstated: it runs again in {count} shop(s).</div> : null}
        {extension.suspended ? (
          <p className="small">
            <strong>Suspended</strong> {extension.suspendedAt?.slice(0, 16).replace("T", " ")} UTC: {extension.suspensionReason}
          </p>
        ) : null}
        <section className="card">
          <h2>Versions</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Status</th>
                  <th>Reason</th>
                  <th>Submitted</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/review/versions/${v.id}`}>{v.version}</Link>
                    </td>
                    <td>{VERSION_STATUS_LABELS[v.status]}</td>
                    <td className="small">{v.statusReason ?? ""}</td>
                    <td className="small nowrap">{v.submittedAt.slice(0, 16).replace("T", " ")} UTC</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="card rv-decide">
          <h2>{extension.suspended ? "Reinstate" : "Suspend the whole extension"}</h2>
          <p className="small muted" style={{ marginTop: 0 }}>
            {extension.suspended
              ? "Installs a reviewer suspended resume where their version is still approved."
              : "Every version stops running in every shop at once, and it leaves the marketplace. Merchants and the vendor are notified with your reason."}
          </p>
          <FormError errors={errors} />
          <Form method="post">
            <CsrfInput />
            <div className="field">
              <label htmlFor="f-reason">Reason</label>
              <textarea id="f-reason" name="reason" required minLength={3} maxLength={2000} />
              {errors?.fieldErrors?.reason ? <p className="field-error">{errors.fieldErrors.reason.join(" ")}</p> : null}
            </div>
            <button type="submit" name="decision" value={extension.suspended ? "reinstate" : "suspend"} className={extension.suspended ? "btn btn-primary" : "btn"} disabled={busy}>
              {extension.suspended ? "Reinstate" : "Suspend in every shop"}
            </button>
          </Form>
        </section>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
