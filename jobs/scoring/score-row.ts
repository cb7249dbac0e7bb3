// One customer's stored score from their history facts and the shop's models: shared by the
// nightly job (score-shop.ts, which streams it into COPY text) and single-customer rescoring
// (rescore-customer.ts), so both write exactly the same thing for the same inputs.
import { nextStage, type StageDecision } from "../../core/scoring/lifecycle";
import { rfmGroup, type RfmGroup, type RfmScores } from "../../core/scoring/rfm";
import { lifecycleStageSchema, type ScoringSettings, type StageState } from "../../core/scoring/schema";
import { scoreCustomerFacts, type CustomerPrediction, type ShopContext } from "../../core/scoring/score-customer";
import type { CustomerFacts } from "../../core/scoring/summary";
import type { ScoreRow, StageEvent } from "./write-scores";

const MS_PER_DAY = 86_400_000;

/** What scoring one customer needs: history facts, RFM scores, and the remembered stage. */
export interface CustomerScoringInput {
  facts: CustomerFacts;
  rfm: RfmScores;
  previousStage: string | null;
  previousStageSinceDay: number | null;
  previousLastOrderDay: number | null;
}

export interface CustomerScoring {
  prediction: CustomerPrediction;
  decision: StageDecision;
  rfmGroup: RfmGroup;
}

function previousState(row: CustomerScoringInput): StageState | null {
  // A customer never scored has no stage: no schema failure (an error object) per new customer.
  if (row.previousStage === null || row.previousStageSinceDay === null || row.previousLastOrderDay === null) return null;
  const stage = lifecycleStageSchema.safeParse(row.previousStage);
  if (!stage.success) return null;
  return { stage: stage.data, sinceDay: row.previousStageSinceDay, lastOrderDay: row.previousLastOrderDay };
}

export function scoreInput(row: CustomerScoringInput, todayDay: number, ctx: ShopContext, settings: ScoringSettings): CustomerScoring {
  const p = scoreCustomerFacts(row.facts, todayDay, ctx);
  const decision = nextStage(
    previousState(row),
    { orderCount: row.facts.transactions, lastOrderDay: row.facts.lastDay, expectedGapDays: p.dormancy.expectedGapDays },
    todayDay,
    settings,
  );
  return { prediction: p, decision, rfmGroup: rfmGroup(row.rfm) };
}

/** The stored expected next order instant (null when there is no model). */
export function expectedNextOrderAt(p: CustomerPrediction, todayDay: number, now: Date): Date | null {
  return p.expectedNextOrderDay === null ? null : new Date(now.getTime() + (p.expectedNextOrderDay - todayDay) * MS_PER_DAY);
}

/** The row as writeScores takes it (single-customer rescoring). */
export function scoreRow(
  row: CustomerScoringInput & {
    customerId: string; orderCount: number; totalSpent: number; firstOrderAt: Date; lastOrderAt: Date; previousStageSince: Date | null;
  },
  todayDay: number,
  now: Date,
  ctx: ShopContext,
  settings: ScoringSettings,
): { score: ScoreRow; event: StageEvent | null; prediction: CustomerPrediction } {
  const { prediction: p, decision, rfmGroup: group } = scoreInput(row, todayDay, ctx, settings);
  const event = decision.event ? { customerId: row.customerId, from: decision.event.from, to: decision.event.to, at: now, reason: p.reason } : null;
  return {
    event,
    prediction: p,
    score: {
      customerId: row.customerId,
      recencyScore: row.rfm.recency,
      frequencyScore: row.rfm.frequency,
      monetaryScore: row.rfm.monetary,
      rfmGroup: group,
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
      expectedNextOrderAt: expectedNextOrderAt(p, todayDay, now),
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
