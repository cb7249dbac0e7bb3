// Treated vs holdout: did the campaign cause the orders it was credited with?
//
// Methods (all two-sided, default 95%):
// - difference in conversion: Newcombe's hybrid score interval (his method 10), built from the
//   Wilson interval of each group; it behaves at small counts and rates near 0 where the normal
//   (Wald) interval undercovers;
// - relative lift: Katz log interval for the ratio of proportions;
// - revenue per customer: Welch's t interval (unequal variances, Welch–Satterthwaite df);
// - minimum detectable effect (MDE) for the sizes at hand: (z_{1-α/2} + z_{power}) ·
//   sqrt(p(1-p)(1/n_T + 1/n_H)) at the holdout's rate p. The holdout floor is the smallest
//   holdout that brings the MDE down to a target effect; below it, "no lift" means "can't tell".
import { err, ok, type Result } from "../result";
import { normalQuantile, studentTQuantile } from "./stats";

export interface GroupTotals {
  customers: number;
  converters: number;
  /** Sum over customers of revenue in the period (gross of Winback discounts), minor units. */
  revenueMinor: number;
  /** Sum over customers of revenue², for the per-customer variance. */
  revenueSqMinor: number;
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export interface LiftCosts {
  /** Gross margin rate on incremental revenue (0..1). */
  marginRate: number;
  discountCostMinor: number;
  messageCostMinor: number;
}

export interface LiftReport {
  treatedRate: number;
  holdoutRate: number;
  /** Win-back rate: share of treated customers who ordered. */
  winBackRate: number;
  absoluteLift: Interval;
  /** null when either group had no converters (the log-ratio interval is undefined). */
  relativeLift: Interval | null;
  revenuePerCustomerDiff: Interval & { df: number };
  incrementalRevenueMinor: Interval;
  incrementalMarginMinor: number;
  /** (incremental margin − discount − messages) / (discount + messages); null without costs. */
  roi: number | null;
  mde: number;
  /** Smallest holdout for the target MDE at this treated size; null when no holdout can reach it. */
  holdoutFloor: number | null;
  holdoutSufficient: boolean;
}

export function wilsonInterval(x: number, n: number, z: number): Interval {
  const p = x / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { estimate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Newcombe hybrid score interval for p1 − p2. */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z: number): Interval {
  const a = wilsonInterval(x1, n1, z);
  const b = wilsonInterval(x2, n2, z);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    lower: d - Math.sqrt((a.estimate - a.lower) ** 2 + (b.upper - b.estimate) ** 2),
    upper: d + Math.sqrt((a.upper - a.estimate) ** 2 + (b.estimate - b.lower) ** 2),
  };
}

function meanVar(g: GroupTotals): { mean: number; variance: number } {
  const mean = g.revenueMinor / g.customers;
  const variance = g.customers > 1 ? Math.max(0, (g.revenueSqMinor - g.customers * mean * mean) / (g.customers - 1)) : 0;
  return { mean, variance };
}

export function welchInterval(t: GroupTotals, h: GroupTotals, confidence: number): Interval & { df: number } {
  const a = meanVar(t);
  const b = meanVar(h);
  const va = a.variance / t.customers;
  const vb = b.variance / h.customers;
  const se = Math.sqrt(va + vb);
  const d = a.mean - b.mean;
  if (se === 0) return { estimate: d, lower: d, upper: d, df: t.customers + h.customers - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (t.customers - 1) + vb ** 2 / (h.customers - 1));
  const q = studentTQuantile(1 - (1 - confidence) / 2, df);
  return { estimate: d, lower: d - q * se, upper: d + q * se, df };
}

export function minimumDetectableEffect(baseRate: number, nTreated: number, nHoldout: number, alpha = 0.05, power = 0.8): number {
  const zs = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return zs * Math.sqrt(baseRate * (1 - baseRate) * (1 / nTreated + 1 / nHoldout));
}

/** Smallest holdout whose MDE (with nTreated treated) is at most targetMde; err if unreachable. */
export function minimumHoldout(baseRate: number, nTreated: number, targetMde: number, alpha = 0.05, power = 0.8): Result<number> {
  const zs = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  const pq = baseRate * (1 - baseRate);
  if (pq === 0) return err("base rate of 0 or 1 gives no variance to size a holdout from");
  const inv = (targetMde / zs) ** 2 / pq - 1 / nTreated;
  if (inv <= 0) return err(`treated group of ${nTreated} cannot detect ${targetMde} whatever the holdout`);
  return ok(Math.ceil(1 / inv));
}

export interface LiftOptions {
  confidence?: number;
  /** Effect (absolute conversion difference) the holdout must be able to detect. */
  targetMde?: number;
  /** Rate used to size the holdout when the observed holdout rate is 0 or 1. */
  fallbackBaseRate?: number;
}

export function liftReport(treated: GroupTotals, holdout: GroupTotals, costs: LiftCosts, opts: LiftOptions = {}): Result<LiftReport> {
  const confidence = opts.confidence ?? 0.95;
  const targetMde = opts.targetMde ?? 0.02;
  if (treated.customers < 2 || holdout.customers < 2) return err("need at least 2 customers in each group");
  if (treated.converters > treated.customers || holdout.converters > holdout.customers) return err("more converters than customers");
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const pt = treated.converters / treated.customers;
  const ph = holdout.converters / holdout.customers;
  const absoluteLift = newcombeDifference(treated.converters, treated.customers, holdout.converters, holdout.customers, z);

  let relativeLift: Interval | null = null;
  if (holdout.converters > 0 && treated.converters > 0) {
    const logRr = Math.log(pt / ph);
    const se = Math.sqrt(1 / treated.converters - 1 / treated.customers + 1 / holdout.converters - 1 / holdout.customers);
    relativeLift = { estimate: pt / ph - 1, lower: Math.exp(logRr - z * se) - 1, upper: Math.exp(logRr + z * se) - 1 };
  }

  const revenuePerCustomerDiff = welchInterval(treated, holdout, confidence);
  const n = treated.customers;
  const incrementalRevenueMinor = {
    estimate: revenuePerCustomerDiff.estimate * n,
    lower: revenuePerCustomerDiff.lower * n,
    upper: revenuePerCustomerDiff.upper * n,
  };
  const incrementalMarginMinor = incrementalRevenueMinor.estimate * costs.marginRate;
  const cost = costs.discountCostMinor + costs.messageCostMinor;
  const roi = cost > 0 ? (incrementalMarginMinor - cost) / cost : null;

  const base = ph > 0 && ph < 1 ? ph : (opts.fallbackBaseRate ?? 0.05);
  const mde = minimumDetectableEffect(base, treated.customers, holdout.customers, 1 - confidence);
  const floor = minimumHoldout(base, treated.customers, targetMde, 1 - confidence);
  return ok({
    treatedRate: pt,
    holdoutRate: ph,
    winBackRate: pt,
    absoluteLift,
    relativeLift,
    revenuePerCustomerDiff,
    incrementalRevenueMinor,
    incrementalMarginMinor,
    roi,
    mde,
    holdoutFloor: floor.ok ? floor.value : null,
    holdoutSufficient: floor.ok && holdout.customers >= floor.value,
  });
}
