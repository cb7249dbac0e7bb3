// Path tokens for the public tracking endpoints (/t/o/<token>, /t/c/<token>): the token
// carries the shop, the message and (for clicks) the target, signed with HMAC-SHA256 under
// its own label, so it needs no lookup to verify, cannot be turned into an open redirect, and
// an open token can never pass for a click token or an unsubscribe token. The recipient is
// not in the URL: the message row says who it went to.
import { err, ok, type Result } from "../result";
import { sign, verify } from "./hmac";

export type OpenClaim = { shopId: number; messageId: string };
export type ClickClaim = OpenClaim & { target: string };

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

const encode = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");

function decode(token: string, label: string, key: Buffer | string): Result<unknown[]> {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return err("malformed token");
  if (!verify(key, [label, payload], signature)) return err("bad signature");
  try {
    const parts = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return Array.isArray(parts) ? ok(parts) : err("malformed token");
  } catch {
    return err("malformed token");
  }
}

const validIds = (shopId: unknown, messageId: unknown) => Number.isInteger(shopId) && typeof messageId === "string" && /^\d{1,19}$/.test(messageId);

export function openToken(claim: OpenClaim, key: Buffer | string): string {
  const payload = encode([claim.shopId, claim.messageId]);
  return `${payload}.${sign(key, ["open", payload])}`;
}

export function clickToken(claim: ClickClaim, key: Buffer | string): Result<string> {
  if (!isHttpUrl(claim.target)) return err(`not an http(s) URL: ${claim.target}`);
  const payload = encode([claim.shopId, claim.messageId, claim.target]);
  return ok(`${payload}.${sign(key, ["click", payload])}`);
}

export function verifyOpenToken(token: string, key: Buffer | string): Result<OpenClaim> {
  const parts = decode(token, "open", key);
  if (!parts.ok) return parts;
  const [shopId, messageId] = parts.value;
  if (!validIds(shopId, messageId)) return err("malformed token");
  return ok({ shopId: shopId as number, messageId: messageId as string });
}

export function verifyClickToken(token: string, key: Buffer | string): Result<ClickClaim> {
  const parts = decode(token, "click", key);
  if (!parts.ok) return parts;
  const [shopId, messageId, target] = parts.value;
  if (!validIds(shopId, messageId) || typeof target !== "string" || !isHttpUrl(target)) return err("malformed token");
  return ok({ shopId: shopId as number, messageId: messageId as string, target });
}

export type TrackingEndpoints = { appUrl: string };

export const openUrl = (appUrl: string, claim: OpenClaim, key: Buffer | string) => `${appUrl.replace(/\/$/, "")}/t/o/${openToken(claim, key)}`;

export function clickUrlFor(appUrl: string, claim: ClickClaim, key: Buffer | string): Result<string> {
  const t = clickToken(claim, key);
  return t.ok ? ok(`${appUrl.replace(/\/$/, "")}/t/c/${t.value}`) : t;
}

export const unsubscribePageUrl = (appUrl: string, token: string) => `${appUrl.replace(/\/$/, "")}/t/u/${token}`;

const decodeAttr = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const encodeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Rewrites a rendered email's http(s) links to /t/c/<token> and appends the open pixel.
 * Links in `skip` (unsubscribe, preference page) stay as they are and are never counted.
 */
export function trackEmailLinks(html: string, opts: { appUrl: string; shopId: number; messageId: string; key: Buffer | string; skip: ReadonlyArray<string> }): string {
  const skip = new Set(opts.skip);
  const linked = html.replace(/(<a\b[^>]*?\bhref=")(https?:\/\/[^"]+)(")/gi, (whole, pre: string, href: string, post: string) => {
    const target = decodeAttr(href);
    if (skip.has(target)) return whole;
    const tracked = clickUrlFor(opts.appUrl, { shopId: opts.shopId, messageId: opts.messageId, target }, opts.key);
    return tracked.ok ? pre + encodeAttr(tracked.value) + post : whole;
  });
  const pixel = `<img src="${encodeAttr(openUrl(opts.appUrl, opts, opts.key))}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
  const end = linked.lastIndexOf("</body>");
  return end === -1 ? linked + pixel : linked.slice(0, end) + pixel + linked.slice(end);
}

/** The hour bucket that makes repeated opens of one message count once an hour. */
export const openDedupeKey = (messageId: string, at: Date) => `open:${messageId}:${Math.floor(at.getTime() / 3_600_000)}`;
