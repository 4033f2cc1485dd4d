/**
 * /review/claims/:claimId — a reviewer reads an escalated claim (what the
 * buyer asked, the shop's refusal, the timeline, the order) and decides:
 * a refund of an amount (with the restock choice) or none, always with a
 * written reason both sides see. Final.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { allowedActions, decideClaim, getClaimForReview } from "~/aftersale/index.server";
import { KIND_LABELS, STATUS_LABELS } from "~/aftersale/aftersale.schema";
import { ClaimFacts, ClaimStatusBadge, ClaimTimeline, formatRemaining, formatWhen } from "~/aftersale/components/claim-bits";
import aftersaleStyles from "~/aftersale/aftersale.css";
import { formatMoney, minorToDecimal } from "~/catalog/money";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { notFound } from "~/lib/errors";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: aftersaleStyles }];
export const meta: MetaFunction = () => [{ title: "Claim · Arbitration · Bazaar" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  const found = await getClaimForReview(context.platform.db, params.claimId ?? "");
  if (!found) throw notFound("Claim not found");
  const { claim, order } = found;
  return json({
    claim,
    order: { id: order.id, status: order.status, total: order.total, refundedTotal: order.refundedTotal, lines: order.lines.length },
    canDecide: allowedActions(claim.status, claim.kind, "reviewer").length > 0,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const reviewer = await requireReviewer(request, context);
  const form = await readForm(request, context);
  const claimId = params.claimId ?? "";
  await decideClaim(context.platform.db, { claimId, actor: { type: "reviewer", id: reviewer.id }, form: Object.fromEntries(form) }, { publicUrl: context.platform.config.publicUrl });
  return redirect(`/review/claims/${claimId}`, 303);
}

export default function ReviewClaimPage() {
  const { claim, order, canDecide } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const fe = errors?.fieldErrors ?? {};
  const left = order.total - order.refundedTotal;
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/review/claims">← Arbitration</Link>
        </p>
        <div className="clm-head">
          <h1>{KIND_LABELS[claim.kind]} claim</h1>
          <ClaimStatusBadge status={claim.status} />
        </div>
        <p className="clm-id">
          {claim.id} · shop {claim.shopId} · order {order.id} ({order.status})
          {claim.escalatedAt && claim.status === "escalated" ? (
            <span suppressHydrationWarning> · waiting {formatRemaining(Date.now() - new Date(claim.escalatedAt).getTime())}</span>
          ) : null}
        </p>
        <FormError errors={errors} />
        <div className="clm-layout">
          <div className="stack">
            <section className="card">
              <h2>The claim</h2>
              <ClaimFacts claim={claim} />
              {claim.refusalReason ? (
                <p className="clm-note">
                  <strong>The shop's reason for refusing:</strong> {claim.refusalReason}
                </p>
              ) : null}
              {claim.decisionReason ? (
                <p className="clm-note">
                  <strong>Decision:</strong> {claim.decisionReason}
                </p>
              ) : null}
            </section>
            <section className="card">
              <h2>Timeline</h2>
              <ClaimTimeline entries={claim.timeline} currency={claim.currency} />
            </section>
          </div>
          <section className="card clm-actions">
            <h2>Decision</h2>
            <p className="small muted" style={{ margin: 0 }}>
              Order total {formatMoney(order.total, claim.currency)}; {formatMoney(left, claim.currency)} left to refund.
            </p>
            {canDecide ? (
              <Form method="post" className="clm-form">
                <CsrfInput />
                <fieldset style={{ border: 0, padding: 0, margin: "0 0 0.9rem" }}>
                  <legend className="small" style={{ fontWeight: 600, marginBottom: "0.3rem" }}>
                    Outcome
                  </legend>
                  <label className="clm-inline">
                    <input type="radio" name="decision" value="refund" defaultChecked={claim.kind !== "complaint"} /> Refund the buyer
                  </label>
                  <label className="clm-inline">
                    <input type="radio" name="decision" value="reject" defaultChecked={claim.kind === "complaint"} /> No refund
                  </label>
                  {fe.decision ? <p className="field-error">{fe.decision.join(" ")}</p> : null}
                </fieldset>
                <div className={`field${fe.amount ? " field-invalid" : ""}`}>
                  <label htmlFor="f-amount">Refund amount ({claim.currency})</label>
                  <input id="f-amount" name="amount" inputMode="decimal" defaultValue={claim.amount ? minorToDecimal(Math.min(claim.amount, left), claim.currency) : ""} />
                  <p className="hint">For a refund only; at most {formatMoney(left, claim.currency)}.</p>
                  {fe.amount ? <p className="field-error">{fe.amount.join(" ")}</p> : null}
                </div>
                <label className="clm-inline" style={{ marginBottom: "0.9rem" }}>
                  <input type="checkbox" name="restock" defaultChecked={claim.kind === "return_refund"} /> Put the claimed items back in stock
                </label>
                <div className={`field${fe.reason ? " field-invalid" : ""}`}>
                  <label htmlFor="f-reason">Reason (both sides see it)</label>
                  <textarea id="f-reason" name="reason" maxLength={2000} required />
                  {fe.reason ? <p className="field-error">{fe.reason.join(" ")}</p> : null}
                </div>
                <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="decide">
                  Decide (final)
                </button>
              </Form>
            ) : (
              <p className="small muted">
                No decision is needed: the claim is {STATUS_LABELS[claim.status].toLowerCase()}
                {claim.closedAt ? ` since ${formatWhen(claim.closedAt)}` : ""}.
              </p>
            )}
          </section>
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
