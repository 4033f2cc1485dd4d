/**
 * /developer/extensions/:extensionId/oauth: the extension's OAuth clients —
 * for a backend that calls the open API on behalf of the shops that install
 * it. Register a client (its redirect URIs: https, or http on a loopback
 * host; matched exactly), rotate its secret, revoke it. A new or rotated
 * secret is shown once, in the action's answer, never again (it is stored
 * encrypted). Only members of the extension's vendor see it; every change is
 * audited.
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
import { requireDeveloperExtension } from "~/marketplace/index.server";
import { listClients, registerClient, revokeClient, rotateClientSecret } from "~/oauth/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const issuer = context.http ? context.platform.oauth.issuerFor(context.http.req) : context.platform.config.publicUrl;
  return json({ extension, clients: await listClients(db, extension.id), issuer });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `OAuth clients · ${data.extension.name} · Bazaar` : "OAuth clients · Bazaar" }];

type Result = { ok: true; message: string; secret?: { clientId: string; value: string } } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const { db, config } = context.platform;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const form = await readForm(request, context);
  const clientId = String(form.get("clientId") ?? "");
  switch (form.get("intent")) {
    case "create": {
      const { client, secret } = await registerClient(db, config.sessionSecret, user, extension.id, { name: form.get("name") ?? "", redirectUris: form.get("redirectUris") ?? "" });
      return json<Result>({ ok: true, message: "Client registered. Copy its secret now: it is not shown again.", secret: { clientId: client.clientId, value: secret } });
    }
    case "rotate": {
      const { client, secret } = await rotateClientSecret(db, config.sessionSecret, user, extension.id, clientId);
      return json<Result>({ ok: true, message: "New secret. The old one no longer works.", secret: { clientId: client.clientId, value: secret } });
    }
    case "revoke":
      await revokeClient(db, user, extension.id, clientId);
      return json<Result>({ ok: true, message: "Client revoked. Its tokens no longer work." });
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "—");

export default function ExtensionOAuthClientsPage() {
  const { extension, clients, issuer } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const busy = useNavigation().state !== "idle";
  const errors = result && !result.ok ? result : undefined;
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to={`/developer/extensions/${extension.id}`}>← {extension.name}</Link>
        </p>
        <h1>OAuth clients</h1>
        <p className="muted">
          A backend of <code>{extension.handle}</code> gets tokens for a shop when its merchant installs the extension through the authorization code flow
          with PKCE (S256). Discovery: <code>{`${issuer}/.well-known/oauth-authorization-server`}</code>. Redirect URIs must match exactly.
        </p>

        {result?.ok ? (
          <div className="alert alert-ok" role="status">
            {result.message}
            {result.secret ? (
              <div style={{ marginTop: "0.5rem" }}>
                Secret for <code>{result.secret.clientId}</code>: <code data-testid="client-secret">{result.secret.value}</code>
              </div>
            ) : null}
          </div>
        ) : null}
        <FormError errors={errors} />

        <section className="card">
          <h2>Clients</h2>
          {clients.length === 0 ? <p className="muted">No clients yet.</p> : null}
          <table className="table">
            <thead>
              <tr>
                <th>Client</th>
                <th>Redirect URIs</th>
                <th>Secret</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {clients.map((c) => (
                <tr key={c.clientId}>
                  <td>
                    <strong>{c.name}</strong>
                    <br />
                    <code className="small">{c.clientId}</code>
                    {c.revokedAt ? <span className="badge badge-err"> revoked</span> : null}
                  </td>
                  <td className="small">
                    {c.redirectUris.map((u) => (
                      <div key={u}>
                        <code>{u}</code>
                      </div>
                    ))}
                  </td>
                  <td className="small">
                    {`…${c.secretLast4}`}
                    <br />
                    <span className="muted">{c.secretRotatedAt ? `rotated ${when(c.secretRotatedAt)}` : `created ${when(c.createdAt)}`}</span>
                  </td>
                  <td>
                    {c.revokedAt ? null : (
                      <Form method="post" className="row">
                        <CsrfInput />
                        <input type="hidden" name="clientId" value={c.clientId} />
                        <button className="btn" name="intent" value="rotate" disabled={busy}>
                          Rotate secret
                        </button>
                        <button className="btn" name="intent" value="revoke" disabled={busy}>
                          Revoke
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Register a client</h2>
          <Form method="post" noValidate>
            <CsrfInput />
            <Field label="Name" name="name" required errors={errors} hint="Shown to merchants on the consent page." />
            <Field label="Redirect URIs" name="redirectUris" errors={errors} hint="One per line. https only (http for 127.0.0.1, [::1] or localhost); no fragments, wildcards or user names.">
              <textarea id="f-redirectUris" name="redirectUris" rows={3} required />
            </Field>
            <button className="btn btn-primary" name="intent" value="create" disabled={busy}>
              Register client
            </button>
          </Form>
        </section>
      </main>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteErrorCard />;
}
