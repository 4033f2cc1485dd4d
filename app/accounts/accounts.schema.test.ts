import { describe, expect, it } from "vitest";
import { LoginForm, SignupForm, homePathFor, safeRedirectPath } from "./accounts.schema";

describe("safeRedirectPath", () => {
  it.each([
    ["/admin", "/admin"],
    ["/admin/shops/shp_1?tab=staff#x", "/admin/shops/shp_1?tab=staff#x"],
    ["/invites/abc", "/invites/abc"],
  ])("keeps the same-origin path %s", (input, out) => {
    expect(safeRedirectPath(input)).toBe(out);
  });

  it.each([
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "admin",
    "/\t/evil.example",
    "/a\nb",
    "",
    null,
    undefined,
  ])("refuses %s", (input) => {
    expect(safeRedirectPath(input as string)).toBeNull();
  });
});

describe("homePathFor", () => {
  it("prefers a safe redirectTo, else the home of the intent", () => {
    expect(homePathFor("merchant", "/account")).toBe("/account");
    expect(homePathFor("merchant", "//evil")).toBe("/admin");
    expect(homePathFor("developer")).toBe("/developer");
    expect(homePathFor("buyer")).toBe("/");
  });
});

describe("SignupForm", () => {
  it("normalises the e-mail and strips fields it does not know", () => {
    const parsed = SignupForm.parse({ name: " A ", email: " A@B.CO ", password: "0123456789", intent: "buyer", is_reviewer: "on", isReviewer: true });
    expect(parsed).toEqual({ name: "A", email: "a@b.co", password: "0123456789", intent: "buyer", redirectTo: undefined });
  });

  it("turns an unsafe redirectTo into nothing rather than an error", () => {
    expect(SignupForm.parse({ name: "A", email: "a@b.co", password: "0123456789", intent: "buyer", redirectTo: "https://x.y" }).redirectTo).toBeUndefined();
  });

  it("gives one message per bad field, including missing ones", () => {
    const result = SignupForm.safeParse({});
    expect(result.success).toBe(false);
    const byField = Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(byField).toEqual({
      name: "Enter your name",
      email: "Enter your e-mail address",
      password: "Choose a password",
      intent: "Choose what brings you here",
    });
  });
});

describe("LoginForm", () => {
  it("does not validate the e-mail's format (a wrong one gets the generic answer)", () => {
    expect(LoginForm.parse({ email: " Not-An-Email ", password: "x" }).email).toBe("not-an-email");
  });
});
