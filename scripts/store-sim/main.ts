// Runs the store simulator on its own (demo, manual poking):
//   npx tsx scripts/store-sim/main.ts --customers 500 --seed 1 [--port 8443] [--http]
//     [--withhold-email] [--webhook-url http://127.0.0.1:3000/webhooks --webhook-secret s]
// Prints one JSON line with the URL, shop domain and access token, then serves until killed.
import { parseArgs } from "node:util";
import { generateStore } from "./store";
import { startStoreSim } from "./server";

const { values: v } = parseArgs({
  options: {
    customers: { type: "string", default: "500" },
    seed: { type: "string", default: "1" },
    port: { type: "string" },
    domain: { type: "string", default: "winback-sim.myshopify.com" },
    token: { type: "string", default: "shpat_store_sim" },
    http: { type: "boolean", default: false },
    "withhold-email": { type: "boolean", default: false },
    "withhold-phone": { type: "boolean", default: false },
    "webhook-url": { type: "string" },
    "webhook-secret": { type: "string", default: "store-sim-secret" },
  },
});

if (process.env.NODE_ENV === "production") {
  console.error("the store simulator refuses to run when NODE_ENV=production");
  process.exit(1);
}
const store = generateStore({ seed: Number(v.seed), customers: Number(v.customers), domain: v.domain });
const sim = await startStoreSim({
  store, accessToken: v.token!, https: !v.http, port: v.port ? Number(v.port) : undefined,
  withhold: { email: v["withhold-email"], phone: v["withhold-phone"] },
  webhooks: v["webhook-url"] ? { url: v["webhook-url"], secret: v["webhook-secret"]! } : undefined,
});
console.log(JSON.stringify({ url: sim.url, https: sim.https, shop: sim.shop, accessToken: v.token, orders: store.orders.length, customers: store.customers.length }));
const stop = () => void sim.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
