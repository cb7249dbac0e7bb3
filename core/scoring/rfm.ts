// RFM: recency, frequency and monetary scores 1-5 by quintile within a shop, and the named
// group from the recency × average(frequency, monetary) grid.

export interface RfmInput {
  daysSinceLastOrder: number;
  orderCount: number;
  totalSpend: number;
}

export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
}

/**
 * Score = 1 + floor(5 × share of customers strictly below). Tied values always share a score
 * (ntile would split a tie across quintiles arbitrarily), and the SQL equivalent is
 * 1 + floor(5 × (rank() - 1) / count(*)).
 */
export function quintileScores(values: readonly number[]): number[] {
  const sorted = values.slice().sort((p, q) => p - q);
  const n = values.length;
  return values.map((v) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(5, 1 + Math.floor((5 * lo) / n));
  });
}

/**
 * Cut points equivalent to quintileScores: a value v scores at least s when at least
 * ceil((s - 1) n / 5) values lie strictly below it, i.e. when v > sorted[ceil((s - 1) n / 5) - 1].
 * These are the 1-based positions, in ascending order of the n values, of the four cut values
 * for scores 2..5 (0: no cut, every value is above it). The job reads the values at these
 * positions in SQL; `scoreFromCuts` then scores any value, in the run or later.
 */
export function quintileCutPositions(n: number): number[] {
  const positions: number[] = [];
  for (let s = 2; s <= 5; s++) positions.push(Math.ceil(((s - 1) * n) / 5));
  return positions;
}

/** The four cut values of quintileCutPositions from the values themselves. */
export function quintileCuts(values: Float64Array): number[] {
  const sorted = values.slice().sort();
  return quintileCutPositions(sorted.length).map((m) => (m >= 1 ? sorted[m - 1] : -Infinity));
}

/** Score 1-5: 1 + the number of cuts strictly below the value. */
export function scoreFromCuts(value: number, cuts: readonly number[]): number {
  let score = 1;
  for (const c of cuts) if (value > c) score++;
  return score;
}

export function rfmScores(customers: readonly RfmInput[]): RfmScores[] {
  // Fewer days since the last order is better, so score the negated value.
  const r = quintileScores(customers.map((c) => -c.daysSinceLastOrder));
  const f = quintileScores(customers.map((c) => c.orderCount));
  const m = quintileScores(customers.map((c) => c.totalSpend));
  return customers.map((_, i) => ({ recency: r[i], frequency: f[i], monetary: m[i] }));
}

export const RFM_GROUPS = [
  "champions",
  "loyal",
  "active",
  "new",
  "promising",
  "needs_attention",
  "almost_lost",
  "at_risk",
  "cant_lose",
  "previously_loyal",
  "dormant",
] as const;
export type RfmGroup = (typeof RFM_GROUPS)[number];

/**
 * Rows: recency score 5 (top) to 1. Columns: FM = average of frequency and monetary scores,
 * rounded half up, 1 to 5. Our own mapping in the spirit of Shopify's RFM grid (whose exact
 * cells we could not source): recent customers split by value into new / active / champions;
 * middling recency is promising, needs attention or loyal; lapsed customers are graded by how
 * much they were worth, down to dormant.
 */
const GRID: Record<number, readonly RfmGroup[]> = {
  5: ["new", "active", "active", "champions", "champions"],
  4: ["promising", "promising", "active", "loyal", "champions"],
  3: ["needs_attention", "needs_attention", "needs_attention", "loyal", "loyal"],
  2: ["almost_lost", "almost_lost", "at_risk", "at_risk", "cant_lose"],
  1: ["dormant", "dormant", "previously_loyal", "previously_loyal", "cant_lose"],
};

export function fmScore({ frequency, monetary }: RfmScores): number {
  return Math.floor((frequency + monetary) / 2 + 0.5);
}

export function rfmGroup(scores: RfmScores): RfmGroup {
  return GRID[scores.recency][fmScore(scores) - 1];
}
