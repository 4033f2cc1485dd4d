/**
 * /marketplace/:handle/install — installing an extension that runs only
 * inside Bazaar (no backend, no redirect): the same consent card as the OAuth
 * page for the extension's newest approved version. Approving installs it in
 * the chosen shop with the approved scopes and goes (303) to the shop's page
 * for the extension; declining goes back to the listing.
 */
import { json, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { approveConsent, consentView } from "~/oauth/index.server";
import { ConsentCard } from "~/oauth/components/consent-card";
import { assertSameOrigin, CONSENT_HEADERS, parseConsentForm } from "~/oauth/consent-http.server";

export const headers: HeadersFunction = () => CONSENT_HEADERS;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const view = await consentView(context.platform.db, user.id, { handle: params.handle ?? "" });
  return json(view, { headers: CONSENT_HEADERS });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await readForm(request, context);
  const user = await requireUser(request, context);
  const input = parseConsentForm(form);
  const handle = params.handle ?? "";
  if (input.decision === "decline") return redirect(`/marketplace/${encodeURIComponent(handle)}`, { status: 303, headers: CONSENT_HEADERS });
  const { install } = await approveConsent(context.platform.db, user, { target: { handle }, shopId: input.shopId ?? "", approvedScopes: input.scopes });
  return redirect(`/admin/shops/${install.shopId}/extensions/${install.installId}`, { status: 303, headers: CONSENT_HEADERS });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Install ${data.extension.name} · Bazaar` : "Install · Bazaar" }];

export default function MarketplaceInstallPage() {
  const data = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <TopBar />
      <main className="page narrow">
        <p className="small">
          <Link to={`/marketplace/${encodeURIComponent(data.extension.handle)}`}>← {data.extension.name}</Link>
        </p>
        <ConsentCard data={data} errors={errors} busy={busy} />
      </main>
    </>
  );
}
