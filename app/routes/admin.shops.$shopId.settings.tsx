/**
 * /admin/shops/:shopId/settings: the owner's shop settings. The handle and
 * currency are fixed once the shop exists (links and prices depend on them).
 * Below them: the shipping rates (the freight template every checkout
 * charges) and the order timers (closing unpaid orders, completing shipped
 * ones). Each form posts its own `intent`.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { minorToDecimal } from "~/catalog/money";
import { freightOf, saveFreightForm } from "~/checkout/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { orderTimersOf, saveOrderTimerForm } from "~/orders/index.server";
import { updateShopSettings } from "~/shops/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  return json({
    shop: { id: shop.id, name: shop.name, handle: shop.handle, currency: shop.currency },
    freight: freightOf(shop),
    timers: orderTimersOf(shop),
  });
}

type Intent = "shop" | "freight" | "order-timers";
type Result = ({ ok: true; message: string } | ActionErrorData) & { intent?: Intent };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const db = context.platform.db;
  switch (form.get("intent")) {
    case "freight":
      await saveFreightForm(db, user, shop.id, fields);
      return json({ ok: true as const, intent: "freight" as const, message: "Shipping rates saved." });
    case "order-timers":
      await saveOrderTimerForm(db, user, shop.id, fields);
      return json({ ok: true as const, intent: "order-timers" as const, message: "Order timers saved." });
    default:
      await updateShopSettings(db, user, shop, fields);
      return json({ ok: true as const, intent: "shop" as const, message: "Settings saved." });
  }
}

function Saved({ result, intent }: { result: Result | undefined; intent: Intent }) {
  if (!result?.ok || (result.intent ?? "shop") !== intent) return null;
  return (
    <div className="alert alert-ok" role="status">
      {result.message}
    </div>
  );
}

export default function ShopSettingsPage() {
  const { shop, freight, timers } = useLoaderData<typeof loader>();
  const result = useActionData<Result>();
  const errors = result && !result.ok ? result : undefined;
  const busy = useNavigation().state === "submitting";
  const money = (n: number | null) => (n === null ? "" : minorToDecimal(n, shop.currency));
  return (
    <>
      <h1>Settings</h1>
      {/* Field errors show beside their fields (each form's names are distinct); the summary shows here. */}
      <FormError errors={errors} />
      <section className="card" style={{ maxWidth: "36rem" }}>
        <Form method="post" noValidate>
          <CsrfInput />
          <Saved result={result} intent="shop" />
          <Field label="Shop name" name="name" defaultValue={shop.name} required maxLength={80} errors={errors} />
          <Field label="Handle" name="handle-readonly" value={shop.handle} readOnly disabled hint={`Your storefront lives at /s/${shop.handle}; the handle can't be changed.`} />
          <Field label="Currency" name="currency-readonly" value={shop.currency} readOnly disabled hint="Fixed when the shop was opened." />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save
          </button>
        </Form>
      </section>

      <section className="card" style={{ maxWidth: "36rem" }}>
        <h2>Shipping rates</h2>
        <p className="small muted">What checkout charges for delivery. Amounts in {shop.currency}.</p>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="freight" />
          <Saved result={result} intent="freight" />
          <div className="field">
            <label htmlFor="f-mode">How to charge</label>
            <select id="f-mode" name="mode" defaultValue={freight.mode}>
              <option value="flat">One flat rate per order</option>
              <option value="per_item">First item, then each further item</option>
            </select>
          </div>
          <Field label="Rate (first item when per item)" name="amount" inputMode="decimal" defaultValue={money(freight.amount)} errors={errors} hint="0 ships free." />
          <Field label="Each further item (per item only)" name="perItem" inputMode="decimal" defaultValue={money(freight.perItem)} errors={errors} />
          <Field label="Free shipping from (optional)" name="freeOver" inputMode="decimal" defaultValue={money(freight.freeOver)} errors={errors} hint="Orders whose items total at least this, after discounts, ship free." />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save shipping rates
          </button>
        </Form>
      </section>

      <section className="card" style={{ maxWidth: "36rem" }}>
        <h2>Order timers</h2>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="order-timers" />
          <Saved result={result} intent="order-timers" />
          <Field
            label="Close unpaid orders after (minutes)"
            name="unpaidCloseMinutes"
            type="number"
            min={5}
            max={1440}
            defaultValue={Number.isInteger(timers.unpaidCloseMinutes) ? timers.unpaidCloseMinutes : 30}
            errors={errors}
            hint="The stock goes back on sale when an order closes unpaid."
          />
          <Field
            label="Complete shipped orders after (days)"
            name="autoCompleteDays"
            type="number"
            min={1}
            max={30}
            defaultValue={Number.isInteger(timers.autoCompleteDays) ? timers.autoCompleteDays : 10}
            errors={errors}
            hint="If the buyer doesn't confirm receipt first."
          />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save order timers
          </button>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
