// npm run worker: runs the BullMQ workers and schedules until SIGTERM/SIGINT, then lets
// in-flight jobs finish (or hands them back to the queue) before exiting.
import { logger } from "../app/logger.server";
import { closeDatabase, pool } from "../app/db.server";
import { startWorkers } from "../jobs";
import { queues } from "../jobs/queues";
import { resolveDatabase } from "../prisma/database";
import { migrate } from "../prisma/migrate";

const database = await resolveDatabase();
await migrate(database.url);
const workers = await startWorkers({ qs: queues(), db: pool(), logger });
logger.info({ backend: queues().kind }, "workers started");

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping workers; in-flight jobs finish first");
    await workers.close();
    await closeDatabase();
    await database.stop();
    process.exit(0);
  });
}
