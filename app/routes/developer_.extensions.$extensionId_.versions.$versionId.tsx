/**
 * /developer/extensions/:extensionId/versions/:versionId: one version, for
 * its vendor's members — status and the reviewer's reason, the automated
 * checks line by line, what the manifest asks for (hooks, scopes with their
 * justification, the settings form as merchants will see it), and "try it"
 * in one of the developer's development shops. Anyone else gets 404.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import {
  CHECK_RULES,
  SCOPE_LABELS,
  getVersionDetail,
  installIntoDevelopmentShop,
  listDevelopmentShops,
  requireDeveloperExtension,
  settingsFormFields,
  type VersionDetail,
} from "~/marketplace/index.server";

async function load(request: Request, context: LoaderFunctionArgs["context"], params: LoaderFunctionArgs["params"]) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const version = await getVersionDetail(db, params.versionId ?? "");
  if (!version || version.extensionId !== extension.id) throw new AppError("not_found", "Version not found");
  return { user, extension, version };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, extension, version } = await load(request, context, params);
  const devShops = await listDevelopmentShops(context.platform.db, user.id);
  // Labels come as data: a `.server` module's values do not exist in the browser bundle.
  const checkTitles: Record<string, string> = Object.fromEntries(CHECK_RULES.map((r) => [r.name as string, r.title]));
  const scopeLabels: Record<string, string> = Object.fromEntries(version.manifest.scopes.map((s) => [s.scope, SCOPE_LABELS[s.scope as keyof typeof SCOPE_LABELS] ?? s.scope]));
  return json(
    { extension, version, devShops, settingsForm: settingsFormFields(version.manifest.settings), checkTitles, scopeLabels },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.extension.name} ${data.version.version} · Bazaar` : "Version · Bazaar" }];

type Result = { ok: true; message: string; storefront: string; admin: string } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, version } = await load(request, context, params);
  const form = await readForm(request, context);
  if (form.get("intent") !== "try") throw new AppError("bad_request", "Unknown action");
  const shopId = String(form.get("shopId") ?? "");
  const shops = await listDevelopmentShops(context.platform.db, user.id);
  const shop = shops.find((s) => s.id === shopId);
  if (!shop) throw new AppError("bad_request", "Choose one of your development shops.", { fieldErrors: { shopId: ["Choose a development shop"] } });
  await installIntoDevelopmentShop(context.platform.db, user, { shopId, versionId: version.id });
  return json({ ok: true as const, message: `${version.version} is installed in ${shop.name}.`, storefront: `/s/${shop.handle}`, admin: `/admin/shops/${shop.id}/extensions` });
}

const BADGE: Record<string, string> = { submitted: "badge", checks_passed: "badge badge-accent", checks_failed: "badge badge-err", approved: "badge badge-ok", rejected: "badge badge-err", suspended: "badge badge-err" };

export default function VersionPage() {
  const { extension, version, devShops, settingsForm, checkTitles, scopeLabels } = useLoaderData<typeof loader>();
  const v = version as unknown as VersionDetail;
  const passed = v.checks.filter((c) => c.passed).length;
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to={`/developer/vendors/${extension.vendorId}`}>← {extension.vendorName}</Link> · <Link to={`/developer/extensions/${extension.id}/listing`}>{extension.name}: listing and versions</Link>
        </p>
        <h1>
          {extension.name} {v.version} <span className={BADGE[v.status] ?? "badge"} data-testid="version-status">{v.statusLabel}</span>
        </h1>
        <p className="muted small">
          <code>{extension.handle}</code> · submitted {v.createdAt.slice(0, 16).replace("T", " ")} · bundle <code>{v.bundleHash.slice(0, 19)}…</code>
        </p>
        {v.statusReason && v.status !== "submitted" ? (
          <div className={v.status === "checks_failed" || v.status === "rejected" || v.status === "suspended" ? "alert alert-error" : "alert alert-ok"} role="status">
            {v.status === "rejected" || v.status === "approved" || v.status === "suspended" ? "Reviewer: " : ""}
            {v.statusReason}
          </div>
        ) : null}
        {v.status === "submitted" ? (
          <div className="alert alert-warn" role="status">
            The automated checks are running; reload in a moment.
          </div>
        ) : null}

        <section className="card" style={{ marginBottom: "1rem" }}>
          <h2>
            Automated checks {v.checks.length ? <span className="muted small">({passed} of {v.checks.length} passed)</span> : null}
          </h2>
          {v.checks.length === 0 ? (
            <p className="muted small">No results yet. <Link to="/developers/rules">What is checked</Link></p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="checks">
                <thead>
                  <tr>
                    <th>Result</th>
                    <th>Check</th>
                    <th>Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {v.checks.map((c) => (
                    <tr key={c.seq}>
                      <td>{c.passed ? <span className="badge badge-ok">pass</span> : <span className="badge badge-err">fail</span>}</td>
                      <td>{checkTitles[c.name] ?? c.name}</td>
                      <td className="small">{c.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <div className="grid grid-2">
          <section className="card">
            <h2>What it asks for</h2>
            <p className="small">
              Hooks: {v.manifest.hooks.map((h) => <code key={h} style={{ marginRight: "0.4rem" }}>{h}</code>)}
            </p>
            {v.manifest.scopes.length === 0 ? (
              <p className="small muted">No scopes: it reads only what its hooks are given.</p>
            ) : (
              <ul className="small">
                {v.manifest.scopes.map((s) => (
                  <li key={s.scope}>
                    <strong>{scopeLabels[s.scope] ?? s.scope}</strong> (<code>{s.scope}</code>) — {s.justification}
                  </li>
                ))}
              </ul>
            )}
            <p className="small muted">Data kept {v.manifest.retentionDays} days after an uninstall.</p>
          </section>
          <section className="card">
            <h2>Settings form</h2>
            <p className="small muted">What a merchant fills in when installing it (preview).</p>
            {settingsForm.length === 0 ? (
              <p className="small muted">No settings.</p>
            ) : (
              <fieldset disabled style={{ border: 0, padding: 0, margin: 0 }}>
                {settingsForm.map((f) => (
                  <div className="field" key={f.key}>
                    <label>{f.label}</label>
                    {f.input === "checkbox" ? (
                      <input type="checkbox" defaultChecked={f.checked} />
                    ) : f.input === "select" ? (
                      <select defaultValue={f.value}>
                        {f.options.map((o) => (
                          <option key={o.value} value={o.value}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input type={f.input} defaultValue={f.value} />
                    )}
                    {f.description ? <p className="hint">{f.description}</p> : null}
                  </div>
                ))}
              </fieldset>
            )}
          </section>
        </div>

        <TryCard devShops={devShops} installable={["submitted", "checks_passed", "approved"].includes(v.status)} />
      </main>
    </>
  );
}

function TryCard({ devShops, installable }: { devShops: { id: string; name: string }[]; installable: boolean }) {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  const done = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data : null;
  return (
    <section className="card" style={{ marginTop: "1rem" }}>
      <h2>Try it in a development shop</h2>
      {!installable ? (
        <p className="small muted">This version cannot be installed any more; submit a new one.</p>
      ) : devShops.length === 0 ? (
        <p className="small muted">
          Open a development shop on the <Link to="/developer">portal's home</Link> first.
        </p>
      ) : (
        <fetcher.Form method="post" className="row" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="try" />
          <select name="shopId" aria-label="Development shop" defaultValue={devShops[0].id}>
            {devShops.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn-primary" disabled={fetcher.state !== "idle"}>
            Install this version
          </button>
        </fetcher.Form>
      )}
      <FormError errors={errors} />
      {done ? (
        <div className="alert alert-ok" role="status">
          {done.message} <Link to={done.storefront}>Open the storefront</Link> · <Link to={done.admin}>its extensions</Link>
        </div>
      ) : null}
    </section>
  );
}
