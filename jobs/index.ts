// Starts every worker of this process and the schedules. Each worker only translates a
// queue message (ids) into a call; the work itself lives in the models and the core.
import type pg from "pg";
import type { Logger } from "pino";
import { assertNever } from "../core/result";
import type { QueueSystem } from "./queues";
import { MAINTENANCE_QUEUE, registerSchedules, type MaintenanceJobName } from "./scheduler";
import { sweepWebhookDeliveries } from "./sweeper";
import { WEBHOOKS_QUEUE, type WebhookJob } from "./webhooks.queue";
import { processWebhookDelivery } from "./webhooks.worker";

export interface RunningWorkers {
  close(): Promise<void>;
}

export async function startWorkers(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger }): Promise<RunningWorkers> {
  const { qs, db, logger } = deps;
  qs.worker<WebhookJob>(WEBHOOKS_QUEUE, async (job) => {
    const outcome = await processWebhookDelivery(db, job.data.deliveryId);
    logger.info({ deliveryId: job.data.deliveryId, outcome }, "webhook delivery processed");
    return outcome;
  });
  qs.worker(MAINTENANCE_QUEUE, async (job) => {
    const name = job.name as MaintenanceJobName;
    switch (name) {
      case "sweep-webhooks":
        return { requeued: await sweepWebhookDeliveries(db, qs) };
      case "nightly":
        return { shops: 0 };
      default:
        return assertNever(name, "maintenance job");
    }
  }, { concurrency: 1 });
  await registerSchedules(qs);
  return { close: () => qs.close() };
}
