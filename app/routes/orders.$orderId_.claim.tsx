/**
 * /orders/:orderId/claim — the buyer opens an after-sale claim on their
 * order: refund only, return and refund, or a complaint, with a reason, a
 * description, the amount (or the items) and up to 6 photos. An order that
 * already has an open claim sends the buyer to it.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { requireUser } from "~/accounts/index.server";
import { openClaim, prepareClaimForm } from "~/aftersale/index.server";
import { CLAIM_REASONS, KIND_LABELS, MAX_CLAIM_PHOTOS, readOpenClaimFields } from "~/aftersale/aftersale.schema";
import type { ClaimKind } from "~/aftersale/claim-machine";
import { formatWhen } from "~/aftersale/components/claim-bits";
import aftersaleStyles from "~/aftersale/aftersale.css";
import { MAX_IMAGE_BYTES, readLimitedForm } from "~/catalog/index.server";
import { imageUrl } from "~/catalog/media";
import { formatMoney, minorToDecimal } from "~/catalog/money";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import type { ActionErrorData } from "~/http/errors.server";
import { notFound } from "~/lib/errors";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: aftersaleStyles }];
export const meta: MetaFunction = () => [{ title: "Open a claim · Bazaar" }, { name: "robots", content: "noindex" }];

/** Six photos of at most 5 MB and the form's fields. */
const MAX_CLAIM_BODY = MAX_CLAIM_PHOTOS * MAX_IMAGE_BYTES + 64 * 1024;

const KIND_HINTS: Record<ClaimKind, string> = {
  refund_only: "Keep the item (or it never came) and get money back.",
  return_refund: "Send the items back; the refund goes out when the shop receives them.",
  complaint: "Tell the shop and, if needed, a platform reviewer about a problem. No money is asked.",
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const data = await prepareClaimForm(context.platform.db, user.id, params.orderId ?? "");
  if (!data) throw notFound("Order not found");
  if (data.openClaimId) throw redirect(`/claims/${data.openClaimId}`);
  const { order } = data;
  return json({
    order: { id: order.id, status: order.status, currency: order.currency, lines: order.lines },
    kinds: data.kinds,
    until: data.until,
    refundable: data.refundable,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readLimitedForm(request, context, MAX_CLAIM_BODY);
  const { fields, photos } = readOpenClaimFields(form);
  const bytes = await Promise.all(photos.map(async (f) => new Uint8Array(await f.arrayBuffer())));
  const claimId = await openClaim(context.platform, { userId: user.id, orderId: params.orderId ?? "", form: fields, photos: bytes }, { publicUrl: context.platform.config.publicUrl });
  return redirect(`/claims/${claimId}`, 303);
}

export default function OpenClaimPage() {
  const { order, kinds, until, refundable } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const [kind, setKind] = useState<ClaimKind | undefined>(kinds.length === 1 ? kinds[0] : undefined);
  const fe = errors?.fieldErrors ?? {};
  const err = (name: string) => (fe[name]?.length ? <p className="field-error">{fe[name].join(" ")}</p> : null);
  return (
    <>
      <TopBar />
      <main className="page" style={{ maxWidth: 720 }}>
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to={`/orders/${order.id}`}>← Back to the order</Link>
        </p>
        <h1>Open a claim</h1>
        {kinds.length === 0 ? (
          <div className="card">
            <p style={{ margin: 0 }}>
              {until
                ? `Claims on this order could be opened until ${formatWhen(until)}; that window has passed.`
                : "A claim can be opened once an order has been paid."}
            </p>
          </div>
        ) : (
          <Form method="post" encType="multipart/form-data" className="card clm-form" noValidate>
            <CsrfInput />
            <FormError errors={errors} />
            {until ? <p className="small muted">You can open a claim on this order until {formatWhen(until)}.</p> : null}
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <legend className="small" style={{ fontWeight: 600, marginBottom: "0.3rem" }}>
                What do you want?
              </legend>
              <div className="clm-kinds">
                {kinds.map((k) => (
                  <label key={k}>
                    <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                    <span>
                      {KIND_LABELS[k]}
                      <span className="hint" style={{ display: "block", margin: 0 }}>
                        {KIND_HINTS[k]}
                      </span>
                    </span>
                  </label>
                ))}
              </div>
              {err("kind")}
            </fieldset>
            <div className={`field${fe.reason ? " field-invalid" : ""}`}>
              <label htmlFor="f-reason">Reason</label>
              <select id="f-reason" name="reason" defaultValue="">
                <option value="" disabled>
                  Choose a reason
                </option>
                {Object.entries(CLAIM_REASONS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
              {err("reason")}
            </div>
            <div className={`field${fe.description ? " field-invalid" : ""}`}>
              <label htmlFor="f-description">What happened?</label>
              <textarea id="f-description" name="description" maxLength={2000} required />
              {err("description")}
            </div>
            {kind !== "complaint" ? (
              <>
                <div className={`field${fe.lines ? " field-invalid" : ""}`}>
                  <span style={{ display: "block", fontWeight: 600, fontSize: "0.9rem" }}>
                    {kind === "return_refund" ? "Items you are sending back" : "Items (optional)"}
                  </span>
                  <div className="clm-pick">
                    {order.lines.map((l, i) => {
                      const left = l.quantity - l.refundedQuantity;
                      return (
                        <label key={l.id}>
                          <span style={{ display: "flex", gap: "0.5rem", alignItems: "center" }}>
                            {l.imageId ? <img className="clm-thumb" src={imageUrl(l.imageId, 160)} alt="" /> : null}
                            <span>
                              {l.title}
                              {l.specLabel ? <span className="muted"> · {l.specLabel}</span> : null}
                              <span className="hint" style={{ display: "block", margin: 0 }}>
                                {left} of {l.quantity} · {formatMoney(l.total, order.currency)}
                              </span>
                            </span>
                          </span>
                          <input type="hidden" name={`lines.${i}.lineId`} value={l.id} />
                          <input type="number" name={`lines.${i}.quantity`} min={0} max={left} defaultValue={0} disabled={left === 0} aria-label={`How many of ${l.title}`} />
                          {err(`lines.${i}.quantity`)}
                        </label>
                      );
                    })}
                  </div>
                  {err("lines")}
                </div>
                <div className={`field${fe.amount ? " field-invalid" : ""}`}>
                  <label htmlFor="f-amount">Amount ({order.currency})</label>
                  <input id="f-amount" name="amount" inputMode="decimal" placeholder={minorToDecimal(refundable, order.currency)} />
                  <p className="hint">At most {formatMoney(refundable, order.currency)}. Leave empty to ask for exactly what the chosen items cost.</p>
                  {err("amount")}
                </div>
              </>
            ) : null}
            <div className={`field${fe.photos ? " field-invalid" : ""}`}>
              <label htmlFor="f-photos">Photos (up to {MAX_CLAIM_PHOTOS}, JPEG, PNG or WebP)</label>
              <input id="f-photos" type="file" name="photos" accept="image/jpeg,image/png,image/webp" multiple />
              {err("photos")}
            </div>
            <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="open-claim">
              Open the claim
            </button>
            <p className="hint">The shop has 48 hours to answer. If it doesn't, a platform reviewer takes over.</p>
          </Form>
        )}
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
