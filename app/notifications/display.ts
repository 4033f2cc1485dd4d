/**
 * Browser-safe display helpers for the notification pages.
 */

/**
 * A timestamp as `YYYY-MM-DD HH:MM UTC`: the same text on server and client
 * (no locale or time-zone dependence), so hydration never mismatches.
 */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** A run of plain text, or a URL to render as a link. */
export type TextPiece = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that usually ends the sentence around a URL rather than the URL itself.
const TRAILING = /[.,;:!?)\]}'"]+$/;

/**
 * Splits plain text into text and link pieces so a component can render
 * URLs as `<a>` elements while React escapes everything else. Only http(s)
 * URLs become links — never `javascript:` or `data:` — and no HTML is ever
 * produced, so mail text cannot inject markup.
 *
 * @example
 * linkify("See https://bazaar.example/orders/1.")
 * // [{kind:"text",text:"See "},{kind:"link",text:"https://bazaar.example/orders/1",href:"…"},{kind:"text",text:"."}]
 */
export function linkify(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let url = match[0].replace(TRAILING, "");
    // A ")" that closes a "(" inside the URL belongs to it (Wikipedia-style links).
    if (match[0][url.length] === ")" && count(url, "(") > count(url, ")")) url += ")";
    if (!isHttpUrl(url)) continue;
    if (start > last) pieces.push({ kind: "text", text: text.slice(last, start) });
    pieces.push({ kind: "link", text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) pieces.push({ kind: "text", text: text.slice(last) });
  return pieces;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
  } catch {
    return false;
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}
