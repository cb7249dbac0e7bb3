// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): each transaction's spend
// is gamma(p, nu) and nu varies across customers as gamma(q, gamma). Fitted on customers with
// repeat transactions, using the mean spend of those repeat transactions.
import { MAX_LOG_STEP, type FitOptions, type LogNormalPrior } from "./bgnbd";
import { minimiseFromStarts, type Objective } from "./math/minimise";
import { digamma, lgamma } from "./math/special";
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

/** The fit's objective over t (p = e^t0, q = 1 + e^t1, gamma = e^t2), and its starting points. */
export interface GammaGammaObjective extends Objective {
  starts: number[][];
  /** Customers with a repeat purchase and positive spend: the ones fitted. */
  usable: SpendHistory[];
  toParams: (t: readonly number[]) => GammaGammaParams;
}

/**
 * Negative log-likelihood (minus the log prior, for MAP) with its analytic gradient:
 *   d/dp     = x (ψ(px+q) − ψ(px) + ln x + ln m − ln(gamma + x m))
 *   d/dq     = ψ(px+q) − ψ(q) + ln gamma − ln(gamma + x m)
 *   d/dgamma = q/gamma − (px+q)/(gamma + x m)
 * times p, q − 1 and gamma for the parametrisation.
 */
export function gammaGammaObjective(histories: readonly SpendHistory[], prior?: LogNormalPrior<GammaGammaParams>): GammaGammaObjective {
  const usable = histories.filter((h) => h.frequency > 0 && h.monetary > 0);
  const meanSpend = usable.length ? usable.reduce((s, h) => s + h.monetary, 0) / usable.length : populationMeanSpend(prior!.centre);
  const centre = prior ? [Math.log(prior.centre.p), Math.log(prior.centre.q - 1), Math.log(prior.centre.gamma)] : null;
  const priorPrecision = prior ? 1 / prior.sd ** 2 : 0;
  // q = 1 + e^θ keeps the population mean finite: a model without one cannot price a customer.
  const toParams = (t: readonly number[]) => ({ p: Math.exp(t[0]), q: 1 + Math.exp(t[1]), gamma: Math.exp(t[2]) });
  // The gamma-function terms depend on x only: computed once per distinct x and evaluation;
  // each customer's log mean spend once per fit.
  const distinctX = [...new Set(usable.map((h) => h.frequency))];
  const xIndex = usable.map((h) => distinctX.indexOf(h.frequency));
  const logX = distinctX.map(Math.log);
  const logM = usable.map((h) => Math.log(h.monetary));
  const constX = new Float64Array(distinctX.length);
  const value = (t: readonly number[]) => {
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
    if (centre) for (let i = 0; i < 3; i++) ll -= (t[i] - centre[i]) ** 2 * priorPrecision / 2;
    return -ll;
  };
  // Per distinct x: the digamma parts of d/dp (per transaction) and d/dq.
  const dPX = new Float64Array(distinctX.length);
  const dQX = new Float64Array(distinctX.length);
  const valueAndGradient = (t: readonly number[]) => {
    if (t.some((v) => Math.abs(v) > LOG_BOUND)) return { value: Infinity, gradient: [NaN, NaN, NaN] };
    const { p, q, gamma } = toParams(t);
    const lnGamma = Math.log(gamma);
    const base = -lgamma(q) + q * lnGamma;
    const psiQ = digamma(q);
    for (let j = 0; j < distinctX.length; j++) {
      const px = p * distinctX[j];
      const psiPXQ = digamma(px + q);
      constX[j] = base + lgamma(px + q) - lgamma(px) + px * logX[j];
      dPX[j] = psiPXQ - digamma(px) + logX[j];
      dQX[j] = psiPXQ - psiQ + lnGamma;
    }
    let ll = 0;
    let gP = 0;
    let gQ = 0;
    let gG = 0;
    for (let i = 0; i < usable.length; i++) {
      const x = usable[i].frequency;
      const j = xIndex[i];
      const s = gamma + x * usable[i].monetary;
      const lnS = Math.log(s);
      ll += constX[j] + (p * x - 1) * logM[i] - (p * x + q) * lnS;
      gP += x * (dPX[j] + logM[i] - lnS);
      gQ += dQX[j] - lnS;
      gG += q / gamma - (p * x + q) / s;
    }
    // Chain rule to t, negated for minimisation; then the prior's pull.
    const gradient = [-gP * p, -gQ * (q - 1), -gG * gamma];
    if (centre) {
      for (let i = 0; i < 3; i++) {
        ll -= (t[i] - centre[i]) ** 2 * priorPrecision / 2;
        gradient[i] += (t[i] - centre[i]) * priorPrecision;
      }
    }
    return { value: -ll, gradient };
  };
  const starts = [
    ...(centre ? [centre] : []),
    [0, 0, Math.log(meanSpend)],
    [Math.log(5), Math.log(3), Math.log(meanSpend * 2)],
  ];
  return { value, valueAndGradient, starts, usable, toParams };
}

/**
 * Maximum likelihood, or MAP under `prior` for small shops. Without a prior, returns null
 * when no customer has a repeat purchase with positive spend.
 */
export function fitGammaGamma(histories: readonly SpendHistory[], prior?: LogNormalPrior<GammaGammaParams>, options: FitOptions = {}): GammaGammaFit | null {
  if (!prior && !histories.some((h) => h.frequency > 0 && h.monetary > 0)) return null;
  const objective = gammaGammaObjective(histories, prior);
  const { usable } = objective;
  const best = minimiseFromStarts(objective, objective.starts, { optimiser: options.optimiser, maxStep: MAX_LOG_STEP });
  const params = objective.toParams(best.x);
  const logLikelihood = usable.reduce((s, h) => s + gammaGammaLogLikelihood(params, h), 0);
  return { params, logLikelihood, converged: best.converged, atBound: best.x.some((v) => Math.abs(v) > LOG_BOUND - 2), customers: usable.length };
}
