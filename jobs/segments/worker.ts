// The segments queue: full refreshes (one segment, or every segment of a shop) and
// single-customer re-evaluations, plus the every-minute rechecks (scheduler.ts). Events
// written here go to the journeys queue by id.
import type pg from "pg";
import type { Logger } from "pino";
import { assertNever } from "../../core/result";
import { enqueueJourneyEvents } from "../journeys/queue";
import type { QueueSystem } from "../queues";
import { forActiveShop } from "../shop-guard";
import type { AdminGraphql } from "../../connectors/shopify/client";
import { syncShopifySegmentMembers } from "./shopify-members";
import { processDueRechecks, reevaluateCustomer, refreshSegment, refreshShopSegments, requestReevaluation, scheduleRechecks, type OnSegmentEvents } from "./membership";

export const SEGMENTS_QUEUE = "segments";

export type SegmentJob =
  | { kind: "refresh-segment"; shopId: number; segmentId: string }
  | { kind: "refresh-shop"; shopId: number }
  | { kind: "customer"; shopId: number; customerId: string }
  /** Recompute every customer's next clock-driven change (after a segment is saved). */
  | { kind: "rechecks"; shopId: number }
  /** Copy the members of the shop's Shopify segments (one, or every one its segments reference). */
  | { kind: "shopify-members"; shopId: number; shopifySegmentId?: string };

/** The Admin client for a shop (default: its offline session, jobs/shopify-sync/admin.ts). */
export type AdminFor = (shopId: number) => Promise<AdminGraphql>;

const defaultAdminFor = (db: pg.Pool): AdminFor => async (shopId) => {
  const r = await db.query<{ domain: string }>(`select domain from shops where id = $1`, [shopId]);
  return (await import("../shopify-sync/admin")).shopAdminGraphql(r.rows[0].domain);
};

/** On demand (a merchant picked a Shopify segment) or nightly for every referenced one. */
export async function enqueueShopifyMembersSync(qs: QueueSystem, shopId: number, shopifySegmentId?: string, stamp = String(Math.floor(Date.now() / 60_000))): Promise<void> {
  await qs.queue<SegmentJob>(SEGMENTS_QUEUE).add("shopify-members", { kind: "shopify-members", shopId, shopifySegmentId },
    { jobId: `shopify-members-${shopId}-${shopifySegmentId ?? "all"}-${stamp}`.replaceAll(":", "_").replaceAll("/", "_") });
}

/** Nightly: every installed Shopify shop's referenced segments, before the full refresh reads them. */
export async function enqueueNightlyShopifyMembersSync(db: pg.Pool, qs: QueueSystem, day: string): Promise<number> {
  const shops = await db.query<{ id: number }>(`select id from shops where status = 'installed' and platform = 'shopify'`);
  for (const { id } of shops.rows) await enqueueShopifyMembersSync(qs, id, undefined, day);
  return shops.rows.length;
}

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

/**
 * Something about the customer changed outside a worker (consent, engagement, a survey
 * answer): a due recheck is written first, as the durable request, then a job re-evaluates
 * the customer at once. Should the queue be down or lose the job, the every-minute recheck
 * run does it instead; doing it twice is harmless (membership changes are idempotent).
 * Returns whether the immediate job was queued.
 */
export async function requestCustomerReevaluation(db: Pick<pg.Pool, "query">, qs: QueueSystem, shopId: number, customerId: string | bigint, now: Date): Promise<boolean> {
  await requestReevaluation(db, shopId, customerId, now);
  // A queue that does not answer must not hold up the request that changed the customer.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ENQUEUE_TIMEOUT_MS); });
  try {
    return await Promise.race([enqueueCustomerReevaluation(qs, shopId, customerId).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
const ENQUEUE_TIMEOUT_MS = 2000;

export async function processSegmentJob(db: pg.Pool, job: SegmentJob, now: Date, onEvents?: OnSegmentEvents, adminFor: AdminFor = defaultAdminFor(db)) {
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
      case "shopify-members": {
        const r = await syncShopifySegmentMembers(db, { client: await adminFor(job.shopId), shopId: job.shopId, now, only: job.shopifySegmentId, onEvents });
        // A failed read leaves the stored members as they were; the queue retries.
        if (!r.ok) throw new Error(`shopify segment members: ${JSON.stringify(r.error)}`);
        return r.value;
      }
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
