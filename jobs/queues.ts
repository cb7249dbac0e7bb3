// The one place that decides where BullMQ keeps its queues: Redis when REDIS_URL is set,
// else BullMQ's PostgreSQL backend in the app's own database (schema `bullmq`). Nothing
// else in the code knows which; everything asks this module for queues and workers.
import { Queue, Worker, createPostgresBackend, createRedisBackend, withBackend, type JobsOptions, type Processor } from "bullmq";
import IORedis from "ioredis";

export type QueueBackendKind = "redis" | "postgres";

/** Every queue Winback runs; one worker file per queue lives beside this module. */
export const QUEUE_NAMES = ["webhooks", "maintenance", "imports", "scoring", "journeys", "attribution", "segments", "klaviyo"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface QueueConfig {
  redisUrl?: string;
  databaseUrl?: string;
}

export interface QueueSystem {
  kind: QueueBackendKind;
  queue<D = unknown>(name: string): Queue<D>;
  worker<D = unknown, R = unknown>(name: string, processor: Processor<D, R>, opts?: { concurrency?: number }): Worker<D, R>;
  /** Round trip to the backend, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function queueBackendKind(config: QueueConfig = fromEnv()): QueueBackendKind {
  return config.redisUrl ? "redis" : "postgres";
}

function fromEnv(): QueueConfig {
  return { redisUrl: process.env.REDIS_URL || undefined, databaseUrl: process.env.DATABASE_URL || undefined };
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueueSystem(config: QueueConfig = fromEnv()): QueueSystem {
  const kind = queueBackendKind(config);
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const redisClients: IORedis[] = [];

  let classes: { Queue: typeof Queue; Worker: typeof Worker };
  let connection: () => unknown;
  if (kind === "redis") {
    classes = withBackend(createRedisBackend) as unknown as typeof classes;
    // BullMQ's blocking commands need maxRetriesPerRequest: null on every client.
    connection = () => {
      const client = new IORedis(config.redisUrl!, { maxRetriesPerRequest: null });
      redisClients.push(client);
      return client;
    };
  } else {
    if (!config.databaseUrl) throw new Error("the PostgreSQL queue backend needs DATABASE_URL (or set REDIS_URL)");
    classes = withBackend(createPostgresBackend) as unknown as typeof classes;
    connection = () => ({ connectionString: config.databaseUrl, migrate: true, max: 10 });
  }

  return {
    kind,
    queue<D>(name: string) {
      let q = queues.get(name);
      if (!q) {
        q = new classes.Queue(name, { connection: connection() as never, defaultJobOptions: DEFAULT_JOB_OPTIONS });
        queues.set(name, q);
      }
      return q as Queue<D>;
    },
    worker<D, R>(name: string, processor: Processor<D, R>, opts: { concurrency?: number } = {}) {
      const w = new classes.Worker(name, processor as Processor, {
        connection: connection() as never,
        concurrency: opts.concurrency ?? 4,
      }) as Worker<D, R>;
      workers.push(w as Worker);
      return w;
    },
    async ping() {
      const q = this.queue("maintenance");
      await q.getJobCounts("waiting");
    },
    async close() {
      // Workers first: close() waits for in-flight jobs to finish, so nothing is cut off.
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      await Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

let shared: QueueSystem | undefined;

/** The process's queue system, created from the environment on first use. */
export function queues(): QueueSystem {
  shared ??= createQueueSystem();
  return shared;
}

export async function closeSharedQueues(): Promise<void> {
  await shared?.close();
  shared = undefined;
}
