// Journey engine benchmark: N customers through trigger -> holdout (10% control, who get
// nothing) -> condition -> A/B -> send -> wait -> send, on each queue backend (Redis when redis-server is installed, and PostgreSQL),
// with a channel that records every send. Throughput: N triggers queued at once. Latency:
// further triggers at 200/s, from the trigger accepted (event written and queued) to the
// first send handed to the channel. Bare BullMQ jobs/s on the same backend for scale.
// The wait is zero minutes (due at once, still a durable wait), so the run ends.
import pg from "pg";
import { createJourney, publishJourney } from "../app/models/journeys.server";
import { holdoutGroup } from "../core/journeys/interpret";
import type { JourneyInput } from "../core/journeys/schema";
import { HOLDOUT_DEFAULT_PERCENT } from "../core/journeys/validate";
import { ok } from "../core/result";
import { enqueueJourneyEvent, enqueueJourneyEvents, JOURNEYS_QUEUE } from "../jobs/journeys/queue";
import type { JourneyChannel } from "../jobs/journeys/types";
import { registerJourneyWorkers } from "../jobs/journeys/worker";
import { createQueueSystem, type QueueConfig, type QueueSystem } from "../jobs/queues";
import { benchDatabase, benchRedis } from "./lib/services";

const JOURNEY: JourneyInput = {
  id: "bench", version: 1, name: "Bench", trigger: { kind: "custom_event", name: "bench" }, startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: HOLDOUT_DEFAULT_PERCENT, next: "ok" },
    { id: "ok", type: "condition", conditionId: "email_consented", yes: "split", no: "end" },
    { id: "split", type: "ab_split", variants: [{ key: "a", weight: 1, next: "send-a" }, { key: "b", weight: 1, next: "send-b" }] },
    { id: "send-a", type: "send", channel: "email", contentId: "a", purpose: "promotional", next: "wait" },
    { id: "send-b", type: "send", channel: "email", contentId: "b", purpose: "promotional", next: "wait" },
    { id: "wait", type: "wait", duration: { amount: 0, unit: "minutes" }, next: "last" },
    { id: "last", type: "send", channel: "email", contentId: "last", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
};

const GOVERNANCE = {
  caps: { email: { max: 100, windowMs: 604_800_000 }, total: { max: 100, windowMs: 604_800_000 } },
  smartSendingMs: { email: 0 },
};

function recordingChannel() {
  const counts = new Map<string, number>();
  const firstSendAt = new Map<string, number>(); // customer -> ms
  const keysByCustomer = new Map<string, Set<string>>();
  const channel: JourneyChannel = {
    provider: "bench",
    async send(m, key) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      keysByCustomer.set(m.customerId, (keysByCustomer.get(m.customerId) ?? new Set()).add(key));
      if (!firstSendAt.has(m.customerId)) firstSendAt.set(m.customerId, performance.now());
      return ok({ providerMessageId: `bench-${key}` });
    },
    async lookup(key) {
      return counts.has(key) ? { found: true, receipt: { providerMessageId: `bench-${key}` } } : { found: false };
    },
  };
  return { channel, counts, firstSendAt, keysByCustomer };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bareJobsPerSecond(config: QueueConfig, jobs: number): Promise<number> {
  const qs = createQueueSystem(config);
  const name = `bare-${Date.now()}`;
  let done = 0;
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    qs.worker(name, async () => { if (++done === jobs) resolve(); }, { concurrency: 50 });
  });
  for (let i = 0; i < jobs; i += 1000) {
    await qs.queue(name).addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "bare", data: { i: i + k }, opts: { jobId: `bare-${i + k}` } })));
  }
  await finished;
  const s = (performance.now() - start) / 1000;
  await qs.close();
  return Math.round(jobs / s);
}

/** Nothing left of the shop's run: no enrollment running, no message in flight, no journey job queued or running. */
async function drained(db: pg.Pool, qs: QueueSystem, shopId: number): Promise<boolean> {
  const r = await db.query<{ busy: boolean }>(
    `select exists (select 1 from enrollments where shop_id = $1 and status in ('active', 'waiting'))
         or exists (select 1 from messages where shop_id = $1 and status in ('queued', 'sending')) as busy`, [shopId]);
  if (r.rows[0].busy) return false;
  const c = await qs.queue(JOURNEYS_QUEUE).getJobCounts("active", "waiting", "delayed", "prioritized");
  return Object.values(c).every((n) => n === 0);
}

async function measure(backend: "redis" | "postgres", config: QueueConfig, db: pg.Pool, size: number) {
  const shop = await db.query<{ id: number }>(
    `insert into shops (domain, platform, timezone, settings, updated_at) values ($1, 'shopify', 'UTC', $2, now()) returning id`,
    [`bench-${backend}-${Date.now()}.myshopify.com`, JSON.stringify({ governance: GOVERNANCE })],
  );
  const shopId = shop.rows[0].id;
  const latencyN = Math.max(50, Math.min(1000, Math.floor(size / 2)));
  const customers = (await db.query<{ id: string }>(
    `insert into customers (shop_id, email, email_consent, updated_at) select $1, 'b' || g || '@example.com', 'subscribed', now()
     from generate_series(1, $2) g returning id::text`, [shopId, size + latencyN],
  )).rows.map((r) => r.id);
  const journeyId = await createJourney(db, shopId, { name: "Bench", draft: JOURNEY });
  const p = await publishJourney(db, shopId, journeyId, "bench");
  if (!p.ok) throw new Error(JSON.stringify(p.error));
  // The holdout's control customers exit unmessaged: only the treated ones are owed two sends.
  const treated = (c: string) => holdoutGroup(journeyId, "holdout", c, HOLDOUT_DEFAULT_PERCENT) === "treatment";

  const qs = createQueueSystem(config);
  const rec = recordingChannel();
  const workers = await registerJourneyWorkers({ db, qs, channels: { email: rec.channel } }, { concurrency: 32, schedule: false });
  const sent = () => rec.counts.size;

  // Throughput: every trigger queued at once.
  const bulk = customers.slice(0, size);
  const bulkTreated = bulk.filter(treated).length;
  const start = performance.now();
  const events = (await db.query<{ id: string }>(
    `insert into events (shop_id, customer_id, name, occurred_at) select $1, c, 'bench', now() from unnest($2::bigint[]) c returning id::text`, [shopId, bulk],
  )).rows.map((r) => r.id);
  await enqueueJourneyEvents(qs, shopId, events);
  const deadline = Date.now() + 30 * 60_000;
  while (sent() < 2 * bulkTreated && Date.now() < deadline) await sleep(50);
  const seconds = (performance.now() - start) / 1000;
  const steps = (await db.query<{ n: number }>(`select count(*)::int as n from journey_steps where shop_id = $1`, [shopId])).rows[0].n;

  // Latency: triggers at 200/s, on an idle engine. Every send being handed over is not yet
  // the end of the throughput run (statuses, exits, queue entries follow), so wait for that
  // too: latency measured on a backlog still draining would be the backlog's.
  while (Date.now() < deadline && !(await drained(db, qs, shopId))) await sleep(50);
  const accepted = new Map<string, number>();
  const paced = customers.slice(size);
  const t0 = performance.now();
  for (let i = 0; i < paced.length; i++) {
    const due = t0 + i * 5;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const e = await db.query<{ id: string }>(`insert into events (shop_id, customer_id, name, occurred_at) values ($1, $2, 'bench', now()) returning id::text`, [shopId, paced[i]]);
    await enqueueJourneyEvent(qs, shopId, e.rows[0].id);
    accepted.set(paced[i], performance.now());
  }
  const allTreated = customers.filter(treated);
  while (sent() < 2 * allTreated.length && Date.now() < deadline) await sleep(50);
  const latencies = paced.map((c) => (rec.firstSendAt.get(c) ?? NaN) - accepted.get(c)!).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);

  await workers.close();
  await qs.close();
  const bare = await bareJobsPerSecond(config, Math.min(10_000, Math.max(2_000, size)));
  const duplicates = [...rec.counts.values()].filter((n) => n > 1).length;
  return {
    backend, customers: size, seconds: Number(seconds.toFixed(2)), steps_per_s: Math.round(steps / seconds),
    sends_per_s: Math.round((2 * bulkTreated) / seconds), p50_ms: Math.round(pct(latencies, 50)), p99_ms: Math.round(pct(latencies, 99)),
    latency_triggers: latencies.length, bare_jobs_per_s: bare, duplicates,
    lost: allTreated.reduce((n, c) => n + 2 - Math.min(2, rec.keysByCustomer.get(c)?.size ?? 0), 0), // sends owed to treated customers, missing
    control: customers.length - allTreated.length,
  };
}

/** `backend` runs only that queue backend (default: Redis when installed, then PostgreSQL). */
export async function run(opts: { size?: number; backend?: string }) {
  const size = opts.size ?? 50_000;
  const only = opts.backend;
  const database = await benchDatabase();
  const db = new pg.Pool({ connectionString: database.url, max: 40 });
  db.on("error", (e) => console.error(`bench pool: idle client error: ${e.message}`));
  const lines: Record<string, unknown>[] = [];
  try {
    const redis = only === "postgres" ? null : await benchRedis();
    if (only === "postgres") {
      // PostgreSQL only: no Redis line.
    } else if (redis) {
      lines.push(await measure("redis", { redisUrl: redis.url }, db, size));
      console.error(JSON.stringify(lines[lines.length - 1]));
      await redis.stop();
    } else {
      lines.push({ backend: "redis", skipped: "redis-server not installed" });
    }
    if (only !== "redis") lines.push(await measure("postgres", { databaseUrl: database.url }, db, size));
  } catch (e) {
    console.error("journeys bench failed:", e);
    throw e;
  } finally {
    await db.end();
    await database.stop();
  }
  return lines;
}
