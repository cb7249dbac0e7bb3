// Customer lifetime value over a horizon: expected purchases × expected spend per purchase,
// optionally discounted.
import { expectedPurchases, type Rft } from "./bgnbd";
import type { BgnbdParams } from "./schema";

/**
 * Expected purchases in the next `horizon` periods, each discounted back to now at an annual
 * rate (continuous equivalent ln(1+R) per year). BG/NBD has no closed form for this, so the
 * horizon is cut into steps and each step's expected purchases discounted at its midpoint.
 */
export function discountedExpectedPurchases(
  params: BgnbdParams,
  history: Rft,
  horizon: number,
  periodDays: number,
  annualDiscountRate: number,
): number {
  if (annualDiscountRate <= 0) return expectedPurchases(params, history, horizon);
  const ratePerPeriod = (Math.log1p(annualDiscountRate) / 365.25) * periodDays;
  // Weekly-or-finer steps over a year keep the midpoint error far below the model's own.
  const steps = Math.min(52, Math.max(12, Math.ceil(horizon)));
  let total = 0;
  let previous = 0;
  for (let k = 1; k <= steps; k++) {
    const t = (horizon * k) / steps;
    const e = expectedPurchases(params, history, t);
    total += (e - previous) * Math.exp(-ratePerPeriod * (t - horizon / (2 * steps)));
    previous = e;
  }
  return total;
}
