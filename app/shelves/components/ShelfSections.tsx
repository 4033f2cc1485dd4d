/**
 * Renders a shelf's sections: the storefront's published pages and the
 * merchant's draft preview use this one component, so the preview shows
 * exactly what publishing will show. Only the rich text's HTML, which the
 * server sanitized, goes through dangerouslySetInnerHTML.
 */
import { Link } from "@remix-run/react";
import type { SectionView } from "../shelf-view";
import { ProductGrid, ProductRows } from "./ProductCard";

type Props = {
  sections: SectionView[];
  shopHandle: string;
  currency: string;
  /** in the preview, empty sections say so instead of disappearing */
  preview?: boolean;
};

function isInternal(link: string): boolean {
  return link.startsWith("/") && !link.startsWith("//");
}

function BannerLink({ link, className, children }: { link: string; className: string; children: React.ReactNode }) {
  if (!link) return <div className={className}>{children}</div>;
  return isInternal(link) ? (
    <Link to={link} className={className}>
      {children}
    </Link>
  ) : (
    <a href={link} className={className} rel="noopener noreferrer">
      {children}
    </a>
  );
}

function EmptyNote({ children }: { children: React.ReactNode }) {
  return <p className="sf-preview-empty">{children}</p>;
}

export function ShelfSections({ sections, shopHandle, currency, preview = false }: Props) {
  let eagerLeft = 4; // the first cards on the page load eagerly: they are what the buyer sees first
  return (
    <div className="sf-sections">
      {sections.map((section, index) => {
        switch (section.type) {
          case "banner":
            return (
              <section key={section.id} className="sf-section sf-banner-section">
                <BannerLink link={section.link} className={`sf-banner${section.image ? "" : " sf-banner-plain"}`}>
                  {section.image ? (
                    <img
                      src={section.image.src}
                      srcSet={section.image.srcSet}
                      sizes="(min-width: 1100px) 1100px, 100vw"
                      alt=""
                      width={1200}
                      height={600}
                      loading={index === 0 ? "eager" : "lazy"}
                      // React 18 knows only the lower-case attribute (the camel-case prop arrives with React 19).
                      {...(index === 0 ? { fetchpriority: "high" } : {})}
                    />
                  ) : null}
                  <div className="sf-banner-text">
                    <h2>{section.headline}</h2>
                    {section.subline ? <p>{section.subline}</p> : null}
                    {section.link && section.linkLabel ? <span className="sf-banner-cta">{section.linkLabel}</span> : null}
                  </div>
                </BannerLink>
              </section>
            );
          case "product_grid":
          case "product_list": {
            if (section.products.length === 0 && !preview) return null;
            const eager = section.type === "product_grid" ? eagerLeft : 0;
            eagerLeft = Math.max(0, eagerLeft - section.products.length);
            return (
              <section key={section.id} className="sf-section">
                {section.title ? <h2 className="sf-section-title">{section.title}</h2> : null}
                {section.products.length === 0 ? (
                  <EmptyNote>No products on sale in this section yet — pick some in the editor.</EmptyNote>
                ) : section.type === "product_grid" ? (
                  <ProductGrid products={section.products} shopHandle={shopHandle} currency={currency} eagerCount={eager} />
                ) : (
                  <ProductRows products={section.products} shopHandle={shopHandle} currency={currency} />
                )}
              </section>
            );
          }
          case "category_group": {
            if (section.products.length === 0 && !preview) return null;
            const eager = eagerLeft;
            eagerLeft = Math.max(0, eagerLeft - section.products.length);
            return (
              <section key={section.id} className="sf-section">
                <div className="sf-section-head">
                  <h2 className="sf-section-title">{section.title}</h2>
                  {section.categoryId && section.hasMore ? (
                    <Link to={`/s/${shopHandle}/c/${section.categoryId}`} className="sf-see-all">
                      See all ›
                    </Link>
                  ) : null}
                </div>
                {section.products.length === 0 ? (
                  <EmptyNote>{section.categoryId ? "No products on sale in this category yet." : "Choose a category for this section."}</EmptyNote>
                ) : (
                  <ProductGrid products={section.products} shopHandle={shopHandle} currency={currency} eagerCount={eager} />
                )}
              </section>
            );
          }
          case "rich_text":
            if (!section.html && !preview) return null;
            return (
              <section key={section.id} className="sf-section">
                {section.html ? (
                  <div className="sf-prose" dangerouslySetInnerHTML={{ __html: section.html }} />
                ) : (
                  <EmptyNote>Write some text for this section.</EmptyNote>
                )}
              </section>
            );
        }
      })}
    </div>
  );
}
