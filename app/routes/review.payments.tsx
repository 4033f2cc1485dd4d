/**
 * /review/payments — payment anomalies for platform reviewers: notifications
 * that were genuinely from the provider but did not match our records
 * (amount, currency, unknown trade or refund, an order that refused it).
 * They were never acknowledged, so the provider keeps retrying until one is
 * sorted out; a reviewer marks it resolved with a note (audited).
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod } from "~/lib/errors";
import { listPaymentAnomalies, resolvePaymentAnomaly, ResolveAnomalyForm } from "~/payments/index.server";

export const meta: MetaFunction = () => [{ title: "Payment anomalies · Review · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireReviewer(request, context);
  return json({ anomalies: await listPaymentAnomalies(context.platform.db, 200) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const reviewer = await requireReviewer(request, context);
  const form = await readForm(request, context);
  const parsed = ResolveAnomalyForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  await resolvePaymentAnomaly(context.platform.db, reviewer, parsed.data.anomalyId, parsed.data.note);
  return redirect("/review/payments", 303);
}

export default function PaymentAnomaliesPage() {
  const { anomalies } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  return (
    <>
      <TopBar />
      <main className="page stack">
        <p className="small">
          <Link to="/review">← Review console</Link>
        </p>
        <h1>Payment anomalies</h1>
        <p className="muted">
          Signed notifications from the payment provider that did not match a payment, refund or order. None was acknowledged, so the
          provider keeps retrying; nothing was changed by them.
        </p>
        <FormError errors={errors} />
        {anomalies.length === 0 ? (
          <div className="card empty">No open anomalies.</div>
        ) : (
          anomalies.map((a) => (
            <section key={a.id} className="card stack" data-testid="anomaly">
              <p>
                <span className="badge badge-err">{a.kind}</span> <span className="small muted">{a.provider} notification {a.notificationId}</span>
              </p>
              <p className="small">{String(a.details.message ?? "")}</p>
              <p className="small muted">
                {a.paymentId ? `Payment ${a.paymentId} · ` : ""}
                {a.orderId ? `Order ${a.orderId} · ` : ""}
                {a.refundId ? `Refund ${a.refundId} · ` : ""}
                seen {a.occurrences}× since {a.firstSeenAt}
              </p>
              <pre className="small" style={{ whiteSpace: "pre-wrap", margin: 0 }}>
                {JSON.stringify(a.details, null, 2)}
              </pre>
              <Form method="post" className="row">
                <CsrfInput />
                <input type="hidden" name="anomalyId" value={a.id} />
                <input name="note" aria-label="Resolution note" placeholder="What was done" required maxLength={1000} />
                <button type="submit" className="btn">
                  Mark resolved
                </button>
              </Form>
            </section>
          ))
        )}
      </main>
    </>
  );
}
