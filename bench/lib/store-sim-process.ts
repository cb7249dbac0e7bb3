// The store simulator for a benchmark, in a process of its own: Shopify's side (the store in
// memory, running bulk queries, serving JSONL) must not count against the importer's time or
// memory. The bulk queries the importer will run are executed once before it starts (as
// Shopify would while the operation is RUNNING), so the import is timed from its first request
// to its last write.
//   child:  tsx bench/lib/store-sim-process.ts <orders> <customers> <seed> <domain>
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import { BULK_QUERIES, type BulkKind } from "../../connectors/shopify/operations";
import { bulkRunVariables } from "../../connectors/shopify/bulk-operations";
import type { SimAddress } from "../../scripts/store-sim/point";

export interface SimProcess extends SimAddress { shop: string; pid: number; close(): Promise<void> }

export interface SimProcessOptions { orders: number; customers: number; seed: number; domain: string; token: string }

/** Starts the simulator in a child process and resolves once its bulk results are ready. */
export async function startSimProcess(o: SimProcessOptions): Promise<SimProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve(import.meta.dirname, "store-sim-process.ts"),
    String(o.orders), String(o.customers), String(o.seed), o.domain, o.token], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", (l) => { rl.close(); resolve(l); });
    child.once("exit", (code) => reject(new Error(`store simulator exited (${code}) before it was ready`)));
  });
  const addr = JSON.parse(line) as SimAddress & { shop: string };
  return {
    ...addr,
    pid: child.pid!,
    close: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

async function main() {
  const [orders, customers, seed, domain, token] = process.argv.slice(2);
  const { generateStore, startStoreSim } = await import("../../scripts/store-sim");
  const store = generateStore({ seed: Number(seed), orders: Number(orders), customers: Number(customers), domain });
  // A generous bucket: the bench measures the import, not the plan's rate limit.
  const sim = await startStoreSim({
    store, accessToken: token, bucket: { restoreRate: 1000 }, bulk: { runningAfterMs: 5, completeAfterMs: 20, cacheResults: true },
  });
  for (const kind of Object.keys(BULK_QUERIES) as BulkKind[]) {
    const v = bulkRunVariables(kind);
    await sim.warmBulk(v.query, v.groupObjects);
  }
  const addr: SimAddress & { shop: string } = { url: sim.url, port: sim.port, https: sim.https, cert: sim.cert, shop: sim.shop };
  process.stdout.write(JSON.stringify(addr) + "\n");
  // The parent closing stdin (or dying) ends the simulator.
  process.stdin.resume();
  process.stdin.once("end", () => void sim.close().then(() => process.exit(0)));
}

if (import.meta.filename === process.argv[1]) await main();
