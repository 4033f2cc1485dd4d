import { describe, expect, it } from "vitest";
import { formatUtc, linkify } from "./display";

describe("linkify", () => {
  it("splits text around http(s) URLs and leaves sentence punctuation outside", () => {
    expect(linkify("Open https://bazaar.example/orders/1. Or http://x.test/a?b=1, thanks")).toEqual([
      { kind: "text", text: "Open " },
      { kind: "link", text: "https://bazaar.example/orders/1", href: "https://bazaar.example/orders/1" },
      { kind: "text", text: ". Or " },
      { kind: "link", text: "http://x.test/a?b=1", href: "http://x.test/a?b=1" },
      { kind: "text", text: ", thanks" },
    ]);
  });

  it("keeps a balanced closing parenthesis", () => {
    const pieces = linkify("(see https://en.wikipedia.org/wiki/Foo_(bar))");
    expect(pieces[1]).toEqual({ kind: "link", text: "https://en.wikipedia.org/wiki/Foo_(bar)", href: "https://en.wikipedia.org/wiki/Foo_(bar)" });
    expect(pieces[2]).toEqual({ kind: "text", text: ")" });
  });

  it("never links other schemes and never alters markup-looking text", () => {
    const text = 'javascript:alert(1) <a href="https://evil.example">x</a> data:text/html,<b>';
    const pieces = linkify(text);
    expect(pieces.filter((p) => p.kind === "link").map((p) => p.href)).toEqual(["https://evil.example"]);
    expect(pieces.map((p) => p.text).join("")).toBe(text);
  });

  it("returns the text unchanged when there is no URL", () => {
    expect(linkify("no links here")).toEqual([{ kind: "text", text: "no links here" }]);
    expect(linkify("")).toEqual([]);
  });
});

describe("formatUtc", () => {
  it("prints minutes in UTC whatever the local zone", () => {
    expect(formatUtc("2026-11-25T06:07:08.123Z")).toBe("2026-11-25 06:07 UTC");
  });
});
