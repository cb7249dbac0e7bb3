// Click-redirect and open-pixel links. The signature covers message id, target and
// recipient, so the redirect endpoint cannot be used as an open redirect and a link cannot
// be replayed for another recipient.
import { err, ok, type Result } from "../result";
import { sign, verify } from "./hmac";

export type TrackedLink = { messageId: string; recipient: string; target: string };

// Opens have no target URL; a fixed marker keeps the signed parts unambiguous.
const OPEN_TARGET = "open:";

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function withParams(base: string, params: Record<string, string>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** https://track.example/c?m=..&r=..&u=..&s=.. */
export function clickUrl(endpoint: string, link: TrackedLink, key: Buffer | string): Result<string> {
  if (!isHttpUrl(link.target)) return err(`not an http(s) URL: ${link.target}`);
  const s = sign(key, [link.messageId, link.target, link.recipient]);
  return ok(withParams(endpoint, { m: link.messageId, r: link.recipient, u: link.target, s }));
}

export function openPixelUrl(endpoint: string, link: Omit<TrackedLink, "target">, key: Buffer | string): string {
  const s = sign(key, [link.messageId, OPEN_TARGET, link.recipient]);
  return withParams(endpoint, { m: link.messageId, r: link.recipient, s });
}

type Query = Record<string, string | undefined>;

export function verifyClick(query: Query, key: Buffer | string): Result<TrackedLink> {
  const { m, r, u, s } = query;
  if (!m || !r || !u || !s) return err("missing parameter");
  if (!verify(key, [m, u, r], s)) return err("bad signature");
  if (!isHttpUrl(u)) return err("bad target");
  return ok({ messageId: m, recipient: r, target: u });
}

export function verifyOpen(query: Query, key: Buffer | string): Result<Omit<TrackedLink, "target">> {
  const { m, r, s } = query;
  if (!m || !r || !s) return err("missing parameter");
  if (!verify(key, [m, OPEN_TARGET, r], s)) return err("bad signature");
  return ok({ messageId: m, recipient: r });
}
