/**
 * /account/addresses — the buyer's address book: add, edit, delete, choose
 * the default (what checkout preselects). The file name's `account_` keeps
 * this page out of the /account page's layout (that page has no outlet).
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { addAddress, listAddresses, makeDefaultAddress, removeAddress, updateAddress, type AddressView } from "~/checkout/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { PageErrorBoundary } from "~/components/route-error";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import ordersStyles from "~/orders/orders.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: ordersStyles }];
export const meta: MetaFunction = () => [{ title: "Addresses · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return json({ addresses: await listAddresses(context.platform.db, user.id) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const db = context.platform.db;
  const id = String(form.get("addressId") ?? "");
  switch (form.get("intent")) {
    case "add":
      await addAddress(db, user.id, fields);
      break;
    case "update":
      await updateAddress(db, user.id, id, fields);
      break;
    case "default":
      await makeDefaultAddress(db, user.id, id);
      break;
    case "delete":
      await removeAddress(db, user.id, id);
      break;
    default:
      throw new AppError("bad_request", "Unknown action");
  }
  return redirect("/account/addresses", 303);
}

function AddressFields({ address, errors }: { address?: AddressView; errors?: ActionErrorData }) {
  return (
    <>
      <div className="grid grid-2" style={{ gap: "0 1rem" }}>
        <Field label="Recipient" name="recipient" defaultValue={address?.recipient} required maxLength={60} autoComplete="name" errors={errors} />
        <Field label="Phone" name="phone" type="tel" defaultValue={address?.phone} required maxLength={20} autoComplete="tel" errors={errors} />
      </div>
      <Field label="Province, city, district" name="region" defaultValue={address?.region} required maxLength={100} errors={errors} />
      <Field label="Street address" name="street" defaultValue={address?.street} required maxLength={200} autoComplete="street-address" errors={errors} />
      <Field label="Postal code (optional)" name="postalCode" defaultValue={address?.postalCode} maxLength={12} autoComplete="postal-code" errors={errors} />
      <label className="ord-inline" style={{ marginBottom: "0.9rem" }}>
        <input type="checkbox" name="isDefault" defaultChecked={address?.isDefault} /> Use as my default address
      </label>
    </>
  );
}

export default function AddressBookPage() {
  const { addresses } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state !== "idle";
  const [params] = useSearchParams();
  const editing = params.get("edit");
  return (
    <>
      <TopBar />
      <main className="page" style={{ maxWidth: "720px" }}>
        <p className="small" style={{ margin: "0 0 0.5rem" }}>
          <Link to="/account">← Account</Link> · <Link to="/orders">Your orders</Link>
        </p>
        <h1>Addresses</h1>
        <FormError errors={errors} />
        {addresses.length === 0 ? <div className="card empty">No addresses yet. Add one below; checkout will offer it.</div> : null}
        <div className="stack">
          {addresses.map((a) =>
            editing === a.id ? (
              <section key={a.id} className="card">
                <h2>Edit address</h2>
                <Form method="post" noValidate>
                  <CsrfInput />
                  <input type="hidden" name="intent" value="update" />
                  <input type="hidden" name="addressId" value={a.id} />
                  <AddressFields address={a} errors={errors} />
                  <div className="row">
                    <button type="submit" className="btn btn-primary" disabled={busy}>
                      Save
                    </button>
                    <Link to="/account/addresses" className="btn">
                      Cancel
                    </Link>
                  </div>
                </Form>
              </section>
            ) : (
              <section key={a.id} className="card" data-testid="address">
                <div className="row">
                  <strong>
                    {a.recipient} · {a.phone}
                  </strong>
                  {a.isDefault ? <span className="badge badge-accent">Default</span> : null}
                </div>
                <p className="small muted" style={{ margin: "0.25rem 0 0.6rem" }}>
                  {a.region}, {a.street} {a.postalCode}
                </p>
                <div className="row">
                  <Link to={`/account/addresses?edit=${a.id}`} className="btn">
                    Edit
                  </Link>
                  {!a.isDefault ? (
                    <Form method="post">
                      <CsrfInput />
                      <input type="hidden" name="intent" value="default" />
                      <input type="hidden" name="addressId" value={a.id} />
                      <button type="submit" className="btn" disabled={busy}>
                        Make default
                      </button>
                    </Form>
                  ) : null}
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="delete" />
                    <input type="hidden" name="addressId" value={a.id} />
                    <button type="submit" className="btn-link" disabled={busy}>
                      Delete
                    </button>
                  </Form>
                </div>
              </section>
            ),
          )}
          {!editing ? (
            <section className="card">
              <h2>Add an address</h2>
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="add" />
                <AddressFields errors={errors} />
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  Add address
                </button>
              </Form>
            </section>
          ) : null}
        </div>
      </main>
    </>
  );
}

export { PageErrorBoundary as ErrorBoundary };
