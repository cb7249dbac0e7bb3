// Score every customer of a shop: history and RFM quintiles from SQL, model fits and
// per-customer scoring in pure JS (core/scoring), one set-based write. Every run is recorded in
// scoring_runs (written at start, finished at the end or with the error), the fit is kept in
// shop_model_fits for single-customer rescoring, and the day's scores go to
// customer_score_history.
import type pg from "pg";
import { err, ok, type Result } from "../../core/result";
import { CUSTOMER_FEATURES } from "../../core/scoring/clusters";
import { shopMedianGap } from "../../core/scoring/dormancy";
import { PERIOD_DAYS, type ScoringSettings } from "../../core/scoring/schema";
import { createRng } from "../../core/random";
import type { CustomerSummary } from "../../core/scoring/schema";
import { fitShopModels, type ShopModels } from "../../core/scoring/shop-models";
import { summaryFromDays } from "../../core/scoring/summary";
import { clusterLarge } from "./cluster-large";
import { readCustomerHistory } from "./read-customer-history";
import { dayToIso, scoreRow } from "./score-row";
import { quintileCuts, writeShopFit } from "./shop-fit";
import { writeScores, type ScoreRow, type StageEvent } from "./write-scores";

export interface ScoreShopReport {
  customers: number;
  confidence: string | null;
  modelReason: string | null;
  stageChanges: number;
  clusters: { k: number; descriptions: string[] } | null;
  bgnbd: { r: number; alpha: number; a: number; b: number } | null;
  runId: string | null;
  /** Time spent fitting the models (BG/NBD, Gamma-Gamma) and clusters, ms. */
  fitMs: number;
}

export async function scoreShop(pool: pg.Pool, shopId: number, now: Date, settings: ScoringSettings): Promise<Result<ScoreShopReport>> {
  const shop = await pool.query(`select 1 from shops where id = $1`, [shopId]);
  if (shop.rowCount === 0) return err(`shop ${shopId} not found`);
  const started = performance.now();
  const run = await pool.query<{ id: string }>(
    `insert into scoring_runs (shop_id, as_of, started_at, status) values ($1, $2, now(), 'running') returning id::text`,
    [shopId, now],
  );
  const runId = run.rows[0].id;
  try {
    const report = await scoreAndWrite(pool, shopId, now, settings);
    await pool.query(
      `update scoring_runs set finished_at = now(), status = 'succeeded', customers_scored = $3, parameters = $4, log_likelihood = $5,
         duration_ms = $6 where shop_id = $1 and id = $2`,
      [
        shopId, runId, report.customers,
        JSON.stringify({ period: settings.period, bgnbd: report.bgnbd, gammaGamma: report.gammaGamma, confidence: report.confidence }),
        report.logLikelihood, Math.round(performance.now() - started),
      ],
    );
    return ok({
      customers: report.customers, confidence: report.confidence, modelReason: report.modelReason, stageChanges: report.stageChanges,
      clusters: report.clusters, bgnbd: report.bgnbd, runId, fitMs: report.fitMs,
    });
  } catch (e) {
    await pool.query(
      `update scoring_runs set finished_at = now(), status = 'failed', error = $3, duration_ms = $4 where shop_id = $1 and id = $2`,
      [shopId, runId, e instanceof Error ? e.message : String(e), Math.round(performance.now() - started)],
    );
    throw e;
  }
}

async function scoreAndWrite(pool: pg.Pool, shopId: number, now: Date, settings: ScoringSettings) {
  const history = await readCustomerHistory(pool, shopId, now);
  if (!history) throw new Error(`shop ${shopId} vanished during scoring`);
  const { rows, todayDay } = history;
  const none = { customers: 0, confidence: null, modelReason: "no orders yet", stageChanges: 0, clusters: null, bgnbd: null, gammaGamma: null, logLikelihood: null, fitMs: 0 };
  if (rows.length === 0) {
    await writeScores(pool, shopId, now, [], [], { historyDay: dayToIso(todayDay), scope: { kind: "shop" } });
    return none;
  }
  const periodDays = PERIOD_DAYS[settings.period];
  const fitStart = performance.now();
  const models = fitOnSample(rows.map((r) => summaryFromDays(r.customerId, r.days, r.spends, todayDay, periodDays)), periodDays, shopId);
  let fitMs = performance.now() - fitStart;
  const shopMedianGapDays = shopMedianGap(rows.map((r) => r.days)) ?? settings.fallbackGapDays;
  const ctx = { models, settings, shopMedianGapDays };

  const scores: ScoreRow[] = [];
  const events: StageEvent[] = [];
  const features: number[][] = [];
  for (const row of rows) {
    const { score, event, prediction: p } = scoreRow(row, todayDay, now, ctx, settings);
    scores.push(score);
    if (event) events.push(event);
    features.push([
      p.dormancy.daysSinceLastOrder, row.orderCount, row.totalSpent, todayDay - row.days[0], p.dormancy.expectedGapDays,
      row.totalSpent / row.orderCount, row.discountedOrderShare,
    ]);
  }
  const clusterStart = performance.now();
  const clustering = clusterLarge(features, CUSTOMER_FEATURES, shopId);
  fitMs += performance.now() - clusterStart;
  if (clustering) clustering.assignments.forEach((c, i) => (scores[i].clusterId = c));

  const client = await pool.connect();
  try {
    await client.query("begin");
    await writeScores(client, shopId, now, scores, events, { historyDay: dayToIso(todayDay), scope: { kind: "shop" } });
    if (models) {
      const rfmCuts = {
        recency: quintileCuts(Float64Array.from(rows, (r) => r.days[r.days.length - 1])),
        frequency: quintileCuts(Float64Array.from(rows, (r) => r.orderCount)),
        monetary: quintileCuts(Float64Array.from(rows, (r) => r.totalSpent)),
      };
      const clusters = clustering && {
        k: clustering.k, centres: clustering.centres, mean: clustering.mean, sd: clustering.sd, silhouette: clustering.silhouette,
        descriptions: clustering.descriptions, sampled: clustering.sampled,
      };
      await writeShopFit(client, shopId, { models, shopMedianGapDays, rfmCuts, settings, fittedAt: now }, clusters);
    }
    await client.query("commit");
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
  return {
    customers: rows.length,
    confidence: models?.confidence ?? null,
    modelReason: models?.reason ?? null,
    stageChanges: events.length,
    clusters: clustering ? { k: clustering.k, descriptions: clustering.descriptions } : null,
    bgnbd: models?.bgnbd.params ?? null,
    gammaGamma: models?.gammaGamma.params ?? null,
    logLikelihood: models?.bgnbd.logLikelihood ?? null,
    fitMs,
  };
}

/**
 * The fits cost time in proportion to distinct (x, t_x, T) histories, which at shop scale is
 * nearly one per customer; parameter estimates settle long before (CDNOW's published fit is
 * 2,357 customers). Above FIT_SAMPLE customers the models are fitted on a seeded uniform
 * sample of that size (same shop, same sample every night) and the reason says so; every
 * customer is still scored with them.
 */
export const FIT_SAMPLE = 5_000;

function fitOnSample(summaries: CustomerSummary[], periodDays: number, seed: number): ShopModels | null {
  if (summaries.length <= FIT_SAMPLE) return fitShopModels(summaries, periodDays);
  const rng = createRng(seed);
  const idx = Array.from({ length: summaries.length }, (_, i) => i);
  for (let i = 0; i < FIT_SAMPLE; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const models = fitShopModels(idx.slice(0, FIT_SAMPLE).map((i) => summaries[i]), periodDays);
  if (!models) return null;
  const n = summaries.length.toLocaleString("en-US");
  return { ...models, reason: `${models.reason} (a random sample of ${FIT_SAMPLE.toLocaleString("en-US")} of the shop's ${n} customers)` };
}
