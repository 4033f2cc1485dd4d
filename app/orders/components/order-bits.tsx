/**
 * Pieces the buyer's and the merchant's order pages share: the status
 * badge, the lines, the money summary (every adjustment with its source),
 * and the timeline.
 */
import { formatMoney } from "~/catalog/money";
import { imageUrl } from "~/catalog/media";
import {
  CLOSE_REASON_LABELS,
  ORDER_EVENT_LABELS,
  ORDER_STATUS_LABELS,
  type OrderDetail,
  type OrderEventView,
  type OrderStatus,
} from "../orders.schema";

const BADGE: Record<OrderStatus, string> = {
  pending_payment: "badge badge-warn",
  paid: "badge badge-accent",
  shipped: "badge badge-accent",
  completed: "badge badge-ok",
  closed: "badge",
};

export function OrderStatusBadge({ status, refunding }: { status: OrderStatus; refunding?: boolean }) {
  return (
    <span className={refunding ? "badge badge-warn" : BADGE[status]} data-testid="order-status">
      {refunding ? "Cancelling — refund in progress" : ORDER_STATUS_LABELS[status]}
    </span>
  );
}

export function formatWhen(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export function OrderLines({ order }: { order: Pick<OrderDetail, "lines" | "currency"> }) {
  return (
    <ul className="ord-lines">
      {order.lines.map((l) => (
        <li key={l.id} data-testid="order-line">
          {l.imageId ? <img className="ord-thumb" src={imageUrl(l.imageId, 160)} alt="" loading="lazy" /> : <span className="ord-thumb" />}
          <div>
            <div style={{ fontWeight: 600 }}>{l.title}</div>
            <div className="small muted">
              {l.specLabel ? `${l.specLabel} · ` : ""}
              {formatMoney(l.unitPrice, order.currency)} × {l.quantity}
            </div>
            {l.refundedQuantity > 0 || l.refundedAmount > 0 ? (
              <div className="small" style={{ color: "var(--warn)" }}>
                Refunded {l.refundedQuantity > 0 ? `${l.refundedQuantity} · ` : ""}
                {formatMoney(l.refundedAmount, order.currency)}
              </div>
            ) : null}
          </div>
          <div className="ord-money">
            {l.discount > 0 ? <s>{formatMoney(l.subtotal, order.currency)}</s> : null}
            {formatMoney(l.total, order.currency)}
          </div>
        </li>
      ))}
    </ul>
  );
}

function sourceOf(source: Record<string, unknown>): string {
  if (source.type === "extension") return `by ${String(source.extensionName ?? "an extension")}`;
  if (source.type === "platform") return "shop's shipping rates";
  return "";
}

export function OrderMoney({ order }: { order: Pick<OrderDetail, "subtotal" | "adjustments" | "total" | "refundedTotal" | "currency"> }) {
  const money = (n: number) => formatMoney(n, order.currency);
  return (
    <dl className="ord-rows">
      <div>
        <dt>Items</dt>
        <dd>{money(order.subtotal)}</dd>
      </div>
      {order.adjustments.map((a, i) => (
        <div key={i} data-testid={a.kind === "discount" ? "order-discount" : "order-shipping"}>
          <dt>
            {a.label}
            <span className="ord-source">{sourceOf(a.source)}</span>
          </dt>
          <dd>{a.kind === "discount" ? `−${money(a.amount)}` : a.amount === 0 ? "Free" : money(a.amount)}</dd>
        </div>
      ))}
      <div className="ord-total">
        <dt>Total</dt>
        <dd data-testid="order-total">{money(order.total)}</dd>
      </div>
      {order.refundedTotal > 0 ? (
        <div>
          <dt>Refunded</dt>
          <dd data-testid="order-refunded">−{money(order.refundedTotal)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

function describe(e: OrderEventView, currency: string, viewer: "buyer" | "merchant"): string | null {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "shipped":
      return `${String(d.carrier ?? "")} ${String(d.trackingNumber ?? "")}`.trim();
    case "closed":
      return CLOSE_REASON_LABELS[String(d.closeReason ?? e.reason)] ?? e.reason;
    case "refunded":
    case "refund_requested":
    case "cancel_requested":
      return typeof d.amount === "number" ? formatMoney(d.amount, currency) + (e.reason && e.type !== "refunded" ? ` · ${e.reason}` : "") : e.reason;
    case "completed":
      return e.actorType === "system" ? "Completed automatically" : viewer === "buyer" ? "You confirmed receipt" : "The buyer confirmed receipt";
    default:
      return e.reason;
  }
}

export function OrderTimeline({ events, currency, viewer }: { events: OrderEventView[]; currency: string; viewer: "buyer" | "merchant" }) {
  return (
    <ol className="ord-timeline" data-testid="order-timeline">
      {events.map((e) => {
        const detail = describe(e, currency, viewer);
        return (
          <li key={e.id}>
            <div style={{ fontWeight: 600 }}>{ORDER_EVENT_LABELS[e.type] ?? e.type}</div>
            {detail ? <div className="small">{detail}</div> : null}
            <div className="ord-when">
              {formatWhen(e.createdAt)} · {e.actorType === "system" ? "Bazaar" : e.actorType}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
