/**
 * /signup: name, e-mail, password and what brings you here. Never makes a
 * reviewer: the form has no such field and the service ignores any posted one.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getOptionalUser, requestMeta, sessionCookie, signUp } from "~/accounts/index.server";
import { INTENT_LABELS, INTENTS, MIN_PASSWORD_LENGTH, homePathFor, safeRedirectPath } from "~/accounts/accounts.schema";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirectPath(url.searchParams.get("redirectTo"));
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(homePathFor(user.intent, redirectTo));
  const intent = url.searchParams.get("intent");
  return json({
    redirectTo,
    // An invitation link pre-fills the invited address.
    email: (url.searchParams.get("email") ?? "").slice(0, 254),
    intent: (INTENTS as readonly string[]).includes(intent ?? "") ? intent : null,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { session, next } = await signUp(context.platform.db, Object.fromEntries(form), requestMeta(request, context));
  return redirect(next, { status: 303, headers: { "Set-Cookie": sessionCookie(context, session) } });
}

export default function SignupPage() {
  const { redirectTo, email, intent } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const intentErrors = errors?.fieldErrors?.intent;
  return (
    <>
      <TopBar />
      <main className="page narrow">
        <h1>Create your Bazaar account</h1>
        <div className="card">
          <Form method="post" noValidate>
            <CsrfInput />
            {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
            <FormError errors={errors} />
            <Field label="Your name" name="name" autoComplete="name" required maxLength={80} errors={errors} />
            <Field label="E-mail" name="email" type="email" autoComplete="email" required defaultValue={email} errors={errors} />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSWORD_LENGTH}
              hint={`At least ${MIN_PASSWORD_LENGTH} characters. A short sentence is easy to remember and hard to guess.`}
              errors={errors}
            />
            <fieldset className={`field${intentErrors?.length ? " field-invalid" : ""}`} style={{ border: "none", padding: 0, margin: "0 0 0.9rem" }}>
              <legend style={{ fontWeight: 600, fontSize: "0.9rem", marginBottom: "0.3rem" }}>What brings you here?</legend>
              {INTENTS.map((value) => (
                <label key={value} style={{ display: "flex", gap: "0.5rem", alignItems: "center", fontWeight: 400, margin: "0.4rem 0" }}>
                  <input type="radio" name="intent" value={value} defaultChecked={intent === value} required />
                  <span>{INTENT_LABELS[value]}</span>
                </label>
              ))}
              {intentErrors?.length ? <p className="field-error">{intentErrors.join(" ")}</p> : null}
            </fieldset>
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              {busy ? "Creating your account…" : "Create account"}
            </button>
          </Form>
        </div>
        <p className="muted small">
          Already have an account? <Link to={redirectTo ? `/login?redirectTo=${encodeURIComponent(redirectTo)}` : "/login"}>Log in</Link>
        </p>
      </main>
    </>
  );
}
