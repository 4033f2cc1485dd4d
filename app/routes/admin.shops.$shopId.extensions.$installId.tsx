/**
 * /admin/shops/:shopId/extensions/:installId — "What this extension did":
 * every call the platform made to it in this shop, newest first, with its
 * outcome, cost, what it contributed, what data it read (or was refused),
 * and its log lines. 25 a page with an id cursor.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { RouteErrorCard } from "~/components/route-error";
import { listInvocations } from "~/extensions/index.server";
import { notFound } from "~/lib/errors";
import { getInstall, SCOPE_LABELS } from "~/marketplace/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  const db = context.platform.db;
  const install = params.installId ? await getInstall(db, shop.id, params.installId) : null;
  if (!install) throw notFound("Extension not found");
  const before = new URL(request.url).searchParams.get("before");
  const page = await listInvocations(db, shop.id, install.installId, { before });
  return json({
    shopId: shop.id,
    install: {
      installId: install.installId,
      name: install.extensionName,
      version: install.version,
      status: install.status,
      statusReason: install.statusReason,
      hooks: install.hooks,
      scopes: install.grantedScopes.map((s) => SCOPE_LABELS[s]),
      settings: install.settings,
      installedAt: install.installedAt,
    },
    ...page,
    isFirstPage: !before,
  });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.install.name} · Extensions · Bazaar` : "Extension · Bazaar" }];

const OUTCOME_BADGE: Record<string, string> = {
  ok: "badge badge-ok",
  error: "badge badge-err",
  timeout: "badge badge-err",
  memory: "badge badge-err",
  crash: "badge badge-err",
  invalid_output: "badge badge-err",
  rejected: "badge badge-warn",
  skipped: "badge",
};

function formatUtc(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} UTC`;
}

function describeSummary(summary: Record<string, unknown>): string[] {
  const out: string[] = [];
  const discounts = Array.isArray(summary.discounts) ? (summary.discounts as { amount: number; label: string; lineId: string | null }[]) : [];
  for (const d of discounts) out.push(`Offered ${d.label} (${d.amount} ${d.lineId ? "on one line" : "on the order"})`);
  const reservations = Array.isArray(summary.reservations) ? (summary.reservations as { counterKey: string; delta: number }[]) : [];
  for (const r of reservations) out.push(`Reserved ${r.delta > 0 ? "+" : ""}${r.delta} on ${r.counterKey}`);
  const counters = Array.isArray(summary.counters) ? (summary.counters as { key: string; delta: number; applied: boolean; duplicate: boolean }[]) : [];
  for (const c of counters) out.push(`${c.applied ? "Changed" : "Did not change"} ${c.key} by ${c.delta}${c.duplicate ? " (already applied)" : ""}`);
  const blocks = Array.isArray(summary.blocks) ? (summary.blocks as string[]) : [];
  if (blocks.length) out.push(`Showed ${blocks.length} storefront block${blocks.length === 1 ? "" : "s"} (${blocks.join(", ")})`);
  if (summary.dropped) out.push("Its result was dropped");
  return out;
}

export default function ExtensionActivityPage() {
  const { install, items, nextBefore, isFirstPage, shopId } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="small">
        <Link to={`/admin/shops/${shopId}/extensions`}>← Extensions</Link>
      </p>
      <h1>{`What ${install.name} did`}</h1>
      <section className="card">
        <p style={{ marginTop: 0 }}>
          Version {install.version} · <span className={install.status === "active" ? "badge badge-ok" : "badge badge-warn"}>{install.status}</span>
          {install.statusReason ? <span className="muted small"> ({install.statusReason})</span> : null} · installed {formatUtc(install.installedAt)}
        </p>
        <p className="small" style={{ marginBottom: 0 }}>
          Runs on: {install.hooks.join(", ")}.
          <br />
          Access granted: {install.scopes.length ? install.scopes.join("; ") : "none beyond its own data"}.
          <br />
          Settings: <code>{JSON.stringify(install.settings)}</code>
        </p>
      </section>

      {items.length === 0 ? (
        <div className="card empty">{isFirstPage ? "It has not been called yet." : "No older calls."}</div>
      ) : (
        <div className="table-wrap" style={{ marginTop: "1rem" }}>
          <table className="table">
            <thead>
              <tr>
                <th>When</th>
                <th>Hook</th>
                <th>Outcome</th>
                <th className="num">Time</th>
                <th>Data it read</th>
                <th>What happened</th>
              </tr>
            </thead>
            <tbody>
              {items.map((inv) => (
                <tr key={inv.id}>
                  <td className="small nowrap">{formatUtc(inv.createdAt)}</td>
                  <td className="small">
                    {inv.hook}
                    {inv.subject ? (
                      <div className="muted">
                        {inv.subject.type} {inv.subject.id ?? ""}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <span className={OUTCOME_BADGE[inv.outcome] ?? "badge"}>{inv.outcome}</span>
                    {inv.error ? <div className="small muted">{inv.error}</div> : null}
                  </td>
                  <td className="num small nowrap">
                    {inv.wallMs.toFixed(1)} ms
                    <div className="muted">
                      cpu {inv.cpuMs.toFixed(1)} ms · {inv.bytesIn} B in · {inv.bytesOut} B out
                    </div>
                  </td>
                  <td className="small">
                    {inv.reads.length === 0 ? (
                      <span className="muted">nothing</span>
                    ) : (
                      <ul style={{ margin: 0, paddingLeft: "1rem" }}>
                        {inv.reads.map((r, i) => (
                          <li key={i}>
                            <code>{r.method}</code>{" "}
                            {r.result === "ok" ? (
                              <span className="muted">{r.read ?? r.target ?? ""}</span>
                            ) : (
                              <>
                                {r.target ? <span className="muted">{r.target} </span> : null}
                                <span className="badge badge-warn">
                                  {r.result === "denied" ? "refused" : r.result}
                                  {r.reason ? `: ${r.reason}` : ""}
                                </span>
                              </>
                            )}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="small">
                    {describeSummary(inv.summary).map((line, i) => (
                      <div key={i}>{line}</div>
                    ))}
                    {inv.logs.length ? (
                      <details>
                        <summary>{inv.logs.length} log line{inv.logs.length === 1 ? "" : "s"}</summary>
                        <pre style={{ whiteSpace: "pre-wrap", margin: 0 }}>{inv.logs.join("\n")}</pre>
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        {!isFirstPage ? <Link to="?">Newest</Link> : null}
        {nextBefore ? <Link to={`?before=${nextBefore}`}>Older →</Link> : null}
      </div>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
