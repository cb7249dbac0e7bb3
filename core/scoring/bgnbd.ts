// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchases follow
// a Poisson process with gamma(r, alpha) heterogeneous rates; after each purchase a customer
// drops out with a beta(a, b) heterogeneous probability. Fitted per shop by maximum likelihood.
import { minimiseFromStarts, type Objective, type Optimiser } from "./math/minimise";
import { digamma, lgamma, logAddExp, logHyp2f1 } from "./math/special";
import type { BgnbdParams } from "./schema";

export interface Rft {
  frequency: number;
  recency: number;
  T: number;
}

/** Log-likelihood of one customer's (x, t_x, T), eq. (6) of the paper, in log space. */
export function bgnbdLogLikelihood({ r, alpha, a, b }: BgnbdParams, { frequency: x, recency: tx, T }: Rft): number {
  const lnA1 = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
  const lnA2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const lnA3 = -(r + x) * Math.log(alpha + T);
  // b + (x − 1), not (b + x) − 1: for x = 1 the latter loses b's digits when b is tiny.
  const lnA4 = x > 0 ? Math.log(a) - Math.log(b + (x - 1)) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return lnA1 + lnA2 + logAddExp(lnA3, lnA4);
}

/** Probability the customer is still active at T (end of their observation). */
export function pAlive({ r, alpha, a, b }: BgnbdParams, { frequency: x, recency: tx, T }: Rft): number {
  if (x === 0) return 1;
  // 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+tx))^(r+x)), with the ratio in log space.
  const lnOdds = Math.log(a) - Math.log(b + (x - 1)) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(lnOdds));
}

/** Expected purchases in the next t periods given the history, eq. (10) of the paper. */
export function expectedPurchases(params: BgnbdParams, history: Rft, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = params;
  // The expression is 0/0 at a = 1 exactly; a hair off it changes nothing measurable.
  const a = Math.abs(params.a - 1) < 1e-9 ? 1 + 1e-9 : params.a;
  const { frequency: x, T } = history;
  const z = t / (alpha + T + t);
  // ((alpha+T)/(alpha+T+t))^(r+x) = (1-z)^(r+x); the product with 2F1 is formed in log space
  // because each factor alone over/underflows for frequent buyers and long horizons.
  const hyp = logHyp2f1(r + x, b + x, a + b + x - 1, z);
  const bracket = 1 - hyp.sign * Math.exp((r + x) * Math.log1p(-z) + hyp.log);
  const numerator = ((a + b + x - 1) / (a - 1)) * bracket;
  return numerator * pAlive({ r, alpha, a, b }, history);
}

/**
 * Median wait (periods) to the next purchase if the customer is still active: the posterior
 * rate is gamma(r + x, alpha + T), so P(no purchase in t) = ((alpha+T)/(alpha+T+t))^(r+x).
 */
export function medianWaitIfActive({ r, alpha }: BgnbdParams, { frequency: x, T }: Rft): number {
  return (alpha + T) * (Math.pow(2, 1 / (r + x)) - 1);
}

export interface BgnbdFit {
  params: BgnbdParams;
  logLikelihood: number;
  converged: boolean;
  /** A log-parameter ended near its bound: the data cannot pin that parameter down. */
  atBound: boolean;
}

/** Customers with the same (x, t_x, T) share a likelihood term; fit on the distinct ones. */
function groupHistories(histories: readonly Rft[]): { h: Rft; n: number }[] {
  const groups = new Map<string, { h: Rft; n: number }>();
  for (const h of histories) {
    const key = `${h.frequency}|${h.recency}|${h.T}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { h, n: 1 });
  }
  return [...groups.values()];
}

// Log-parameters beyond this are numerically meaningless (e^±20); bounding keeps the search sane.
const LOG_BOUND = 20;

/** A normal prior on the log-parameters: small shops are pulled toward it (MAP, not MLE). */
export interface LogNormalPrior<P> {
  centre: P;
  /** Standard deviation in log units; 1 lets the data move a parameter ~e-fold freely. */
  sd: number;
}

/** The fit's objective over theta = log(r, alpha, a, b), and its starting points. */
export interface BgnbdObjective extends Objective {
  starts: number[][];
}

/**
 * Negative log-likelihood (minus the log prior, for MAP) of the histories over the
 * log-parameters, with its analytic gradient. With w3, w4 the softmax weights of A3 and A4:
 *   d/dr     = ψ(r+x) − ψ(r) + ln alpha − w3 ln(alpha+T) − w4 ln(alpha+tx)
 *   d/dalpha = r/alpha − (r+x) (w3/(alpha+T) + w4/(alpha+tx))
 *   d/da     = ψ(a+b) − ψ(a+b+x) + w4/a
 *   d/db     = ψ(a+b) − ψ(b) + ψ(b+x) − ψ(a+b+x) − w4/(b+x−1)
 * each times its parameter for the log scale.
 */
export function bgnbdObjective(histories: readonly Rft[], prior?: LogNormalPrior<BgnbdParams>): BgnbdObjective {
  const groups = groupHistories(histories);
  const distinctX = [...new Set(groups.map((g) => g.h.frequency))];
  const xIndex = groups.map((g) => distinctX.indexOf(g.h.frequency));
  const centre = prior ? [prior.centre.r, prior.centre.alpha, prior.centre.a, prior.centre.b].map(Math.log) : null;
  const priorPrecision = prior ? 1 / prior.sd ** 2 : 0;
  const value = (theta: readonly number[]) => {
    if (theta.some((v) => Math.abs(v) > LOG_BOUND)) return Infinity;
    const [r, alpha, a, b] = theta.map(Math.exp);
    // The gamma-function terms depend on x only: compute them once per distinct x.
    const lnAlpha = Math.log(alpha);
    const lnA = Math.log(a);
    const base = lgamma(a + b) - lgamma(b) - lgamma(r) + r * lnAlpha;
    const constX = distinctX.map((x) => base + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x));
    let ll = 0;
    for (let i = 0; i < groups.length; i++) {
      const { h, n } = groups[i];
      const x = h.frequency;
      const lnA3 = -(r + x) * Math.log(alpha + h.T);
      const lnA4 = x > 0 ? lnA - Math.log(b + (x - 1)) - (r + x) * Math.log(alpha + h.recency) : -Infinity;
      ll += n * (constX[xIndex[i]] + logAddExp(lnA3, lnA4));
    }
    if (centre) for (let i = 0; i < 4; i++) ll -= (theta[i] - centre[i]) ** 2 * priorPrecision / 2;
    return -ll;
  };
  const nX = distinctX.length;
  const constX = new Float64Array(nX);
  // Per distinct x: d/dr, d/da, d/db of the gamma-function terms (d/dalpha is r/alpha for all).
  const dR = new Float64Array(nX);
  const dA = new Float64Array(nX);
  const dB = new Float64Array(nX);
  const valueAndGradient = (theta: readonly number[]) => {
    if (theta.some((v) => Math.abs(v) > LOG_BOUND)) return { value: Infinity, gradient: [NaN, NaN, NaN, NaN] };
    const [r, alpha, a, b] = theta.map(Math.exp);
    const lnAlpha = Math.log(alpha);
    const lnA = Math.log(a);
    const base = lgamma(a + b) - lgamma(b) - lgamma(r) + r * lnAlpha;
    const psiR = digamma(r);
    const psiAB = digamma(a + b);
    const psiB = digamma(b);
    for (let j = 0; j < nX; j++) {
      const x = distinctX[j];
      const psiABX = digamma(a + b + x);
      constX[j] = base + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x);
      dR[j] = digamma(r + x) - psiR + lnAlpha;
      dA[j] = psiAB - psiABX;
      dB[j] = psiAB - psiB + digamma(b + x) - psiABX;
    }
    let ll = 0;
    let gR = 0;
    let gAlpha = 0;
    let gA = 0;
    let gB = 0;
    let nTotal = 0;
    for (let i = 0; i < groups.length; i++) {
      const { h, n } = groups[i];
      const x = h.frequency;
      const j = xIndex[i];
      const lnAlphaT = Math.log(alpha + h.T);
      const lnA3 = -(r + x) * lnAlphaT;
      nTotal += n;
      gR += n * dR[j];
      gA += n * dA[j];
      gB += n * dB[j];
      if (x === 0) {
        ll += n * (constX[j] + lnA3);
        gR -= n * lnAlphaT;
        gAlpha -= (n * (r + x)) / (alpha + h.T);
        continue;
      }
      const lnAlphaTx = Math.log(alpha + h.recency);
      const lnA4 = lnA - Math.log(b + (x - 1)) - (r + x) * lnAlphaTx;
      // ln(A3 + A4) as logAddExp forms it, and the weight of A4 in the sum (a softmax) from the
      // same exponential.
      const e = Math.exp(-Math.abs(lnA3 - lnA4));
      const w4 = lnA4 > lnA3 ? 1 / (1 + e) : e / (1 + e);
      const w3 = 1 - w4;
      ll += n * (constX[j] + (Math.max(lnA3, lnA4) + Math.log1p(e)));
      gR -= n * (w3 * lnAlphaT + w4 * lnAlphaTx);
      gAlpha -= n * (r + x) * (w3 / (alpha + h.T) + w4 / (alpha + h.recency));
      gA += (n * w4) / a;
      gB -= (n * w4) / (b + (x - 1));
    }
    gAlpha += (nTotal * r) / alpha;
    // Chain rule to the log-parameters, negated for minimisation; then the prior's pull.
    const gradient = [-gR * r, -gAlpha * alpha, -gA * a, -gB * b];
    if (centre) {
      for (let i = 0; i < 4; i++) {
        ll -= (theta[i] - centre[i]) ** 2 * priorPrecision / 2;
        gradient[i] += (theta[i] - centre[i]) * priorPrecision;
      }
    }
    return { value: -ll, gradient };
  };
  // Scale-aware starting points: alpha is in time units, so start it near the mean T.
  const meanT = histories.reduce((s, h) => s + h.T, 0) / Math.max(1, histories.length) || 1;
  const starts = [
    [0, Math.log(meanT), 0, 0],
    [Math.log(0.5), Math.log(meanT / 10 + 1e-3), Math.log(0.5), Math.log(2)],
    [Math.log(2), Math.log(meanT * 2), Math.log(2), Math.log(5)],
  ];
  if (centre) starts.unshift(centre);
  return { value, valueAndGradient, starts };
}

export interface FitOptions {
  /** BFGS (default, Nelder–Mead only if it converges from no start) or Nelder–Mead alone, for comparison. */
  optimiser?: Optimiser;
}

// Longest first step in log units: far enough to cross the likely range, short of the bound.
export const MAX_LOG_STEP = 5;

export function fitBgnbd(histories: readonly Rft[], prior?: LogNormalPrior<BgnbdParams>, options: FitOptions = {}): BgnbdFit {
  const groups = groupHistories(histories);
  const objective = bgnbdObjective(histories, prior);
  const best = minimiseFromStarts(objective, objective.starts, { optimiser: options.optimiser, maxStep: MAX_LOG_STEP });
  const [r, alpha, a, b] = best.x.map(Math.exp);
  const params = { r, alpha, a, b };
  let logLikelihood = 0;
  for (const { h, n } of groups) logLikelihood += n * bgnbdLogLikelihood(params, h);
  return { params, logLikelihood, converged: best.converged, atBound: best.x.some((v) => Math.abs(v) > LOG_BOUND - 2) };
}
