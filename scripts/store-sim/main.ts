// Runs the store simulator on its own (demo, manual poking):
//   npx tsx scripts/store-sim/main.ts --orders 2000 --customers 500 --seed 1 [--port 8443] [--http]
//     [--withhold-email] [--webhook-url http://127.0.0.1:3000/webhooks --webhook-secret s]
// Prints one JSON line with the URL, shop domain and access token, then serves until killed.
import { parseArgs } from "node:util";
import { generateStore } from "./generate";
import { startStoreSim } from "./server";

const { values: v } = parseArgs({
  options: {
    orders: { type: "string", default: "1000" },
    customers: { type: "string" },
    products: { type: "string", default: "40" },
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

const orders = Number(v.orders);
const store = generateStore({
  seed: Number(v.seed), orders, customers: v.customers ? Number(v.customers) : Math.max(1, Math.round(orders / 4)),
  products: Number(v.products), domain: v.domain,
});
const sim = await startStoreSim({
  store, accessToken: v.token!, https: !v.http, port: v.port ? Number(v.port) : undefined,
  withhold: { email: v["withhold-email"], phone: v["withhold-phone"] },
  webhooks: v["webhook-url"] ? { url: v["webhook-url"], secret: v["webhook-secret"]! } : undefined,
});
console.log(JSON.stringify({ url: sim.url, https: sim.https, shop: sim.shop, accessToken: v.token, orders: store.orders.length, customers: store.customers.length }));
const stop = () => void sim.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
