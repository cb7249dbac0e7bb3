// npm run demo: the whole app on a demo store, on a machine with only Node and npm.
// Starts the embedded PostgreSQL, migrates, starts the store simulator with the reproducible
// demo store and (first run) imports it into the demo shop through the real Shopify bulk
// import, builds the admin if needed, starts the web server and the workers, and prints the
// URL. The simulator keeps running: webhooks, reconciliation and discount codes use it.
import { pool, closeDatabase } from "../app/db.server";
import { resolveDatabase } from "../prisma/database";
import { migrate } from "../prisma/migrate";
import { DEMO_SEED, DEMO_SHOP_DOMAIN } from "./demo-data/seed";
import { ensureBuild } from "./lib/build";
import { applyLocalSecrets } from "./lib/local-secrets";
import { startWebServer } from "./lib/web-server";

if (process.env.NODE_ENV === "production") {
  console.error("npm run demo refuses to run with NODE_ENV=production: demo data stays out of production.");
  process.exit(1);
}
process.env.NODE_ENV = "development";
applyLocalSecrets();
process.env.WINBACK_DEMO_SHOP ||= DEMO_SHOP_DOMAIN;

const t0 = performance.now();
const database = await resolveDatabase();
console.log(database.embedded ? "database: embedded PostgreSQL under .data/postgres" : "database: DATABASE_URL");
await migrate(database.url);
const { startDemoStoreAndImport } = await import("./store-sim/demo-import");
const port = Number(process.env.PORT ?? 3000);
let lastLine = "";
const demoStore = await startDemoStoreAndImport({
  pool: pool(), domain: DEMO_SHOP_DOMAIN, seed: DEMO_SEED, customers: 20_000, now: new Date(),
  webhookUrl: `http://127.0.0.1:${port}/webhooks/{topic}`, webhookSecret: process.env.SHOPIFY_API_SECRET,
  onProgress: (p) => {
    const line = p.phase === "reading"
      ? `importing ${p.kind}: ${p.rowsRead.toLocaleString("en")} records read, ${p.rowsWritten.toLocaleString("en")} written (${Math.round(p.rate).toLocaleString("en")}/s${p.etaSeconds !== undefined ? `, ~${Math.ceil(p.etaSeconds)} s left` : ""})`
      : `importing ${p.kind}: ${p.phase === "waiting" ? "waiting for the bulk operation" : "done"}`;
    if (line !== lastLine) console.log((lastLine = line));
  },
});
const counts = (await pool().query<{ customers: number; orders: number }>(
  `select (select count(*)::int from customers where shop_id = $1) as customers, (select count(*)::int from orders where shop_id = $1) as orders`, [demoStore.shopId])).rows[0];
console.log(`${demoStore.imported ? "imported" : "found"} demo shop ${DEMO_SHOP_DOMAIN} (store simulator at ${demoStore.sim.url}): ${counts.customers} customers, ${counts.orders} orders`);
// Score the demo shop once when it has no scores yet, so the Customers pages show real scores
// (the workers then rescore it nightly at 03:00 shop time).
{
  const scored = await pool().query(`select 1 from shop_model_fits where shop_id = $1`, [demoStore.shopId]);
  if (scored.rowCount === 0) {
    const { scoreShop } = await import("../jobs/scoring/score-shop");
    const { shopScoringSettings } = await import("../jobs/scoring/worker");
    const result = await scoreShop(pool(), demoStore.shopId, new Date(), await shopScoringSettings(pool(), demoStore.shopId));
    console.log(result.ok ? `scored ${result.value.customers} customers (model confidence: ${result.value.confidence})` : `scoring: ${result.error}`);
  }
}
// Ready-made segments, with members, so the segments page is live from the start.
{
  const { installPresetSegments, refreshShopSegments } = await import("../jobs/segments");
  await installPresetSegments(pool(), demoStore.shopId);
  const refreshed = await refreshShopSegments(pool(), demoStore.shopId, new Date());
  console.log(`segments: ${refreshed.length} refreshed`);
}
await ensureBuild();
// Local email and SMS providers for the demo shop; what they receive shows in /app/outbox.
const { startDemoChannels } = await import("./sims/demo-channels");
const demoChannels = await startDemoChannels(pool(), DEMO_SHOP_DOMAIN);
console.log(`demo providers: SMTP mailbox on ${demoChannels.smtp.host}:${demoChannels.smtp.port}, Twilio simulator on ${demoChannels.twilio.baseUrl} (Outbox: /app/outbox)`);

const { startWorkers } = await import("../jobs");
const { queues } = await import("../jobs/queues");
const { logger } = await import("../app/logger.server");
const workers = await startWorkers({ qs: queues(), db: pool(), logger });
const web = await startWebServer(port);
console.log(`queue backend: ${queues().kind}`);
console.log(`Winback demo ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${web.url}`);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await web.close();
    await workers.close();
    await demoStore.close();
    await demoChannels.close();
    await closeDatabase();
    await database.stop();
    process.exit(0);
  });
}
