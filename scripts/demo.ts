// npm run demo: the whole app on a demo store, on a machine with only Node and npm.
// Starts the embedded PostgreSQL, migrates, seeds a reproducible demo shop, builds the
// admin if needed, starts the web server and the workers, and prints the URL.
import { pool, closeDatabase } from "../app/db.server";
import { resolveDatabase } from "../prisma/database";
import { migrate } from "../prisma/migrate";
import { DEMO_SHOP_DOMAIN, seedDemoShop } from "./demo-data/seed";
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
const seeded = await seedDemoShop(pool(), { now: new Date() });
console.log(`${seeded.created ? "seeded" : "found"} demo shop ${DEMO_SHOP_DOMAIN}: ${seeded.customers} customers, ${seeded.orders} orders`);
await ensureBuild();

const { startWorkers } = await import("../jobs");
const { queues } = await import("../jobs/queues");
const { logger } = await import("../app/logger.server");
const workers = await startWorkers({ qs: queues(), db: pool(), logger });
const web = await startWebServer(Number(process.env.PORT ?? 3000));
console.log(`queue backend: ${queues().kind}`);
console.log(`Winback demo ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${web.url}`);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await web.close();
    await workers.close();
    await closeDatabase();
    await database.stop();
    process.exit(0);
  });
}
