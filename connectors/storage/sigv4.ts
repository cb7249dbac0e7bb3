// AWS Signature Version 4 for S3 requests (header-based, payload hash signed), per the
// S3 documentation "Signature Calculations for the Authorization Header". No SDK is
// installed, so this is the few lines the protocol needs, using node:crypto.
import { createHash, createHmac } from "node:crypto";

export type SigV4Credentials = { accessKeyId: string; secretAccessKey: string; region: string; service?: string };

export type SignInput = {
  method: string;
  /** Already URI-encoded absolute path, e.g. /bucket/key.png */
  path: string;
  query?: URLSearchParams;
  /** Headers to sign; must include host. Names are case-insensitive. */
  headers: Record<string, string>;
  payloadSha256: string;
  now: Date;
};

export const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX). */
export function uriEncode(s: string, keepSlash = false): string {
  return Array.from(new TextEncoder().encode(s), (b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) return c;
    return "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }).join("");
}

export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export function canonicalRequest(input: SignInput): { text: string; signedHeaders: string } {
  const entries = Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, " ")] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = entries.map(([k]) => k).join(";");
  const query = [...(input.query ?? new URLSearchParams()).entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const text = [input.method, input.path, query, entries.map(([k, v]) => `${k}:${v}\n`).join(""), signedHeaders, input.payloadSha256].join("\n");
  return { text, signedHeaders };
}

/** The Authorization header value for a request. */
export function authorizationHeader(creds: SigV4Credentials, input: SignInput): string {
  const service = creds.service ?? "s3";
  const stamp = amzDate(input.now);
  const day = stamp.slice(0, 8);
  const scope = `${day}/${creds.region}/${service}/aws4_request`;
  const { text, signedHeaders } = canonicalRequest(input);
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(text)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), creds.region), service), "aws4_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
}
