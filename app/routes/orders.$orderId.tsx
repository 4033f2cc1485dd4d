/**
 * /orders/:orderId — one of the buyer's orders: status, what was bought and
 * paid (every adjustment with its source), the delivery address, shipment,
 * the timeline, and what the buyer can do now: pay (awaiting payment),
 * cancel (before shipping; a paid order is refunded in full), confirm
 * receipt (shipped).
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, notFound } from "~/lib/errors";
import { cancelOrder, confirmReceipt, getBuyerOrder } from "~/orders/index.server";
import { OrderLines, OrderMoney, OrderStatusBadge, OrderTimeline, formatWhen } from "~/orders/components/order-bits";
import ordersStyles from "~/orders/orders.css";
import { createPayment } from "~/payments/index.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: ordersStyles }];
export const meta: MetaFunction = () => [{ title: "Your order · Bazaar" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const order = await getBuyerOrder(context.platform.db, user.id, params.orderId ?? "");
  if (!order) throw notFound("Order not found");
  return json({ order });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const order = await getBuyerOrder(db, user.id, params.orderId ?? "");
  if (!order) throw notFound("Order not found");
  const form = await readForm(request, context);
  const back = `/orders/${order.id}`;
  switch (form.get("intent")) {
    case "cancel":
      await cancelOrder(context.platform, { shopId: order.shopId, orderId: order.id, actor: { type: "buyer", id: user.id }, form: { reason: form.get("reason") ?? "" } });
      return redirect(back, 303);
    case "confirm":
      await confirmReceipt(db, { shopId: order.shopId, orderId: order.id, buyerId: user.id });
      return redirect(back, 303);
    case "pay": {
      if (order.status !== "pending_payment") throw new AppError("conflict", "This order no longer awaits payment.", { code: "invalid_transition" });
      const payment = await createPayment(db, { shopId: order.shopId, orderId: order.id, amount: order.total, currency: order.currency, description: `${order.shop.name} order ${order.id}` });
      return redirect(payment.cashierUrl, 303);
    }
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

export default function BuyerOrderPage() {
  const { order } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const refunding = order.status === "paid" && !!order.cancelRequestedAt;
  const canCancel = order.status === "pending_payment" || (order.status === "paid" && !refunding);
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/orders">← Your orders</Link>
        </p>
        <div className="ord-head">
          <h1>Order from {order.shop.handle ? <Link to={`/s/${order.shop.handle}`}>{order.shop.name}</Link> : order.shop.name}</h1>
          <OrderStatusBadge status={order.status} refunding={refunding} />
        </div>
        <p className="ord-id">
          {order.id} · placed {formatWhen(order.createdAt)}
        </p>
        <FormError errors={errors} />
        <div className="ord-layout">
          <div className="stack">
            <section className="card">
              <h2>Items</h2>
              <OrderLines order={order} />
            </section>
            <section className="card">
              <h2>Payment</h2>
              <OrderMoney order={order} />
            </section>
            <section className="card">
              <h2>Delivery</h2>
              <p style={{ margin: 0 }}>
                <strong>
                  {order.address.recipient} · {order.address.phone}
                </strong>
                <br />
                {order.address.region}, {order.address.street} {order.address.postalCode}
              </p>
              {order.shipment ? (
                <p className="small" data-testid="order-shipment">
                  Shipped with {order.shipment.carrier}, tracking number <strong>{order.shipment.trackingNumber}</strong>
                </p>
              ) : null}
            </section>
          </div>
          <div className="stack">
            <section className="card ord-actions">
              <h2>What you can do</h2>
              {order.status === "pending_payment" ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="pay" />
                  <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
                    Pay now
                  </button>
                </Form>
              ) : null}
              {order.status === "shipped" ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="confirm" />
                  <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="confirm-receipt">
                    I've received it
                  </button>
                </Form>
              ) : null}
              {canCancel ? (
                <details>
                  <summary className="btn btn-block">{order.status === "paid" ? "Cancel and refund…" : "Cancel order…"}</summary>
                  <Form method="post" style={{ marginTop: "0.6rem" }}>
                    <CsrfInput />
                    <input type="hidden" name="intent" value="cancel" />
                    <div className="field">
                      <label htmlFor="cancel-reason">Why? (optional)</label>
                      <input id="cancel-reason" name="reason" maxLength={200} />
                    </div>
                    {order.status === "paid" ? <p className="hint">The full amount goes back to you; the order closes once the refund completes.</p> : null}
                    <button type="submit" className="btn btn-block" disabled={busy} data-testid="cancel-order">
                      Yes, cancel this order
                    </button>
                  </Form>
                </details>
              ) : null}
              {order.status === "paid" || order.status === "shipped" || order.status === "completed" ? (
                <Link to={`/orders/${order.id}/claim`} className="btn btn-block" data-testid="order-claim">
                  After-sale claim (refund, return, complaint)
                </Link>
              ) : null}
              {refunding ? <p className="small muted">Your cancellation is being refunded. The order closes when the refund completes.</p> : null}
              {order.status === "closed" ? <p className="small muted">This order is closed; nothing more to do.</p> : null}
            </section>
            <section className="card">
              <h2>Timeline</h2>
              <OrderTimeline events={order.events} currency={order.currency} viewer="buyer" />
            </section>
          </div>
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
