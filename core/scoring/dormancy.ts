// Dormancy against the customer's own rhythm rather than one shop-wide cut-off.

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Gaps in days between consecutive transaction days (ascending day numbers). */
export function interOrderGaps(days: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) gaps.push(days[i] - days[i - 1]);
  return gaps;
}

export type GapSource = "own" | "shop";

export interface Dormancy {
  expectedGapDays: number;
  gapSource: GapSource;
  daysSinceLastOrder: number;
  /** Days past the expected next order (0 when not yet due). */
  daysOverdue: number;
  dormant: boolean;
}

/**
 * Expected gap = the customer's median inter-order gap, or the shop's median gap for one-time
 * buyers. Dormant when days since the last order exceed k × the expected gap.
 */
export function assessDormancy(days: readonly number[], today: number, shopMedianGapDays: number, k: number): Dormancy {
  return dormancyFromGap(median(interOrderGaps(days)), days[days.length - 1], today, shopMedianGapDays, k);
}

/** assessDormancy from the customer's median gap (null without repeats) and last order day. */
export function dormancyFromGap(own: number | null, lastDay: number, today: number, shopMedianGapDays: number, k: number): Dormancy {
  const expectedGapDays = own !== null && own > 0 ? own : shopMedianGapDays;
  const daysSinceLastOrder = today - lastDay;
  return {
    expectedGapDays,
    gapSource: own !== null && own > 0 ? "own" : "shop",
    daysSinceLastOrder,
    daysOverdue: Math.max(0, daysSinceLastOrder - expectedGapDays),
    dormant: daysSinceLastOrder > k * expectedGapDays,
  };
}

/** The shop's median gap over every repeat gap of every customer; null without repeats. */
export function shopMedianGap(customersDays: readonly (readonly number[])[]): number | null {
  const all: number[] = [];
  for (const days of customersDays) all.push(...interOrderGaps(days));
  return median(all);
}
