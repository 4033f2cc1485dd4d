/**
 * /account: the signed-in user's profile, password and active sessions.
 * Each form posts an `intent`; each is its own fetcher so its errors show
 * beside it.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { changePassword, getAccountOverview, requestMeta, requireUser, revokeOwnSession, updateProfile } from "~/accounts/index.server";
import { INTENT_LABELS, MIN_PASSWORD_LENGTH, type Intent } from "~/accounts/accounts.schema";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";

export const meta: MetaFunction = () => [{ title: "Your account · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return json(await getAccountOverview(context.platform.db, user));
}

type Result = { ok: true; message: string } | ActionErrorData;

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const db = context.platform.db;
  switch (form.get("intent")) {
    case "profile":
      await updateProfile(db, user, fields);
      return json({ ok: true as const, message: "Saved." });
    case "password":
      await changePassword(db, user, fields, requestMeta(request, context));
      return json({ ok: true as const, message: "Password changed. Your other sessions were logged out." });
    case "revoke-session":
      await revokeOwnSession(db, user, fields);
      return json({ ok: true as const, message: "That session was logged out." });
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

function formatUtc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /iPhone|iPad/.test(ua) ? "iOS" : /Android/.test(ua) ? "Android" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : null;
  return browser || os ? [browser, os].filter(Boolean).join(" on ") : ua.slice(0, 60);
}

export default function AccountPage() {
  const { user, sessions } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Your account</h1>
        <div className="grid grid-2">
          <ProfileCard name={user.name} email={user.email} intent={user.intent} isReviewer={user.isReviewer} />
          <PasswordCard />
        </div>
        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Where you're logged in</h2>
          <p className="muted small">Log out any session you don't recognise. Changing your password logs out all of them but this one.</p>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Device</th>
                  <th>IP</th>
                  <th>Since</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <tr key={s.id}>
                    <td>{describeAgent(s.userAgent)}</td>
                    <td className="small">{s.ip ?? "—"}</td>
                    <td className="small">{formatUtc(s.createdAt)}</td>
                    <td className="num">{s.current ? <span className="badge badge-ok">This device</span> : <RevokeSessionButton sessionId={s.id} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </main>
    </>
  );
}

function ProfileCard({ name, email, intent, isReviewer }: { name: string; email: string; intent: Intent; isReviewer: boolean }) {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  return (
    <section className="card">
      <h2>Profile</h2>
      <p className="small muted">
        {email}
        {isReviewer ? (
          <>
            {" "}
            <span className="badge badge-accent">Platform reviewer</span>
          </>
        ) : null}
        <br />
        Joined for: {INTENT_LABELS[intent] ?? intent}
      </p>
      <fetcher.Form method="post">
        <CsrfInput />
        <input type="hidden" name="intent" value="profile" />
        <FormError errors={errors} />
        <Field label="Name" name="name" defaultValue={name} required maxLength={80} autoComplete="name" errors={errors} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={fetcher.state !== "idle"}>
            Save
          </button>
          {fetcher.state === "idle" && fetcher.data?.ok ? <span className="small muted">{fetcher.data.message}</span> : null}
        </div>
      </fetcher.Form>
    </section>
  );
}

function PasswordCard() {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  const formRef = useRef<HTMLFormElement>(null);
  const succeeded = fetcher.state === "idle" && fetcher.data?.ok;
  useEffect(() => {
    if (succeeded) formRef.current?.reset();
  }, [succeeded]);
  return (
    <section className="card">
      <h2>Change password</h2>
      <fetcher.Form method="post" ref={formRef} noValidate>
        <CsrfInput />
        <input type="hidden" name="intent" value="password" />
        <FormError errors={errors} />
        {succeeded && fetcher.data?.ok ? (
          <div className="alert alert-ok" role="status">
            {fetcher.data.message}
          </div>
        ) : null}
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required errors={errors} />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          errors={errors}
        />
        <Field label="Repeat the new password" name="confirmPassword" type="password" autoComplete="new-password" required errors={errors} />
        <button type="submit" className="btn btn-primary" disabled={fetcher.state !== "idle"}>
          Change password
        </button>
      </fetcher.Form>
    </section>
  );
}

function RevokeSessionButton({ sessionId }: { sessionId: string }) {
  const fetcher = useFetcher<Result>();
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;
  return (
    <fetcher.Form method="post" style={{ margin: 0 }}>
      <CsrfInput />
      <input type="hidden" name="intent" value="revoke-session" />
      <input type="hidden" name="sessionId" value={sessionId} />
      <button type="submit" className="btn-link small" disabled={fetcher.state !== "idle"}>
        Log out
      </button>
      {error ? <span className="field-error small"> {error}</span> : null}
    </fetcher.Form>
  );
}
