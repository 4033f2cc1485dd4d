/**
 * /forgot-password: asks for an e-mail address and always answers the same
 * way, so the form cannot be used to find out who has an account.
 */
import { json, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { requestPasswordReset } from "~/accounts/index.server";
import { RESET_REQUESTED_MESSAGE } from "~/accounts/accounts.schema";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";

export const meta: MetaFunction = () => [{ title: "Reset your password · Bazaar" }];

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  await requestPasswordReset(context.platform.db, Object.fromEntries(form), { publicUrl: context.platform.config.publicUrl });
  return json({ ok: true as const, message: RESET_REQUESTED_MESSAGE });
}

export default function ForgotPasswordPage() {
  const result = useActionData<{ ok: true; message: string } | ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const errors = result && !result.ok ? result : undefined;
  return (
    <>
      <TopBar />
      <main className="page narrow">
        <h1>Reset your password</h1>
        <div className="card">
          {result?.ok ? (
            <div className="alert alert-ok" role="status" style={{ marginBottom: 0 }}>
              {result.message}
            </div>
          ) : (
            <Form method="post" noValidate>
              <CsrfInput />
              <p className="muted">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
              <FormError errors={errors} />
              <Field label="E-mail" name="email" type="email" autoComplete="email" required autoFocus errors={errors} />
              <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
                {busy ? "Sending…" : "Send the link"}
              </button>
            </Form>
          )}
        </div>
        <p className="muted small">
          Remembered it? <Link to="/login">Log in</Link>
        </p>
      </main>
    </>
  );
}
