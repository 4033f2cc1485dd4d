import { describe, expect, it } from "vitest";
import { blockedAddressReason, checkTargetUrl, guardedLookup } from "./ssrf.server";
import { parseRetryAfter } from "./sender.server";

const strict = { allowLoopback: false, allowHttp: false };

describe("blockedAddressReason", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["fe80::1", "linkLocal"],
    ["::ffff:10.0.0.1", "private"],
    ["::", "unspecified"],
  ])("refuses %s (%s)", (ip, range) => {
    expect(blockedAddressReason(ip, strict)).toBe(`${ip} is a ${range} address`);
  });
  it("lets public addresses through, and loopback only when allowed", () => {
    expect(blockedAddressReason("93.184.216.34", strict)).toBeNull();
    expect(blockedAddressReason("2606:2800:220:1:248:1893:25c8:1946", strict)).toBeNull();
    expect(blockedAddressReason("127.0.0.1", { allowLoopback: true })).toBeNull();
    expect(blockedAddressReason("::1", { allowLoopback: true })).toBeNull();
    expect(blockedAddressReason("10.0.0.1", { allowLoopback: true })).not.toBeNull();
  });
});

describe("checkTargetUrl and guardedLookup", () => {
  it("refuses a host when any of its addresses is internal", async () => {
    const mixed = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    await expect(checkTargetUrl("https://mixed.test/x", strict, mixed)).rejects.toThrow("10.0.0.7 is a private address");
    const lookup = guardedLookup(strict, mixed);
    const err = await new Promise<Error | null>((r) => lookup("mixed.test", { all: true }, (e) => r(e)));
    expect(err?.message).toContain("refused to connect to mixed.test");
  });
  it("answers both lookup shapes for a public host", async () => {
    const lookup = guardedLookup(strict, async () => [{ address: "93.184.216.34", family: 4 }]);
    const all = await new Promise((r) => lookup("ok.test", { all: true }, (_e, a) => r(a)));
    expect(all).toEqual([{ address: "93.184.216.34", family: 4 }]);
    const one = await new Promise((r) => lookup("ok.test", {}, (_e, a, f) => r([a, f])));
    expect(one).toEqual(["93.184.216.34", 4]);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter(new Date(10_000 + 30_000).toUTCString(), 10_000)).toBe(30_000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
