/**
 * /admin/shops/:shopId/claims/:claimId — one claim for the shop: what the
 * buyer asks, the deadline, the timeline, and the shop's moves: agree (with
 * the restock choice) or refuse with a reason; confirm a return's receipt.
 * A claim of another shop is a 404.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { allowedActions, answerClaim, getShopClaim } from "~/aftersale/index.server";
import { KIND_LABELS } from "~/aftersale/aftersale.schema";
import { ClaimFacts, ClaimStatusBadge, ClaimTimeline, DeadlineBanner, formatWhen } from "~/aftersale/components/claim-bits";
import aftersaleStyles from "~/aftersale/aftersale.css";
import { formatMoney } from "~/catalog/money";
import { CsrfInput, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { notFound } from "~/lib/errors";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: aftersaleStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const found = await getShopClaim(context.platform.db, shop.id, params.claimId ?? "");
  if (!found) throw notFound("Claim not found");
  const { claim, order } = found;
  return json({
    shopId: shop.id,
    claim,
    order: { id: order.id, status: order.status, total: order.total, refundedTotal: order.refundedTotal },
    actions: allowedActions(claim.status, claim.kind, "merchant"),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const claimId = params.claimId ?? "";
  await answerClaim(
    context.platform.db,
    { shopId: shop.id, claimId, actor: { type: "merchant", id: user.id }, form: Object.fromEntries(form) },
    { publicUrl: context.platform.config.publicUrl },
  );
  return redirect(`/admin/shops/${shop.id}/claims/${claimId}`, 303);
}

export default function ShopClaimPage() {
  const { shopId, claim, order, actions } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const fe = errors?.fieldErrors ?? {};
  const agree = actions.find((a) => a === "agree_refund" || a === "agree_return" || a === "resolve_complaint");
  return (
    <>
      <p className="small" style={{ margin: "0 0 0.5rem" }}>
        <Link to={`/admin/shops/${shopId}/claims`}>← Claims</Link>
      </p>
      <div className="clm-head">
        <h1>{KIND_LABELS[claim.kind]} claim</h1>
        <ClaimStatusBadge status={claim.status} />
      </div>
      <p className="clm-id">
        {claim.id} · opened {formatWhen(claim.createdAt)} · order <Link to={`/admin/shops/${shopId}/orders/${order.id}`}>{order.id}</Link>
      </p>
      <DeadlineBanner deadline={claim.deadline} />
      <FormError errors={errors} />
      <div className="clm-layout">
        <div className="stack">
          <section className="card">
            <h2>What the buyer asks</h2>
            <ClaimFacts claim={claim} />
            {claim.refusalReason ? (
              <p className="clm-note">
                <strong>Your reason for refusing:</strong> {claim.refusalReason}
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
          <h2>Your answer</h2>
          <p className="small muted" style={{ margin: 0 }}>
            Order total {formatMoney(order.total, claim.currency)}
            {order.refundedTotal ? `, ${formatMoney(order.refundedTotal, claim.currency)} refunded so far` : ""}.
          </p>
          {agree ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="agree" />
              {agree !== "resolve_complaint" ? (
                <label className="clm-inline" style={{ marginBottom: "0.6rem" }}>
                  <input type="checkbox" name="restock" defaultChecked={claim.kind === "return_refund"} /> Put the {claim.kind === "return_refund" ? "returned" : "refunded"} items back in stock
                </label>
              ) : null}
              <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="agree">
                {agree === "agree_refund"
                  ? `Agree and refund ${formatMoney(claim.amount, claim.currency)}`
                  : agree === "agree_return"
                    ? "Agree to the return"
                    : "Accept the complaint"}
              </button>
              {agree === "agree_return" ? <p className="hint">The buyer has 7 days to send the items back; you then have 10 days to confirm receipt, or the refund goes out automatically.</p> : null}
            </Form>
          ) : null}
          {actions.includes("refuse") ? (
            <details>
              <summary className="btn btn-block">Refuse…</summary>
              <Form method="post" style={{ marginTop: "0.6rem" }}>
                <CsrfInput />
                <input type="hidden" name="intent" value="refuse" />
                <div className={`field${fe.reason ? " field-invalid" : ""}`}>
                  <label htmlFor="f-reason">Why? The buyer sees this, and so does a reviewer if they escalate.</label>
                  <textarea id="f-reason" name="reason" maxLength={1000} required />
                  {fe.reason ? <p className="field-error">{fe.reason.join(" ")}</p> : null}
                </div>
                <button type="submit" className="btn btn-block" disabled={busy} data-testid="refuse">
                  Refuse the claim
                </button>
              </Form>
            </details>
          ) : null}
          {actions.includes("confirm_return") ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="confirm_return" />
              <p className="small" style={{ marginTop: 0 }}>
                Sent back with {claim.returnCarrier} {claim.returnTracking}.
              </p>
              <label className="clm-inline" style={{ marginBottom: "0.6rem" }}>
                <input type="checkbox" name="restock" defaultChecked={claim.restock ?? true} /> Put the returned items back in stock
              </label>
              <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="confirm-return">
                Received — refund {formatMoney(claim.amount, claim.currency)}
              </button>
            </Form>
          ) : null}
          {actions.length === 0 ? <p className="small muted">Nothing for you to do on this claim now.</p> : null}
        </section>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteErrorCard />;
}
