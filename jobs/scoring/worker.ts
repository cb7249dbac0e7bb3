// The "scoring" queue: score-shop {shopId} (the nightly refit and rescore of a whole shop) and
// rescore-customer {shopId, customerId} (a new or refunded order), both through forActiveShop.
//
// Off-peak timing: every shop is scored when it is 03:00 in the shop's own time zone
// (SCORING_LOCAL_HOUR). The maintenance "nightly" fires once a day at 07:00 UTC, which cannot
// be 03:00 everywhere, so an hourly "fan-out" job on this queue (registerScoringSchedule) picks
// the installed shops whose local hour is 03 and queues score-shop for each, with the job id
// score-shop-<shopId>-<local YYYY-MM-DD>: a shop is scored once per local day however often
// the fan-out runs (the nightly calls it too; zones with odd offsets are caught by the hour
// match as well, since 03:30 local is still hour 03).
import type pg from "pg";
import type { Logger } from "pino";
import { defaultScoringSettings, validateScoringSettings, type ScoringSettings } from "../../core/scoring/schema";
import type { QueueSystem } from "../queues";
import { forActiveShop } from "../shop-guard";
import { rescoreCustomer } from "./rescore-customer";
import { scoreShop } from "./score-shop";

export const SCORING_QUEUE = "scoring";
export const SCORING_LOCAL_HOUR = 3;

export type ScoringJob =
  | { name: "score-shop"; data: { shopId: number } }
  | { name: "rescore-customer"; data: { shopId: number; customerId: string } }
  | { name: "fan-out"; data: Record<string, never> };

export function scoreShopJobId(shopId: number, localDate: string): string {
  return `score-shop-${shopId}-${localDate}`;
}

export async function enqueueScoreShop(qs: QueueSystem, shopId: number, localDate: string): Promise<void> {
  await qs.queue(SCORING_QUEUE).add("score-shop", { shopId }, { jobId: scoreShopJobId(shopId, localDate) });
}

/**
 * Queue a customer's rescoring. The id collapses repeats while one is waiting; the job is
 * removed on completion so the next order queues a fresh one (the nightly run catches anything
 * that arrives while one is running).
 */
export async function enqueueRescoreCustomer(qs: QueueSystem, shopId: number, customerId: string): Promise<void> {
  await qs.queue(SCORING_QUEUE).add(
    "rescore-customer",
    { shopId, customerId },
    { jobId: `rescore-customer-${shopId}-${customerId}`, removeOnComplete: true },
  );
}

/** Installed shops whose local hour at `now` is the off-peak hour, with their local date. */
export async function shopsDueForScoring(db: pg.Pool, now: Date, hour = SCORING_LOCAL_HOUR): Promise<{ shopId: number; localDate: string }[]> {
  const r = await db.query<{ id: number; local_date: string }>(
    `select s.id, to_char($1::timestamptz at time zone s.timezone, 'YYYY-MM-DD') as local_date
     from shops s
     where s.status = 'installed' and s.timezone in (select name from pg_timezone_names)
       and extract(hour from $1::timestamptz at time zone s.timezone) = $2
     order by s.id`,
    [now, hour],
  );
  return r.rows.map((row) => ({ shopId: row.id, localDate: row.local_date }));
}

export async function fanOutShopScoring(db: pg.Pool, qs: QueueSystem, now: Date): Promise<{ shops: number }> {
  const due = await shopsDueForScoring(db, now);
  for (const s of due) await enqueueScoreShop(qs, s.shopId, s.localDate);
  return { shops: due.length };
}

/** The shop's scoring settings (shops.settings.scoring), defaults where unset or invalid. */
export async function shopScoringSettings(db: pg.Pool, shopId: number): Promise<ScoringSettings> {
  const r = await db.query<{ scoring: unknown }>(`select settings -> 'scoring' as scoring from shops where id = $1`, [shopId]);
  const checked = validateScoringSettings(r.rows[0]?.scoring);
  return checked.ok ? checked.value : defaultScoringSettings();
}

export async function runScoreShopJob(db: pg.Pool, shopId: number, now: Date) {
  return forActiveShop(db, shopId, async () => {
    const result = await scoreShop(db, shopId, now, await shopScoringSettings(db, shopId));
    if (!result.ok) return { ok: false as const, error: result.error };
    const { customers, confidence, stageChanges, runId, fitMs, phasesMs } = result.value;
    return { ok: true as const, customers, confidence, stageChanges, runId, fitMs: Math.round(fitMs), phasesMs };
  });
}

export async function runRescoreCustomerJob(db: pg.Pool, shopId: number, customerId: string, now: Date) {
  return forActiveShop(db, shopId, async () => {
    const result = await rescoreCustomer(db, shopId, customerId, now);
    if (!result.ok) return { ok: false as const, error: result.error };
    const v = result.value;
    return v.rescored ? { ok: true as const, stage: v.score.stage, stageChanged: v.stageChanged } : { ok: true as const, skipped: v.reason };
  });
}

export function registerScoringWorker(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger }, clock: () => Date = () => new Date()) {
  const { qs, db, logger } = deps;
  return qs.worker(SCORING_QUEUE, async (job) => {
    const name = job.name as ScoringJob["name"];
    if (name === "score-shop") {
      const { shopId } = job.data as { shopId: number };
      const outcome = await runScoreShopJob(db, shopId, clock());
      logger.info({ shopId, outcome }, "shop scored");
      return outcome;
    }
    if (name === "rescore-customer") {
      const { shopId, customerId } = job.data as { shopId: number; customerId: string };
      return runRescoreCustomerJob(db, shopId, customerId, clock());
    }
    if (name === "fan-out") return fanOutShopScoring(db, qs, clock());
    throw new Error(`unknown scoring job ${job.name}`);
  }, { concurrency: 2 });
}

/** The hourly fan-out (an idempotent upsert, like the maintenance schedules). */
export async function registerScoringSchedule(qs: QueueSystem): Promise<void> {
  await qs.queue(SCORING_QUEUE).upsertJobScheduler("scoring-fan-out", { pattern: "0 * * * *", tz: "UTC" }, { name: "fan-out", data: {} });
}
