/**
 * Renders extensions' storefront blocks. The blocks are data (validated on
 * the server by `StorefrontBlock` in app/extensions/hooks.schema.ts) and
 * every string is rendered as React text — never HTML, never a URL — so an
 * extension cannot inject markup or script into the storefront.
 */
import type { ExtensionBlocks as Group, StorefrontBlock } from "~/extensions/hooks.schema";

const TONE: Record<string, { bg: string; fg: string; border: string }> = {
  neutral: { bg: "#f4f4f5", fg: "#27272a", border: "#e4e4e7" },
  info: { bg: "#eff6ff", fg: "#1e3a8a", border: "#bfdbfe" },
  success: { bg: "#f0fdf4", fg: "#14532d", border: "#bbf7d0" },
  warning: { bg: "#fffbeb", fg: "#78350f", border: "#fde68a" },
};

function tone(t: string | undefined) {
  return TONE[t ?? "neutral"] ?? TONE.neutral;
}

function Block({ block }: { block: StorefrontBlock }) {
  switch (block.type) {
    case "text": {
      const c = tone(block.tone);
      return <p style={{ margin: 0, padding: "0.5rem 0.75rem", borderRadius: 8, background: c.bg, color: c.fg, border: `1px solid ${c.border}` }}>{block.text}</p>;
    }
    case "badge": {
      const c = tone(block.tone);
      return (
        <span style={{ display: "inline-block", justifySelf: "start", padding: "0.15rem 0.6rem", borderRadius: 999, background: c.bg, color: c.fg, border: `1px solid ${c.border}`, fontSize: "0.85rem", fontWeight: 600 }}>
          {block.label}
        </span>
      );
    }
    case "progress": {
      const pct = Math.max(0, Math.min(100, (block.value / block.max) * 100));
      return (
        <div>
          <div style={{ display: "flex", justifyContent: "space-between", fontSize: "0.85rem" }}>
            <span>{block.label}</span>
            <span>{Math.round(pct)}%</span>
          </div>
          <div role="progressbar" aria-label={block.label} aria-valuemin={0} aria-valuemax={block.max} aria-valuenow={block.value} style={{ height: 8, borderRadius: 4, background: "#e4e4e7", overflow: "hidden" }}>
            <div style={{ width: `${pct}%`, height: "100%", background: "#16a34a" }} />
          </div>
          {block.caption ? <div style={{ fontSize: "0.8rem", color: "#71717a", marginTop: 2 }}>{block.caption}</div> : null}
        </div>
      );
    }
    case "list":
      return (
        <div>
          {block.title ? <div style={{ fontWeight: 600, fontSize: "0.9rem" }}>{block.title}</div> : null}
          <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.1rem" }}>
            {block.items.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        </div>
      );
    default:
      return null;
  }
}

/**
 * The blocks of every install, each group labelled with the extension that
 * made it (buyers see where a message comes from).
 *
 * @example <ExtensionBlocks groups={await storefrontBlocks(platform, shop.id, buyer)} />
 */
export function ExtensionBlocks({ groups }: { groups: Group[] }) {
  if (groups.length === 0) return null;
  return (
    <section aria-label="From the shop's extensions" style={{ display: "grid", gap: "0.75rem", margin: "0.75rem 0" }}>
      {groups.map((g) => (
        <div key={g.installId} data-extension={g.installId} style={{ display: "grid", gap: "0.4rem" }}>
          {g.blocks.map((b, i) => (
            <Block key={i} block={b} />
          ))}
          <div style={{ fontSize: "0.7rem", color: "#a1a1aa" }}>by {g.extensionName}</div>
        </div>
      ))}
    </section>
  );
}
