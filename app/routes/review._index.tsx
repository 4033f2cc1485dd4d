/**
 * /review: the platform reviewers' home.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireReviewer } from "~/accounts/index.server";
import { TopBar } from "~/components/topbar";

export const meta: MetaFunction = () => [{ title: "Review console · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const reviewer = await requireReviewer(request, context);
  return json({ name: reviewer.name });
}

export default function ReviewHome() {
  const { name } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Review console</h1>
        <p className="muted">Welcome, {name}. What reviewers do here is recorded in the audit log like everything else.</p>
        <div className="grid grid-2">
          <section className="card">
            <h2>Audit log</h2>
            <p className="small muted">Every recorded action on the platform: sign-ups, log-ins, shops opened, staff changes, newest first.</p>
            <Link className="btn btn-primary" to="/review/audit">
              Open the audit log
            </Link>
          </section>
          <section className="card">
            <h2>Arbitration</h2>
            <p className="small muted">After-sale claims a shop refused or did not answer in time, oldest first. You decide with a written reason; the decision is final.</p>
            <Link className="btn btn-primary" to="/review/claims">
              Arbitration
            </Link>
          </section>
          <section className="card">
            <h2>Vendors and extension versions</h2>
            <p className="small muted">
              Verify vendors, review extension versions (checks, manifest and what changed), and suspend a version or a whole extension
              in every shop. Oldest first. Payment anomalies are at <Link to="/review/payments">Payments</Link>.
            </p>
            <div className="row">
              <Link className="btn btn-primary" to="/review/versions">
                Versions
              </Link>
              <Link className="btn" to="/review/vendors">
                Vendors
              </Link>
              <Link className="btn" to="/review/extensions">
                Extensions
              </Link>
            </div>
          </section>
        </div>
      </main>
    </>
  );
}
