/**
 * Product descriptions (and any other merchant Markdown) become HTML here and
 * only here: Markdown through marked, then the result through sanitize-html
 * with a short allow-list. Merchants may type raw HTML into Markdown, so the
 * sanitizer — not marked — is what makes the output safe to put into a page
 * with `dangerouslySetInnerHTML`.
 */
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

// A private instance: extensions or other modules configuring the global `marked` cannot change this output.
const markdown = new Marked({ gfm: true, breaks: true, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    "p", "br", "hr", "strong", "b", "em", "i", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a",
    "table", "thead", "tbody", "tr", "th", "td",
  ],
  // No images, iframes, styles, classes or ids: nothing that loads from elsewhere, restyles the page or clobbers the DOM.
  // `rel` and `target` on links are allowed only because the transform below overwrites whatever the input said.
  allowedAttributes: { a: ["href", "title", "rel", "target"], ol: ["start"], th: ["align"], td: ["align"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // The page has its own h1 (the product title): demote headings below it.
  transformTags: {
    h1: "h2",
    h5: "h4",
    h6: "h4",
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, rel: "nofollow ugc noopener noreferrer", target: "_blank" },
    }),
  },
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "iframe", "object"],
};

/**
 * Renders merchant Markdown to HTML that is safe to inject into a page.
 * The storefront shows descriptions with `dangerouslySetInnerHTML` only
 * through this function.
 *
 * @example
 * renderDescription("**Hand-thrown** stoneware.\n<script>alert(1)</script>")
 * // "<p><strong>Hand-thrown</strong> stoneware.</p>\n"
 */
export function renderDescription(md: string): string {
  if (!md.trim()) return "";
  const html = markdown.parse(md, { async: false }) as string;
  return sanitizeHtml(html, SANITIZE);
}
