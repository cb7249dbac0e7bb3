import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueueSystem, queueBackendKind, type QueueSystem } from "../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { redisRequiredButMissing, startRedis } from "../helpers/redis";

it("picks Redis only when REDIS_URL is set", () => {
  expect(queueBackendKind({ redisUrl: "redis://127.0.0.1:6379", databaseUrl: "postgresql://x" })).toBe("redis");
  expect(queueBackendKind({ databaseUrl: "postgresql://x" })).toBe("postgres");
});

async function roundTrip(qs: QueueSystem) {
  const q = qs.queue<{ n: number }>("roundtrip");
  const results = new Map<string, number>();
  const done = new Promise<void>((resolve) => {
    const w = qs.worker<{ n: number }, number>("roundtrip", async (job) => job.data.n * 2, { concurrency: 5 });
    w.on("completed", (job, result) => {
      results.set(job.id!, result);
      if (results.size === 20) resolve();
    });
  });
  // The same deterministic id twice makes one job, not two.
  await q.add("double", { n: 0 }, { jobId: "rt-0" });
  await q.add("double", { n: 0 }, { jobId: "rt-0" });
  for (let i = 1; i < 20; i++) await q.add("double", { n: i }, { jobId: `rt-${i}` });
  await done;
  expect([...results.entries()].sort((a, b) => Number(a[0].slice(3)) - Number(b[0].slice(3)))).toEqual(
    Array.from({ length: 20 }, (_, i) => [`rt-${i}`, i * 2]),
  );
  const delayed = new Promise<number>((resolve) => {
    qs.worker<{ at: number }>("delayed", async (job) => resolve(Date.now() - job.data.at));
  });
  await qs.queue<{ at: number }>("delayed").add("later", { at: Date.now() }, { delay: 300 });
  expect(await delayed).toBeGreaterThanOrEqual(290);
}

describe("queue round trip on PostgreSQL", () => {
  let db: TestDatabase;
  let qs: QueueSystem;
  beforeAll(async () => {
    db = await createTestDatabase();
    qs = createQueueSystem({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await qs.close();
    await db.drop();
  });
  it("runs jobs, dedupes by job id, honours delays", async () => {
    expect(qs.kind).toBe("postgres");
    await roundTrip(qs);
  });

  it("shuts down gracefully: close() lets an in-flight job finish", async () => {
    const own = createQueueSystem({ databaseUrl: db.url });
    let finished = false;
    const started = new Promise<void>((resolve) => {
      own.worker("graceful", async () => {
        resolve();
        await new Promise((r) => setTimeout(r, 500));
        finished = true;
      });
    });
    await own.queue("graceful").add("slow", {}, { jobId: "slow-1" });
    await started;
    await own.close();
    expect(finished).toBe(true);
  });
});

describe.skipIf(redisRequiredButMissing())("queue round trip on Redis", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let qs: QueueSystem;
  beforeAll(async () => {
    redis = await startRedis();
    qs = createQueueSystem({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await qs.close();
    await redis.stop();
  });
  it("runs jobs, dedupes by job id, honours delays", async () => {
    expect(qs.kind).toBe("redis");
    await roundTrip(qs);
  });
});
