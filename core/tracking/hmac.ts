// HMAC-SHA256 signing shared by links and unsubscribe tokens. Keys come from the caller
// (the shell loads them); verification compares in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

// Unit separator: cannot appear in ids or URLs, so ("a","bc") and ("ab","c") sign differently.
const SEP = "\u001f";

export function sign(key: Buffer | string, parts: ReadonlyArray<string>): string {
  return createHmac("sha256", key).update(parts.join(SEP)).digest("base64url");
}

export function verify(key: Buffer | string, parts: ReadonlyArray<string>, signature: string): boolean {
  const expected = Buffer.from(sign(key, parts));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
