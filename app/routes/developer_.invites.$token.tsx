/**
 * /developer/invites/:token: the link from a vendor's invitation. Accepting
 * needs being logged in with the invited address; visitors are offered
 * log-in or sign-up, which bring them back here.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getOptionalUser, requireUser } from "~/accounts/index.server";
import { CsrfInput, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { acceptVendorInvitation, getVendorInvitation } from "~/marketplace/index.server";

export const meta: MetaFunction = () => [{ title: "Vendor invitation · Bazaar" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await getOptionalUser(request, context);
  const invitation = await getVendorInvitation(context.platform.db, params.token ?? "", viewer);
  return json({ invitation, viewerEmail: viewer?.email ?? null, here: new URL(request.url).pathname });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  await readForm(request, context);
  const { vendorId } = await acceptVendorInvitation(context.platform.db, user, params.token ?? "");
  return redirect(`/developer/vendors/${vendorId}`, 303);
}

export default function VendorInvitationPage() {
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
                It may have expired, been withdrawn, or been accepted already. Ask the vendor's owner to send a new one.
              </p>
              <Link to="/developer">Developer portal</Link>
            </div>
          </>
        ) : (
          <>
            <h1>Join {invitation.vendorName}</h1>
            <div className="card">
              <p style={{ marginTop: 0 }}>
                You were invited (<strong>{invitation.email}</strong>) to develop extensions for <strong>{invitation.vendorName}</strong> on Bazaar.
              </p>
              <FormError errors={errors} />
              {invitation.viewer === "match" ? (
                <Form method="post">
                  <CsrfInput />
                  <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
                    {busy ? "Joining…" : `Accept and join ${invitation.vendorName}`}
                  </button>
                </Form>
              ) : invitation.viewer === "mismatch" ? (
                <div className="alert alert-warn" role="status" style={{ marginBottom: 0 }}>
                  You're logged in as {viewerEmail}. Log out, then open this link again and log in or sign up as {invitation.email}.
                </div>
              ) : (
                <div className="row">
                  <Link className="btn btn-primary" to={`/login?redirectTo=${back}`}>
                    Log in to accept
                  </Link>
                  <Link className="btn" to={`/signup?redirectTo=${back}&email=${encodeURIComponent(invitation.email)}&intent=developer`}>
                    Sign up
                  </Link>
                </div>
              )}
            </div>
          </>
        )}
      </main>
    </>
  );
}
