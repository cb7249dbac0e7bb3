// A recording provider for journey tests and benchmarks: a local HTTP server that accepts a
// send per idempotency key (as providers with idempotency keys do, it answers a repeat with
// the same id) and counts every delivery it received per key, so a test can prove no key was
// delivered twice and none was lost. `lookup` is the provider record the engine reconciles
// against after a crash.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { err, ok } from "../../core/result";
import type { JourneyChannel, OutboundMessage } from "../../jobs/journeys/types";

export interface JourneySink {
  url: string;
  /** Deliveries received per idempotency key (2 would be a duplicate send). */
  counts: Map<string, number>;
  /** First delivery time (ms) per key. */
  firstAt: Map<string, number>;
  /** Message bodies per key (first one). */
  bodies: Map<string, OutboundMessage>;
  /** Make the next n sends fail with this kind. */
  failNext(n: number, kind: "transient" | "permanent", channel?: string): void;
  stop(): Promise<void>;
}

export async function startJourneySink(): Promise<JourneySink> {
  const counts = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const bodies = new Map<string, OutboundMessage>();
  let failures: { n: number; kind: "transient" | "permanent"; channel?: string } = { n: 0, kind: "transient" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sink");
    if (req.method === "GET" && url.pathname === "/lookup") {
      const key = url.searchParams.get("key") ?? "";
      if (counts.has(key)) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: `sink-${key}` }));
      else res.writeHead(404).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/send") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { key: string; message: OutboundMessage };
        if (failures.n > 0 && (!failures.channel || failures.channel === body.message.channel)) {
          failures.n--;
          res.writeHead(failures.kind === "transient" ? 503 : 400).end();
          return;
        }
        counts.set(body.key, (counts.get(body.key) ?? 0) + 1);
        if (!firstAt.has(body.key)) {
          firstAt.set(body.key, Date.now());
          bodies.set(body.key, body.message);
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: `sink-${body.key}` }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts, firstAt, bodies,
    failNext(n, kind, channel) { failures = { n, kind, ...(channel ? { channel } : {}) }; },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The engine's side: a JourneyChannel that posts to the sink and can look a key up. */
export function sinkChannel(url: string, provider = "sink", opts: { lookup?: boolean } = {}): JourneyChannel {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const call = (method: string, path: string, body?: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, agent, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
  const channel: JourneyChannel = {
    provider,
    async send(message, key) {
      const r = await call("POST", "/send", JSON.stringify({ key, message }));
      if (r.status === 200) return ok({ providerMessageId: (JSON.parse(r.body) as { id: string }).id });
      return err({ kind: r.status >= 500 ? "transient" as const : "permanent" as const, message: `sink answered ${r.status}`, code: String(r.status) });
    },
  };
  if (opts.lookup !== false) {
    channel.lookup = async (key) => {
      const r = await call("GET", `/lookup?key=${encodeURIComponent(key)}`);
      return r.status === 200 ? { found: true, receipt: { providerMessageId: (JSON.parse(r.body) as { id: string }).id } } : { found: false };
    };
  }
  return channel;
}
