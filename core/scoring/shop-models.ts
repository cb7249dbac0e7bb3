// Fit a shop's BG/NBD and Gamma-Gamma models with an honest confidence label. Small shops are
// fitted MAP toward typical-store priors instead of a wild MLE, and told so.
import { fitBgnbd, type BgnbdFit, type FitOptions } from "./bgnbd";
import { fitGammaGamma, type GammaGammaFit } from "./gamma-gamma";
import type { BgnbdParams, Confidence, CustomerSummary, GammaGammaParams } from "./schema";

/**
 * Minimums for trusting a plain maximum-likelihood fit. BG/NBD has four parameters and its
 * dropout pair (a, b) is identified only by repeat buyers; below ~100 customers / ~30 repeat
 * buyers the likelihood surface is flat enough that MLE estimates routinely land at extremes
 * (a or b heading to 0 or infinity). 500 / 100 is where recovery tests are tight.
 */
export const SMALL_STORE = {
  highCustomers: 500,
  highRepeatCustomers: 100,
  minCustomers: 100,
  minRepeatCustomers: 30,
  /** Gamma-Gamma needs repeat buyers' spend; below this it shrinks toward the shop's mean. */
  minSpendCustomers: 30,
} as const;

/**
 * Typical-store priors (log-normal, sd 1): the published CDNOW BG/NBD fit (alpha is in
 * time units, so it is kept in days and rescaled) and Gamma-Gamma shape values, with the
 * spend scale taken from the shop's own mean transaction value.
 */
const PRIOR_BGNBD_DAYS: BgnbdParams = { r: 0.25, alpha: 31, a: 0.8, b: 2.4 };
const PRIOR_GG_SHAPE = { p: 6, q: 3.7 };
const PRIOR_SD = 1;

export type FitMethod = "mle" | "map";

export interface ShopModels {
  bgnbd: BgnbdFit;
  gammaGamma: GammaGammaFit;
  confidence: Confidence;
  method: FitMethod;
  reason: string;
  customers: number;
  repeatCustomers: number;
}

/** `options` picks the optimiser (the default, BFGS, everywhere but in comparisons). */
export function fitShopModels(summaries: readonly CustomerSummary[], periodDays: number, options: FitOptions = {}): ShopModels | null {
  const customers = summaries.length;
  if (customers === 0) return null;
  const repeatCustomers = summaries.filter((s) => s.frequency > 0).length;
  const spendCustomers = summaries.filter((s) => s.frequency > 0 && s.monetary > 0).length;

  const small = customers < SMALL_STORE.minCustomers || repeatCustomers < SMALL_STORE.minRepeatCustomers;
  const bgPrior = { centre: { ...PRIOR_BGNBD_DAYS, alpha: PRIOR_BGNBD_DAYS.alpha / periodDays }, sd: PRIOR_SD };
  const bgnbd = fitBgnbd(summaries, small ? bgPrior : undefined, options);

  const totalSpend = summaries.reduce((s, c) => s + c.totalSpend, 0);
  const transactions = summaries.reduce((s, c) => s + c.frequency + 1, 0);
  const meanTransaction = Math.max(totalSpend / transactions, 1e-6);
  const ggPrior: { centre: GammaGammaParams; sd: number } = {
    centre: { ...PRIOR_GG_SHAPE, gamma: (meanTransaction * (PRIOR_GG_SHAPE.q - 1)) / PRIOR_GG_SHAPE.p },
    sd: PRIOR_SD,
  };
  const smallSpend = spendCustomers < SMALL_STORE.minSpendCustomers;
  const gammaGamma = fitGammaGamma(summaries, smallSpend ? ggPrior : undefined, options)!;

  const counts = `${customers} customers, ${repeatCustomers} with repeat orders`;
  if (small || smallSpend) {
    return {
      bgnbd, gammaGamma, customers, repeatCustomers, confidence: "low", method: "map",
      reason: `only ${counts} (a reliable fit needs at least ${SMALL_STORE.minCustomers} customers and ${SMALL_STORE.minRepeatCustomers} repeat buyers); predictions are pulled toward typical-store values`,
    };
  }
  if (!bgnbd.converged || !gammaGamma.converged || bgnbd.atBound || gammaGamma.atBound) {
    return { bgnbd, gammaGamma, customers, repeatCustomers, confidence: "low", method: "mle", reason: `the model fit did not converge to sensible values on ${counts}; treat predictions as rough` };
  }
  const high = customers >= SMALL_STORE.highCustomers && repeatCustomers >= SMALL_STORE.highRepeatCustomers;
  return {
    bgnbd, gammaGamma, customers, repeatCustomers, method: "mle",
    confidence: high ? "high" : "medium",
    reason: high ? `fitted on ${counts}` : `fitted on ${counts}; more history will make predictions steadier`,
  };
}
