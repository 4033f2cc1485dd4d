/**
 * /admin/shops/:shopId/orders/:orderId — one order for the merchant: lines,
 * money, address, timeline, and the actions its state allows: ship (carrier
 * and tracking number), cancel (before shipping; a paid order is refunded
 * in full), refund (in full or per line, optionally putting the units back).
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { formatMoney } from "~/catalog/money";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, notFound } from "~/lib/errors";
import { newToken } from "~/lib/ids";
import { cancelOrder, getOrder, refundOrder, shipOrder } from "~/orders/index.server";
import { isRefundableStatus, lineRefundAmount } from "~/orders/orders.schema";
import { OrderLines, OrderMoney, OrderStatusBadge, OrderTimeline, formatWhen } from "~/orders/components/order-bits";
import ordersStyles from "~/orders/orders.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: ordersStyles }];
export const meta: MetaFunction = () => [{ title: "Order · Admin · Bazaar" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const order = await getOrder(context.platform.db, shop.id, params.orderId ?? "");
  if (!order) throw notFound("Order not found");
  // A fresh key per render: a double-submitted refund form asks for one refund.
  return json({ order, refundKey: newToken(18) });
}

/** Refund lines arrive as `qty.<lineId>` fields. */
function refundFields(form: FormData) {
  const lines = [...form.keys()].filter((k) => k.startsWith("qty.")).map((k) => ({ lineId: k.slice(4), quantity: String(form.get(k) ?? "0") || "0" }));
  return { mode: form.get("mode"), lines, reason: form.get("reason"), restock: form.get("restock") ?? undefined, idempotencyKey: form.get("idempotencyKey") };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const orderId = params.orderId ?? "";
  const actor = { type: "merchant" as const, id: user.id };
  const db = context.platform.db;
  switch (form.get("intent")) {
    case "ship":
      await shipOrder(db, { shopId: shop.id, orderId, actor, form: Object.fromEntries(form) });
      break;
    case "cancel":
      await cancelOrder(context.platform, { shopId: shop.id, orderId, actor, form: { reason: form.get("reason") ?? "" } });
      break;
    case "refund":
      await refundOrder(db, { shopId: shop.id, orderId, actor, form: refundFields(form) });
      break;
    default:
      throw new AppError("bad_request", "Unknown action");
  }
  return redirect(`/admin/shops/${shop.id}/orders/${orderId}`, 303);
}

export default function MerchantOrderPage() {
  const { order, refundKey } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const refunding = order.status === "paid" && !!order.cancelRequestedAt;
  const canShip = order.status === "paid" && !refunding;
  const canCancel = order.status === "pending_payment" || (order.status === "paid" && !refunding);
  const left = order.total - order.refundedTotal;
  const canRefund = isRefundableStatus(order.status) && left > 0 && !refunding;
  const money = (n: number) => formatMoney(n, order.currency);
  return (
    <>
      <p className="small" style={{ margin: "0 0 0.5rem" }}>
        <Link to={`/admin/shops/${order.shopId}/orders`}>← Orders</Link>
      </p>
      <div className="ord-head">
        <h1>Order</h1>
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
            <h2>Money</h2>
            <OrderMoney order={order} />
          </section>
          <section className="card">
            <h2>Ship to</h2>
            <p style={{ margin: 0 }}>
              <strong>
                {order.address.recipient} · {order.address.phone}
              </strong>
              <br />
              {order.address.region}, {order.address.street} {order.address.postalCode}
            </p>
            {order.shipment ? (
              <p className="small" data-testid="order-shipment">
                Shipped {formatWhen(order.shipment.createdAt)} with {order.shipment.carrier}, tracking <strong>{order.shipment.trackingNumber}</strong>
              </p>
            ) : null}
          </section>
        </div>
        <div className="stack">
          {canShip ? (
            <section className="card">
              <h2>Ship</h2>
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="ship" />
                <Field label="Carrier" name="carrier" required maxLength={60} placeholder="e.g. SF Express" errors={errors} />
                <Field label="Tracking number" name="trackingNumber" required maxLength={60} errors={errors} />
                <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="ship-order">
                  Mark as shipped
                </button>
              </Form>
            </section>
          ) : null}
          {refunding ? (
            <div className="alert alert-warn" role="status">
              Cancellation requested by the {order.cancelRequestedBy}: the full refund is in progress and the order closes when it completes. Don't ship it.
            </div>
          ) : null}
          {canRefund ? (
            <section className="card">
              <h2>Refund</h2>
              <p className="small muted">Up to {money(left)} left to refund. The payment provider completes refunds; the timeline shows when.</p>
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="refund" />
                <input type="hidden" name="idempotencyKey" value={refundKey} />
                <label className="ord-inline">
                  <input type="radio" name="mode" value="full" defaultChecked /> Full refund ({money(left)})
                </label>
                <label className="ord-inline">
                  <input type="radio" name="mode" value="lines" /> These items:
                </label>
                <div className="ord-refund-lines">
                  {order.lines.map((l) => {
                    const room = l.quantity - l.refundedQuantity;
                    return room > 0 ? (
                      <label key={l.id}>
                        <span>
                          {l.title}
                          {l.specLabel ? ` (${l.specLabel})` : ""} <span className="small muted">· {money(lineRefundAmount(l, 1))} each, {room} left</span>
                        </span>
                        <input type="number" name={`qty.${l.id}`} min={0} max={room} defaultValue={0} aria-label={`Units of ${l.title} to refund`} />
                      </label>
                    ) : null;
                  })}
                </div>
                <Field label="Reason" name="reason" required maxLength={200} errors={errors} />
                <label className="ord-inline">
                  <input type="checkbox" name="restock" /> Put the refunded units back in stock
                </label>
                <button type="submit" className="btn btn-block" style={{ marginTop: "0.6rem" }} disabled={busy} data-testid="refund-order">
                  Request refund
                </button>
              </Form>
            </section>
          ) : null}
          {canCancel ? (
            <section className="card">
              <h2>Cancel</h2>
              <Form method="post">
                <CsrfInput />
                <input type="hidden" name="intent" value="cancel" />
                <Field label="Reason (the buyer sees it)" name="reason" maxLength={200} errors={errors} />
                <button type="submit" className="btn btn-block" disabled={busy} data-testid="cancel-order">
                  {order.status === "paid" ? "Cancel and refund in full" : "Cancel order"}
                </button>
              </Form>
            </section>
          ) : null}
          <section className="card">
            <h2>Timeline</h2>
            <OrderTimeline events={order.events} currency={order.currency} viewer="merchant" />
          </section>
        </div>
      </div>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
