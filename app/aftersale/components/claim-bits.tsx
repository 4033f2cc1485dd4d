/**
 * Pieces the buyer's, the shop's and the reviewer's claim pages share: the
 * status badge, the deadline with a live countdown, what was claimed
 * (kind, reason, amount, lines, photos, description), the timeline both
 * sides see, and a queue row.
 */
import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { imageUrl } from "~/catalog/media";
import { formatMoney } from "~/catalog/money";
import {
  ACTOR_LABELS,
  CLAIM_REASONS,
  DEADLINE_LABELS,
  EVENT_LABELS,
  KIND_LABELS,
  RESOLUTION_LABELS,
  STATUS_LABELS,
  type ClaimDeadlineView,
  type ClaimSummary,
  type ClaimTimelineEntry,
  type ClaimView,
} from "../aftersale.schema";
import type { ClaimStatus } from "../claim-machine";

const BADGE: Record<ClaimStatus, string> = {
  awaiting_merchant: "badge badge-warn",
  awaiting_return_shipment: "badge badge-warn",
  awaiting_return_receipt: "badge badge-warn",
  refused: "badge badge-err",
  escalated: "badge badge-accent",
  refund_pending: "badge badge-accent",
  refunded: "badge badge-ok",
  closed: "badge",
};

export function ClaimStatusBadge({ status }: { status: ClaimStatus }) {
  return (
    <span className={BADGE[status]} data-testid="claim-status">
      {STATUS_LABELS[status]}
    </span>
  );
}

export function formatWhen(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** "1 d 4 h", "3 h 12 min", "45 s" — the two largest units. */
export function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** Time left until `at`, ticking every second in the browser (the server renders it once). */
export function Countdown({ at }: { at: string }) {
  const target = new Date(at).getTime();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = target - now;
  return (
    <strong suppressHydrationWarning data-testid="claim-countdown">
      {left > 0 ? `${formatRemaining(left)} left` : "due now"}
    </strong>
  );
}

/** The current deadline: who must act by when, and how long is left. */
export function DeadlineBanner({ deadline }: { deadline: ClaimDeadlineView | null }) {
  if (!deadline) return null;
  const overdue = new Date(deadline.at).getTime() <= Date.now();
  return (
    <div className={`clm-deadline${overdue ? " clm-overdue" : ""}`} role="status" data-testid="claim-deadline">
      <span>
        {DEADLINE_LABELS[deadline.kind]} {formatWhen(deadline.at)}
      </span>
      <Countdown at={deadline.at} />
    </div>
  );
}

/** What the buyer claimed, as both sides see it. */
export function ClaimFacts({ claim }: { claim: ClaimView }) {
  const reason = CLAIM_REASONS[claim.reason as keyof typeof CLAIM_REASONS] ?? claim.reason;
  return (
    <>
      <dl className="clm-facts">
        <div>
          <dt>What is asked</dt>
          <dd>{KIND_LABELS[claim.kind]}</dd>
        </div>
        <div>
          <dt>Reason</dt>
          <dd>{reason}</dd>
        </div>
        {claim.kind !== "complaint" ? (
          <div>
            <dt>Amount asked</dt>
            <dd data-testid="claim-amount">{formatMoney(claim.amount, claim.currency)}</dd>
          </div>
        ) : null}
        {claim.refundAmount !== null ? (
          <div>
            <dt>Refund granted</dt>
            <dd>
              {formatMoney(claim.refundAmount, claim.currency)}
              {claim.restock ? " · restocked" : ""}
            </dd>
          </div>
        ) : null}
        {claim.refund ? (
          <div>
            <dt>Refund</dt>
            <dd data-testid="claim-refund">
              {claim.refund.status === "succeeded" ? "Completed" : claim.refund.status === "failed" ? `Failed (${claim.refund.failureReason ?? "unknown"})` : "In progress"}
            </dd>
          </div>
        ) : null}
        {claim.returnTracking ? (
          <div>
            <dt>Return shipment</dt>
            <dd>
              {claim.returnCarrier} {claim.returnTracking}
            </dd>
          </div>
        ) : null}
        {claim.resolution ? (
          <div>
            <dt>Outcome</dt>
            <dd>{RESOLUTION_LABELS[claim.resolution] ?? claim.resolution}</dd>
          </div>
        ) : null}
      </dl>
      {claim.lines.length ? (
        <ul className="clm-lines" aria-label="Items">
          {claim.lines.map((l) => (
            <li key={l.lineId}>
              {l.imageId ? <img className="clm-thumb" src={imageUrl(l.imageId, 160)} alt="" loading="lazy" /> : <span className="clm-thumb" />}
              <span>
                {l.title}
                {l.specLabel ? <span className="muted"> · {l.specLabel}</span> : null} × {l.quantity}
              </span>
              <span>{formatMoney(l.amount, claim.currency)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="clm-desc">{claim.description}</p>
      {claim.photoIds.length ? (
        <div className="clm-photos">
          {claim.photoIds.map((id) => (
            <a key={id} href={imageUrl(id)} target="_blank" rel="noreferrer">
              <img src={imageUrl(id, 320)} alt="Photo from the buyer" loading="lazy" />
            </a>
          ))}
        </div>
      ) : null}
    </>
  );
}

/** Every step of the claim, oldest first, with the deadline each step started. */
export function ClaimTimeline({ entries, currency }: { entries: ClaimTimelineEntry[]; currency: string }) {
  return (
    <ol className="clm-timeline" data-testid="claim-timeline">
      {entries.map((e, i) => {
        const refundAmount = typeof e.details.refundAmount === "number" ? e.details.refundAmount : null;
        return (
          <li key={i}>
            <div>
              <strong>{EVENT_LABELS[e.action as keyof typeof EVENT_LABELS] ?? e.action}</strong>
              {refundAmount !== null ? ` · ${formatMoney(refundAmount, currency)}` : null}
            </div>
            <div className="clm-when">
              {ACTOR_LABELS[e.actor]} · {formatWhen(e.createdAt)}
            </div>
            {e.note ? <p className="clm-note">{e.note}</p> : null}
            {e.deadline ? (
              <div className="clm-when">
                {DEADLINE_LABELS[e.deadline.kind]} {formatWhen(e.deadline.at)}
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** A claim in a queue: what, how much, and the deadline (or, for reviewers, how long it has waited). */
export function ClaimRow({ claim, to, showAge }: { claim: ClaimSummary; to: string; showAge?: boolean }) {
  const since = showAge && claim.escalatedAt ? Date.now() - new Date(claim.escalatedAt).getTime() : null;
  return (
    <li>
      <Link to={to} className="clm-card" data-testid="claim-row">
        <div>
          <div className="clm-card-title">
            {KIND_LABELS[claim.kind]} · {CLAIM_REASONS[claim.reason as keyof typeof CLAIM_REASONS] ?? claim.reason}
          </div>
          <div className="clm-card-meta">
            Order {claim.orderId} · opened {formatWhen(claim.createdAt)}
          </div>
          <div style={{ marginTop: "0.3rem" }}>
            <ClaimStatusBadge status={claim.status} />
          </div>
        </div>
        <div className="clm-card-side">
          {claim.kind !== "complaint" ? <div style={{ fontWeight: 700 }}>{formatMoney(claim.amount, claim.currency)}</div> : null}
          {since !== null ? (
            <div className="small" suppressHydrationWarning>
              waiting {formatRemaining(since)}
            </div>
          ) : claim.deadline ? (
            <div className="small">
              <Countdown at={claim.deadline.at} />
            </div>
          ) : null}
        </div>
      </Link>
    </li>
  );
}
