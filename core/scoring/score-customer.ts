// Score one customer with the shop's current models: pure and fast (microseconds), so a new
// order can be rescored on the spot.
import { expectedPurchases, medianWaitIfActive, pAlive } from "./bgnbd";
import { discountedExpectedPurchases } from "./clv";
import { dormancyFromGap, type Dormancy } from "./dormancy";
import { conditionalExpectedSpend } from "./gamma-gamma";
import { explainScore } from "./reason";
import { PERIOD_DAYS, type Confidence, type ScoringSettings } from "./schema";
import type { ShopModels } from "./shop-models";
import { customerFacts, summaryFromFacts, type CustomerFacts } from "./summary";

export interface ShopContext {
  models: ShopModels | null;
  /** Median gap between orders across the shop (days), for one-time buyers. */
  shopMedianGapDays: number;
  settings: ScoringSettings;
}

export interface CustomerPrediction {
  frequency: number;
  recency: number;
  T: number;
  monetary: number;
  dormancy: Dormancy;
  pAlive: number | null;
  dormancyProbability: number | null;
  /** Expected purchases over the settings' horizon. */
  expectedPurchases: number | null;
  expectedSpendPerOrder: number | null;
  /** Same units as the spends given (minor units in the app). */
  clv: number | null;
  /** Day number by which, if still active, the customer more likely than not has ordered. */
  expectedNextOrderDay: number | null;
  confidence: Confidence;
  reason: string;
}

/** `days` ascending transaction day numbers (one per calendar day), `spends` summed per day. */
export function scoreCustomer(days: number[], spends: number[], today: number, ctx: ShopContext): CustomerPrediction {
  return scoreCustomerFacts(customerFacts(days, spends), today, ctx);
}

/** The same from the history's facts (see CustomerFacts), as the nightly job computes them. */
export function scoreCustomerFacts(facts: CustomerFacts, today: number, ctx: ShopContext): CustomerPrediction {
  const { settings, models } = ctx;
  const periodDays = PERIOD_DAYS[settings.period];
  const summary = summaryFromFacts("", facts, today, periodDays);
  const dormancy = dormancyFromGap(facts.ownMedianGap, facts.lastDay, today, ctx.shopMedianGapDays, settings.dormancyK);
  const orderCount = facts.transactions;
  const base = { frequency: summary.frequency, recency: summary.recency, T: summary.T, monetary: summary.monetary, dormancy };
  if (!models) {
    const confidence: Confidence = "low";
    return {
      ...base, pAlive: null, dormancyProbability: null, expectedPurchases: null, expectedSpendPerOrder: null, clv: null,
      expectedNextOrderDay: null, confidence,
      reason: `${explainScore({ orderCount, dormancy, pAlive: null, confidence })}; no model for this shop yet`,
    };
  }
  const bg = models.bgnbd.params;
  const alive = pAlive(bg, summary);
  const horizon = settings.horizonDays / periodDays;
  const purchases = expectedPurchases(bg, summary, horizon);
  const discounted = discountedExpectedPurchases(bg, summary, horizon, periodDays, settings.annualDiscountRate);
  const spend = conditionalExpectedSpend(models.gammaGamma.params, summary);
  const nextOrderDay = today + medianWaitIfActive(bg, summary) * periodDays;
  return {
    ...base,
    pAlive: alive,
    dormancyProbability: 1 - alive,
    expectedPurchases: purchases,
    expectedSpendPerOrder: spend,
    clv: discounted * spend,
    expectedNextOrderDay: nextOrderDay,
    confidence: models.confidence,
    reason: explainScore({ orderCount, dormancy, pAlive: alive, confidence: models.confidence }),
  };
}
