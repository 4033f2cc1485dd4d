/**
 * /developer: the developer portal's home — the user's vendors (register
 * one; a reviewer verifies it), their development shops (open one to try
 * unapproved versions end to end), and how to publish with the CLI.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import { createDevelopmentShop, listDevelopmentShops, listMyVendors, registerVendor, MAX_DEVELOPMENT_SHOPS } from "~/marketplace/index.server";

export const meta: MetaFunction = () => [{ title: "Developer portal · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const [vendors, devShops] = await Promise.all([listMyVendors(db, user.id), listDevelopmentShops(db, user.id)]);
  return json({ name: user.name, email: user.email, vendors, devShops, maxDevShops: MAX_DEVELOPMENT_SHOPS });
}

type Result = ({ ok: true; message: string } | ActionErrorData) & { intent?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const db = context.platform.db;
  switch (form.get("intent")) {
    case "register-vendor": {
      const vendor = await registerVendor(db, user, fields);
      return redirect(`/developer/vendors/${vendor.id}`, 303);
    }
    case "create-dev-shop": {
      const shop = await createDevelopmentShop(db, user, fields);
      return json({ ok: true as const, intent: "create-dev-shop", message: `Development shop ${shop.name} is open.` });
    }
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

const STATUS_BADGE: Record<string, string> = { pending: "badge badge-warn", verified: "badge badge-ok", rejected: "badge badge-err", suspended: "badge badge-err" };

export default function DeveloperPortal() {
  const { name, email, vendors, devShops, maxDevShops } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const nav = useNavigation();
  const busy = nav.state !== "idle";
  const vendorErrors = result && !result.ok ? result : undefined;
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Developer portal</h1>
        <p className="muted">
          Signed in as {name} ({email}). Build extensions with the SDK, try them in a development shop, and submit them for review.{" "}
          <Link to="/developers/rules">The rules every version is checked against</Link> · <Link to="/developer/extensions">Your extensions</Link>
        </p>

        <section className="card" style={{ marginBottom: "1rem" }}>
          <h2>Your vendors</h2>
          {vendors.length === 0 ? (
            <p className="muted small">You are not a member of a vendor yet. Register one below, or ask its owner to invite you.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>Vendor</th>
                    <th>Status</th>
                    <th>Your role</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  {vendors.map((v) => (
                    <tr key={v.id}>
                      <td>
                        <strong>{v.name}</strong> <span className="muted small">{v.slug}</span>
                      </td>
                      <td>
                        <span className={STATUS_BADGE[v.status] ?? "badge"}>{v.statusLabel}</span>
                        {v.statusReason && v.status !== "verified" ? <div className="small muted">{v.statusReason}</div> : null}
                      </td>
                      <td>{v.role}</td>
                      <td className="num">
                        <Link to={`/developer/vendors/${v.id}`}>Open</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <div className="grid grid-2">
          <section className="card">
            <h2>Register a vendor</h2>
            <p className="small muted">A platform reviewer verifies every vendor before it can submit versions. Use your company's registered name.</p>
            <Form method="post" noValidate>
              <CsrfInput />
              <input type="hidden" name="intent" value="register-vendor" />
              <FormError errors={vendorErrors} />
              <Field label="Public name" name="name" required maxLength={80} errors={vendorErrors} />
              <Field label="Short name (used in links)" name="slug" required maxLength={40} pattern="[a-z0-9][a-z0-9-]{1,39}" hint="Lower-case letters, digits and -" errors={vendorErrors} />
              <Field label="Legal name" name="legalName" required maxLength={200} errors={vendorErrors} />
              <Field label="Contact e-mail" name="contactEmail" type="email" required errors={vendorErrors} />
              <Field label="Website" name="website" type="url" placeholder="https://" errors={vendorErrors} />
              <Field label="About the vendor" name="description" errors={vendorErrors}>
                <textarea id="f-description" name="description" rows={3} maxLength={2000} />
              </Field>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Register vendor
              </button>
            </Form>
          </section>

          <section className="card">
            <h2>Development shops</h2>
            <p className="small muted">
              Your own test shops: marked as such, listed nowhere, payments simulated. Install your versions there before they are approved (from a
              version's page) and go through checkout as a buyer.
            </p>
            {devShops.length ? (
              <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
                {devShops.map((s) => (
                  <li key={s.id} className="row">
                    <strong>{s.name}</strong>
                    <span className="spacer" />
                    <Link to={`/admin/shops/${s.id}`}>Admin</Link>
                    <Link to={`/s/${s.handle}`}>Storefront</Link>
                  </li>
                ))}
              </ul>
            ) : null}
            {devShops.length < maxDevShops ? (
              <DevShopForm />
            ) : (
              <p className="small muted">You have the maximum of {maxDevShops} development shops.</p>
            )}
          </section>
        </div>

        <section className="card" style={{ marginTop: "1rem" }}>
          <h2>Publishing from the command line</h2>
          <p className="small">
            The SDK lives in <code>plugins-sdk/</code> (its README is the tutorial). Build and test locally in the same sandbox as production, then
            publish with a developer API token from your vendor's page:
          </p>
          <pre className="small">
            {`node --import tsx plugins-sdk/bin/bazaar-plugin.ts test path/to/plugin
BAZAAR_URL=${"<this site>"} BAZAAR_TOKEN=bzdev_… \\
  node --import tsx plugins-sdk/bin/bazaar-plugin.ts publish path/to/plugin --wait`}
          </pre>
        </section>
      </main>
    </>
  );
}

function DevShopForm() {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  const done = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data.message : null;
  return (
    <fetcher.Form method="post" noValidate key={done ?? "form"}>
      <CsrfInput />
      <input type="hidden" name="intent" value="create-dev-shop" />
      <FormError errors={errors} />
      {done ? (
        <div className="alert alert-ok" role="status">
          {done}
        </div>
      ) : null}
      <Field label="Shop name" name="name" required maxLength={80} errors={errors} />
      <Field label="Handle (its storefront address)" name="handle" required maxLength={40} errors={errors} />
      <button type="submit" className="btn" disabled={fetcher.state !== "idle"}>
        Open a development shop
      </button>
    </fetcher.Form>
  );
}
