/**
 * /admin/shops/:shopId/settings: the owner's shop settings. The handle and
 * currency are fixed once the shop exists (links and prices depend on them).
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { updateShopSettings } from "~/shops/index.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  return json({ shop: { id: shop.id, name: shop.name, handle: shop.handle, currency: shop.currency } });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const form = await readForm(request, context);
  await updateShopSettings(context.platform.db, user, shop, Object.fromEntries(form));
  return json({ ok: true as const, message: "Settings saved." });
}

export default function ShopSettingsPage() {
  const { shop } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: true; message: string } | ActionErrorData>();
  const errors = result && !result.ok ? result : undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>Settings</h1>
      <section className="card" style={{ maxWidth: "36rem" }}>
        <Form method="post" noValidate>
          <CsrfInput />
          <FormError errors={errors} />
          {result?.ok ? (
            <div className="alert alert-ok" role="status">
              {result.message}
            </div>
          ) : null}
          <Field label="Shop name" name="name" defaultValue={shop.name} required maxLength={80} errors={errors} />
          <Field label="Handle" name="handle-readonly" value={shop.handle} readOnly disabled hint={`Your storefront lives at /s/${shop.handle}; the handle can't be changed.`} />
          <Field label="Currency" name="currency-readonly" value={shop.currency} readOnly disabled hint="Fixed when the shop was opened." />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Saving…" : "Save"}
          </button>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = RouteErrorCard;
