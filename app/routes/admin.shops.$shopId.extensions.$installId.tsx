/**
 * /admin/shops/:shopId/extensions/:installId — "What this extension did":
 * every call the platform made to it in this shop, newest first, with its
 * outcome, cost, what it contributed, what data it read (or was refused),
 * and its log lines. 25 a page with an id cursor. Above it: the settings
 * form generated from the manifest (owner), an update on offer, the data
 * export, and a link to rate it in the marketplace.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { listInvocations } from "~/extensions/index.server";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, notFound } from "~/lib/errors";
import { getInstall, installSettingsForm, saveInstallSettingsForm, SCOPE_LABELS, shopInstallsWithUpdates, updateInstallToLatest } from "~/marketplace/index.server";
import { SettingsFields } from "~/marketplace/components/settings-fields";
import marketplaceStyles from "~/marketplace/marketplace.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: marketplaceStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop, membership } = await requireShopMember(request, context, params.shopId);
  const db = context.platform.db;
  const install = params.installId ? await getInstall(db, shop.id, params.installId) : null;
  if (!install) throw notFound("Extension not found");
  const before = new URL(request.url).searchParams.get("before");
  const page = await listInvocations(db, shop.id, install.installId, { before });
  const live = install.status === "uninstalled" ? null : (await shopInstallsWithUpdates(db, shop.id)).find((i) => i.installId === install.installId);
  return json({
    shopId: shop.id,
    isOwner: membership.role === "owner",
    handle: install.extensionHandle,
    update: live?.update ?? null,
    settingsForm: install.status === "uninstalled" ? [] : installSettingsForm(install),
    saved: new URL(request.url).searchParams.get("saved"),
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
      dataRetainedUntil: install.dataRetainedUntil,
    },
    ...page,
    isFirstPage: !before,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const form = await readForm(request, context);
  const actor = { type: "user" as const, id: user.id };
  const installId = params.installId ?? "";
  switch (form.get("intent")) {
    case "settings":
      await saveInstallSettingsForm(context.platform.db, actor, { shopId: shop.id, installId, form: Object.fromEntries(form) });
      return redirect(`/admin/shops/${shop.id}/extensions/${installId}?saved=settings`, 303);
    case "update": {
      const updated = await updateInstallToLatest(context.platform.db, actor, { shopId: shop.id, installId });
      return redirect(`/admin/shops/${shop.id}/extensions/${installId}?saved=${encodeURIComponent(`version-${updated.version}`)}`, 303);
    }
    default:
      throw new AppError("bad_request", "Unknown action");
  }
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
  const { install, items, nextBefore, isFirstPage, shopId, isOwner, handle, update, settingsForm, saved } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
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
          {install.status === "uninstalled" ? (
            <>
              Uninstalled. Its data is kept until {install.dataRetainedUntil ? install.dataRetainedUntil.slice(0, 10) : "—"}, then deleted.
              <br />
            </>
          ) : null}
          <Link to={`/marketplace/${encodeURIComponent(handle)}#reviews`}>Rate and review it</Link>
          {isOwner ? (
            <>
              {" · "}
              <a href={`/admin/shops/${shopId}/extensions/${install.installId}/export`} download>
                Export its data (JSON)
              </a>
            </>
          ) : null}
        </p>
      </section>

      {saved === "settings" ? <div className="alert alert-ok" style={{ marginTop: "1rem" }}>Settings saved. They apply from the next call.</div> : null}
      {saved?.startsWith("version-") ? <div className="alert alert-ok" style={{ marginTop: "1rem" }}>Updated to version {saved.slice(8)}.</div> : null}
      <FormError errors={errors} />

      {update && isOwner ? (
        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Version {update.version} is available</h2>
          {update.needsConsent ? (
            <>
              <p className="small">It asks for more access, so it waits for your consent:</p>
              <ul className="small">
                {update.newScopes.map((s) => (
                  <li key={s.scope}>
                    <strong>{s.label}</strong> — {s.justification}
                  </li>
                ))}
              </ul>
              <Link className="btn btn-primary" to={`/marketplace/${encodeURIComponent(handle)}/install`}>
                Review and update
              </Link>
            </>
          ) : (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="update" />
              <p className="small">It asks for no new access. Bazaar applies such updates automatically; you can apply it now.</p>
              <button className="btn btn-primary" type="submit" disabled={busy}>
                Update now
              </button>
            </Form>
          )}
        </section>
      ) : null}

      {settingsForm.length > 0 ? (
        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Settings</h2>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="settings" />
            <SettingsFields fields={settingsForm} errors={errors?.fieldErrors} disabled={!isOwner} />
            {isOwner ? (
              <button className="btn btn-primary" type="submit" disabled={busy}>
                Save settings
              </button>
            ) : (
              <p className="small muted">Only the shop owner can change settings.</p>
            )}
          </Form>
        </section>
      ) : null}

      <h2 style={{ marginTop: "1.5rem" }}>Calls</h2>

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
