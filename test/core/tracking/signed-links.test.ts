import { describe, expect, it } from "vitest";
import { clickUrl, openPixelUrl, verifyClick, verifyOpen } from "../../../core/tracking/signed-links";
import { listUnsubscribeHeaders, oneClickUnsubscribe, unsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from "../../../core/tracking/unsubscribe";

const key = Buffer.from("0123456789abcdef0123456789abcdef");
const otherKey = Buffer.from("fedcba9876543210fedcba9876543210");
const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe("signed click and open links", () => {
  const link = { messageId: "msg_1", recipient: "cus_42", target: "https://shop.example/p/teapot?utm=x&a=b" };

  it("round-trips a click link", () => {
    const url = clickUrl("https://t.winback.example/c", link, key);
    if (!url.ok) throw new Error(url.error);
    expect(verifyClick(query(url.value), key)).toEqual({ ok: true, value: link });
  });

  it.each([
    ["target", { u: "https://evil.example/" }],
    ["recipient", { r: "cus_43" }],
    ["message", { m: "msg_2" }],
    ["signature", { s: "AAAA" }],
  ])("rejects a changed %s", (_what, change) => {
    const url = clickUrl("https://t.winback.example/c", link, key);
    if (!url.ok) throw new Error(url.error);
    expect(verifyClick({ ...query(url.value), ...change }, key).ok).toBe(false);
  });

  it("rejects another key and non-http targets", () => {
    const url = clickUrl("https://t.winback.example/c", link, key);
    if (!url.ok) throw new Error(url.error);
    expect(verifyClick(query(url.value), otherKey).ok).toBe(false);
    expect(clickUrl("https://t.winback.example/c", { ...link, target: "javascript:alert(1)" }, key).ok).toBe(false);
  });

  it("open pixels verify, and a click signature does not pass as an open", () => {
    const pixel = openPixelUrl("https://t.winback.example/o.gif", link, key);
    expect(verifyOpen(query(pixel), key)).toEqual({ ok: true, value: { messageId: "msg_1", recipient: "cus_42" } });
    const click = clickUrl("https://t.winback.example/c", link, key);
    if (!click.ok) throw new Error(click.error);
    expect(verifyOpen(query(click.value), key).ok).toBe(false);
  });
});

describe("unsubscribe tokens", () => {
  const claim = { shopId: 7, recipient: "cus_42", channel: "email" as const, messageId: "msg_1" };

  it("round-trips and survives a URL", () => {
    const url = unsubscribeUrl("https://app.winback.example/u", unsubscribeToken(claim, key));
    expect(verifyUnsubscribeToken(query(url).t, key)).toEqual({ ok: true, value: claim });
  });

  it("rejects tampering and the wrong key", () => {
    const token = unsubscribeToken(claim, key);
    const forged = unsubscribeToken({ ...claim, recipient: "cus_99" }, otherKey);
    const [payloadOther] = forged.split(".");
    const [, sig] = token.split(".");
    expect(verifyUnsubscribeToken(`${payloadOther}.${sig}`, key).ok).toBe(false);
    expect(verifyUnsubscribeToken(token, otherKey).ok).toBe(false);
    expect(verifyUnsubscribeToken("garbage", key).ok).toBe(false);
  });
});

describe("one-click POST", () => {
  const claim = { shopId: 7, recipient: "cus_42", channel: "email" as const };
  const token = unsubscribeToken(claim, key);

  it("honours the RFC 8058 body with a valid token", () => {
    expect(oneClickUnsubscribe("List-Unsubscribe=One-Click", token, key)).toEqual({ ok: true, value: claim });
  });

  it("refuses other bodies, missing or forged tokens", () => {
    expect(oneClickUnsubscribe("", token, key).ok).toBe(false);
    expect(oneClickUnsubscribe("List-Unsubscribe=Yes", token, key).ok).toBe(false);
    expect(oneClickUnsubscribe("List-Unsubscribe=One-Click", undefined, key).ok).toBe(false);
    expect(oneClickUnsubscribe("List-Unsubscribe=One-Click", token, otherKey).ok).toBe(false);
  });
});

describe("RFC 8058 headers", () => {
  it("builds List-Unsubscribe with https and optional mailto, plus the one-click POST header", () => {
    expect(listUnsubscribeHeaders("https://app.example/u?t=a", "mailto:unsub@tea.example")).toEqual({
      ok: true,
      value: { "List-Unsubscribe": "<https://app.example/u?t=a>, <mailto:unsub@tea.example>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
  });

  it("requires https", () => {
    expect(listUnsubscribeHeaders("http://app.example/u").ok).toBe(false);
    expect(listUnsubscribeHeaders("not a url").ok).toBe(false);
  });
});
