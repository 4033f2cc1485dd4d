/**
 * /developer/vendors/:vendorId: one vendor, for its members — its status
 * and the reviewer's reason, its extensions and their latest versions, the
 * upload of a new version (manifest.json + bundle.js), developer API tokens
 * (shown once), and the team (the owner invites developers by e-mail).
 * Anyone else gets 404.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { readLimitedForm } from "~/catalog/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import {
  createDeveloperToken,
  getVendorTeam,
  inviteVendorMember,
  listDeveloperExtensions,
  listDeveloperTokens,
  listVersionSummaries,
  requireVendorMember,
  revokeDeveloperToken,
  revokeVendorInvite,
  submitVersion,
} from "~/marketplace/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const vendor = await requireVendorMember(db, user.id, params.vendorId ?? "");
  const [team, tokens, all] = await Promise.all([getVendorTeam(db, vendor.id), listDeveloperTokens(db, vendor.id), listDeveloperExtensions(db, user.id)]);
  const extensions = await Promise.all(
    all.filter((e) => e.vendorId === vendor.id).map(async (e) => ({ ...e, latest: (await listVersionSummaries(db, e.id))[0] ?? null })),
  );
  return json({ vendor, team, tokens, extensions, me: user.id, publicUrl: context.platform.config.publicUrl });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.vendor.name} · Developer portal · Bazaar` : "Vendor · Bazaar" }];

type Result = { ok: true; message: string; token?: string } | ActionErrorData;

async function fileText(form: FormData, name: string, label: string): Promise<string> {
  const f = form.get(name);
  if (!f || typeof f === "string" || f.size === 0) throw new AppError("bad_request", `Choose ${label}.`, { fieldErrors: { [name]: [`Choose ${label}`] } });
  return f.text();
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const { db, config } = context.platform;
  const vendor = await requireVendorMember(db, user.id, params.vendorId ?? "");
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    // the portal's upload of a version: the same service as the CLI's publish
    const form = await readLimitedForm(request, context);
    const manifestText = await fileText(form, "manifest", "the manifest (dist/manifest.json)");
    const bundle = await fileText(form, "bundle", "the bundle (dist/bundle.js)");
    let manifest: unknown;
    try {
      manifest = JSON.parse(manifestText);
    } catch {
      throw new AppError("bad_request", "The manifest is not JSON.", { fieldErrors: { manifest: ["Not a JSON file"] } });
    }
    const v = await submitVersion(db, user, { vendorId: vendor.id, manifest, bundle });
    return redirect(`/developer/extensions/${v.extensionId}/versions/${v.id}`, 303);
  }
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  switch (form.get("intent")) {
    case "create-token": {
      const { token, view } = await createDeveloperToken(db, user, vendor.id, fields);
      return json({ ok: true as const, message: `Token ${view.name} created. Copy it now: it is not shown again.`, token });
    }
    case "revoke-token":
      await revokeDeveloperToken(db, user, vendor.id, String(fields.tokenId ?? ""));
      return json({ ok: true as const, message: "Token revoked." });
    case "invite": {
      await requireVendorMember(db, user.id, vendor.id, { owner: true });
      await inviteVendorMember(db, { vendor, inviter: user }, fields, { publicUrl: config.publicUrl });
      return json({ ok: true as const, message: `Invitation sent to ${String(fields.email).trim().toLowerCase()}.` });
    }
    case "revoke-invite":
      await requireVendorMember(db, user.id, vendor.id, { owner: true });
      await revokeVendorInvite(db, user, vendor.id, String(fields.inviteId ?? ""));
      return json({ ok: true as const, message: "Invitation withdrawn." });
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

const STATUS_BADGE: Record<string, string> = { pending: "badge badge-warn", verified: "badge badge-ok", rejected: "badge badge-err", suspended: "badge badge-err" };
const VERSION_BADGE: Record<string, string> = {
  submitted: "badge",
  checks_passed: "badge badge-accent",
  checks_failed: "badge badge-err",
  approved: "badge badge-ok",
  rejected: "badge badge-err",
  suspended: "badge badge-err",
};
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

export default function VendorPage() {
  const { vendor, team, tokens, extensions, me } = useLoaderData<typeof loader>();
  const isOwner = vendor.role === "owner";
  const upload = useActionData<typeof action>() as Result | undefined;
  const nav = useNavigation();
  const uploadErrors = upload && !upload.ok ? upload : undefined;
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to="/developer">← Developer portal</Link>
        </p>
        <h1>
          {vendor.name} <span className={STATUS_BADGE[vendor.status] ?? "badge"}>{vendor.statusLabel}</span>
        </h1>
        <p className="muted">
          {vendor.legalName ?? "—"} · {vendor.contactEmail}
          {vendor.website ? <> · {vendor.website}</> : null} · you are its {vendor.role}
        </p>
        {vendor.status === "pending" ? (
          <div className="alert alert-warn" role="status">
            A Bazaar reviewer verifies every vendor before it can submit versions for review. Meanwhile, build and test your extension locally.
          </div>
        ) : vendor.status !== "verified" ? (
          <div className="alert alert-error" role="status">
            {vendor.statusLabel}. Reason from the reviewer: {vendor.statusReason ?? "none given"}
          </div>
        ) : null}

        <section className="card" style={{ marginBottom: "1rem" }}>
          <h2>Extensions</h2>
          {extensions.length === 0 ? (
            <p className="muted small">No extensions yet: the first version you submit creates its listing.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>Extension</th>
                    <th>Latest version</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  {extensions.map((e) => (
                    <tr key={e.id}>
                      <td>
                        <strong>{e.name}</strong> <code className="small">{e.handle}</code>
                      </td>
                      <td>
                        {e.latest ? (
                          <Link to={`/developer/extensions/${e.id}/versions/${e.latest.id}`}>
                            {e.latest.version} <span className={VERSION_BADGE[e.latest.status] ?? "badge"}>{e.latest.statusLabel}</span>
                          </Link>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td className="num">
                        <Link to={`/developer/extensions/${e.id}/listing`}>Listing and versions</Link> · <Link to={`/developer/extensions/${e.id}`}>Metrics</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {vendor.status === "verified" ? (
            <Form method="post" encType="multipart/form-data" noValidate style={{ marginTop: "1rem" }}>
              <h3>Upload a version</h3>
              <p className="small muted">
                The files <code>bazaar-plugin build</code> writes to <code>dist/</code>. The automated checks start at once.
              </p>
              <CsrfInput />
              <FormError errors={uploadErrors} />
              <Field label="manifest.json" name="manifest" type="file" accept="application/json,.json" errors={uploadErrors} />
              <Field label="bundle.js" name="bundle" type="file" accept=".js,text/javascript" errors={uploadErrors} />
              <button type="submit" className="btn btn-primary" disabled={nav.state !== "idle"}>
                Submit version
              </button>
            </Form>
          ) : null}
        </section>

        <div className="grid grid-2">
          <TokensCard tokens={tokens} />
          <section className="card">
            <h2>Team</h2>
            <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
              {team.members.map((m) => (
                <li key={m.userId} className="row">
                  <span>
                    {m.name} <span className="muted small">{m.email}</span>
                    {m.userId === me ? <span className="muted small"> (you)</span> : null}
                  </span>
                  <span className="spacer" />
                  <span className={m.role === "owner" ? "badge badge-accent" : "badge"}>{m.role}</span>
                </li>
              ))}
            </ul>
            {isOwner ? (
              <>
                {team.invites.length ? (
                  <>
                    <h3>Pending invitations</h3>
                    <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
                      {team.invites.map((i) => (
                        <li key={i.id} className="row">
                          <span>{i.email}</span>
                          <span className="muted small">until {day(i.expiresAt)}</span>
                          <span className="spacer" />
                          <RowButton intent="revoke-invite" name="inviteId" value={i.id} label="Withdraw" />
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
                <InviteForm />
              </>
            ) : null}
          </section>
        </div>
      </main>
    </>
  );
}

function TokensCard({ tokens }: { tokens: { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }[] }) {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  const created = fetcher.state === "idle" && fetcher.data?.ok && fetcher.data.token ? fetcher.data : null;
  return (
    <section className="card">
      <h2>Developer API tokens</h2>
      <p className="small muted">
        For <code>bazaar-plugin publish</code> (<code>BAZAAR_TOKEN</code>). A token acts for this vendor only; Bazaar keeps only its hash.
      </p>
      {created ? (
        <div className="alert alert-ok" role="status">
          {created.message}
          <pre className="small" data-testid="new-token" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", margin: "0.5rem 0 0" }}>
            {created.token}
          </pre>
        </div>
      ) : null}
      {tokens.length ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th>Last used</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="small">
                    <code>{t.prefix}…</code>
                  </td>
                  <td className="small">{t.revokedAt ? <span className="badge badge-err">revoked</span> : t.lastUsedAt ? t.lastUsedAt.replace("T", " ").slice(0, 16) : "never"}</td>
                  <td className="num">{t.revokedAt ? null : <RowButton intent="revoke-token" name="tokenId" value={t.id} label="Revoke" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <fetcher.Form method="post" noValidate>
        <CsrfInput />
        <input type="hidden" name="intent" value="create-token" />
        <FormError errors={errors} />
        <Field label="Token name" name="name" required maxLength={60} placeholder="e.g. CI, laptop" errors={errors} />
        <button type="submit" className="btn" disabled={fetcher.state !== "idle"}>
          Create token
        </button>
      </fetcher.Form>
    </section>
  );
}

function InviteForm() {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  const sent = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data.message : null;
  return (
    <fetcher.Form method="post" noValidate key={sent ?? "invite"}>
      <h3>Invite a developer</h3>
      <CsrfInput />
      <input type="hidden" name="intent" value="invite" />
      <FormError errors={errors} />
      {sent ? (
        <div className="alert alert-ok" role="status">
          {sent}
        </div>
      ) : null}
      <Field label="E-mail address" name="email" type="email" required autoComplete="off" errors={errors} />
      <button type="submit" className="btn" disabled={fetcher.state !== "idle"}>
        Send invitation
      </button>
    </fetcher.Form>
  );
}

function RowButton({ intent, name, value, label }: { intent: string; name: string; value: string; label: string }) {
  const fetcher = useFetcher<Result>();
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;
  return (
    <fetcher.Form method="post" style={{ margin: 0, display: "inline" }}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name={name} value={value} />
      <button type="submit" className="btn btn-link" disabled={fetcher.state !== "idle"}>
        {label}
      </button>
      {error ? <span className="field-error small"> {error}</span> : null}
    </fetcher.Form>
  );
}
