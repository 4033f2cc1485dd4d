/**
 * /s/:shopHandle/products/:productId — an on-sale product: a swipeable
 * gallery (CSS scroll-snap), the spec selector that shows the chosen SKU's
 * price and stock and disables sold-out or non-existent combinations, the
 * description (sanitized by the catalog), and an add-to-cart bar that sticks
 * to the bottom of a phone's screen.
 *
 * Without JavaScript the spec values are plain radio buttons in the form, and
 * the cart resolves the combination on the server; with it, a fetcher adds
 * to the cart without leaving the page.
 *
 * The server render must depend on the loaders' data (and the URL) alone:
 * the storefront's render cache reuses the HTML for identical data
 * (app/shelves/render-cache.server.ts). Anything a block shows comes through
 * a loader.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import { getOptionalUser } from "~/accounts/guards.server";
import { ProductId } from "~/catalog/catalog.schema";
import { getStorefrontProduct, imageUrl } from "~/catalog/index.server";
import { formatMoney, minorToDecimal } from "~/catalog/money";
import { ExtensionBlocks } from "~/components/extension-blocks";
import { CsrfInput } from "~/components/forms";
import { storefrontBlocks } from "~/extensions/index.server";
import { AppError } from "~/lib/errors";
import { imageView, requireStorefrontShop } from "~/shelves/index.server";
import { ProductImage } from "~/shelves/components/ProductCard";
import { StorefrontPageError } from "~/shelves/components/StorefrontChrome";
import { initialSelection, optionState, priceRange, selectedSku, toggle, type Selection } from "~/shelves/components/spec-selection";

const GALLERY_WIDTHS = [640, 960, 1280] as const;
/** At or below this, the page says "Only N left" instead of "N in stock". */
const LOW_STOCK = 3;

/** Plain text from the sanitized description, for link previews. */
function summaryOf(html: string, max = 200): string {
  const text = html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db, config } = context.platform;
  const shop = await requireStorefrontShop(db, params.shopHandle, context);
  const id = ProductId.safeParse(params.productId);
  if (!id.success) throw new AppError("not_found", "Product not found");
  // Extension blocks are per buyer (a tier card): they are loader data, so the render cache keys on them.
  const [product, blocks] = await Promise.all([
    getStorefrontProduct(db, shop.id, id.data),
    getOptionalUser(request, context).then((user) =>
      storefrontBlocks(context.platform, shop.id, user ? { userId: user.id } : null, { page: "product", productId: id.data }),
    ),
  ]);
  if (!product) throw new AppError("not_found", "Product not found");
  const minPrice = product.skus.length ? Math.min(...product.skus.map((s) => s.price)) : 0;
  // Plain data, no json() Response: nothing to set in headers, and the render cache's fast path reads it as is.
  return {
    shop,
    product: {
      id: product.id,
      title: product.title,
      descriptionHtml: product.descriptionHtml,
      images: product.images.map((imageId) => imageView(imageId, GALLERY_WIDTHS)!),
      specs: product.specs,
      skus: product.skus,
    },
    blocks,
    og: {
      url: `${config.publicUrl}/s/${shop.handle}/products/${product.id}`,
      image: product.images[0] ? `${config.publicUrl}${imageUrl(product.images[0], 1280)}` : null,
      description: summaryOf(product.descriptionHtml) || `${product.title} at ${shop.name}`,
      priceAmount: minorToDecimal(minPrice, shop.currency),
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: "Product not found" }];
  const { product, shop, og } = data;
  return [
    { title: `${product.title} · ${shop.name}` },
    { name: "description", content: og.description },
    { property: "og:type", content: "product" },
    { property: "og:title", content: product.title },
    { property: "og:description", content: og.description },
    { property: "og:url", content: og.url },
    { property: "og:site_name", content: shop.name },
    ...(og.image ? [{ property: "og:image", content: og.image }, { name: "twitter:card", content: "summary_large_image" }] : []),
    { property: "product:price:amount", content: og.priceAmount },
    { property: "product:price:currency", content: shop.currency },
    { tagName: "link", rel: "canonical", href: og.url },
  ];
};

type AddResult = { ok: true; quantity: number } | { ok: false; formError: string; fieldErrors?: Record<string, string[]> };

/** Set once the page has hydrated, so the form can ask for a JSON reply instead of a redirect. */
function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

function Gallery({ images, title }: { images: { src: string; srcSet: string }[]; title: string }) {
  const [index, setIndex] = useState(0);
  if (images.length === 0) {
    return (
      <div className="sf-gallery-wrap">
        <div className="sf-gallery">
          <div className="sf-img-placeholder" />
        </div>
      </div>
    );
  }
  return (
    <div className="sf-gallery-wrap">
      <div
        className="sf-gallery"
        onScroll={(e) => {
          const el = e.currentTarget;
          setIndex(Math.round(el.scrollLeft / Math.max(1, el.clientWidth)));
        }}
        aria-label="Product photos"
        role="region"
        tabIndex={0}
      >
        {images.map((img, i) => (
          <div key={img.src} id={`photo-${i + 1}`}>
            <ProductImage image={img} alt={i === 0 ? title : `${title}, photo ${i + 1}`} sizes="(min-width: 900px) 560px, 100vw" eager={i === 0} />
          </div>
        ))}
      </div>
      {images.length > 1 ? (
        <span className="sf-gallery-count" aria-live="polite">
          {index + 1} / {images.length}
        </span>
      ) : null}
    </div>
  );
}

export default function StorefrontProductPage() {
  const { shop, product, blocks } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<AddResult>();
  const hydrated = useHydrated();
  const dims = product.specs.length;
  const [selection, setSelection] = useState<Selection>(() => initialSelection(product.skus, dims));
  const [quantity, setQuantity] = useState(1);
  const [missing, setMissing] = useState<string | null>(null);

  const sku = selectedSku(product.skus, selection, dims);
  const range = useMemo(() => priceRange(product.skus, selection), [product.skus, selection]);
  const allSoldOut = product.skus.every((s) => s.stock <= 0);
  const maxQuantity = Math.max(1, Math.min(sku?.stock ?? 999, 999));
  const adding = fetcher.state !== "idle";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  // A new choice of SKU resets a quantity that no longer fits its stock.
  useEffect(() => {
    if (quantity > maxQuantity) setQuantity(maxQuantity);
  }, [maxQuantity, quantity]);

  const price = sku ? sku.price : range?.min ?? 0;
  const compareAt = sku ? sku.compareAtPrice : range && range.min === range.max ? range.compareAt : null;
  const ranged = !sku && range !== null && range.max > range.min;
  const openDims = product.specs.filter((_, i) => selection[i] === null).map((s) => s.name);
  const choiceLabel = sku && dims > 0 ? sku.specValues.join(" · ") : openDims.length ? `Choose ${openDims.join(", ")}` : "";

  let stockLine: { text: string; className: string } | null = null;
  if (allSoldOut) stockLine = { text: "Sold out", className: "sf-stock sf-stock-out" };
  else if (sku) {
    stockLine =
      sku.stock <= 0
        ? { text: "Sold out", className: "sf-stock sf-stock-out" }
        : sku.stock <= LOW_STOCK
          ? { text: `Only ${sku.stock} left`, className: "sf-stock sf-stock-low" }
          : { text: `${sku.stock} in stock`, className: "sf-stock" };
  }

  return (
    <main className="sf-main">
      <div className="sf-product">
        <Gallery images={product.images} title={product.title} />
        <div>
          <fetcher.Form
            className="sf-buyform"
            method="post"
            action={`/s/${shop.handle}/cart`}
            onSubmit={(e) => {
              if (openDims.length) {
                e.preventDefault();
                setMissing(`Choose ${openDims.join(" and ")}`);
              }
            }}
          >
            <CsrfInput />
            <input type="hidden" name="intent" value="add" />
            <input type="hidden" name="productId" value={product.id} />
            <input type="hidden" name="skuId" value={sku?.id ?? ""} />
            {hydrated ? <input type="hidden" name="reply" value="json" /> : null}

            <section className="sf-panel">
              <p className="sf-product-price" data-testid="product-price">
                {ranged ? <span className="sf-price-from">From </span> : null}
                <span className="sf-price-now">{formatMoney(price, shop.currency)}</span>
                {compareAt !== null && compareAt > price ? (
                  <>
                    <s className="sf-price-was">{formatMoney(compareAt, shop.currency)}</s>
                    <span className="sf-save-tag">Save {formatMoney(compareAt - price, shop.currency)}</span>
                  </>
                ) : null}
              </p>
              <h1>{product.title}</h1>
              {stockLine ? (
                <p className={stockLine.className} data-testid="product-stock">
                  {stockLine.text}
                </p>
              ) : null}
            </section>

            {dims > 0 || !allSoldOut ? (
              <section className="sf-panel">
                {product.specs.map((spec, d) => (
                  <fieldset key={spec.name} className="sf-spec">
                    <legend>
                      {spec.name}
                      {selection[d] ? <span>{selection[d]}</span> : null}
                    </legend>
                    <div className="sf-spec-values">
                      {spec.values.map((value) => {
                        const state = optionState(product.skus, selection, d, value);
                        return (
                          <label key={value} className="sf-spec-option" title={state === "sold_out" ? "Sold out" : state === "unavailable" ? "Not available" : undefined}>
                            <input
                              type="radio"
                              name={`spec.${d}`}
                              value={value}
                              checked={selection[d] === value}
                              disabled={state !== "available" && selection[d] !== value}
                              onChange={() => {
                                setSelection((sel) => toggle(sel, d, value));
                                setMissing(null);
                              }}
                              onClick={() => {
                                // Clicking the chosen value again un-chooses it (radios alone cannot).
                                if (selection[d] === value) setSelection((sel) => toggle(sel, d, value));
                              }}
                            />
                            <span>{value}</span>
                          </label>
                        );
                      })}
                    </div>
                  </fieldset>
                ))}
                {!allSoldOut ? (
                  <div className="sf-qty-row">
                    <label htmlFor="qty">Quantity</label>
                    <div className="sf-stepper">
                      <button type="button" aria-label="One fewer" disabled={!hydrated || quantity <= 1} onClick={() => setQuantity((q) => Math.max(1, q - 1))}>
                        −
                      </button>
                      <input
                        id="qty"
                        name="quantity"
                        type="number"
                        inputMode="numeric"
                        min={1}
                        max={maxQuantity}
                        value={quantity}
                        onChange={(e) => setQuantity(Math.max(1, Math.min(maxQuantity, Number(e.target.value) || 1)))}
                      />
                      <button type="button" aria-label="One more" disabled={!hydrated || quantity >= maxQuantity} onClick={() => setQuantity((q) => Math.min(maxQuantity, q + 1))}>
                        +
                      </button>
                    </div>
                  </div>
                ) : null}
              </section>
            ) : null}

            {product.descriptionHtml ? (
              <section className="sf-panel sf-details">
                <h2 className="sf-panel-title">Details</h2>
                <div className="sf-description" dangerouslySetInnerHTML={{ __html: product.descriptionHtml }} />
              </section>
            ) : null}

            {/* Last in the form and sticky: on a phone it rides the bottom of the screen while the buyer reads. */}
            <div className="sf-buybar">
              {missing || (result && !result.ok) ? (
                <p className="sf-form-error" role="alert">
                  {missing ?? (result && !result.ok ? result.formError : "")}
                </p>
              ) : null}
              {result?.ok ? (
                <p className="sf-toast" role="status">
                  Added to your cart.
                  <Link to={`/s/${shop.handle}/cart`}>View cart ›</Link>
                </p>
              ) : null}
              <div className="sf-buybar-inner">
                <div className="sf-buybar-price">
                  <strong>{formatMoney(price, shop.currency)}</strong>
                  <small>{choiceLabel || (allSoldOut ? "Sold out" : "")}</small>
                </div>
                <button type="submit" className="sf-btn sf-btn-primary" disabled={allSoldOut || adding || (sku !== null && sku.stock <= 0)} data-testid="add-to-cart">
                  {allSoldOut ? "Sold out" : adding ? "Adding…" : "Add to cart"}
                </button>
              </div>
            </div>
          </fetcher.Form>
          <ExtensionBlocks groups={blocks} />
        </div>
      </div>
    </main>
  );
}

export const ErrorBoundary = StorefrontPageError;
