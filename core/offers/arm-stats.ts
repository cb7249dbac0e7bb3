// Bandit bookkeeping split in time: a send is counted when the offer is chosen, a conversion
// (with its realised net margin) when an order is attributed, and undone on a refund. Pure;
// each returns a new state.
import { emptyArmStats } from "./bandit";
import type { BanditState } from "./schema";

export function recordSend(state: BanditState, offerId: string): BanditState {
  const a = state.arms[offerId] ?? emptyArmStats();
  return { arms: { ...state.arms, [offerId]: { ...a, sends: a.sends + 1 } } };
}

/** Welford update of the arm's net margin per converted order. */
export function recordConversion(state: BanditState, offerId: string, netMarginMinor: number): BanditState {
  const a = state.arms[offerId] ?? emptyArmStats();
  const n = a.conversions + 1;
  const delta = netMarginMinor - a.netMarginMean;
  const mean = a.netMarginMean + delta / n;
  // A conversion without a recorded send (a choice made before sends were counted) still counts as one.
  return { arms: { ...state.arms, [offerId]: { sends: Math.max(a.sends, n), conversions: n, netMarginMean: mean, netMarginM2: a.netMarginM2 + delta * (netMarginMinor - mean) } } };
}

/** Removes one conversion of value x (a refunded order): the inverse Welford step. */
export function reverseConversion(state: BanditState, offerId: string, netMarginMinor: number): BanditState {
  const a = state.arms[offerId];
  if (!a || a.conversions === 0) return state;
  const n = a.conversions - 1;
  if (n === 0) return { arms: { ...state.arms, [offerId]: { ...a, conversions: 0, netMarginMean: 0, netMarginM2: 0 } } };
  const mean = (a.netMarginMean * a.conversions - netMarginMinor) / n;
  const m2 = Math.max(0, a.netMarginM2 - (netMarginMinor - mean) * (netMarginMinor - a.netMarginMean));
  return { arms: { ...state.arms, [offerId]: { ...a, conversions: n, netMarginMean: mean, netMarginM2: m2 } } };
}
