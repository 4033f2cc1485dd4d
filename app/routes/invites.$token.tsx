/**
 * /invites/:token: the link from a staff invitation. Accepting needs being
 * logged in with the invited address; visitors are offered log-in or
 * sign-up, which bring them back here.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { acceptInvitation, getInvitation, getOptionalUser, requireUser } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";

export const meta: MetaFunction = () => [{ title: "Invitation · Bazaar" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await getOptionalUser(request, context);
  const invitation = await getInvitation(context.platform.db, params.token ?? "", viewer);
  return json({ invitation, viewerEmail: viewer?.email ?? null, here: new URL(request.url).pathname });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  await readForm(request, context);
  const { shopId } = await acceptInvitation(context.platform.db, user, params.token ?? "");
  return redirect(`/admin/shops/${shopId}`, 303);
}

export default function InvitationPage() {
  const { invitation, viewerEmail, here } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const back = encodeURIComponent(here);
  return (
    <>
      <TopBar />
      <main className="page narrow">
        {invitation.state === "invalid" ? (
          <>
            <h1>This invitation no longer works</h1>
            <div className="card">
              <p className="muted" style={{ marginTop: 0 }}>
                It may have expired, been withdrawn, or been accepted already. Ask the shop owner to send a new one.
              </p>
              <Link to="/">Back to Bazaar</Link>
            </div>
          </>
        ) : (
          <>
            <h1>Join {invitation.shopName}</h1>
            <div className="card">
              <p style={{ marginTop: 0 }}>
                {invitation.inviterName} invited <strong>{invitation.email}</strong> to work on <strong>{invitation.shopName}</strong> as{" "}
                {invitation.role}.
              </p>
              <FormError errors={errors} />
              {invitation.viewer === "match" ? (
                <Form method="post">
                  <CsrfInput />
                  <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
                    {busy ? "Joining…" : `Accept and join ${invitation.shopName}`}
                  </button>
                </Form>
              ) : invitation.viewer === "mismatch" ? (
                <div className="alert alert-warn" role="status" style={{ marginBottom: 0 }}>
                  You're logged in as {viewerEmail}. Log out, then open this link again and log in or sign up as {invitation.email}.
                </div>
              ) : (
                <div className="stack">
                  <p className="muted small" style={{ margin: 0 }}>
                    To accept, {invitation.accountExists ? "log in" : "create an account"} with {invitation.email}.
                  </p>
                  <div className="row">
                    {invitation.accountExists ? (
                      <Link className="btn btn-primary" to={`/login?redirectTo=${back}`}>
                        Log in to accept
                      </Link>
                    ) : (
                      <Link className="btn btn-primary" to={`/signup?redirectTo=${back}&email=${encodeURIComponent(invitation.email)}&intent=merchant`}>
                        Sign up to accept
                      </Link>
                    )}
                    <Link className="btn" to={invitation.accountExists ? `/signup?redirectTo=${back}` : `/login?redirectTo=${back}`}>
                      {invitation.accountExists ? "Sign up instead" : "I have an account"}
                    </Link>
                  </div>
                </div>
              )}
            </div>
          </>
        )}
      </main>
    </>
  );
}
