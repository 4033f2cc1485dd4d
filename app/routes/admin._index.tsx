/**
 * /admin: the shops you work in, and the form to open a new one.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { listShopsForUser, openShop } from "~/shops/index.server";
import { CURRENCIES, DEFAULT_CURRENCY } from "~/shops/shops.schema";

export const meta: MetaFunction = () => [{ title: "Your shops · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const shops = await listShopsForUser(context.platform.db, user.id);
  return json({ shops: shops.map((s) => ({ id: s.id, name: s.name, handle: s.handle, currency: s.currency, role: s.role, isDevelopment: s.isDevelopment })) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const shop = await openShop(context.platform.db, user, Object.fromEntries(form));
  return redirect(`/admin/shops/${shop.id}`, 303);
}

export default function AdminHome() {
  const { shops } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  const busy = useNavigation().state === "submitting";
  const currencyErrors = errors?.fieldErrors?.currency;
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Your shops</h1>
        {shops.length === 0 ? (
          <p className="muted">You don't work in any shop yet. Open your own below — it takes a minute.</p>
        ) : (
          <div className="grid grid-3" style={{ marginBottom: "1.5rem" }}>
            {shops.map((s) => (
              <article key={s.id} className="card">
                <div className="row">
                  <h2 style={{ margin: 0 }}>{s.name}</h2>
                  <span className="spacer" />
                  <span className={s.role === "owner" ? "badge badge-accent" : "badge"}>{s.role}</span>
                </div>
                <p className="small muted">
                  /s/{s.handle} · {s.currency}
                  {s.isDevelopment ? " · development shop" : ""}
                </p>
                <div className="row">
                  <Link className="btn btn-primary" to={`/admin/shops/${s.id}`}>
                    Manage
                  </Link>
                  <Link className="btn" to={`/s/${s.handle}`}>
                    Storefront
                  </Link>
                </div>
              </article>
            ))}
          </div>
        )}

        <section className="card" style={{ maxWidth: "36rem" }}>
          <h2>Open a new shop</h2>
          <Form method="post" noValidate>
            <CsrfInput />
            <FormError errors={errors} />
            <Field label="Shop name" name="name" required maxLength={80} placeholder="Tea House" errors={errors} />
            <Field
              label="Handle"
              name="handle"
              required
              minLength={3}
              maxLength={40}
              placeholder="tea-house"
              autoCapitalize="none"
              autoCorrect="off"
              spellCheck={false}
              hint="Your storefront's address: /s/your-handle. Lower-case letters, digits and hyphens, 3–40 characters. It can't be changed later."
              errors={errors}
            />
            <div className={`field${currencyErrors?.length ? " field-invalid" : ""}`}>
              <label htmlFor="f-currency">Currency</label>
              <select id="f-currency" name="currency" defaultValue={DEFAULT_CURRENCY}>
                {CURRENCIES.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.code} — {c.name}
                  </option>
                ))}
              </select>
              <p className="hint">Prices and payments in your shop use this currency. It can't be changed later.</p>
              {currencyErrors?.length ? <p className="field-error">{currencyErrors.join(" ")}</p> : null}
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? "Opening…" : "Open shop"}
            </button>
          </Form>
        </section>
      </main>
    </>
  );
}
