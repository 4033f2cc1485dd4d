/**
 * Small pieces the store and listing pages share: the letter icon (a
 * colour derived from the handle), stars, and the listing card.
 */
import { Link } from "@remix-run/react";

const COLOURS = ["#e8431f", "#137a3d", "#2f5fd0", "#8b3fd1", "#c2410c", "#0f766e", "#be185d", "#4d7c0f"];

export function ListingIcon({ handle, name, large, iconUrl }: { handle: string; name: string; large?: boolean; iconUrl?: string | null }) {
  if (iconUrl) return <img className={large ? "mk-icon lg" : "mk-icon"} src={iconUrl} alt="" width={large ? 88 : 56} height={large ? 88 : 56} loading="lazy" />;
  let h = 0;
  for (const c of handle) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (
    <span className={large ? "mk-icon lg" : "mk-icon"} style={{ background: COLOURS[h % COLOURS.length] }} aria-hidden="true">
      {name.trim().charAt(0).toUpperCase() || "?"}
    </span>
  );
}

export function Stars({ value }: { value: number | null }) {
  const n = value === null ? 0 : Math.round(value);
  return (
    <span className="mk-stars" aria-label={value === null ? "No ratings yet" : `${value} out of 5 stars`}>
      {"★".repeat(n)}
      <span style={{ color: "#d6d9de" }}>{"★".repeat(5 - n)}</span>
    </span>
  );
}

export type CardData = {
  handle: string;
  name: string;
  tagline: string;
  categoryLabel: string;
  vendorName: string;
  pricingLabel: string;
  iconUrl: string | null;
  installCount: number;
  rating: { average: number | null; count: number };
};

export function ListingCardLink({ item }: { item: CardData }) {
  return (
    <Link className="mk-card" to={`/marketplace/${encodeURIComponent(item.handle)}`}>
      <ListingIcon handle={item.handle} name={item.name} iconUrl={item.iconUrl} />
      <div style={{ minWidth: 0 }}>
        <h3>{item.name}</h3>
        <p>{item.tagline || "\u00a0"}</p>
        <div className="mk-meta">
          <span>
            <Stars value={item.rating.average} /> {item.rating.count ? `${item.rating.average?.toFixed(1)} (${item.rating.count})` : "New"}
          </span>
          <span>{item.installCount} install{item.installCount === 1 ? "" : "s"}</span>
          <span>{item.pricingLabel}</span>
        </div>
        <div className="mk-meta" style={{ marginTop: "0.2rem" }}>
          <span>{item.vendorName}</span>
          <span className="badge">{item.categoryLabel}</span>
        </div>
      </div>
    </Link>
  );
}
