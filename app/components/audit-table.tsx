/**
 * The audit log as a table with an "older" link, shared by the shop's audit
 * page and the reviewers' platform audit page.
 */
import { Link } from "@remix-run/react";

export type AuditRow = {
  id: string;
  shopId: string | null;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  createdAt: string;
};

/** `YYYY-MM-DD HH:MM:SS UTC`: no locale or zone, so server and client render the same text. */
function formatUtc(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} UTC`;
}

/** `key: value · key: value`, nested values as JSON: shorter than raw JSON and still exact. */
function describeDetails(details: unknown): string {
  if (!details || typeof details !== "object") return "";
  return Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

export function AuditTable({
  entries,
  nextBefore,
  isFirstPage,
  showShop = false,
}: {
  entries: AuditRow[];
  nextBefore: string | null;
  isFirstPage: boolean;
  showShop?: boolean;
}) {
  if (entries.length === 0) {
    return <div className="card empty">{isFirstPage ? "Nothing has been recorded yet." : "No older entries."}</div>;
  }
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>Actor</th>
              <th>Target</th>
              {showShop ? <th>Shop</th> : null}
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-audit-id={e.id}>
                <td className="small" style={{ whiteSpace: "nowrap" }}>
                  <time dateTime={e.createdAt}>{formatUtc(e.createdAt)}</time>
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td className="small">
                  <span className="badge">{e.actorType}</span>
                  {e.actorId ? <div className="muted" style={{ whiteSpace: "nowrap" }}>{e.actorId}</div> : null}
                </td>
                <td className="small">
                  {e.targetType ? (
                    <>
                      {e.targetType}
                      {e.targetId ? <div className="muted" style={{ whiteSpace: "nowrap" }}>{e.targetId}</div> : null}
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                {showShop ? <td className="small muted" style={{ whiteSpace: "nowrap" }}>{e.shopId ?? "platform"}</td> : null}
                <td className="small muted" style={{ minWidth: "14rem", maxWidth: "26rem", wordBreak: "break-word" }}>
                  {describeDetails(e.details)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        {!isFirstPage ? (
          <Link className="btn" to="?">
            Newest
          </Link>
        ) : null}
        {nextBefore ? (
          <Link className="btn" to={`?before=${encodeURIComponent(nextBefore)}`}>
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
