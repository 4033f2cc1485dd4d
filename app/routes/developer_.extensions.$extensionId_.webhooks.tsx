/**
 * /developer/extensions/:extensionId/webhooks: the extension's webhook
 * endpoints (URL, topics, status) — every install of the extension gets
 * deliveries for its own shop — and the delivery log, newest first, filtered
 * by status and endpoint. A new or rotated signing secret is shown once, in
 * the action's answer, and never again. Only members of the extension's
 * vendor see it (anyone else gets 404). Every change is audited.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import { requireDeveloperExtension, SCOPE_LABELS } from "~/marketplace/index.server";
import {
  createEndpoint,
  deleteEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateEndpointSecret,
  setEndpointEnabled,
  TOPIC_NAMES,
  updateEndpointSettings,
  WEBHOOK_TOPICS,
} from "~/webhooks/index.server";
import { DELIVERY_STATUSES } from "~/webhooks/webhooks.schema";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const url = new URL(request.url);
  const filter = { status: url.searchParams.get("status") || null, endpointId: url.searchParams.get("endpoint") || null, before: url.searchParams.get("before") || null };
  const [endpoints, page] = await Promise.all([listEndpoints(db, extension.id), listDeliveries(db, extension.id, filter)]);
  return json({
    extension,
    endpoints,
    topics: TOPIC_NAMES.map((t) => ({ topic: t, scope: WEBHOOK_TOPICS[t], label: WEBHOOK_TOPICS[t] ? SCOPE_LABELS[WEBHOOK_TOPICS[t]!] : "No scope needed" })),
    filter,
    ...page,
  });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Webhooks · ${data.extension.name} · Bazaar` : "Webhooks · Bazaar" }];

type Result = { ok: true; message: string; secret?: { endpointId: string; url: string; value: string } } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const platform = context.platform;
  const extension = await requireDeveloperExtension(platform.db, user.id, params.extensionId ?? "");
  const form = await readForm(request, context);
  const actor = { type: "user" as const, id: user.id };
  const endpointId = String(form.get("endpointId") ?? "");
  const endpointForm = () => ({ url: form.get("url") ?? "", topics: form.getAll("topics").map(String) });
  switch (form.get("intent")) {
    case "create": {
      const { endpoint, secret } = await createEndpoint(platform, actor, extension.id, endpointForm());
      return json<Result>({ ok: true, message: "Endpoint added. Copy its signing secret now: it is not shown again.", secret: { endpointId: endpoint.id, url: endpoint.url, value: secret } });
    }
    case "update":
      await updateEndpointSettings(platform, actor, extension.id, endpointId, endpointForm());
      return json<Result>({ ok: true, message: "Endpoint saved." });
    case "rotate": {
      const { endpoint, secret } = await rotateEndpointSecret(platform, actor, extension.id, endpointId);
      return json<Result>({ ok: true, message: "New signing secret. The old one also signs for 24 hours.", secret: { endpointId: endpoint.id, url: endpoint.url, value: secret } });
    }
    case "enable":
      await setEndpointEnabled(platform, actor, extension.id, endpointId, true);
      return json<Result>({ ok: true, message: "Endpoint enabled." });
    case "disable":
      await setEndpointEnabled(platform, actor, extension.id, endpointId, false);
      return json<Result>({ ok: true, message: "Endpoint disabled." });
    case "delete":
      await deleteEndpoint(platform, actor, extension.id, endpointId);
      return json<Result>({ ok: true, message: "Endpoint deleted." });
    case "redeliver":
      await redeliver(platform, actor, extension.id, String(form.get("deliveryId") ?? ""));
      return json<Result>({ ok: true, message: "Sent again." });
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

const ENDPOINT_BADGE: Record<string, string> = { active: "badge badge-ok", disabled: "badge badge-warn" };
const DELIVERY_BADGE: Record<string, string> = { succeeded: "badge badge-ok", pending: "badge badge-accent", failed: "badge badge-err" };

function formatUtc(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—";
}

function TopicChecks({ topics, checked, name = "topics" }: { topics: { topic: string; scope: string | null; label: string }[]; checked: string[]; name?: string }) {
  return (
    <fieldset className="field" style={{ border: 0, padding: 0 }}>
      <legend style={{ fontWeight: 600, fontSize: "0.9rem", marginBottom: "0.3rem" }}>Topics</legend>
      <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(13rem, 1fr))", gap: "0.25rem 1rem" }}>
        {topics.map((t) => (
          <label key={t.topic} className="small" title={t.label}>
            <input type="checkbox" name={name} value={t.topic} defaultChecked={checked.includes(t.topic)} /> <code>{t.topic}</code>
            {t.scope ? <span className="muted"> · {t.scope}</span> : null}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export default function ExtensionWebhooksPage() {
  const { extension, endpoints, topics, filter, deliveries, nextBefore } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result : undefined;
  const query = (patch: Record<string, string | null>) => {
    const q = new URLSearchParams();
    const merged = { status: filter.status, endpoint: filter.endpointId, ...patch };
    for (const [k, v] of Object.entries(merged)) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `?${s}` : "?";
  };
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to={`/developer/extensions/${extension.id}`}>← {extension.name}</Link>
        </p>
        <h1>Webhooks</h1>
        <p className="muted">
          Every shop that installs <code>{extension.handle}</code> sends its events to these endpoints — each shop's own events only, and only topics whose
          scope the merchant granted. Requests follow{" "}
          <a href="https://www.standardwebhooks.com/" rel="noreferrer">
            Standard Webhooks
          </a>
          : verify <code>webhook-signature</code> with the endpoint's secret and dedupe on <code>webhook-id</code>. Failed deliveries are retried for about three
          days; an endpoint that answers 410 is disabled.
        </p>

        {result?.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
            {result.secret ? (
              <div style={{ marginTop: "0.5rem" }}>
                Signing secret for {result.secret.url}: <code data-testid="webhook-secret">{result.secret.value}</code>
              </div>
            ) : null}
          </div>
        ) : null}
        <FormError errors={errors} />

        <section className="card">
          <h2>Endpoints</h2>
          {endpoints.length === 0 ? <p className="muted">No endpoints yet.</p> : null}
          {endpoints.map((e) => (
            <details key={e.id} className="card" style={{ boxShadow: "none" }}>
              <summary className="row" style={{ cursor: "pointer" }}>
                <span className={ENDPOINT_BADGE[e.status] ?? "badge"}>{e.status}</span>
                <code>{e.url}</code>
                <span className="small muted">{e.topics.join(", ")}</span>
                {e.installId ? <span className="small badge">one install</span> : null}
              </summary>
              {e.statusReason ? <p className="small muted">Disabled: {e.statusReason}</p> : null}
              {e.previousSecretExpiresAt ? <p className="small muted">The previous secret also signs until {formatUtc(e.previousSecretExpiresAt)}.</p> : null}
              <Form method="post" style={{ marginTop: "0.75rem" }}>
                <CsrfInput />
                <input type="hidden" name="endpointId" value={e.id} />
                <div className="field">
                  <label htmlFor={`url-${e.id}`}>URL</label>
                  <input id={`url-${e.id}`} name="url" type="url" defaultValue={e.url} required />
                </div>
                <TopicChecks topics={topics} checked={e.topics} />
                <div className="row">
                  <button className="btn btn-primary" name="intent" value="update" disabled={busy}>
                    Save
                  </button>
                  <button className="btn" name="intent" value="rotate" disabled={busy}>
                    Rotate secret
                  </button>
                  {e.status === "active" ? (
                    <button className="btn" name="intent" value="disable" disabled={busy}>
                      Disable
                    </button>
                  ) : (
                    <button className="btn" name="intent" value="enable" disabled={busy}>
                      Enable
                    </button>
                  )}
                  <button className="btn" name="intent" value="delete" disabled={busy}>
                    Delete
                  </button>
                  <Link className="small" to={query({ endpoint: e.id, before: null })}>
                    Its deliveries
                  </Link>
                </div>
              </Form>
            </details>
          ))}
          <h3>Add an endpoint</h3>
          {/* a new key after each success empties the form */}
          <Form method="post" key={result?.ok && result.secret ? `after-${result.secret.endpointId}-${result.secret.value.slice(-8)}` : "new"}>
            <CsrfInput />
            <Field label="URL" name="url" type="url" placeholder="https://example.com/bazaar/webhooks" required errors={errors} hint="https only; private and internal addresses are refused." />
            <TopicChecks topics={topics} checked={[]} />
            {errors?.fieldErrors?.topics ? <p className="field-error">{errors.fieldErrors.topics.join(" ")}</p> : null}
            <button className="btn btn-primary" name="intent" value="create" disabled={busy}>
              Add endpoint
            </button>
          </Form>
        </section>

        <section style={{ marginTop: "1.5rem" }}>
          <h2>Deliveries</h2>
          <nav className="row small" aria-label="Filter deliveries" style={{ marginBottom: "0.75rem" }}>
            {[null, ...DELIVERY_STATUSES].map((s) =>
              (filter.status ?? null) === s ? (
                <strong key={s ?? "all"}>{s ?? "all"}</strong>
              ) : (
                <Link key={s ?? "all"} to={query({ status: s, before: null })}>
                  {s ?? "all"}
                </Link>
              ),
            )}
            {filter.endpointId ? <Link to={query({ endpoint: null, before: null })}>all endpoints</Link> : null}
          </nav>
          {deliveries.length === 0 ? (
            <div className="card empty">No deliveries{filter.status ? ` with status ${filter.status}` : ""}.</div>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Topic</th>
                    <th>Endpoint</th>
                    <th>Shop</th>
                    <th>Status</th>
                    <th className="num">Attempts</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.id}>
                      <td className="small nowrap">{formatUtc(d.createdAt)}</td>
                      <td>
                        <code>{d.topic}</code>
                      </td>
                      <td className="small">
                        <code>{d.url}</code>
                      </td>
                      <td className="small">
                        <code>{d.shopId}</code>
                      </td>
                      <td>
                        <span className={DELIVERY_BADGE[d.status] ?? "badge"}>{d.status}</span>
                        {d.lastError ? <div className="small muted">{d.lastError}</div> : null}
                      </td>
                      <td className="num">
                        {d.attempts}/{d.maxAttempts}
                      </td>
                      <td className="num nowrap">
                        <Link to={`/developer/extensions/${extension.id}/webhooks/deliveries/${d.id}`}>Details</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="pager">
            {filter.before ? <Link to={query({ before: null })}>Newest</Link> : null}
            {nextBefore ? <Link to={query({ before: nextBefore })}>Older →</Link> : null}
          </div>
        </section>
      </main>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
