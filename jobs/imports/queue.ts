// The imports queue: messages carry ids only. A run's job id carries its attempt, so a resumed
// run gets a new job while re-queueing the same attempt never makes two.
import type { QueueSystem } from "../queues";

export const IMPORTS_QUEUE = "imports";

export type ImportJob =
  | { type: "run"; shopId: number; runId: string; attempt: number }
  | { type: "woo-delivery"; deliveryId: string };

export async function enqueueImportRun(qs: QueueSystem, shopId: number, runId: string, attempt: number): Promise<void> {
  await qs.queue<ImportJob>(IMPORTS_QUEUE).add("run", { type: "run", shopId, runId, attempt },
    { jobId: `import-${shopId}-${runId}-${attempt}`, attempts: 1 });
}

export async function enqueueWooDelivery(qs: QueueSystem, deliveryId: string): Promise<void> {
  await qs.queue<ImportJob>(IMPORTS_QUEUE).add("woo-delivery", { type: "woo-delivery", deliveryId }, { jobId: `woo-delivery-${deliveryId}` });
}
