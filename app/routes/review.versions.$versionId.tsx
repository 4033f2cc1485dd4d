/**
 * /review/versions/:versionId — a version's review: the automated checks
 * line by line, what changed since the previous approved version (new scopes
 * highlighted, hooks, settings, a line diff of the manifest), the manifest
 * itself, and the decision — approve or reject one in review, suspend an
 * approved one — always with a reason the developer reads. Approving applies
 * the update at once in shops where it asks for no new scope.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { applyAutomaticUpdates, decideVersionReview, getVersionReview, notifyUpdatesNeedingConsent } from "~/marketplace/index.server";
import { VERSION_STATUS_LABELS } from "~/marketplace/workflows.schema";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const review = await getVersionReview(context.platform.db, params.versionId ?? "");
  const { manifest: _manifest, ...rest } = review;
  return json({ ...rest, decided: new URL(request.url).searchParams.get("decided") });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.extension.name} ${data.version.version} · Review · Bazaar` : "Version · Review · Bazaar" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const reviewer = await requireReviewer(request, context);
  const form = Object.fromEntries(await readForm(request, context));
  const versionId = params.versionId ?? "";
  const r = await decideVersionReview(context.platform, reviewer, { ...form, versionId });
  let note = r.status as string;
  // after commit: shops whose grant already covers the new version move to it now (the sweep would, later)
  if (r.status === "approved") {
    const u = await applyAutomaticUpdates(context.platform.db, { extensionId: r.extensionId });
    await notifyUpdatesNeedingConsent(context.platform.db, versionId);
    note = `approved-${u.updated}-${u.needsConsent}`;
  } else if (r.status === "suspended") note = `suspended-${r.shopsAffected}`;
  return redirect(`/review/versions/${versionId}?decided=${note}`, 303);
}

function decidedText(code: string | null): string | null {
  if (!code) return null;
  const [what, a, b] = code.split("-");
  if (what === "approved") return `Approved. Updated automatically in ${a} shop(s); ${b} shop(s) must consent to new access first.`;
  if (what === "suspended") return `Suspended. It stopped running in ${a} shop(s); their owners were notified.`;
  if (what === "rejected") return "Rejected. The developer was notified with your reason.";
  return null;
}

const CHANGE_BADGE: Record<string, string> = { added: "badge badge-warn", removed: "badge", kept: "badge badge-ok", changed: "badge badge-accent" };

export default function VersionReviewPage() {
  const { version, extension, vendor, checks, diff, manifestText, decided } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const decisions = version.status === "checks_passed" ? (["approve", "reject"] as const) : version.status === "approved" ? (["suspend"] as const) : [];
  const newScopes = diff.scopes.filter((s) => s.change === "added");
  const failed = checks.filter((c) => !c.passed).length;
  const done = decidedText(decided);
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review/versions">← Versions</Link>
        </p>
        <h1>
          {extension.name} {version.version}{" "}
          <span className={version.status === "approved" ? "badge badge-ok" : version.status === "checks_passed" ? "badge badge-accent" : "badge badge-warn"}>{VERSION_STATUS_LABELS[version.status]}</span>
        </h1>
        <p className="small muted" style={{ marginTop: 0 }}>
          {extension.handle} · by <Link to={`/review/vendors/${vendor.id}`}>{vendor.name}</Link> ({vendor.status}) · submitted {version.submittedAt.slice(0, 16).replace("T", " ")} UTC, {version.age.label} ago ·{" "}
          <Link to={`/review/extensions/${extension.id}`}>the whole extension{extension.suspended ? " (suspended)" : ""}</Link>
        </p>
        {done ? <div className="alert alert-ok">{done}</div> : null}
        {version.statusReason ? (
          <p className="small">
            <strong>Recorded reason:</strong> {version.statusReason}
          </p>
        ) : null}
        <div className="grid grid-2">
          <section className="card">
            <h2>Automated checks</h2>
            {checks.length === 0 ? (
              <p className="muted small">{version.status === "submitted" ? "The checks are running." : "No check lines were recorded."}</p>
            ) : (
              <>
                <p className="small" style={{ marginTop: 0 }}>
                  {failed === 0 ? <span className="badge badge-ok">all {checks.length} passed</span> : <span className="badge badge-err">{failed} failed</span>}
                </p>
                {checks.map((c) => (
                  <div className="rv-check" key={c.seq}>
                    <span className={c.passed ? "badge badge-ok" : "badge badge-err"}>{c.passed ? "pass" : "fail"}</span>
                    <div>
                      <strong>{c.name}</strong>
                      {c.detail ? <div className="small muted">{c.detail}</div> : null}
                    </div>
                  </div>
                ))}
              </>
            )}
          </section>
          <section className="card">
            <h2>What changed</h2>
            <p className="small muted" style={{ marginTop: 0 }}>
              {diff.previousVersion ? `Against ${diff.previousVersion}, the previous approved version.` : "First version of this extension to be reviewed: everything is new."}
            </p>
            {newScopes.length > 0 ? (
              <div className="rv-new-scope small" style={{ marginBottom: "0.75rem" }}>
                <strong>New access asked for</strong> — merchants must consent again before they get this version:
                <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.1rem" }}>
                  {newScopes.map((s) => (
                    <li key={s.scope}>
                      <code>{s.scope}</code> — {s.label}. <em>“{s.justification}”</em>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <h3 className="small">Scopes</h3>
            {diff.scopes.length === 0 ? <p className="small muted">None: it only reads its own data.</p> : null}
            {diff.scopes.map((s) => (
              <div key={s.scope} className="small" style={{ marginBottom: "0.25rem" }}>
                <span className={CHANGE_BADGE[s.change]}>{s.change}</span> <code>{s.scope}</code> <span className="muted">— {s.label}</span>
              </div>
            ))}
            <h3 className="small" style={{ marginTop: "0.75rem" }}>Hooks</h3>
            {diff.hooks.map((h) => (
              <div key={h.hook} className="small" style={{ marginBottom: "0.25rem" }}>
                <span className={CHANGE_BADGE[h.change]}>{h.change}</span> <code>{h.hook}</code>
              </div>
            ))}
            <h3 className="small" style={{ marginTop: "0.75rem" }}>Settings</h3>
            {diff.settings.length === 0 ? <p className="small muted">No change.</p> : null}
            {diff.settings.map((s) => (
              <div key={s.key} className="small" style={{ marginBottom: "0.25rem" }}>
                <span className={CHANGE_BADGE[s.change]}>{s.change}</span> <code>{s.key}</code>
              </div>
            ))}
            <p className="small">
              Data kept after uninstall: {diff.retentionDays.from !== null && diff.retentionDays.from !== diff.retentionDays.to ? `${diff.retentionDays.from} → ` : ""}
              {diff.retentionDays.to} days
            </p>
          </section>
        </div>

        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Manifest diff</h2>
          <div className="rv-diff" role="table" aria-label="Manifest diff">
            {diff.lines.map((l, i) => (
              <div key={i} className={l.op === "+" ? "add" : l.op === "-" ? "del" : undefined}>
                {l.op} {l.text}
              </div>
            ))}
          </div>
          <details style={{ marginTop: "0.75rem" }}>
            <summary className="small">The whole manifest</summary>
            <pre className="rv-diff" style={{ padding: "0.5rem 0.75rem" }}>
              {manifestText}
            </pre>
          </details>
          <p className="small muted" style={{ marginBottom: 0 }}>
            Bundle <code>{version.bundleHash}</code>
          </p>
        </section>

        {decisions.length > 0 ? (
          <section className="card rv-decide" style={{ marginTop: "1rem" }}>
            <h2>Decision</h2>
            <FormError errors={errors} />
            <Form method="post">
              <CsrfInput />
              <div className="field">
                <label htmlFor="f-reason">Reason (the developer reads it{decisions.includes("suspend" as never) ? "; merchants too" : ""})</label>
                <textarea id="f-reason" name="reason" required minLength={3} maxLength={2000} aria-invalid={errors?.fieldErrors?.reason ? true : undefined} />
                {errors?.fieldErrors?.reason ? <p className="field-error">{errors.fieldErrors.reason.join(" ")}</p> : null}
              </div>
              <div className="row">
                {decisions.map((d) => (
                  <button
                    key={d}
                    type="submit"
                    name="decision"
                    value={d}
                    className={d === "approve" ? "btn btn-primary" : "btn"}
                    disabled={busy || (d === "approve" && failed > 0)}
                    onClick={(e) => {
                      if (d === "suspend" && !window.confirm("Suspend this version in every shop now?")) e.preventDefault();
                    }}
                  >
                    {d === "approve" ? "Approve" : d === "reject" ? "Reject" : "Suspend in every shop"}
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
