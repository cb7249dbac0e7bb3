// The segments queue: full refreshes (one segment, or every segment of a shop) and
// single-customer re-evaluations, plus the every-minute rechecks (scheduler.ts). Events
// written here go to the journeys queue by id.
import type pg from "pg";
import type { Logger } from "pino";
import { assertNever } from "../../core/result";
import { enqueueJourneyEvents } from "../journeys/queue";
import type { QueueSystem } from "../queues";
import { forActiveShop } from "../shop-guard";
import { processDueRechecks, reevaluateCustomer, refreshSegment, refreshShopSegments, scheduleRechecks, type OnSegmentEvents } from "./membership";

export const SEGMENTS_QUEUE = "segments";

export type SegmentJob =
  | { kind: "refresh-segment"; shopId: number; segmentId: string }
  | { kind: "refresh-shop"; shopId: number }
  | { kind: "customer"; shopId: number; customerId: string }
  /** Recompute every customer's next clock-driven change (after a segment is saved). */
  | { kind: "rechecks"; shopId: number };

/** Hands segment events to the journeys engine. */
export function journeyEventsHook(qs: QueueSystem): OnSegmentEvents {
  return (shopId, eventIds) => enqueueJourneyEvents(qs, shopId, eventIds);
}

export async function enqueueSegmentRefresh(qs: QueueSystem, shopId: number, segmentId: string, version = 0): Promise<void> {
  await qs.queue<SegmentJob>(SEGMENTS_QUEUE).add("refresh-segment", { kind: "refresh-segment", shopId, segmentId }, { jobId: `refresh-${shopId}-${segmentId}-v${version}-${Date.now()}` });
}

/** The nightly safety net: every installed shop's segments recomputed in full, once a day. */
export async function enqueueNightlySegmentRefresh(db: pg.Pool, qs: QueueSystem, day: string): Promise<number> {
  const shops = await db.query<{ id: number }>(`select id from shops where status = 'installed'`);
  const q = qs.queue<SegmentJob>(SEGMENTS_QUEUE);
  for (const { id } of shops.rows) await q.add("refresh-shop", { kind: "refresh-shop", shopId: id }, { jobId: `refresh-shop-${id}-${day}` });
  return shops.rows.length;
}

export async function enqueueRecheckScheduling(qs: QueueSystem, shopId: number): Promise<void> {
  await qs.queue<SegmentJob>(SEGMENTS_QUEUE).add("rechecks", { kind: "rechecks", shopId }, { jobId: `rechecks-${shopId}-${Math.floor(Date.now() / 60_000)}` });
}

/** Something about the customer changed: re-evaluate them against every segment. */
export async function enqueueCustomerReevaluation(qs: QueueSystem, shopId: number, customerId: string | bigint): Promise<void> {
  await qs.queue<SegmentJob>(SEGMENTS_QUEUE).add("customer", { kind: "customer", shopId, customerId: String(customerId) });
}

export async function processSegmentJob(db: pg.Pool, job: SegmentJob, now: Date, onEvents?: OnSegmentEvents) {
  return forActiveShop(db, job.shopId, async () => {
    switch (job.kind) {
      case "refresh-segment":
        return refreshSegment(db, job.shopId, job.segmentId, now, { onEvents });
      case "refresh-shop":
        return (await refreshShopSegments(db, job.shopId, now, { onEvents })).length;
      case "customer":
        return reevaluateCustomer(db, job.shopId, job.customerId, now, { onEvents });
      case "rechecks":
        return scheduleRechecks(db, job.shopId, now);
      default:
        return assertNever(job, "segment job");
    }
  });
}

/** The maintenance schedule "segment-rechecks" calls this every minute. */
export function runDueRechecks(db: pg.Pool, qs: QueueSystem, now = new Date()) {
  return processDueRechecks(db, now, { onEvents: journeyEventsHook(qs) });
}

export function registerSegmentWorkers(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger }): void {
  const { qs, db, logger } = deps;
  const onEvents = journeyEventsHook(qs);
  qs.worker<SegmentJob>(SEGMENTS_QUEUE, async (job) => {
    const outcome = await processSegmentJob(db, job.data, new Date(), onEvents);
    logger.info({ kind: job.data.kind, shopId: job.data.shopId, ran: outcome.ran }, "segment job processed");
    return outcome.ran;
  }, { concurrency: 2 });
}
