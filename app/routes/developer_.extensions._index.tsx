/**
 * /developer/extensions: the extensions of every vendor the developer
 * belongs to, each linking to its metrics.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { TopBar } from "~/components/topbar";
import { listDeveloperExtensions } from "~/marketplace/index.server";

export const meta: MetaFunction = () => [{ title: "Your extensions · Developer portal · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return json({ extensions: await listDeveloperExtensions(context.platform.db, user.id) });
}

export default function DeveloperExtensions() {
  const { extensions } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to="/developer">← Developer portal</Link>
        </p>
        <h1>Your extensions</h1>
        {extensions.length === 0 ? (
          <div className="card empty">You are not a member of a vendor with extensions yet.</div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Extension</th>
                  <th>Id</th>
                  <th>Vendor</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {extensions.map((e) => (
                  <tr key={e.id}>
                    <td>{e.name}</td>
                    <td className="small">
                      <code>{e.handle}</code>
                    </td>
                    <td>{e.vendorName}</td>
                    <td className="num">
                      <Link to={`/developer/extensions/${e.id}/listing`}>Listing and versions</Link> · <Link to={`/developer/extensions/${e.id}`}>Metrics</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </main>
    </>
  );
}
