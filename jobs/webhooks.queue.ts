// Queue messages carry ids only; the job id is derived from the delivery id, so queueing
// the same delivery twice (a retry, the sweeper) never makes two jobs.
import type { QueueSystem } from "./queues";

export const WEBHOOKS_QUEUE = "webhooks";

export interface WebhookJob {
  deliveryId: string;
}

export async function enqueueWebhookDelivery(qs: QueueSystem, deliveryId: string): Promise<void> {
  await qs.queue<WebhookJob>(WEBHOOKS_QUEUE).add("deliver", { deliveryId }, { jobId: `webhook-${deliveryId}` });
}
