// Exactly-once under crashes: three worker processes (scripts/journey-worker-entry.ts under
// tsx, PostgreSQL queue backend) run a two-send journey for 2,000 customers while the test
// kill -9's a random worker several times and restarts it. The recording sink counts every
// delivery per idempotency key: afterwards every treated customer must have exactly its two
// sends, none twice and none missing, and the holdout's control customers none at all.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { enqueueJourneyEvents } from "../../../jobs/journeys/queue";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { startJourneySink, type JourneySink } from "../../helpers/journey-sink";
import { byHoldoutGroup, insertCustomers, insertEvents, journeyShop, publish, twoSendJourney } from "./fixtures";

const CUSTOMERS = Number(process.env.KILL_TEST_CUSTOMERS ?? 2_000);
const WORKERS = 3;
const KILLS = 6;
const root = path.resolve(import.meta.dirname, "../../..");

let db: TestDatabase;
let sink: JourneySink;
let qs: QueueSystem;
const workers: (ChildProcess | null)[] = [];

// Start-up limits are generous: tsx compiles the worker on start, which takes long on a loaded machine.
function startWorker(): Promise<ChildProcess> {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "scripts/journey-worker-entry.ts")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, SINK_URL: sink.url, JOURNEY_CONCURRENCY: "12", SWEEP_EVERY_MS: "1000", SWEEP_GRACE_MS: "3000", LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => { stderr += c.toString(); if (process.env.KILL_TEST_DEBUG) process.stderr.write(c); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 90_000);
    child.stdout!.on("data", (c: Buffer) => {
      if (c.toString().includes("ready")) { clearTimeout(timer); resolve(child); }
    });
    child.once("exit", (code, signal) => { if (signal !== "SIGKILL" && code !== 0) reject(new Error(`worker exited ${code}: ${stderr}`)); });
  });
}

beforeAll(async () => {
  db = await createTestDatabase("jkill");
  sink = await startJourneySink();
  qs = createQueueSystem({ databaseUrl: db.url });
});

afterAll(async () => {
  for (const w of workers) w?.kill("SIGKILL");
  await qs?.close();
  await sink?.stop();
  await db?.drop();
});

it("sends every message exactly once while workers are killed -9 and restarted", { timeout: 240_000 }, async () => {
  const shopId = await journeyShop(db.pool, "kill.myshopify.com");
  const journeyId = await publish(db.pool, shopId, twoSendJourney("kill_test"));
  const customers = await insertCustomers(db.pool, shopId, CUSTOMERS);
  const { treated, control } = byHoldoutGroup(journeyId, customers); // the engine's own sticky 5% holdout
  const t0 = Date.now();
  workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorker()))));
  if (process.env.KILL_TEST_DEBUG) console.log(`workers up in ${(Date.now() - t0) / 1000}s`);

  const started = Date.now();
  const events = await insertEvents(db.pool, shopId, customers, "kill_test");
  await enqueueJourneyEvents(qs, shopId, events);
  // The same events queued again (a producer retry) must change nothing.
  await enqueueJourneyEvents(qs, shopId, events.slice(0, 200));

  // Kill only once work is flowing, at random moments, without waiting for restarts.
  while (sink.counts.size === 0 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100));
  const killedAt: number[] = [];
  const restarts: Promise<unknown>[] = [];
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
    let alive = workers.map((w, i) => (w ? i : -1)).filter((i) => i >= 0);
    while (alive.length === 0) {
      await new Promise((r) => setTimeout(r, 100));
      alive = workers.map((w, i) => (w ? i : -1)).filter((i) => i >= 0);
    }
    const i = alive[Math.floor(Math.random() * alive.length)];
    workers[i]!.kill("SIGKILL");
    workers[i] = null;
    killedAt.push(sink.counts.size);
    restarts.push(startWorker().then((w) => { workers[i] = w; }));
    if (process.env.KILL_TEST_DEBUG) console.log(`kill ${k}: worker ${i} at sink ${sink.counts.size}`);
  }
  await Promise.all(restarts);
  if (process.env.KILL_TEST_DEBUG) console.log(`all restarted at ${(Date.now() - started) / 1000}s, sink ${sink.counts.size}`);

  const deadline = Date.now() + 60_000;
  let status: { sent: number; open: number } = { sent: 0, open: -1 };
  while (Date.now() < deadline) {
    const r = await db.pool.query<{ sent: number; open: number }>(
      `select (select count(*)::int from messages where shop_id = $1 and status = 'sent') as sent,
              (select count(*)::int from enrollments where shop_id = $1 and status not in ('completed', 'exited')) as open`, [shopId],
    );
    status = r.rows[0];
    if (status.sent === 2 * treated.length && status.open === 0 && sink.counts.size === 2 * treated.length) break;
    if (process.env.KILL_TEST_DEBUG) console.log(JSON.stringify({ t: (Date.now() - started) / 1000, ...status, sink: sink.counts.size }));
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (Date.now() - started) / 1000;

  const duplicates = [...sink.counts.values()].filter((n) => n > 1).length;
  const perCustomer = new Map<string, number>();
  for (const m of sink.bodies.values()) perCustomer.set(m.customerId, (perCustomer.get(m.customerId) ?? 0) + 1);
  const lost = treated.filter((c) => perCustomer.get(c) !== 2).length;
  const messagedControl = control.filter((c) => perCustomer.has(c)).length;
  const statuses = await db.pool.query<{ status: string; n: number }>(
    `select status::text, count(*)::int as n from messages where shop_id = $1 group by 1`, [shopId],
  );
  const enrollments = await db.pool.query<{ n: number }>(`select count(*)::int as n from enrollments where shop_id = $1`, [shopId]);
  const ended = await db.pool.query<{ status: string; n: number }>(
    `select status::text, count(*)::int as n from enrollments where shop_id = $1 group by 1 order by 1`, [shopId],
  );
  console.log(JSON.stringify({ kill_test: { customers: CUSTOMERS, workers: WORKERS, control: control.length, kills: KILLS, sends_seen_at_kills: killedAt, seconds, duplicates, lost, statuses: statuses.rows } }));

  expect(duplicates).toBe(0);
  expect(lost).toBe(0);
  if (CUSTOMERS >= 200) expect(control.length).toBeGreaterThan(0);
  expect(messagedControl).toBe(0);
  expect(sink.counts.size).toBe(2 * treated.length);
  expect(enrollments.rows[0].n).toBe(CUSTOMERS); // one entry per customer despite re-queued events
  expect(ended.rows).toEqual([
    { status: "completed", n: treated.length },
    ...(control.length > 0 ? [{ status: "exited", n: control.length }] : []),
  ]);
  expect(statuses.rows).toEqual([{ status: "sent", n: 2 * treated.length }]);
  expect(status.open).toBe(0);
});
