// Which URLs a journey webhook may call: checked on publish (also in the browser, so no
// Node modules here) and again at call time on every address DNS gives.
import { err, ok, type Result } from "../result";

/** IPv4 dotted quad or IPv6 (4 or 6), else 0; like node:net isIP. */
function isIP(s: string): 0 | 4 | 6 {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s)) return 4;
  if (s.includes(":") && /^[0-9a-f:.]+$/i.test(s)) {
    try {
      new URL(`http://[${s}]/`);
      return 6;
    } catch {
      return 0;
    }
  }
  return 0;
}

/** Customer fields a merchant may choose to send; the id is always sent, nothing else unless chosen. */
export const WEBHOOK_CUSTOMER_FIELDS = [
  "email", "phone", "first_name", "last_name", "locale", "country", "province", "city", "zip", "timezone", "tags",
] as const;
export type WebhookCustomerField = (typeof WEBHOOK_CUSTOMER_FIELDS)[number];

export interface UrlPolicy {
  /** Development and tests: http(s) to localhost / loopback is allowed. Never in production. */
  allowLocalhost: boolean;
}

const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

const isLocalHost = (host: string) => LOCAL_NAMES.has(host) || host.endsWith(".localhost");

/** Publish-time (and call-time) check of the URL as written: scheme, credentials, host. */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): Result<URL, string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return err("webhook url is not a valid URL");
  }
  const host = url.hostname.toLowerCase();
  const local = isLocalHost(host) || (isIpLiteral(host) && isLoopback(stripBrackets(host)));
  if (url.username || url.password) return err("webhook url must not contain credentials");
  if (local) {
    if (!policy.allowLocalhost) return err("webhook url must not point at localhost");
    if (url.protocol !== "https:" && url.protocol !== "http:") return err("webhook url must be https");
    return ok(url);
  }
  if (url.protocol !== "https:") return err("webhook url must be https");
  if (!host || !host.includes(".") && !isIpLiteral(host)) return err("webhook url needs a public host name");
  if (isIpLiteral(host)) {
    const why = blockedAddress(stripBrackets(host), policy);
    if (why) return err(`webhook url points at a ${why} address`);
  }
  if (host.endsWith(".local") || host.endsWith(".internal")) return err("webhook url points at a private host name");
  return ok(url);
}

const stripBrackets = (h: string) => (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h);
const isIpLiteral = (h: string) => isIP(stripBrackets(h)) !== 0;

function isLoopback(ip: string): boolean {
  const v4 = toV4(ip);
  if (v4) return v4[0] === 127;
  return ip === "::1";
}

/** IPv4 octets of a v4 address or a v4-mapped v6 one, else null. */
function toV4(ip: string): number[] | null {
  if (isIP(ip) === 4) return ip.split(".").map(Number);
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1].split(".").map(Number);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex) {
    const a = parseInt(hex[1], 16), b = parseInt(hex[2], 16);
    return [a >> 8, a & 255, b >> 8, b & 255];
  }
  return null;
}

/**
 * Why an address must not be called (SSRF guard), or null when it is public. Loopback is
 * allowed only under allowLocalhost.
 */
export function blockedAddress(ip: string, policy: UrlPolicy): string | null {
  const v4 = toV4(ip);
  if (v4) {
    const [a, b] = v4;
    if (a === 127) return policy.allowLocalhost ? null : "loopback";
    if (a === 0) return "unspecified";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
    if (a === 169 && b === 254) return "link-local";
    if (a === 100 && b >= 64 && b <= 127) return "shared (CGNAT)";
    if (a === 192 && b === 0 && v4[2] === 0) return "reserved";
    if (a === 198 && (b === 18 || b === 19)) return "benchmarking";
    if (a >= 224) return "multicast or reserved";
    return null;
  }
  if (isIP(ip) !== 6) return "invalid";
  const x = ip.toLowerCase();
  if (x === "::1") return policy.allowLocalhost ? null : "loopback";
  if (x === "::") return "unspecified";
  const first = parseInt(x.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return "private (unique local)";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xff00) === 0xff00) return "multicast";
  if (x.startsWith("64:ff9b:") || x.startsWith("::ffff:") || x.startsWith("::")) return "mapped or reserved";
  if (x.startsWith("2001:db8:")) return "documentation";
  return null;
}

