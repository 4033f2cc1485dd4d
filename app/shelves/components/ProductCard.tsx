/**
 * Product cards and the lists they sit in, shared by shelves, category
 * pages, search and the merchant's preview. Everything the merchant typed is
 * rendered as React text (escaped); prices go through the catalog's
 * formatMoney with the shop's currency.
 */
import { Link } from "@remix-run/react";
import { formatMoney } from "~/catalog/money";
import type { ProductCardView } from "../shelf-view";

export function productPath(shopHandle: string, productId: string): string {
  return `/s/${shopHandle}/products/${productId}`;
}

/** "¥38.00" or "From ¥38.00" for a product whose SKUs differ in price; the compare-at price struck through. */
export function CardPrice({ product, currency }: { product: Pick<ProductCardView, "minPrice" | "maxPrice" | "compareAtPrice">; currency: string }) {
  const ranged = product.maxPrice > product.minPrice;
  return (
    <p className="sf-price">
      {ranged ? <span className="sf-price-from">From </span> : null}
      <span className="sf-price-now">{formatMoney(product.minPrice, currency)}</span>
      {product.compareAtPrice !== null && product.compareAtPrice > product.minPrice ? (
        <s className="sf-price-was" aria-label={`was ${formatMoney(product.compareAtPrice, currency)}`}>
          {formatMoney(product.compareAtPrice, currency)}
        </s>
      ) : null}
    </p>
  );
}

export function ProductImage({ image, alt, sizes, eager = false }: { image: ProductCardView["image"]; alt: string; sizes: string; eager?: boolean }) {
  if (!image) return <div className="sf-img-placeholder" aria-hidden="true" />;
  return (
    <img
      src={image.src}
      srcSet={image.srcSet}
      sizes={sizes}
      alt={alt}
      width={400}
      height={400}
      loading={eager ? "eager" : "lazy"}
      decoding="async"
    />
  );
}

export function ProductCard({ product, shopHandle, currency, eager = false }: { product: ProductCardView; shopHandle: string; currency: string; eager?: boolean }) {
  return (
    <Link to={productPath(shopHandle, product.id)} className="sf-card" prefetch="intent">
      <div className="sf-card-media">
        <ProductImage image={product.image} alt={product.title} sizes="(min-width: 900px) 25vw, 50vw" eager={eager} />
        {product.soldOut ? <span className="sf-badge-soldout">Sold out</span> : null}
      </div>
      <div className="sf-card-body">
        <h3 className="sf-card-title">{product.title}</h3>
        <CardPrice product={product} currency={currency} />
      </div>
    </Link>
  );
}

/** Two columns on a phone, four on a wide screen. */
export function ProductGrid({ products, shopHandle, currency, eagerCount = 0 }: { products: ProductCardView[]; shopHandle: string; currency: string; eagerCount?: number }) {
  return (
    <ul className="sf-grid">
      {products.map((p, i) => (
        <li key={p.id}>
          <ProductCard product={p} shopHandle={shopHandle} currency={currency} eager={i < eagerCount} />
        </li>
      ))}
    </ul>
  );
}

/** Rows: a thumbnail, the title and the price. */
export function ProductRows({ products, shopHandle, currency }: { products: ProductCardView[]; shopHandle: string; currency: string }) {
  return (
    <ul className="sf-rows">
      {products.map((p) => (
        <li key={p.id}>
          <Link to={productPath(shopHandle, p.id)} className="sf-row" prefetch="intent">
            <div className="sf-row-media">
              <ProductImage image={p.image} alt={p.title} sizes="88px" />
            </div>
            <div className="sf-row-body">
              <h3 className="sf-card-title">{p.title}</h3>
              <CardPrice product={p} currency={currency} />
              {p.soldOut ? <span className="sf-tag-soldout">Sold out</span> : null}
            </div>
            <span className="sf-row-chevron" aria-hidden="true">
              ›
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
