// Tests and demo only: send the official Shopify clients' requests for *.myshopify.com to the
// simulator. Over HTTPS, an undici dispatcher connects those hosts to the simulator's port and
// trusts its certificate (SNI and Host stay the shop's, so the real HTTPS path runs). Over
// plain HTTP, @shopify/shopify-api's fetch is swapped for one that rewrites the origin.
// The node adapter sets the library's fetch when first imported: load it before replacing it.
import "@shopify/shopify-api/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { Agent, buildConnector, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from "undici";

export interface SimAddress { url: string; port: number; https: boolean; cert?: string }

const isShop = (host: string) => host.endsWith(".myshopify.com");

/** Returns a function that undoes the redirection. */
export function pointShopifyClientsAt(sim: SimAddress): () => void {
  if (sim.https && sim.cert) {
    const previous: Dispatcher = getGlobalDispatcher();
    const connect = buildConnector({ ca: sim.cert });
    setGlobalDispatcher(new Agent({
      connect: (opts, cb) =>
        isShop(opts.hostname)
          ? connect({ ...opts, hostname: "127.0.0.1", port: String(sim.port), servername: opts.hostname }, cb)
          : connect(opts, cb),
    }));
    return () => setGlobalDispatcher(previous);
  }
  const original = globalThis.fetch;
  setAbstractFetchFunc(async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (!isShop(url.hostname)) return original(input, init);
    const headers = new Headers(init?.headers);
    headers.set("x-store-sim-shop", url.hostname);
    return original(`${sim.url}${url.pathname}${url.search}`, { ...init, headers });
  });
  return () => setAbstractFetchFunc(original);
}
