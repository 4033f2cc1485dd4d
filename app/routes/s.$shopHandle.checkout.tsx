/**
 * /s/:shopHandle/checkout — the buyer's checkout: pick (or add) a delivery
 * address, review the quote (every line, every discount with the extension
 * that gave it, shipping, total) and place the order, which goes on to the
 * payment provider's cashier.
 *
 * The quote is made on the server at every view and stored; the place
 * form carries its id and a submit key rendered with the page, so a double
 * submit makes one order, and the buyer pays what they saw — if prices
 * changed meanwhile, the action answers 409 with the fresh quote instead.
 * A guest is sent to log in and comes back here.
 */
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { cartIdentity, clearGuestCartCookie, mergeGuestCart, getCartAttributes, setCartAttributes } from "~/cart/index.server";
import { formatMoney } from "~/catalog/money";
import { imageUrl } from "~/catalog/media";
import { addAddress, placeOrder, prepareCheckout, QuoteChangedError, type AddressView, type QuoteView } from "~/checkout/index.server";
import checkoutStyles from "~/checkout/checkout.css";
import { CsrfInput } from "~/components/forms";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, notFound } from "~/lib/errors";
import { createPayment, startPayment } from "~/payments/index.server";
import { activeInstalls } from "~/marketplace/index.server";
import { getShopByHandle } from "~/shops/index.server";
import { requireStorefrontShop } from "~/shelves/index.server";
import { StorefrontPageError } from "~/shelves/components/StorefrontChrome";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: checkoutStyles }];
export const meta: MetaFunction = () => [{ title: "Checkout" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle);
  const user = await requireUser(request, context);
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  const identity = await cartIdentity(request, context, shop.id);
  if (identity.guestToken) {
    // Logged in on the way here: bring what they added as a guest along, as the cart page does.
    await mergeGuestCart(db, shop.id, identity.guestToken, user.id);
    headers.append("Set-Cookie", clearGuestCartCookie(context, shop.id));
  }
  const [page, discounters, attrs] = await Promise.all([
    prepareCheckout(context.platform, { shopId: shop.id, user }),
    activeInstalls(db, shop.id, "checkout.discounts"),
    getCartAttributes(db, shop.id, user.id),
  ]);
  const selected = new URL(request.url).searchParams.get("address");
  // The offers form (coupon, points) only where an extension gives discounts: the cart attributes they read.
  const offers = discounters.length ? { coupon: typeof attrs.coupon === "string" ? attrs.coupon : "", usePoints: attrs.usePoints === true } : null;
  return json({ shop, ...page, selectedAddressId: selected, offers }, { headers });
}

type PlaceConflict = ActionErrorData & { freshQuote: QuoteView | null };
type AddressResult = ActionErrorData & { intent: "add-address" };
type OffersResult = ActionErrorData & { intent: "offers" };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db } = context.platform;
  const shop = params.shopHandle ? await getShopByHandle(db, params.shopHandle) : null;
  if (!shop || shop.status !== "active") throw notFound("Shop not found");
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const intent = form.get("intent");

  if (intent === "add-address") {
    try {
      const address = await addAddress(db, user.id, fields);
      return redirect(`/s/${shop.handle}/checkout?address=${address.id}`, 303);
    } catch (e) {
      // Shown beside the address form, not the place button.
      if (e instanceof AppError && (e.kind === "bad_request" || e.kind === "unprocessable")) {
        return json({ ok: false as const, intent: "add-address" as const, formError: e.message, code: e.code, fieldErrors: e.fieldErrors } satisfies AddressResult, {
          status: e.status,
        });
      }
      throw e;
    }
  }
  if (intent === "offers") {
    try {
      await setCartAttributes(db, shop.id, user.id, { coupon: fields.coupon, usePoints: fields.usePoints });
    } catch (e) {
      if (e instanceof AppError && e.kind === "bad_request") {
        return json({ ok: false as const, intent: "offers" as const, formError: e.message, code: e.code, fieldErrors: e.fieldErrors } satisfies OffersResult, { status: e.status });
      }
      throw e;
    }
    const address = new URL(request.url).searchParams.get("address");
    return redirect(`/s/${shop.handle}/checkout${address ? `?address=${encodeURIComponent(address)}` : ""}`, 303);
  }
  if (intent !== "place") throw new AppError("bad_request", "Unknown action");

  let placed;
  try {
    // The order's payment is opened in the order's own transaction, and started at the provider right after.
    placed = await placeOrder(context.platform, { shopId: shop.id, shop, user, form: fields, openPayment: { description: (orderId) => `${shop.name} order ${orderId}` } });
  } catch (e) {
    if (e instanceof QuoteChangedError) {
      const body: PlaceConflict = { ok: false, formError: e.message, code: e.code, fieldErrors: e.fieldErrors, freshQuote: e.freshQuote };
      return json(body, { status: 409 });
    }
    throw e;
  }
  const payment = placed.payment
    ? await startPayment(db, placed.payment)
    : // a replayed submit: the first one's payment, opened at the provider if it is not yet
      await createPayment(db, {
        shopId: shop.id,
        orderId: placed.orderId,
        amount: placed.total,
        currency: placed.currency,
        description: `${shop.name} order ${placed.orderId}`,
      });
  return redirect(payment.cashierUrl, 303);
}

function Money({ value, currency }: { value: number; currency: string }) {
  return <>{formatMoney(value, currency)}</>;
}

function sourceLabel(source: QuoteView["adjustments"][number]["source"]): string {
  return source.type === "extension" ? `by ${source.extensionName}` : "shop's shipping rates";
}

function AddressChoice({ address, checked }: { address: AddressView; checked: boolean }) {
  return (
    <label className="sf-co-address">
      <input type="radio" name="addressId" value={address.id} defaultChecked={checked} form="place-order" required />
      <strong>
        {address.recipient} · {address.phone}
        {address.isDefault ? <span className="sf-co-tag">Default</span> : null}
      </strong>
      <span>
        {address.region}, {address.street}
        {address.postalCode ? ` ${address.postalCode}` : ""}
      </span>
    </label>
  );
}

function AddressFormFields({ errors }: { errors?: AddressResult }) {
  const err = (name: string) => errors?.fieldErrors?.[name]?.join(" ");
  const field = (name: string, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <div>
      <label htmlFor={`a-${name}`}>{label}</label>
      <input id={`a-${name}`} name={name} aria-invalid={err(name) ? true : undefined} {...props} />
      {err(name) ? <p className="sf-co-err">{err(name)}</p> : null}
    </div>
  );
  return (
    <>
      <div className="sf-co-two">
        {field("recipient", "Recipient", { type: "text", required: true, maxLength: 60, autoComplete: "name" })}
        {field("phone", "Phone", { type: "tel", required: true, maxLength: 20, autoComplete: "tel" })}
      </div>
      {field("region", "Province, city, district", { type: "text", required: true, maxLength: 100, autoComplete: "address-level1" })}
      {field("street", "Street address", { type: "text", required: true, maxLength: 200, autoComplete: "street-address" })}
      <div className="sf-co-two">
        {field("postalCode", "Postal code (optional)", { type: "text", maxLength: 12, autoComplete: "postal-code" })}
        <label className="sf-co-check">
          <input type="checkbox" name="isDefault" /> Make this my default
        </label>
      </div>
    </>
  );
}

export default function CheckoutPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<PlaceConflict | AddressResult | OffersResult>();
  const busy = useNavigation().state !== "idle";
  const { shop, addresses, blocked, idempotencyKey, selectedAddressId, offers } = data;
  const addressErrors = result && "intent" in result && result.intent === "add-address" ? result : undefined;
  const offersErrors = result && "intent" in result && result.intent === "offers" ? result : undefined;
  const placeError = result && !("intent" in result) ? result : undefined;
  const quote: QuoteView | null = (placeError?.freshQuote as QuoteView | null | undefined) ?? (data.quote as QuoteView | null);
  const base = `/s/${shop.handle}`;
  const chosen = addresses.find((a) => a.id === selectedAddressId)?.id ?? addresses.find((a) => a.isDefault)?.id ?? addresses[0]?.id;

  if (!quote) {
    return (
      <main className="sf-main">
        <h1 className="sf-page-title">Checkout</h1>
        <div className="sf-empty">
          <h2>{blocked?.code === "cart_empty" || !blocked ? "Your cart is empty" : "Your cart needs a look"}</h2>
          <p>{placeError?.formError ?? blocked?.message ?? "Add something to your cart first."}</p>
          <p>
            <Link to={`${base}/cart`} className="sf-btn sf-btn-primary">
              Go to your cart
            </Link>
          </p>
        </div>
      </main>
    );
  }

  const discounts = quote.adjustments.filter((a) => a.kind === "discount");
  const shipping = quote.adjustments.find((a) => a.kind === "shipping");

  return (
    <main className="sf-main">
      <h1 className="sf-page-title">Checkout</h1>
      {placeError ? (
        <p className="sf-form-error" role="alert" data-testid="checkout-error">
          {placeError.formError}
        </p>
      ) : null}
      <div className="sf-co">
        <div>
          <section className="sf-panel" aria-labelledby="co-address">
            <h2 className="sf-panel-title" id="co-address">
              Deliver to
            </h2>
            {addresses.length ? (
              <fieldset className="sf-co-addresses">
                <legend className="sr-only" style={{ position: "absolute", left: "-9999px" }}>
                  Delivery address
                </legend>
                {addresses.map((a) => (
                  <AddressChoice key={a.id} address={a} checked={a.id === chosen} />
                ))}
              </fieldset>
            ) : (
              <p className="sf-co-note">Add the address we should deliver to.</p>
            )}
            {placeError?.fieldErrors?.addressId ? <p className="sf-form-error">{placeError.fieldErrors.addressId.join(" ")}</p> : null}
            <details className="sf-co-add" open={addresses.length === 0 || !!addressErrors}>
              <summary>+ Add a new address</summary>
              <Form method="post" className="sf-co-form" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="add-address" />
                {addressErrors?.formError && !addressErrors.fieldErrors ? <p className="sf-form-error">{addressErrors.formError}</p> : null}
                <AddressFormFields errors={addressErrors} />
                <button type="submit" className="sf-btn sf-btn-ghost" disabled={busy}>
                  Save address
                </button>
              </Form>
            </details>
          </section>

          <section className="sf-panel" aria-labelledby="co-items">
            <h2 className="sf-panel-title" id="co-items">
              {quote.itemCount} {quote.itemCount === 1 ? "item" : "items"}
            </h2>
            <ul className="sf-co-lines">
              {quote.lines.map((l) => (
                <li key={l.lineId} data-testid="checkout-line">
                  <div className="sf-co-thumb">{l.imageId ? <img src={imageUrl(l.imageId, 160)} alt="" loading="lazy" /> : <div className="sf-img-placeholder" />}</div>
                  <div>
                    <div className="sf-co-line-title">{l.title}</div>
                    <div className="sf-co-line-meta">
                      {l.specLabel ? `${l.specLabel} · ` : ""}
                      {formatMoney(l.unitPrice, quote.currency)} × {l.quantity}
                    </div>
                  </div>
                  <div className="sf-co-line-price">
                    {l.discount > 0 ? <s>{formatMoney(l.lineTotal, quote.currency)}</s> : null}
                    <Money value={l.total} currency={quote.currency} />
                  </div>
                </li>
              ))}
            </ul>
          </section>

          {offers ? (
            <section className="sf-panel" aria-labelledby="co-offers">
              <h2 className="sf-panel-title" id="co-offers">
                Offers
              </h2>
              <Form method="post" className="sf-co-form" noValidate data-testid="checkout-offers">
                <CsrfInput />
                <input type="hidden" name="intent" value="offers" />
                {offersErrors?.formError ? <p className="sf-form-error">{offersErrors.formError}</p> : null}
                <label htmlFor="co-coupon">Coupon code</label>
                <input id="co-coupon" name="coupon" defaultValue={offers.coupon} maxLength={40} autoComplete="off" aria-invalid={offersErrors?.fieldErrors?.coupon ? true : undefined} />
                {offersErrors?.fieldErrors?.coupon ? <p className="sf-form-error">{offersErrors.fieldErrors.coupon.join(" ")}</p> : null}
                <label style={{ display: "flex", gap: "0.5rem", alignItems: "center", fontWeight: 400 }}>
                  <input type="checkbox" name="usePoints" defaultChecked={offers.usePoints} /> Use my points
                </label>
                <button type="submit" className="sf-btn sf-btn-ghost" disabled={busy}>
                  Apply
                </button>
              </Form>
            </section>
          ) : null}
        </div>

        <aside className="sf-co-side">
          <section className="sf-panel" aria-labelledby="co-summary">
            <h2 className="sf-panel-title" id="co-summary">
              Summary
            </h2>
            <dl className="sf-co-rows">
              <div>
                <dt>Items</dt>
                <dd>
                  <Money value={quote.subtotal} currency={quote.currency} />
                </dd>
              </div>
              {discounts.map((d, i) => (
                <div key={i} className="sf-co-discount" data-testid="checkout-discount">
                  <dt>
                    {d.label}
                    <span className="sf-co-source">{sourceLabel(d.source)}</span>
                  </dt>
                  <dd>−{formatMoney(d.amount, quote.currency)}</dd>
                </div>
              ))}
              {shipping ? (
                <div>
                  <dt>
                    {shipping.label}
                    <span className="sf-co-source">{sourceLabel(shipping.source)}</span>
                  </dt>
                  <dd data-testid="checkout-shipping">{shipping.amount === 0 ? "Free" : formatMoney(shipping.amount, quote.currency)}</dd>
                </div>
              ) : null}
              <div className="sf-co-total">
                <dt>Total</dt>
                <dd data-testid="checkout-total">
                  <Money value={quote.total} currency={quote.currency} />
                </dd>
              </div>
            </dl>
            <Form method="post" id="place-order" className="sf-co-bar">
              <CsrfInput />
              <input type="hidden" name="intent" value="place" />
              <input type="hidden" name="quoteId" value={quote.id} />
              <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
              <div className="sf-co-bar-inner">
                <div className="sf-co-bar-total">
                  <small>Total</small>
                  <strong>{formatMoney(quote.total, quote.currency)}</strong>
                </div>
                <button type="submit" className="sf-btn sf-btn-primary" disabled={busy || addresses.length === 0} data-testid="place-order">
                  {busy ? "Placing…" : "Place order"}
                </button>
              </div>
            </Form>
            <p className="sf-co-note">Prices are held for 15 minutes. You'll pay on the next page.</p>
          </section>
        </aside>
      </div>
    </main>
  );
}

export const ErrorBoundary = StorefrontPageError;
