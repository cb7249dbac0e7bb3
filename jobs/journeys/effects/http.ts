// One HTTPS POST for a webhook node, guarded against SSRF at call time: the URL is checked
// again, the host is resolved, every address it resolves to must be public, and the
// connection goes to the address that was checked (the lookup is pinned, so a second DNS
// answer cannot swap in a private address). Redirects are not followed.
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { blockedAddress, checkWebhookUrl, type CallOutcome, type UrlPolicy } from "../../../core/journeys/webhook";

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = async (host) => dnsLookup(host, { all: true, verbatim: true });

const stripBrackets = (h: string) => (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h);

export async function postWebhook(
  rawUrl: string, body: string, headers: Record<string, string>,
  opts: { policy: UrlPolicy; timeoutMs: number; resolve?: Resolve },
): Promise<CallOutcome> {
  const checked = checkWebhookUrl(rawUrl, opts.policy);
  if (!checked.ok) return { kind: "blocked", message: checked.error };
  const url = checked.value;
  const host = stripBrackets(url.hostname);
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (opts.resolve ?? systemResolve)(host);
  } catch (e) {
    return { kind: "network", message: `DNS lookup failed: ${(e as Error).message}` };
  }
  if (addresses.length === 0) return { kind: "network", message: "DNS returned no address" };
  for (const a of addresses) {
    const why = blockedAddress(a.address, opts.policy);
    if (why) return { kind: "blocked", message: `${host} resolves to a ${why} address (${a.address})` };
  }
  const pinned = addresses[0];
  const lib = url.protocol === "https:" ? https : http;
  return new Promise<CallOutcome>((resolve) => {
    let settled = false;
    const done = (o: CallOutcome) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(o);
      }
    };
    const req = lib.request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body).toString(), "user-agent": "Winback-Webhooks/1", ...headers },
      // Connect to the address that was checked; TLS still verifies the host name.
      lookup: ((_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) => {
        if (o?.all) cb(null, [{ address: pinned.address, family: pinned.family }]);
        else cb(null, pinned.address, pinned.family);
      }) as never,
      agent: false,
    }, (res) => {
      res.on("data", () => {}); // drain; the body is not kept
      res.on("end", () => done({ kind: "status", status: res.statusCode ?? 0 }));
      res.on("error", () => done({ kind: "status", status: res.statusCode ?? 0 }));
    });
    const timer = setTimeout(() => {
      done({ kind: "timeout" });
      req.destroy(new Error("timeout"));
    }, opts.timeoutMs);
    req.on("error", (e) => done({ kind: "network", message: e.message }));
    req.end(body);
  });
}
