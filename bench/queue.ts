// Bare BullMQ throughput on each backend: N trivial jobs added in bulk and processed by one
// worker (concurrency 50) in this process. One line per backend.
import { createQueueSystem, type QueueConfig } from "../jobs/queues";
import { benchDatabase, benchRedis } from "./lib/services";

async function measure(config: QueueConfig, jobs: number) {
  const qs = createQueueSystem(config);
  const name = `bench-${Date.now()}`;
  const queue = qs.queue<{ i: number }>(name);
  let done = 0;
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    qs.worker<{ i: number }>(name, async () => {
      if (++done === jobs) resolve();
    }, { concurrency: 50 });
  });
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "bare", data: { i: i + k }, opts: { jobId: `bare-${i + k}` } })));
  }
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await qs.close();
  return { backend: qs.kind, jobs, seconds: Number(seconds.toFixed(3)), jobs_per_s: Math.round(jobs / seconds) };
}

export async function run(opts: { size?: number }) {
  const jobs = opts.size ?? 10_000;
  const lines: Record<string, unknown>[] = [];
  const redis = await benchRedis();
  if (redis) {
    lines.push(await measure({ redisUrl: redis.url }, jobs));
    await redis.stop();
  } else {
    lines.push({ backend: "redis", skipped: "redis-server not installed" });
  }
  const db = await benchDatabase();
  lines.push(await measure({ databaseUrl: db.url }, jobs));
  await db.stop();
  return lines;
}
