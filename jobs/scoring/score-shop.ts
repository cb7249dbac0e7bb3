// Score every customer of a shop: history and RFM quintiles from SQL, model fits and
// per-customer scoring in pure JS (core/scoring), one set-based write.
import type pg from "pg";
import { err, ok, type Result } from "../../core/result";
import { clusterCustomers, CUSTOMER_FEATURES } from "../../core/scoring/clusters";
import { shopMedianGap } from "../../core/scoring/dormancy";
import { nextStage } from "../../core/scoring/lifecycle";
import { rfmGroup } from "../../core/scoring/rfm";
import { PERIOD_DAYS, lifecycleStageSchema, type ScoringSettings, type StageState } from "../../core/scoring/schema";
import { scoreCustomer } from "../../core/scoring/score-customer";
import { fitShopModels } from "../../core/scoring/shop-models";
import { summaryFromDays } from "../../core/scoring/summary";
import { readCustomerHistory, type CustomerHistoryRow } from "./read-customer-history";
import { writeScores, type ScoreRow, type StageEvent } from "./write-scores";

const MS_PER_DAY = 86_400_000;

export interface ScoreShopReport {
  customers: number;
  confidence: string | null;
  modelReason: string | null;
  stageChanges: number;
  clusters: { k: number; descriptions: string[] } | null;
  bgnbd: { r: number; alpha: number; a: number; b: number } | null;
}

function previousState(row: CustomerHistoryRow): StageState | null {
  const stage = lifecycleStageSchema.safeParse(row.previousStage);
  if (!stage.success || row.previousStageSinceDay === null || row.previousLastOrderDay === null) return null;
  return { stage: stage.data, sinceDay: row.previousStageSinceDay, lastOrderDay: row.previousLastOrderDay };
}

export async function scoreShop(pool: pg.Pool, shopId: number, now: Date, settings: ScoringSettings): Promise<Result<ScoreShopReport>> {
  const history = await readCustomerHistory(pool, shopId, now);
  if (!history) return err(`shop ${shopId} not found`);
  const { rows, todayDay } = history;
  if (rows.length === 0) {
    return ok({ customers: 0, confidence: null, modelReason: "no orders yet", stageChanges: 0, clusters: null, bgnbd: null });
  }
  const periodDays = PERIOD_DAYS[settings.period];
  const models = fitShopModels(rows.map((r) => summaryFromDays(r.customerId, r.days, r.spends, todayDay, periodDays)), periodDays);
  const ctx = { models, settings, shopMedianGapDays: shopMedianGap(rows.map((r) => r.days)) ?? settings.fallbackGapDays };

  const scores: ScoreRow[] = [];
  const events: StageEvent[] = [];
  const features: number[][] = [];
  for (const row of rows) {
    const p = scoreCustomer(row.days, row.spends, todayDay, ctx);
    const previous = previousState(row);
    const decision = nextStage(
      previous,
      { orderCount: row.days.length, lastOrderDay: row.days[row.days.length - 1], expectedGapDays: p.dormancy.expectedGapDays },
      todayDay,
      settings,
    );
    if (decision.event) events.push({ customerId: row.customerId, from: decision.event.from, to: decision.event.to, at: now, reason: p.reason });
    const rfm = { recency: row.recencyScore, frequency: row.frequencyScore, monetary: row.monetaryScore };
    scores.push({
      customerId: row.customerId,
      recencyScore: rfm.recency,
      frequencyScore: rfm.frequency,
      monetaryScore: rfm.monetary,
      rfmGroup: rfmGroup(rfm),
      orderCount: row.orderCount,
      totalSpent: row.totalSpent,
      firstOrderAt: row.firstOrderAt,
      lastOrderAt: row.lastOrderAt,
      expectedGapDays: p.dormancy.expectedGapDays,
      daysOverdue: p.dormancy.daysOverdue,
      dormant: p.dormancy.dormant,
      stage: decision.state.stage,
      stageSince: decision.changed || !row.previousStageSince ? now : row.previousStageSince,
      pAlive: p.pAlive,
      expectedPurchases: p.expectedPurchases,
      expectedNextOrderAt: p.expectedNextOrderDay === null ? null : new Date(now.getTime() + (p.expectedNextOrderDay - todayDay) * MS_PER_DAY),
      clv: p.clv,
      clusterId: null,
      confidence: p.confidence,
    });
    const first = row.days[0];
    features.push([
      p.dormancy.daysSinceLastOrder, row.orderCount, row.totalSpent, todayDay - first, p.dormancy.expectedGapDays,
      row.totalSpent / row.orderCount, row.discountedOrderShare,
    ]);
  }
  const clustering = clusterCustomers(features, CUSTOMER_FEATURES, shopId);
  if (clustering) clustering.assignments.forEach((c, i) => (scores[i].clusterId = c));
  await writeScores(pool, shopId, now, scores, events);
  return ok({
    customers: rows.length,
    confidence: models?.confidence ?? null,
    modelReason: models?.reason ?? null,
    stageChanges: events.length,
    clusters: clustering ? { k: clustering.k, descriptions: clustering.descriptions } : null,
    bgnbd: models?.bgnbd.params ?? null,
  });
}
