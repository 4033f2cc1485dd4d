/**
 * /pay/:paymentId — the payment simulator's cashier (development and tests;
 * 404 when NODE_ENV=production). It plays WeChat Pay's cashier: the shop, the
 * order total and a "Pay" button. Paying marks the simulated trade paid and
 * starts the signed notifications to this site's notify endpoint, then sends
 * the buyer back to the order. The payment id is the capability, as a
 * provider's prepay id is: no sign-in is needed to pay.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { formatMoney } from "~/catalog/money";
import { CsrfInput, FormError } from "~/components/forms";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, notFound } from "~/lib/errors";
import { getCashier, payAtCashier } from "~/payments/index.server";

export const meta: MetaFunction = () => [{ title: "Pay · WeChat Pay simulator" }, { name: "robots", content: "noindex" }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const cashier = await getCashier(context.platform, params.paymentId ?? "");
  if (!cashier) throw notFound("Payment not found");
  return json({ cashier }, { headers: { "Cache-Control": "private, no-store" } });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const { result, returnUrl } = await payAtCashier(context.platform, params.paymentId ?? "");
  if (result === "closed") throw new AppError("conflict", "This payment was closed, so it can no longer be paid.", { code: "payment_closed" });
  return redirect(returnUrl, 303);
}

function money(amount: number, currency: string): string {
  return formatMoney(amount, currency, currency === "CNY" ? "zh-CN" : "en-US");
}

export default function CashierPage() {
  const { cashier } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const total = money(cashier.amount, cashier.currency);
  const paid = cashier.tradeState === "SUCCESS" || cashier.tradeState === "REFUND";
  const closed = cashier.tradeState === "CLOSED";
  return (
    <main className="page" style={{ maxWidth: "28rem" }}>
      <p className="small muted">
        <span className="badge badge-warn">Simulator</span> WeChat Pay cashier — no real money moves.
      </p>
      <div className="card stack" data-testid="cashier">
        <p className="muted small">Pay {cashier.shopName}</p>
        <h1 style={{ margin: 0 }} data-testid="cashier-total">
          {total}
        </h1>
        <p className="small">{cashier.description}</p>
        <p className="small muted">Order {cashier.orderId}</p>
        <FormError errors={actionData && !actionData.ok ? actionData : null} />
        {paid ? (
          <div className="alert alert-ok" role="status">
            Paid. <Link to={cashier.returnUrl}>Back to your order</Link>
          </div>
        ) : closed || cashier.status === "closed" ? (
          <div className="alert alert-warn" role="status">
            This payment was closed. <Link to={cashier.returnUrl}>Back to your order</Link>
          </div>
        ) : (
          <Form method="post">
            <CsrfInput />
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              Pay {total}
            </button>
          </Form>
        )}
      </div>
    </main>
  );
}
