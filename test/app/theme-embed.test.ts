import { describe, expect, it } from "vitest";
import { activatePushEmbedUrl, pushEmbedStatus } from "../../app/lib/theme-embed";

describe("pushEmbedStatus", () => {
  const theme = (status?: string) => ({
    handle: "winback-push", type: "theme_app_extension",
    activations: status ? [{ handle: "push-optin", name: "Winback push opt-in", target: "body", status }] : [],
  });
  it.each([
    ["active embed", [theme("active")], "active"],
    ["embed available but off", [theme("available")], "available"],
    ["embed unavailable on the theme", [theme("unavailable")], "available"],
    ["extension without the embed listed", [theme()], "available"],
    ["no such extension", [{ handle: "other", type: "ui_extension", activations: [] }], "missing"],
    ["nothing reported", [], "missing"],
  ] as const)("%s", (_, list, expected) => {
    expect(pushEmbedStatus(list)).toBe(expected);
  });

  it("links to the theme editor with our embed to activate", () => {
    expect(activatePushEmbedUrl("shop.myshopify.com", "abc123")).toBe(
      "https://shop.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=abc123%2Fpush-optin");
  });
});
