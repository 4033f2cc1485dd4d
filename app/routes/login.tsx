/**
 * /login: e-mail and password. Failures answer with one message whatever the
 * reason; too many of them answer 429 before any password is checked.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getOptionalUser, logIn, requestMeta, sessionCookie } from "~/accounts/index.server";
import { homePathFor, safeRedirectPath } from "~/accounts/accounts.schema";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";

export const meta: MetaFunction = () => [{ title: "Log in · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirectPath(url.searchParams.get("redirectTo"));
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(homePathFor(user.intent, redirectTo));
  return json({ redirectTo, passwordWasReset: url.searchParams.get("reset") === "1" });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { session, next } = await logIn(context.platform.db, Object.fromEntries(form), requestMeta(request, context));
  return redirect(next, { status: 303, headers: { "Set-Cookie": sessionCookie(context, session) } });
}

export default function LoginPage() {
  const { redirectTo, passwordWasReset } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const withRedirect = (path: string) => (redirectTo ? `${path}?redirectTo=${encodeURIComponent(redirectTo)}` : path);
  return (
    <>
      <TopBar />
      <main className="page narrow">
        <h1>Log in to Bazaar</h1>
        {passwordWasReset ? (
          <div className="alert alert-ok" role="status">
            Your password was changed. Log in with the new one.
          </div>
        ) : null}
        <div className="card">
          <Form method="post" noValidate>
            <CsrfInput />
            {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
            <FormError errors={errors} />
            <Field label="E-mail" name="email" type="email" autoComplete="email" required autoFocus errors={errors} />
            <Field label="Password" name="password" type="password" autoComplete="current-password" required errors={errors} />
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              {busy ? "Logging in…" : "Log in"}
            </button>
          </Form>
          <p className="small" style={{ marginBottom: 0 }}>
            <Link to="/forgot-password">Forgot your password?</Link>
          </p>
        </div>
        <p className="muted small">
          New to Bazaar? <Link to={withRedirect("/signup")}>Create an account</Link>
        </p>
      </main>
    </>
  );
}
