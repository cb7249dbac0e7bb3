import { describe, expect, it } from "vitest";
import { verifyClick, verifyOpen } from "../../../core/tracking/signed-links";
import { trackHtml } from "../../../core/tracking/track-html";

const key = "test-key-0123456789abcdef0123456";
const opts = { clickEndpoint: "https://t.example/c", openEndpoint: "https://t.example/o.gif", messageId: "m1", recipient: "c9", key, skip: ["https://app.example/u?t=x&y=1"] };
const html = `<html><body><a href="https://shop.example/p?a=1&amp;b=2">Shop</a> <a href="mailto:hi@shop.example">Mail</a> <a href="https://app.example/u?t=x&amp;y=1">Unsubscribe</a></body></html>`;
const attr = (s: string) => s.replace(/&amp;/g, "&");

describe("trackHtml", () => {
  const out = trackHtml(html, opts);
  const hrefs = [...out.matchAll(/href="([^"]+)"/g)].map((m) => attr(m[1]));

  it("rewrites http(s) links to signed redirects that resolve to the original target", () => {
    expect(hrefs[0].startsWith("https://t.example/c?")).toBe(true);
    const q = Object.fromEntries(new URL(hrefs[0]).searchParams);
    expect(verifyClick(q, key)).toEqual({ ok: true, value: { messageId: "m1", recipient: "c9", target: "https://shop.example/p?a=1&b=2" } });
  });

  it("leaves mailto and the unsubscribe link alone", () => {
    expect(hrefs[1]).toBe("mailto:hi@shop.example");
    expect(hrefs[2]).toBe("https://app.example/u?t=x&y=1");
  });

  it("adds one verifiable open pixel inside the body", () => {
    const src = /<img src="([^"]+)"[^>]*><\/body>/.exec(out)?.[1];
    expect(src).toBeDefined();
    expect(verifyOpen(Object.fromEntries(new URL(attr(src!)).searchParams), key)).toEqual({ ok: true, value: { messageId: "m1", recipient: "c9" } });
  });
});
