/**
 * /developer/extensions/:extensionId/webhooks/deliveries/:deliveryId: one
 * delivery — its `webhook-id`, the exact body sent, and every attempt
 * (status, duration, response excerpt, error) — with "Send again". Only
 * members of the extension's vendor see it; another extension's delivery is a 404.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import { requireDeveloperExtension } from "~/marketplace/index.server";
import { getDelivery, redeliver } from "~/webhooks/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const delivery = await getDelivery(db, extension.id, params.deliveryId ?? "");
  return json({ extension, delivery });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.delivery.topic} delivery · Webhooks · Bazaar` : "Delivery · Bazaar" }];

type Result = { ok: true; message: string } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const platform = context.platform;
  const extension = await requireDeveloperExtension(platform.db, user.id, params.extensionId ?? "");
  const form = await readForm(request, context);
  if (form.get("intent") !== "redeliver") throw new AppError("bad_request", "Unknown action");
  await redeliver(platform, { type: "user", id: user.id }, extension.id, params.deliveryId ?? "");
  return json<Result>({ ok: true, message: "Sent again: the new attempt appears below once it is done." });
}

const OUTCOME_BADGE: Record<string, string> = { succeeded: "badge badge-ok", throttled: "badge badge-warn", gone: "badge badge-warn" };

function formatUtc(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—";
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export default function WebhookDeliveryPage() {
  const { extension, delivery } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to={`/developer/extensions/${extension.id}/webhooks`}>← Webhooks of {extension.name}</Link>
        </p>
        <h1>
          <code>{delivery.topic}</code> to <code>{delivery.url}</code>
        </h1>
        {result?.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
          </div>
        ) : null}
        <FormError errors={result && !result.ok ? result : undefined} />
        <section className="card">
          <p style={{ marginTop: 0 }}>
            <span className={delivery.status === "succeeded" ? "badge badge-ok" : delivery.status === "failed" ? "badge badge-err" : "badge badge-accent"}>{delivery.status}</span>{" "}
            {delivery.attempts} of {delivery.maxAttempts} attempts
            {delivery.nextAttemptAt ? ` · next at ${formatUtc(delivery.nextAttemptAt)}` : ""}
          </p>
          <p className="small">
            <code>webhook-id</code>: <code>{delivery.id}</code> · shop <code>{delivery.shopId}</code> · install <code>{delivery.installId}</code> · event{" "}
            <code>{delivery.eventId}</code> · created {formatUtc(delivery.createdAt)}
          </p>
          <Form method="post">
            <CsrfInput />
            <button className="btn" name="intent" value="redeliver" disabled={busy || delivery.status === "pending"}>
              Send again
            </button>
          </Form>
        </section>
        <section className="card">
          <h2>Body</h2>
          <pre className="small" style={{ overflowX: "auto" }}>
            {prettyJson(delivery.body)}
          </pre>
        </section>
        <h2>Attempts</h2>
        {delivery.attemptLog.length === 0 ? (
          <div className="card empty">No attempt yet.</div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Started</th>
                  <th>Outcome</th>
                  <th className="num">HTTP</th>
                  <th className="num">Duration</th>
                  <th>Response / error</th>
                </tr>
              </thead>
              <tbody>
                {delivery.attemptLog.map((a) => (
                  <tr key={a.attempt}>
                    <td>{a.attempt}</td>
                    <td className="small nowrap">{formatUtc(a.startedAt)}</td>
                    <td>
                      <span className={OUTCOME_BADGE[a.outcome] ?? "badge badge-err"}>{a.outcome}</span>
                    </td>
                    <td className="num">{a.statusCode ?? "—"}</td>
                    <td className="num">{a.durationMs} ms</td>
                    <td className="small">
                      {a.error ? <div>{a.error}</div> : null}
                      {a.responseExcerpt ? <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{a.responseExcerpt}</pre> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </main>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
