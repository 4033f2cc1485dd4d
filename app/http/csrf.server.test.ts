import { isWellSigned, newCsrfToken } from "./csrf.server";
import { isCsrfExempt } from "./origin-guard.server";

describe("CSRF tokens", () => {
  const secret = "s".repeat(40);
  it("accepts its own tokens and refuses forged or re-signed ones", () => {
    const t = newCsrfToken(secret);
    expect(isWellSigned(secret, t)).toBe(true);
    expect(isWellSigned("other-secret-".repeat(4), t)).toBe(false);
    const [value] = t.split(".");
    expect(isWellSigned(secret, `${value}.forged`)).toBe(false);
    expect(isWellSigned(secret, `x${t}`)).toBe(false);
    expect(isWellSigned(secret, "")).toBe(false);
    expect(isWellSigned(secret, null)).toBe(false);
  });

  it("exempts exactly the endpoints that never read the session cookie", () => {
    for (const p of ["/oauth/token", "/oauth/revoke", "/oauth/introspect", "/payments/notify/wechatpay", "/api/v1/products"]) {
      expect(isCsrfExempt(p), p).toBe(true);
    }
    for (const p of ["/oauth/consent", "/oauth/token2", "/login", "/api/v1", "/apiv1/x", "/payments/notify"]) {
      expect(isCsrfExempt(p), p).toBe(false);
    }
  });
});
