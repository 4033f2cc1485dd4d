/**
 * /claims/:claimId — the buyer follows their claim: where it stands, the
 * current deadline with a countdown, the timeline both sides see, and what
 * the buyer can do now (send the return's tracking number, ask a reviewer to
 * decide a refusal, withdraw). Another buyer's claim is a 404.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { allowedActions, escalateClaim, getBuyerClaim, shipReturn, withdrawClaim } from "~/aftersale/index.server";
import { BuyerActionForm, KIND_LABELS } from "~/aftersale/aftersale.schema";
import { ClaimFacts, ClaimStatusBadge, ClaimTimeline, DeadlineBanner, formatWhen } from "~/aftersale/components/claim-bits";
import aftersaleStyles from "~/aftersale/aftersale.css";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod, notFound } from "~/lib/errors";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: aftersaleStyles }];
export const meta: MetaFunction = () => [{ title: "Your claim · Bazaar" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const found = await getBuyerClaim(context.platform.db, user.id, params.claimId ?? "");
  if (!found) throw notFound("Claim not found");
  const { claim, order } = found;
  return json({ claim, order: { id: order.id, status: order.status }, actions: allowedActions(claim.status, claim.kind, "buyer") });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const claimId = params.claimId ?? "";
  const form = await readForm(request, context);
  const parsed = BuyerActionForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const db = context.platform.db;
  const opts = { publicUrl: context.platform.config.publicUrl };
  const input = parsed.data;
  if (input.intent === "ship_return") await shipReturn(db, { claimId, userId: user.id, form: input }, opts);
  else if (input.intent === "escalate") await escalateClaim(db, { claimId, userId: user.id, note: input.note }, opts);
  else await withdrawClaim(db, { claimId, userId: user.id }, opts);
  return redirect(`/claims/${claimId}`, 303);
}

export default function BuyerClaimPage() {
  const { claim, order, actions } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const fe = errors?.fieldErrors ?? {};
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to={`/orders/${order.id}`}>← The order</Link>
        </p>
        <div className="clm-head">
          <h1>{KIND_LABELS[claim.kind]} claim</h1>
          <ClaimStatusBadge status={claim.status} />
        </div>
        <p className="clm-id">
          {claim.id} · opened {formatWhen(claim.createdAt)}
        </p>
        <DeadlineBanner deadline={claim.deadline} />
        <FormError errors={errors} />
        <div className="clm-layout">
          <div className="stack">
            <section className="card">
              <h2>Your claim</h2>
              <ClaimFacts claim={claim} />
              {claim.refusalReason ? (
                <p className="clm-note">
                  <strong>The shop's reason:</strong> {claim.refusalReason}
                </p>
              ) : null}
              {claim.decisionReason ? (
                <p className="clm-note">
                  <strong>The reviewer's decision:</strong> {claim.decisionReason}
                </p>
              ) : null}
            </section>
            <section className="card">
              <h2>Timeline</h2>
              <ClaimTimeline entries={claim.timeline} currency={claim.currency} />
            </section>
          </div>
          <section className="card clm-actions">
            <h2>What you can do</h2>
            {actions.includes("ship_return") ? (
              <Form method="post">
                <CsrfInput />
                <input type="hidden" name="intent" value="ship_return" />
                <p className="small" style={{ marginTop: 0 }}>
                  Send the items back, then enter the shipment here.
                </p>
                <div className={`field${fe.carrier ? " field-invalid" : ""}`}>
                  <label htmlFor="f-carrier">Carrier</label>
                  <input id="f-carrier" name="carrier" maxLength={60} autoComplete="off" />
                  {fe.carrier ? <p className="field-error">{fe.carrier.join(" ")}</p> : null}
                </div>
                <div className={`field${fe.trackingNumber ? " field-invalid" : ""}`}>
                  <label htmlFor="f-tracking">Tracking number</label>
                  <input id="f-tracking" name="trackingNumber" maxLength={60} autoComplete="off" />
                  {fe.trackingNumber ? <p className="field-error">{fe.trackingNumber.join(" ")}</p> : null}
                </div>
                <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="ship-return">
                  I've sent it back
                </button>
              </Form>
            ) : null}
            {actions.includes("escalate") ? (
              <Form method="post">
                <CsrfInput />
                <input type="hidden" name="intent" value="escalate" />
                <div className="field">
                  <label htmlFor="f-note">Anything the reviewer should know? (optional)</label>
                  <textarea id="f-note" name="note" maxLength={1000} />
                </div>
                <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="escalate">
                  Ask a platform reviewer to decide
                </button>
              </Form>
            ) : null}
            {actions.includes("withdraw") ? (
              <details>
                <summary className="btn btn-block">Withdraw the claim…</summary>
                <Form method="post" style={{ marginTop: "0.6rem" }}>
                  <CsrfInput />
                  <input type="hidden" name="intent" value="withdraw" />
                  <p className="hint">The claim closes. You can't reopen it, but you may open a new one while the order's window lasts.</p>
                  <button type="submit" className="btn btn-block" disabled={busy} data-testid="withdraw">
                    Yes, withdraw
                  </button>
                </Form>
              </details>
            ) : null}
            {actions.length === 0 ? (
              <p className="small muted" style={{ margin: 0 }}>
                {claim.status === "awaiting_return_receipt"
                  ? "Waiting for the shop to receive your return. If it doesn't confirm in time, your refund goes out automatically."
                  : claim.status === "refund_pending"
                    ? "Your refund is on its way."
                    : claim.status === "escalated"
                      ? "A platform reviewer will decide."
                      : "Nothing to do here."}
              </p>
            ) : null}
          </section>
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
