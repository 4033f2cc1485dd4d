/**
 * /admin/shops/:shopId/extensions: the shop's installed extensions in the
 * merchant's order (checkout applies their discounts in this order), with
 * status, version, granted access and the last day's activity. The owner
 * reorders, suspends, resumes and uninstalls; everyone on the team can see
 * what each extension did. Newer approved versions are offered here (applied
 * at once when they ask no new access, else through the consent page), and
 * uninstalled extensions are listed while their data is kept, with an export.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { FAULT_POLICY, shopExtensionActivity } from "~/extensions/index.server";
import { CsrfInput } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import {
  InstallStatusForm,
  moveInstall,
  resumeInstall,
  SCOPE_LABELS,
  shopInstallsWithUpdates,
  shopRetainedInstalls,
  suspendInstall,
  uninstall,
  updateInstallToLatest,
} from "~/marketplace/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop, membership } = await requireShopMember(request, context, params.shopId);
  const db = context.platform.db;
  const [installs, activity, retained] = await Promise.all([shopInstallsWithUpdates(db, shop.id), shopExtensionActivity(db, shop.id), shopRetainedInstalls(db, shop.id, new URL(request.url).searchParams.get("uninstalledBefore"))]);
  return json({
    shopId: shop.id,
    isOwner: membership.role === "owner",
    faultPolicy: { limit: FAULT_POLICY.limit, minutes: Math.round(FAULT_POLICY.windowMs / 60_000) },
    installs: installs.map((i) => ({
      installId: i.installId,
      name: i.extensionName,
      version: i.version,
      status: i.status,
      statusReason: i.statusReason,
      position: i.position,
      hooks: i.hooks,
      scopes: i.grantedScopes.map((s) => ({ scope: s, label: SCOPE_LABELS[s] })),
      activity: activity[i.installId] ?? { calls: 0, faults: 0, lastCallAt: null },
      handle: i.extensionHandle,
      update: i.update ? { version: i.update.version, needsConsent: i.update.needsConsent } : null,
      extensionSuspended: i.extensionSuspended,
    })),
    retained,
  });
}

type Result = { ok: true; message: string } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const db = context.platform.db;
  const actor = { type: "user" as const, id: user.id };
  const target = () => {
    const parsed = InstallStatusForm.safeParse(fields);
    if (!parsed.success) throw new AppError("bad_request", "Unknown extension");
    return { shopId: shop.id, installId: parsed.data.installId };
  };
  switch (form.get("intent")) {
    case "move":
      await moveInstall(db, actor, shop.id, fields);
      return json({ ok: true as const, message: "Order saved." });
    case "suspend":
      await suspendInstall(db, actor, { ...target(), reason: "merchant" });
      return json({ ok: true as const, message: "Suspended. It no longer runs in your shop." });
    case "resume":
      await resumeInstall(db, actor, target());
      return json({ ok: true as const, message: "Resumed." });
    case "uninstall":
      await uninstall(db, actor, target());
      return json({ ok: true as const, message: "Uninstalled." });
    case "update": {
      const updated = await updateInstallToLatest(db, actor, target());
      return json({ ok: true as const, message: `Updated to ${updated.version}.` });
    }
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

const STATUS_BADGE: Record<string, string> = { active: "badge badge-ok", suspended: "badge badge-warn", uninstalled: "badge" };

function reasonText(reason: string | null): string {
  if (reason === "faults") return "stopped after repeated failures";
  if (reason === "reviewer") return "suspended by a Bazaar reviewer";
  if (reason === "merchant") return "suspended by you";
  return "";
}

export default function ShopExtensionsPage() {
  const { installs, isOwner, shopId, faultPolicy, retained } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h1 style={{ margin: 0 }}>Extensions</h1>
        <Link className="btn btn-primary" to="/marketplace">
          Browse the marketplace
        </Link>
      </div>
      <p className="muted">
        Extensions run inside Bazaar under the access you granted. At checkout their discounts apply in this order. One that fails{" "}
        {faultPolicy.limit} times in {faultPolicy.minutes} minutes is suspended automatically; checkout keeps working without it.
      </p>
      {installs.length === 0 ? (
        <div className="card empty">
          No extensions are installed in this shop. <Link to="/marketplace">Find one in the marketplace.</Link>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>#</th>
                <th>Extension</th>
                <th>Status</th>
                <th>Access granted</th>
                <th className="num">Calls (24 h)</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {installs.map((i, index) => (
                <tr key={i.installId}>
                  <td>{index + 1}</td>
                  <td>
                    <Link to={`/admin/shops/${shopId}/extensions/${i.installId}`}>{i.name}</Link>
                    <div className="small muted">
                      v{i.version} · {i.hooks.join(", ")}
                    </div>
                    {i.update ? (
                      <div className="small">
                        {i.update.needsConsent ? (
                          <Link className="badge badge-accent" to={`/marketplace/${encodeURIComponent(i.handle)}/install`}>
                            {i.update.version} needs consent
                          </Link>
                        ) : (
                          <span className="badge badge-accent">{i.update.version} available</span>
                        )}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <span className={STATUS_BADGE[i.status] ?? "badge"}>{i.status}</span>
                    {i.statusReason ? <div className="small muted">{reasonText(i.statusReason)}</div> : null}
                    {i.extensionSuspended ? <div className="small muted">the extension is suspended on Bazaar</div> : null}
                  </td>
                  <td className="small">{i.scopes.length === 0 ? <span className="muted">Its own data only</span> : i.scopes.map((s) => <div key={s.scope}>{s.label}</div>)}</td>
                  <td className="num">
                    {i.activity.calls}
                    {i.activity.faults > 0 ? <div className="small badge badge-err">{i.activity.faults} failed</div> : null}
                  </td>
                  <td className="num nowrap">
                    <Link className="btn btn-link" to={`/admin/shops/${shopId}/extensions/${i.installId}`}>
                      What it did
                    </Link>
                    {isOwner ? (
                      <>
                        <RowButton intent="move" installId={i.installId} extra={{ direction: "up" }} label="↑" title="Move up" disabled={index === 0} />
                        <RowButton intent="move" installId={i.installId} extra={{ direction: "down" }} label="↓" title="Move down" disabled={index === installs.length - 1} />
                        {i.update && !i.update.needsConsent ? <RowButton intent="update" installId={i.installId} label="Update" /> : null}
                        {i.status === "active" ? <RowButton intent="suspend" installId={i.installId} label="Suspend" /> : null}
                        {i.status === "suspended" && i.statusReason !== "reviewer" ? <RowButton intent="resume" installId={i.installId} label="Resume" /> : null}
                        <RowButton intent="uninstall" installId={i.installId} label="Uninstall" confirm={`Uninstall ${i.name}? Its data is kept for a while, then deleted.`} />
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {retained.items.length > 0 ? (
        <section style={{ marginTop: "1.5rem" }}>
          <h2>Uninstalled</h2>
          <p className="small muted">An uninstalled extension's data is kept for the time its developer declared, then deleted. Export it before then if you need it.</p>
          <div className="table-wrap">
            <table className="table">
              <tbody>
                {retained.items.map((r) => (
                  <tr key={r.installId}>
                    <td>
                      <Link to={`/admin/shops/${shopId}/extensions/${r.installId}`}>{r.name}</Link>
                      <div className="small muted">uninstalled {r.uninstalledAt?.slice(0, 10)}</div>
                    </td>
                    <td className="small">{r.dataDeleted ? "Data deleted" : `Data kept until ${r.dataRetainedUntil?.slice(0, 10) ?? "—"}`}</td>
                    <td className="num">
                      {isOwner && !r.dataDeleted ? (
                        <a className="btn btn-link" href={`/admin/shops/${shopId}/extensions/${r.installId}/export`} download>
                          Export data
                        </a>
                      ) : null}
                      <Link className="btn btn-link" to={`/marketplace/${encodeURIComponent(r.handle)}`} style={{ marginLeft: "0.75rem" }}>
                        Reinstall
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {retained.next ? (
            <div className="pager">
              <Link to={`?uninstalledBefore=${retained.next}`}>Older →</Link>
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

function RowButton({
  intent,
  installId,
  label,
  title,
  disabled,
  confirm,
  extra = {},
}: {
  intent: string;
  installId: string;
  label: string;
  title?: string;
  disabled?: boolean;
  confirm?: string;
  extra?: Record<string, string>;
}) {
  const fetcher = useFetcher<Result>();
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;
  return (
    <fetcher.Form
      method="post"
      style={{ margin: 0, display: "inline" }}
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
    >
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="installId" value={installId} />
      {Object.entries(extra).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className="btn btn-link" title={title} aria-label={title ?? label} disabled={disabled || fetcher.state !== "idle"}>
        {label}
      </button>
      {error ? <span className="field-error small"> {error}</span> : null}
    </fetcher.Form>
  );
}

export const ErrorBoundary = RouteErrorCard;
