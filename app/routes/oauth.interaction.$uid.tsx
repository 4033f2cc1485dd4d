/**
 * /oauth/interaction/:uid — the OAuth consent page. oidc-provider sends the
 * browser here when an application (an extension with its own backend) asks
 * for access. The merchant's Bazaar session is the login: someone signed out
 * goes to /login and comes back. An owner picks a shop and approves (the
 * extension is installed with the approved scopes, a grant saved, and the
 * browser sent back through the provider to the application's redirect URI
 * with a code) or declines (the application gets `access_denied`).
 * Never framed; POSTs from another origin are refused; answers 303.
 */
import { json, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getOptionalUser, requireUser } from "~/accounts/index.server";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import { approveConsent, consentView, getClient } from "~/oauth/index.server";
import { ConsentCard } from "~/oauth/components/consent-card";
import { assertSameOrigin, CONSENT_HEADERS, parseConsentForm } from "~/oauth/consent-http.server";

export const headers: HeadersFunction = () => CONSENT_HEADERS;

const EXPIRED = "This authorization request has expired or was already answered. Go back to the application and start again.";

async function loadInteraction(params: { uid?: string }, context: LoaderFunctionArgs["context"]) {
  const http = context.http;
  if (!http) throw new AppError("not_found", EXPIRED);
  const oauth = context.platform.oauth;
  const issuer = oauth.issuerFor(http.req);
  const provider = await oauth.providerFor(issuer);
  let details;
  try {
    details = await provider.interactionDetails(http.req, http.res);
  } catch {
    throw new AppError("not_found", EXPIRED);
  }
  if (details.uid !== params.uid) throw new AppError("not_found", EXPIRED);
  const clientId = String(details.params.client_id ?? "");
  const client = await getClient(context.platform.db, clientId);
  if (!client) throw new AppError("not_found", "The application asking for access is no longer registered.");
  const requested = typeof details.params.scope === "string" ? details.params.scope.split(" ").filter(Boolean) : [];
  const redirectUri = typeof details.params.redirect_uri === "string" ? details.params.redirect_uri : null;
  return { http, oauth, issuer, provider, details, client, requested, redirectUri };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { client, requested, redirectUri } = await loadInteraction(params, context);
  const view = await consentView(context.platform.db, user.id, { extensionId: client.extensionId }, { requestedScopes: requested, redirectUri });
  return json({ ...view, clientName: client.name }, { headers: CONSENT_HEADERS });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await readForm(request, context);
  const user = await getOptionalUser(request, context);
  if (!user) throw new AppError("forbidden", "Log in to answer this request.");
  const { http, oauth, issuer, provider, client, requested } = await loadInteraction(params, context);
  const input = parseConsentForm(form);

  if (input.decision === "decline") {
    const to = await provider.interactionResult(http.req, http.res, { error: "access_denied", error_description: "The merchant declined the installation." }, { mergeWithLastSubmission: false });
    return redirect(to, { status: 303, headers: CONSENT_HEADERS });
  }

  const { install, scopes } = await approveConsent(context.platform.db, user, {
    target: { extensionId: client.extensionId },
    shopId: input.shopId ?? "",
    approvedScopes: input.scopes,
    requestedScopes: requested,
    clientId: client.clientId,
  });
  const grant = new provider.Grant({ accountId: install.installId, clientId: client.clientId });
  const resource = oauth.apiResource(issuer);
  if (scopes.length) grant.addResourceScope(resource, scopes.join(" "));
  // What was asked and not granted is recorded as refused, so the provider does not ask again.
  const refused = requested.filter((s) => !(scopes as string[]).includes(s));
  if (refused.length) grant.rejectResourceScope(resource, refused.join(" "));
  const grantId = await grant.save();
  const to = await provider.interactionResult(
    http.req,
    http.res,
    { login: { accountId: install.installId, remember: false }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  return redirect(to, { status: 303, headers: CONSENT_HEADERS });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Install ${data.extension.name} · Bazaar` : "Authorize · Bazaar" }];

export default function OAuthConsentPage() {
  const data = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <TopBar />
      <main className="page narrow">
        <p className="small muted">
          The application <strong>{data.clientName}</strong> is asking for access to one of your shops.
        </p>
        <ConsentCard data={data} errors={errors} busy={busy} />
      </main>
    </>
  );
}
