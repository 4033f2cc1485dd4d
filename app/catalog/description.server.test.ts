import { describe, expect, it } from "vitest";
import { renderDescription } from "./description.server";

describe("renderDescription", () => {
  it("renders Markdown", () => {
    expect(renderDescription("**Hand-thrown** stoneware.\n\n- 350 ml\n- dishwasher safe")).toBe(
      "<p><strong>Hand-thrown</strong> stoneware.</p>\n<ul>\n<li>350 ml</li>\n<li>dishwasher safe</li>\n</ul>\n",
    );
    expect(renderDescription("# Care")).toBe("<h2>Care</h2>\n");
    expect(renderDescription("   ")).toBe("");
  });

  it("drops scripts, event handlers, styles, iframes and images", () => {
    const html = renderDescription(
      '<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n<p onclick="x()" style="color:red" class="c" id="i">hi</p>\n<iframe src="https://evil.example"></iframe><style>body{}</style>',
    );
    expect(html).not.toMatch(/script|onerror|onclick|style|iframe|<img|class=|id=|alert/);
    expect(html).toContain("hi");
  });

  it("allows only http(s) and mailto links, and marks them nofollow in a new tab", () => {
    expect(renderDescription("[a](javascript:alert(1)) [b](data:text/html,x) [c](//evil.example)")).not.toMatch(/href/);
    const html = renderDescription('[shop](https://example.com/x "t") <a href="https://e.example" rel="opener" target="_self">e</a>');
    expect(html).toContain('<a href="https://example.com/x" title="t" rel="nofollow ugc noopener noreferrer" target="_blank">shop</a>');
    expect(html).toContain('<a href="https://e.example" rel="nofollow ugc noopener noreferrer" target="_blank">e</a>');
  });
});
