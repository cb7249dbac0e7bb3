// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): each transaction's spend
// is gamma(p, nu) and nu varies across customers as gamma(q, gamma). Fitted on customers with
// repeat transactions, using the mean spend of those repeat transactions.
import { minimiseWithRestarts } from "./math/nelder-mead";
import { lgamma } from "./math/special";
import type { LogNormalPrior } from "./bgnbd";
import type { GammaGammaParams } from "./schema";

export interface SpendHistory {
  frequency: number;
  monetary: number;
}

/** Log-density of a customer's mean spend m over x transactions. */
export function gammaGammaLogLikelihood({ p, q, gamma }: GammaGammaParams, { frequency: x, monetary: m }: SpendHistory): number {
  return (
    lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * Math.log(gamma) + p * x * Math.log(x) +
    (p * x - 1) * Math.log(m) - (p * x + q) * Math.log(gamma + x * m)
  );
}

/** Population mean spend per transaction, p·gamma/(q-1); infinite when q <= 1. */
export function populationMeanSpend({ p, q, gamma }: GammaGammaParams): number {
  return q > 1 ? (p * gamma) / (q - 1) : Infinity;
}

/** Expected spend per transaction given the history: a weighted mean of prior and observed. */
export function conditionalExpectedSpend(params: GammaGammaParams, h: SpendHistory): number {
  const { p, q, gamma } = params;
  if (h.frequency <= 0 || !(h.monetary > 0)) return populationMeanSpend(params);
  return (p * (gamma + h.frequency * h.monetary)) / (p * h.frequency + q - 1);
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  converged: boolean;
  /** A log-parameter ended near its bound: the data cannot pin that parameter down. */
  atBound: boolean;
  customers: number;
}

const LOG_BOUND = 20;

/**
 * Maximum likelihood, or MAP under `prior` for small shops. Without a prior, returns null
 * when no customer has a repeat purchase with positive spend.
 */
export function fitGammaGamma(histories: readonly SpendHistory[], prior?: LogNormalPrior<GammaGammaParams>): GammaGammaFit | null {
  const usable = histories.filter((h) => h.frequency > 0 && h.monetary > 0);
  if (usable.length === 0 && !prior) return null;
  const meanSpend = usable.length ? usable.reduce((s, h) => s + h.monetary, 0) / usable.length : populationMeanSpend(prior!.centre);
  const centre = prior ? [Math.log(prior.centre.p), Math.log(prior.centre.q - 1), Math.log(prior.centre.gamma)] : null;
  // q = 1 + e^θ keeps the population mean finite: a model without one cannot price a customer.
  const toParams = (t: number[]) => ({ p: Math.exp(t[0]), q: 1 + Math.exp(t[1]), gamma: Math.exp(t[2]) });
  // The gamma-function terms depend on x only: computed once per distinct x and evaluation;
  // each customer's log mean spend once per fit.
  const distinctX = [...new Set(usable.map((h) => h.frequency))];
  const xIndex = usable.map((h) => distinctX.indexOf(h.frequency));
  const logX = distinctX.map(Math.log);
  const logM = usable.map((h) => Math.log(h.monetary));
  const constX = new Float64Array(distinctX.length);
  const negLL = (t: number[]) => {
    if (t.some((v) => Math.abs(v) > LOG_BOUND)) return Infinity;
    const { p, q, gamma } = toParams(t);
    const base = -lgamma(q) + q * Math.log(gamma);
    for (let j = 0; j < distinctX.length; j++) {
      const px = p * distinctX[j];
      constX[j] = base + lgamma(px + q) - lgamma(px) + px * logX[j];
    }
    let ll = 0;
    for (let i = 0; i < usable.length; i++) {
      const x = usable[i].frequency;
      ll += constX[xIndex[i]] + (p * x - 1) * logM[i] - (p * x + q) * Math.log(gamma + x * usable[i].monetary);
    }
    if (centre && prior) for (let i = 0; i < 3; i++) ll -= (t[i] - centre[i]) ** 2 / (2 * prior.sd ** 2);
    return -ll;
  };
  const starts = [
    ...(centre ? [centre] : []),
    [0, 0, Math.log(meanSpend)],
    [Math.log(5), Math.log(3), Math.log(meanSpend * 2)],
  ];
  let best = minimiseWithRestarts(negLL, starts[0]);
  for (const s of starts.slice(1)) {
    const other = minimiseWithRestarts(negLL, s);
    if (other.value < best.value) best = other;
  }
  const params = toParams(best.x);
  const logLikelihood = usable.reduce((s, h) => s + gammaGammaLogLikelihood(params, h), 0);
  return { params, logLikelihood, converged: best.converged, atBound: best.x.some((v) => Math.abs(v) > LOG_BOUND - 2), customers: usable.length };
}
