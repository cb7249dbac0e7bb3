// The `attribution` queue: a full run per shop every night (fanned out from one scheduled
// job to one job per installed shop), and an incremental run for one order whenever an order
// arrives or changes. Messages carry ids only; job ids are deterministic, so a repeated
// enqueue of the same work is one job.
import type pg from "pg";
import type { Logger } from "pino";
import { assertNever } from "../../core/result";
import type { QueueName, QueueSystem } from "../queues";
import { forActiveShop } from "../shop-guard";
import { rewardOffers } from "../offers/rewards";
import { attributeOrders, attributeShop } from "./attribute";

export const ATTRIBUTION_QUEUE: QueueName = "attribution";
/** After the nightly maintenance (07:00 UTC, scoring) so stage changes are recorded first. */
export const ATTRIBUTION_NIGHTLY = { id: "attribution-nightly", pattern: "30 7 * * *" } as const;

export type AttributionJob =
  | { name: "nightly"; data: Record<string, never> }
  | { name: "shop"; data: { shopId: number } }
  | { name: "order"; data: { shopId: number; orderId: string } };

/** BullMQ refuses ':' in custom job ids; parts are joined with '-' and anything else odd becomes '_'. */
export const jobId = (...parts: (string | number)[]) => parts.map((p) => String(p).replace(/[^A-Za-z0-9_.]/g, "_")).join("-");

/** Call when an order of the shop was created or changed (refund, cancellation, edit). */
export async function enqueueOrderAttribution(qs: QueueSystem, shopId: number, orderId: string, version: string | Date): Promise<void> {
  // The version (the order row's updated_at, or the webhook's event id) keeps a later change
  // from being deduplicated into an earlier, already finished job, while a redelivered
  // webhook for the same change stays one job.
  const v = version instanceof Date ? version.getTime() : version;
  await qs.queue(ATTRIBUTION_QUEUE).add("order", { shopId, orderId }, { jobId: jobId("order", shopId, orderId, v) });
}

export async function enqueueShopAttribution(qs: QueueSystem, shopId: number, day: string): Promise<void> {
  await qs.queue(ATTRIBUTION_QUEUE).add("shop", { shopId }, { jobId: jobId("shop", shopId, day) });
}

/** Runs one attribution job; exported for tests and for callers without a queue. */
export async function processAttributionJob(deps: { qs: QueueSystem; db: pg.Pool }, job: AttributionJob, now: Date): Promise<unknown> {
  const { qs, db } = deps;
  switch (job.name) {
    case "nightly": {
      const shops = await db.query<{ id: number }>(`select id from shops where status = 'installed' order by id`);
      const day = now.toISOString().slice(0, 10);
      for (const s of shops.rows) await enqueueShopAttribution(qs, s.id, day);
      return { shops: shops.rowCount };
    }
    case "shop":
      return forActiveShop(db, job.data.shopId, () => attributeShop(db, job.data.shopId).then(async (r) => (await rewardOffers(db, job.data.shopId, now), r)));
    case "order":
      return forActiveShop(db, job.data.shopId, () => attributeOrders(db, job.data.shopId, [job.data.orderId]).then(async (r) => (await rewardOffers(db, job.data.shopId, now), r)));
    default:
      return assertNever(job, "attribution job");
  }
}

export async function startAttributionWorker(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger }): Promise<void> {
  const { qs, db, logger } = deps;
  qs.worker(ATTRIBUTION_QUEUE, async (job) => {
    const outcome = await processAttributionJob({ qs, db }, { name: job.name, data: job.data } as AttributionJob, new Date());
    logger.info({ job: job.name, outcome }, "attribution job done");
    return outcome;
  }, { concurrency: 2 });
  await qs
    .queue(ATTRIBUTION_QUEUE)
    .upsertJobScheduler(ATTRIBUTION_NIGHTLY.id, { pattern: ATTRIBUTION_NIGHTLY.pattern, tz: "UTC" }, { name: "nightly", data: {} });
}
