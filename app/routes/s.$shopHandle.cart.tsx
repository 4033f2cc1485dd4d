/**
 * /s/:shopHandle/cart — the buyer's cart: each line with its image, title,
 * spec, the catalog's current unit price, a quantity stepper (plain forms),
 * the line total, and the subtotal of what can be bought. Lines that went
 * off sale or out of stock are flagged and left out of the subtotal.
 *
 * POST here adds (`intent=add`, from the product page), sets a quantity
 * (`intent=set`) or removes a line (`intent=remove`). A guest's first add
 * sets the cart cookie; a signed-in buyer who still has one gets the guest
 * cart merged into theirs when they open this page, and the cookie cleared.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  addToCart,
  cartIdentity,
  clearGuestCartCookie,
  getCartView,
  guestCartCookie,
  mergeGuestCart,
  newGuestToken,
  readCartForm,
  removeFromCart,
  setCartQuantity,
  type CartRef,
} from "~/cart/index.server";
import { formatMoney } from "~/catalog/money";
import { ExtensionBlocks } from "~/components/extension-blocks";
import { CsrfInput } from "~/components/forms";
import { storefrontBlocks } from "~/extensions/index.server";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";
import { imageView, requireStorefrontShop } from "~/shelves/index.server";
import { ProductImage } from "~/shelves/components/ProductCard";
import { StorefrontPageError } from "~/shelves/components/StorefrontChrome";

export const meta: MetaFunction = () => [{ title: "Your cart" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const identity = await cartIdentity(request, context, shop.id);
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  if (identity.user && identity.guestToken) {
    // The login route belongs to accounts; the merge happens the first time the signed-in buyer looks at this shop's cart.
    await mergeGuestCart(db, shop.id, identity.guestToken, identity.user.id);
    headers.append("Set-Cookie", clearGuestCartCookie(context, shop.id));
  }
  const [cart, blocks] = await Promise.all([
    getCartView(db, shop.id, identity.ref),
    storefrontBlocks(context.platform, shop.id, identity.user ? { userId: identity.user.id } : null, { page: "cart" }),
  ]);
  return json(
    {
      shop,
      signedIn: !!identity.user,
      cart: { ...cart, lines: cart.lines.map((l) => ({ ...l, image: imageView(l.imageId) })) },
      blocks,
    },
    { headers },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const form = await readForm(request, context);
  const { intent, reply, fields } = readCartForm(form);
  const identity = await cartIdentity(request, context, shop.id);
  const headers = new Headers();
  let ref: CartRef | null = identity.ref;

  if (intent === "add") {
    if (!ref) {
      // A guest's first add: the cart is born with its cookie.
      const guestToken = newGuestToken();
      ref = { guestToken };
      headers.append("Set-Cookie", guestCartCookie(context, shop.id, guestToken));
    }
    const line = await addToCart(db, shop.id, ref, fields);
    if (reply === "json") return json({ ok: true as const, quantity: line.quantity }, { headers });
    return redirect(`/s/${shop.handle}/cart`, { status: 303, headers });
  }
  if (!ref) throw new AppError("not_found", "Your cart is empty.");
  if (intent === "set") await setCartQuantity(db, shop.id, ref, fields);
  else await removeFromCart(db, shop.id, ref, fields);
  if (reply === "json") return json({ ok: true as const });
  return redirect(`/s/${shop.handle}/cart`, { status: 303 });
}

type Line = ReturnType<typeof useLoaderData<typeof loader>>["cart"]["lines"][number];

function QuantityStepper({ line, busy }: { line: Line; busy: boolean }) {
  const set = (quantity: number, label: string, text: string, disabled: boolean) => (
    <Form method="post" className="sf-inline-form" preventScrollReset>
      <CsrfInput />
      <input type="hidden" name="intent" value="set" />
      <input type="hidden" name="skuId" value={line.skuId} />
      <input type="hidden" name="quantity" value={quantity} />
      <button type="submit" aria-label={label} disabled={disabled || busy}>
        {text}
      </button>
    </Form>
  );
  return (
    <div className="sf-stepper" aria-label={`Quantity of ${line.title}`}>
      {set(line.quantity - 1, line.quantity <= 1 ? `Remove ${line.title}` : "One fewer", line.quantity <= 1 ? "×" : "−", false)}
      <span className="sf-stepper-value" data-testid="line-quantity">
        {line.quantity}
      </span>
      {set(line.quantity + 1, "One more", "+", line.problem !== null || line.quantity >= line.maxQuantity)}
    </div>
  );
}

export default function CartPage() {
  const { shop, cart, blocks } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionErrorData | { ok: true }>();
  const busy = useNavigation().state !== "idle";
  const error = actionData && !actionData.ok ? actionData.formError : null;
  const base = `/s/${shop.handle}`;

  if (cart.lines.length === 0) {
    return (
      <main className="sf-main">
        <h1 className="sf-page-title">Your cart</h1>
        {error ? <p className="sf-form-error">{error}</p> : null}
        <ExtensionBlocks groups={blocks} />
        <div className="sf-empty">
          <h2>Your cart is empty</h2>
          <p>Find something you love in {shop.name}.</p>
          <p>
            <Link to={base} className="sf-btn sf-btn-primary">
              Start shopping
            </Link>
          </p>
        </div>
      </main>
    );
  }

  return (
    <main className="sf-main">
      <h1 className="sf-page-title">Your cart</h1>
      {error ? (
        <p className="sf-form-error" role="alert">
          {error}
        </p>
      ) : null}
      <ExtensionBlocks groups={blocks} />
      <ul className="sf-cart-lines">
        {cart.lines.map((line) => (
          <li key={line.skuId} className={`sf-cart-line${line.problem ? " is-flagged" : ""}`} data-testid="cart-line">
            <div className="sf-cart-line-media">
              {line.productId && !line.problem ? (
                <Link to={`${base}/products/${line.productId}`}>
                  <ProductImage image={line.image} alt={line.title} sizes="84px" />
                </Link>
              ) : (
                <ProductImage image={line.image} alt={line.title} sizes="84px" />
              )}
            </div>
            <div className="sf-cart-line-body">
              <span className="sf-cart-line-title">{line.title}</span>
              {line.specLabel ? <span className="sf-cart-line-spec">{line.specLabel}</span> : null}
              {line.unitPrice !== null ? <span className="sf-cart-line-unit">{formatMoney(line.unitPrice, shop.currency)} each</span> : null}
              {line.note ? (
                <span className={`sf-line-flag${line.problem === "insufficient_stock" ? "" : " is-gone"}`} data-testid="line-flag">
                  {line.note}
                </span>
              ) : null}
              <div className="sf-cart-line-foot">
                <QuantityStepper line={line} busy={busy} />
                {line.problem ? (
                  <Form method="post" className="sf-inline-form">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="skuId" value={line.skuId} />
                    <button type="submit" className="sf-remove">
                      Remove
                    </button>
                  </Form>
                ) : (
                  <span className="sf-cart-line-total" data-testid="line-total">
                    {formatMoney(line.lineTotal, shop.currency)}
                  </span>
                )}
              </div>
            </div>
          </li>
        ))}
      </ul>
      <div className="sf-summary">
        <div className="sf-summary-row">
          <span>
            Subtotal · {cart.itemCount} {cart.itemCount === 1 ? "item" : "items"}
          </span>
          <strong data-testid="cart-subtotal">{formatMoney(cart.subtotal, shop.currency)}</strong>
        </div>
        {cart.hasProblems ? <p className="sf-summary-note">Flagged items are not included. Remove them or lower the quantity to check out.</p> : null}
        <p className="sf-summary-note">Shipping and discounts are worked out at checkout.</p>
        <Link to={`${base}/checkout`} className="sf-btn sf-btn-primary sf-btn-block" aria-disabled={cart.itemCount === 0 ? true : undefined}>
          Checkout
        </Link>
      </div>
    </main>
  );
}

export const ErrorBoundary = StorefrontPageError;
