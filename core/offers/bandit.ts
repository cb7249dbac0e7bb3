// Thompson-sampling offer chooser, one state per segment. It maximises expected NET MARGIN per
// send, p(convert) × (order margin − discount) − message cost, not conversions: a 20% code that
// converts a little more but gives margin away to people who would have bought anyway loses.
// Comparing arms on absolute net margin is the same as comparing them on incremental margin,
// because the organic baseline is common to every arm sent to the same segment.
import type { Rng } from "../random/prng";
import { beta, gamma, normal } from "../random/samplers";
import { err, ok, type Result } from "../result";
import { withinBounds } from "./bounds";
import type { ArmStats, BanditState, MerchantBounds, Offer } from "./schema";

export interface BanditPrior {
  /** Beta prior on conversion per send; weak by default (a couple of pseudo-sends). */
  conversionAlpha: number;
  conversionBeta: number;
  /** Normal-Gamma prior on net margin per converted order, minor units. */
  netMarginMean: number | ((offer: Offer) => number);
  /** Pseudo-orders behind the prior mean. */
  netMarginKappa: number;
  netMarginShape: number;
  /** Prior guess of the standard deviation of net margin per order. */
  netMarginSd: number;
}

export interface BanditConfig {
  prior: BanditPrior;
  /** Cost of one message (send fee, SMS segment), minor units. */
  messageCostMinor: number;
}

export interface ArmDraw {
  offerId: string;
  sampledConversion: number;
  sampledNetMarginPerOrder: number;
  /** sampledConversion × sampledNetMarginPerOrder − message cost. */
  sampledNetPerSend: number;
}

export interface BanditChoice {
  offer: Offer;
  /** Why: every eligible arm's draw, and every arm left out with its reason. */
  reason: { draws: ArmDraw[]; excluded: { offerId: string; why: string }[] };
}

export type BanditOutcome =
  | { offerId: string; converted: false }
  | { offerId: string; converted: true; orderMarginMinor: number; discountCostMinor: number };

export const emptyArmStats = (): ArmStats => ({ sends: 0, conversions: 0, netMarginMean: 0, netMarginM2: 0 });
export const emptyBanditState = (): BanditState => ({ arms: {} });

function priorMeanFor(prior: BanditPrior, offer: Offer): number {
  return typeof prior.netMarginMean === "function" ? prior.netMarginMean(offer) : prior.netMarginMean;
}

/** Draw (conversion, net margin per order) from the arm's posterior. */
function drawArm(stats: ArmStats, offer: Offer, prior: BanditPrior, rng: Rng): { p: number; margin: number } {
  const p = beta(rng, prior.conversionAlpha + stats.conversions, prior.conversionBeta + stats.sends - stats.conversions);
  // Normal-Gamma conjugate update from (n, mean, M2).
  const n = stats.conversions;
  const mu0 = priorMeanFor(prior, offer);
  const k0 = prior.netMarginKappa;
  const a0 = prior.netMarginShape;
  const b0 = a0 * prior.netMarginSd * prior.netMarginSd;
  const kn = k0 + n;
  const mun = n === 0 ? mu0 : (k0 * mu0 + n * stats.netMarginMean) / kn;
  const an = a0 + n / 2;
  const d = stats.netMarginMean - mu0;
  const bn = b0 + stats.netMarginM2 / 2 + (n === 0 ? 0 : (k0 * n * d * d) / (2 * kn));
  const precision = gamma(rng, an, bn);
  const margin = normal(rng, mun, 1 / Math.sqrt(kn * precision));
  return { p, margin };
}

export function chooseOffer(
  state: BanditState,
  catalogue: readonly Offer[],
  bounds: MerchantBounds,
  config: BanditConfig,
  rng: Rng,
): Result<BanditChoice> {
  const draws: ArmDraw[] = [];
  const excluded: { offerId: string; why: string }[] = [];
  let best: { offer: Offer; value: number } | null = null;
  for (const offer of catalogue) {
    // Bounds are checked before sampling: an out-of-bounds arm can never win a draw.
    const bounded = withinBounds(offer, bounds);
    if (!bounded.ok) {
      excluded.push({ offerId: offer.id, why: bounded.error });
      continue;
    }
    const { p, margin } = drawArm(state.arms[offer.id] ?? emptyArmStats(), offer, config.prior, rng);
    const value = p * margin - config.messageCostMinor;
    draws.push({ offerId: offer.id, sampledConversion: p, sampledNetMarginPerOrder: margin, sampledNetPerSend: value });
    if (!best || value > best.value) best = { offer, value };
  }
  if (!best) return err("no offer in the catalogue is within the merchant's bounds");
  return ok({ offer: best.offer, reason: { draws, excluded } });
}

/** Posterior state after one outcome; returns a new state (the old one is untouched). */
export function updateBandit(state: BanditState, outcome: BanditOutcome): BanditState {
  const prev = state.arms[outcome.offerId] ?? emptyArmStats();
  let next: ArmStats = { ...prev, sends: prev.sends + 1 };
  if (outcome.converted) {
    const x = outcome.orderMarginMinor - outcome.discountCostMinor;
    const n = prev.conversions + 1;
    const delta = x - prev.netMarginMean;
    const mean = prev.netMarginMean + delta / n;
    next = { sends: next.sends, conversions: n, netMarginMean: mean, netMarginM2: prev.netMarginM2 + delta * (x - mean) };
  }
  return { arms: { ...state.arms, [outcome.offerId]: next } };
}

export function updateBanditMany(state: BanditState, outcomes: readonly BanditOutcome[]): BanditState {
  // Mutating a private copy keeps a batch of thousands linear rather than quadratic.
  const arms: Record<string, ArmStats> = { ...state.arms };
  for (const o of outcomes) arms[o.offerId] = updateBandit({ arms: { [o.offerId]: arms[o.offerId] ?? emptyArmStats() } }, o).arms[o.offerId];
  return { arms };
}

/** Posterior mean net margin per send for each arm: what a report shows as "expected value". */
export function expectedNetPerSend(state: BanditState, offer: Offer, config: BanditConfig): number {
  const s = state.arms[offer.id] ?? emptyArmStats();
  const { prior } = config;
  const p = (prior.conversionAlpha + s.conversions) / (prior.conversionAlpha + prior.conversionBeta + s.sends);
  const m = (prior.netMarginKappa * priorMeanFor(prior, offer) + s.conversions * s.netMarginMean) / (prior.netMarginKappa + s.conversions);
  return p * m - config.messageCostMinor;
}
