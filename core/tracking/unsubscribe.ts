// Per-recipient one-click unsubscribe tokens and the RFC 8058 headers that carry them.
// The token is self-contained (no lookup needed to honour it) and signed, so nobody can
// unsubscribe someone else by editing the URL.
import { err, ok, type Result } from "../result";
import { sign, verify } from "./hmac";

export type UnsubscribeClaim = {
  shopId: number;
  recipient: string;
  channel: "email" | "sms" | "push";
  /** The message it came from, for attribution; not required to honour it. */
  messageId?: string;
};

export function unsubscribeToken(claim: UnsubscribeClaim, key: Buffer | string): string {
  const payload = Buffer.from(JSON.stringify([claim.shopId, claim.recipient, claim.channel, claim.messageId ?? ""])).toString("base64url");
  return `${payload}.${sign(key, ["unsub", payload])}`;
}

export function verifyUnsubscribeToken(token: string, key: Buffer | string): Result<UnsubscribeClaim> {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return err("malformed token");
  if (!verify(key, ["unsub", payload], signature)) return err("bad signature");
  try {
    const [shopId, recipient, channel, messageId] = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof shopId !== "number" || typeof recipient !== "string" || !["email", "sms", "push"].includes(channel)) return err("malformed token");
    return ok({ shopId, recipient, channel, ...(messageId ? { messageId } : {}) });
  } catch {
    return err("malformed token");
  }
}

export function unsubscribeUrl(endpoint: string, token: string): string {
  const u = new URL(endpoint);
  u.searchParams.set("t", token);
  return u.toString();
}

/**
 * RFC 8058 one-click headers. The https URI is what Gmail/Yahoo POST to; a mailto is an
 * optional extra. The message must be DKIM-signed over both headers for one-click to count.
 */
export function listUnsubscribeHeaders(httpsUrl: string, mailto?: string): Result<Record<string, string>> {
  let url: URL;
  try {
    url = new URL(httpsUrl);
  } catch {
    return err("unsubscribe URL is not a URL");
  }
  // A loopback http URL (the local demo) is accepted: no mailbox provider ever reaches it.
  const loopback = url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !loopback) return err("RFC 8058 requires an https unsubscribe URL");
  if (mailto !== undefined && !/^mailto:[^\s<>,]+@[^\s<>,]+$/.test(mailto)) return err("bad mailto unsubscribe address");
  const uris = [`<${url.toString()}>`, ...(mailto ? [`<${mailto}>`] : [])];
  return ok({ "List-Unsubscribe": uris.join(", "), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
}

/**
 * The one-click POST (RFC 8058 section 3.2): the body must be exactly
 * List-Unsubscribe=One-Click (form-encoded); the token travels in the URL. A GET to the same
 * URL (a person clicking) should show a confirmation page instead, since link scanners
 * prefetch GETs and must not unsubscribe anyone.
 */
export function oneClickUnsubscribe(formBody: string, token: string | undefined, key: Buffer | string): Result<UnsubscribeClaim> {
  const params = new URLSearchParams(formBody);
  if (params.get("List-Unsubscribe") !== "One-Click") return err("not a one-click unsubscribe request");
  if (!token) return err("missing token");
  return verifyUnsubscribeToken(token, key);
}
