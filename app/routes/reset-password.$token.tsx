/**
 * /reset-password/:token: the link from the reset e-mail. Works once, for
 * one hour; setting the password ends every session of the account.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { isPasswordResetTokenUsable, resetPassword } from "~/accounts/index.server";
import { MIN_PASSWORD_LENGTH } from "~/accounts/accounts.schema";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Bazaar" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  return json({ usable: await isPasswordResetTokenUsable(context.platform.db, params.token ?? "") });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  await resetPassword(context.platform.db, params.token ?? "", Object.fromEntries(form), { ip: context.clientIp ?? null });
  return redirect("/login?reset=1", 303);
}

export default function ResetPasswordPage() {
  const { usable } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <TopBar />
      <main className="page narrow">
        <h1>Choose a new password</h1>
        <div className="card">
          {usable ? (
            <Form method="post" noValidate>
              <CsrfInput />
              <FormError errors={errors} />
              <Field
                label="New password"
                name="password"
                type="password"
                autoComplete="new-password"
                required
                minLength={MIN_PASSWORD_LENGTH}
                hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
                errors={errors}
              />
              <Field label="Repeat the new password" name="confirmPassword" type="password" autoComplete="new-password" required errors={errors} />
              <p className="muted small">Saving it logs you out everywhere, so any device that still had your account is signed out.</p>
              <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
                {busy ? "Saving…" : "Save the new password"}
              </button>
            </Form>
          ) : (
            <>
              <div className="alert alert-warn" role="alert">
                This reset link is invalid, has expired or was already used.
              </div>
              <Link className="btn btn-primary" to="/forgot-password">
                Ask for a new link
              </Link>
            </>
          )}
        </div>
      </main>
    </>
  );
}
