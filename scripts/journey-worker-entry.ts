// A bare journeys worker process, for the crash test (test/jobs/journeys/kill.test.ts):
// PostgreSQL queue backend on DATABASE_URL, every channel posting to the recording sink at
// SINK_URL, and a fast in-process sweep so recovery does not wait for BullMQ's stalled-job
// check. Prints "ready" once its worker runs. Meant to be killed with SIGKILL.
import pg from "pg";
import { registerJourneyWorkers } from "../jobs/journeys/worker";
import { createQueueSystem } from "../jobs/queues";
import { sinkChannel } from "../test/helpers/journey-sink";

const databaseUrl = process.env.DATABASE_URL;
const sinkUrl = process.env.SINK_URL;
if (!databaseUrl || !sinkUrl) throw new Error("DATABASE_URL and SINK_URL are required");
const concurrency = Number(process.env.JOURNEY_CONCURRENCY ?? 8);
const db = new pg.Pool({ connectionString: databaseUrl, max: concurrency + 6 });
db.on("error", () => {}); // the test drops the database under a live worker at the end
const qs = createQueueSystem({ databaseUrl });
const channel = sinkChannel(sinkUrl);
await registerJourneyWorkers(
  { db, qs, channels: { email: channel, sms: channel, push: channel }, retry: { attempts: 3, backoffMs: 50 } },
  { concurrency, schedule: false, localSweepMs: Number(process.env.SWEEP_EVERY_MS ?? 1000), sweepGraceMs: Number(process.env.SWEEP_GRACE_MS ?? 2000) },
);
console.log("ready");
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    await qs.close();
    await db.end();
    process.exit(0);
  });
}
