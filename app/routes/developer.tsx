/**
 * /developer: the developer portal's home. Vendors, extensions and API
 * tokens come with the marketplace; until then this page says so plainly.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { TopBar } from "~/components/topbar";

export const meta: MetaFunction = () => [{ title: "Developer portal · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return json({ name: user.name, email: user.email });
}

export default function DeveloperPortal() {
  const { name, email } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Developer portal</h1>
        <p className="muted">
          Signed in as {name} ({email}).
        </p>
        <div className="grid grid-2">
          <section className="card">
            <h2>Vendors and extensions</h2>
            <div className="alert alert-warn" role="status">
              Not available yet. Registering a vendor, submitting extension versions and developer API tokens arrive with the
              marketplace.
            </div>
            <p className="small muted" style={{ marginBottom: 0 }}>
              Extensions on Bazaar run inside the platform, in a sandbox, against data the platform owns. Every version is reviewed
              before merchants can install it, and merchants grant each extension only the scopes it needs.
            </p>
          </section>
          <section className="card">
            <h2>Documentation</h2>
            <p className="small">
              The extension SDK (hook types, the manifest schema and a local test harness) ships in the <code>plugins-sdk/</code> package
              of the Bazaar repository, with its README as the guide.
            </p>
            <p className="small muted" style={{ marginBottom: 0 }}>
              Want to see the platform from a merchant's side meanwhile? <Link to="/admin">Open a shop</Link> to try it.
            </p>
          </section>
        </div>
      </main>
    </>
  );
}
