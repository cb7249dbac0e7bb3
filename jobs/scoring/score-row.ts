// One customer's stored score from their history and the shop's models: shared by the
// nightly job (score-shop.ts) and single-customer rescoring (rescore-customer.ts), so both
// write exactly the same thing for the same inputs.
import { nextStage } from "../../core/scoring/lifecycle";
import { rfmGroup } from "../../core/scoring/rfm";
import { lifecycleStageSchema, type ScoringSettings, type StageState } from "../../core/scoring/schema";
import { scoreCustomer, type CustomerPrediction, type ShopContext } from "../../core/scoring/score-customer";
import type { CustomerHistoryRow } from "./read-customer-history";
import type { ScoreRow, StageEvent } from "./write-scores";

const MS_PER_DAY = 86_400_000;

function previousState(row: CustomerHistoryRow): StageState | null {
  const stage = lifecycleStageSchema.safeParse(row.previousStage);
  if (!stage.success || row.previousStageSinceDay === null || row.previousLastOrderDay === null) return null;
  return { stage: stage.data, sinceDay: row.previousStageSinceDay, lastOrderDay: row.previousLastOrderDay };
}

export function scoreRow(
  row: CustomerHistoryRow,
  todayDay: number,
  now: Date,
  ctx: ShopContext,
  settings: ScoringSettings,
): { score: ScoreRow; event: StageEvent | null; prediction: CustomerPrediction } {
  const p = scoreCustomer(row.days, row.spends, todayDay, ctx);
  const decision = nextStage(
    previousState(row),
    { orderCount: row.days.length, lastOrderDay: row.days[row.days.length - 1], expectedGapDays: p.dormancy.expectedGapDays },
    todayDay,
    settings,
  );
  const event = decision.event ? { customerId: row.customerId, from: decision.event.from, to: decision.event.to, at: now, reason: p.reason } : null;
  const rfm = { recency: row.recencyScore, frequency: row.frequencyScore, monetary: row.monetaryScore };
  return {
    event,
    prediction: p,
    score: {
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
      reason: p.reason,
      expectedSpend: p.expectedSpendPerOrder,
    },
  };
}

/** Day number (days since 1970-01-01) as an ISO date. */
export function dayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}
