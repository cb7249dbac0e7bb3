// A/B report for message or offer variants: who is probably best, and whether the difference is
// real in a way that stays valid however often the merchant looks (no peeking penalty).
//
// Always-valid p-value: mixture sequential probability ratio test (mSPRT, Johari, Koomen,
// Pekelis & Walsh, "Peeking at A/B tests", KDD 2017; Johari et al., Oper. Res. 2022), normal
// approximation for the difference of two proportions θ = p_B − p_A. With estimate θ̂, its
// (unpooled) variance V = p̂_A(1−p̂_A)/n_A + p̂_B(1−p̂_B)/n_B and a N(0, τ²) mixture over θ under
// the alternative, the mixture likelihood ratio against θ = 0 is
//     Λ = sqrt(V / (V + τ²)) · exp( τ² θ̂² / (2 V (V + τ²)) ),
// and p = min(1, 1/Λ), kept as a running minimum over looks (pass the previous p in). Because
// 1/Λ is a nonnegative supermartingale under H0, P(p ever ≤ α) ≤ α (Ville's inequality).
// τ is the scale of effects we expect to matter; the default 0.02 (2 percentage points) suits
// win-back conversion rates of a few percent.
import type { Rng } from "../random/prng";
import { beta } from "../random/samplers";
import { err, ok, type Result } from "../result";

export interface VariantTotals {
  id: string;
  customers: number;
  converters: number;
}

export interface VariantReport {
  id: string;
  rate: number;
  probabilityBest: number;
  /** Versus the control (first variant); null for the control itself. */
  vsControl: { difference: number; alwaysValidP: number; significant: boolean } | null;
}

export type AbVerdict =
  | { kind: "significant"; best: string; message: string }
  | { kind: "no_significant_difference"; message: string; moreCustomersNeeded: number | null };

export interface AbReport {
  variants: VariantReport[];
  verdict: AbVerdict;
}

export interface AbOptions {
  alpha?: number;
  mixtureSd?: number;
  draws?: number;
  /** Running minimum p-values from earlier looks, per variant id. */
  previousP?: Record<string, number>;
  /** Effect assumed for the sample-size estimate when the observed difference is zero. */
  minimumEffect?: number;
}

export function msprtLikelihoodRatio(thetaHat: number, variance: number, tau: number): number {
  if (variance <= 0) return thetaHat === 0 ? 1 : Infinity;
  const t2 = tau * tau;
  const logL = 0.5 * Math.log(variance / (variance + t2)) + (t2 * thetaHat * thetaHat) / (2 * variance * (variance + t2));
  return Math.exp(logL);
}

function differenceVariance(a: VariantTotals, b: VariantTotals): number {
  // Add-half smoothing keeps V > 0 when a group has 0% or 100% conversion.
  const pa = (a.converters + 0.5) / (a.customers + 1);
  const pb = (b.converters + 0.5) / (b.customers + 1);
  return (pa * (1 - pa)) / a.customers + (pb * (1 - pb)) / b.customers;
}

/** Smallest factor m ≥ 1 such that m times the current customers reach significance at the same rates. */
function scaleToSignificance(theta: number, variance: number, tau: number, alpha: number): number | null {
  if (theta === 0) return null;
  const reached = (m: number) => msprtLikelihoodRatio(theta, variance / m, tau) >= 1 / alpha;
  let hi = 1;
  while (!reached(hi)) {
    hi *= 2;
    if (hi > 1e7) return null;
  }
  let lo = hi / 2;
  while (hi - lo > 1e-3 * hi) {
    const mid = (lo + hi) / 2;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function probabilityBest(variants: readonly VariantTotals[], rng: Rng, draws: number): number[] {
  const wins = variants.map(() => 0);
  for (let d = 0; d < draws; d++) {
    let best = -1;
    let bestValue = -Infinity;
    variants.forEach((v, i) => {
      const x = beta(rng, 1 + v.converters, 1 + v.customers - v.converters);
      if (x > bestValue) {
        bestValue = x;
        best = i;
      }
    });
    wins[best]++;
  }
  return wins.map((w) => w / draws);
}

export function abReport(variants: readonly VariantTotals[], rng: Rng, opts: AbOptions = {}): Result<AbReport> {
  const alpha = opts.alpha ?? 0.05;
  const tau = opts.mixtureSd ?? 0.02;
  const draws = opts.draws ?? 10_000;
  if (variants.length < 2) return err("an A/B report needs at least two variants");
  if (new Set(variants.map((v) => v.id)).size !== variants.length) return err("variant ids must be distinct");
  for (const v of variants) {
    if (v.customers < 1 || v.converters < 0 || v.converters > v.customers) return err(`variant ${v.id} has impossible totals`);
  }
  const control = variants[0];
  const pBest = probabilityBest(variants, rng, draws);
  let needed: number | null = 0;
  const reports: VariantReport[] = variants.map((v, i) => {
    const rate = v.converters / v.customers;
    if (i === 0) return { id: v.id, rate, probabilityBest: pBest[i], vsControl: null };
    const theta = rate - control.converters / control.customers;
    const variance = differenceVariance(control, v);
    const p = Math.min(1, 1 / msprtLikelihoodRatio(theta, variance, tau), opts.previousP?.[v.id] ?? 1);
    const significant = p <= alpha;
    if (!significant && needed !== null) {
      const effect = theta !== 0 ? theta : (opts.minimumEffect ?? 0.01);
      const m = scaleToSignificance(effect, variance, tau, alpha);
      needed = m === null ? null : Math.max(needed, Math.ceil((m - 1) * (control.customers + v.customers)));
    }
    return { id: v.id, rate, probabilityBest: pBest[i], vsControl: { difference: theta, alwaysValidP: p, significant } };
  });

  const winners = reports.filter((r) => r.vsControl?.significant);
  let verdict: AbVerdict;
  if (winners.length > 0) {
    const best = reports.reduce((a, b) => (b.probabilityBest > a.probabilityBest ? b : a));
    verdict = {
      kind: "significant",
      best: best.id,
      message: `${best.id} is most likely best (${(best.probabilityBest * 100).toFixed(1)}%); the difference from ${control.id} is significant at ${alpha} and stays valid however often you look.`,
    };
  } else {
    verdict = {
      kind: "no_significant_difference",
      moreCustomersNeeded: needed,
      message:
        needed === null
          ? "No significant difference yet, and at the observed rates none is likely to appear."
          : `No significant difference yet. At the observed rates about ${needed} more customers are needed.`,
    };
  }
  return ok({ variants: reports, verdict });
}
