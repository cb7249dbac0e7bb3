// The queue is not the source of truth: PostgreSQL is. The sweeper re-queues every recorded
// webhook delivery that is still unprocessed a while after it arrived (a lost message, a
// crash between insert and enqueue, a job that gave up), under the same deterministic id.
import type pg from "pg";
import type { QueueSystem } from "./queues";
import { enqueueWooDelivery } from "./imports/queue";
import { WEBHOOKS_QUEUE, enqueueWebhookDelivery, type WebhookJob } from "./webhooks.queue";

export async function sweepWebhookDeliveries(db: pg.Pool, qs: QueueSystem, olderThanSeconds = 60): Promise<number> {
  const due = await db.query<{ id: string; platform: string }>(
    `select id::text, platform from webhook_deliveries
     where processed_at is null and received_at < now() - make_interval(secs => $1)
     order by id limit 1000`,
    [olderThanSeconds],
  );
  const queue = qs.queue<WebhookJob>(WEBHOOKS_QUEUE);
  for (const { id, platform } of due.rows) {
    // WooCommerce deliveries have their own worker (jobs/imports); re-queue them there.
    if (platform === "woocommerce") {
      await enqueueWooDelivery(qs, id);
      continue;
    }
    const job = await queue.getJob(`webhook-${id}`);
    if (job && (await job.isFailed())) await job.retry();
    else if (!job) await enqueueWebhookDelivery(qs, id);
  }
  return due.rows.length;
}
