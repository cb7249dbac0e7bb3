// Behavioural clusters: k-means (k-means++ seeding, fixed seed) on standardised features
// (behaviour, plus the category mix when the shop has categories), k chosen by mean
// silhouette, each cluster described in words from its centre.
import { createRng as seededRng, type Rng } from "../random";

export interface FeatureSpec {
  name: string;
  /** Words for a centre well above / below the shop's average, e.g. "big baskets". */
  high: string;
  low: string;
  /**
   * Multiplies the feature after standardising (1 when absent): its say in the distances.
   * Standardised, every feature has variance weight².
   */
  weight?: number;
  /**
   * Set for a category-mix feature (the customer's share of spend in this product category):
   * described from the centre's share itself ("mostly buys Outerwear"), not from |z|.
   */
  category?: string;
}

export interface Clustering {
  k: number;
  assignments: number[];
  /** Centres in standard-score units, one row per cluster. */
  centres: number[][];
  silhouette: number;
  descriptions: string[];
}

/** z = (value - mean) / sd, where `sd` is the feature's spread divided by its weight. */
function standardise(rows: readonly number[][], { mean, sd }: { mean: readonly number[]; sd: readonly number[] }): number[][] {
  // A constant feature carries no information; leave it at 0 instead of dividing by zero.
  return rows.map((r) => r.map((v, j) => (sd[j] > 0 ? (v - mean[j]) / sd[j] : 0)));
}

function dist2(p: readonly number[], q: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < p.length; j++) s += (p[j] - q[j]) ** 2;
  return s;
}

function kMeansPlusPlus(points: number[][], k: number, rng: Rng): number[][] {
  const centres = [points[Math.floor(rng() * points.length)]];
  const nearest = points.map((p) => dist2(p, centres[0]));
  while (centres.length < k) {
    const total = nearest.reduce((s, v) => s + v, 0);
    let pick = points.length - 1;
    if (total > 0) {
      let u = rng() * total;
      for (let i = 0; i < points.length; i++) {
        u -= nearest[i];
        if (u <= 0) {
          pick = i;
          break;
        }
      }
    }
    centres.push(points[pick]);
    for (let i = 0; i < points.length; i++) nearest[i] = Math.min(nearest[i], dist2(points[i], points[pick]));
  }
  return centres.map((c) => c.slice());
}

// Lloyd's iterations converge to a local optimum that depends on the seeding, so several
// seeded starts are run and the one with the smallest within-cluster sum of squares kept.
export function kMeans(points: number[][], k: number, seed: number, maxIterations = 100, starts = 5): { assignments: number[]; centres: number[][] } {
  let best: { assignments: number[]; centres: number[][]; inertia: number } | undefined;
  for (let s = 0; s < starts; s++) {
    const run = lloyd(points, k, seed + s * 7919, maxIterations);
    const inertia = points.reduce((sum, p, i) => sum + dist2(p, run.centres[run.assignments[i]]), 0);
    if (!best || inertia < best.inertia) best = { ...run, inertia };
  }
  return { assignments: best!.assignments, centres: best!.centres };
}

function lloyd(points: number[][], k: number, seed: number, maxIterations: number): { assignments: number[]; centres: number[][] } {
  let centres = kMeansPlusPlus(points, k, seededRng(seed));
  const assignments = new Array<number>(points.length).fill(-1);
  const d = points.length ? points[0].length : 0;
  for (let it = 0; it < maxIterations; it++) {
    let moved = false;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      let best = 0;
      let bestD = dist2(p, centres[0]);
      for (let c = 1; c < k; c++) {
        const dc = dist2(p, centres[c]);
        if (dc < bestD) {
          best = c;
          bestD = dc;
        }
      }
      if (best !== assignments[i]) moved = true;
      assignments[i] = best;
    }
    if (!moved) break;
    // Each centre is its members' mean (sums in point order); an empty cluster keeps its centre.
    const sums = centres.map(() => new Array<number>(d).fill(0));
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < points.length; i++) {
      const sum = sums[assignments[i]];
      for (let j = 0; j < d; j++) sum[j] += points[i][j];
      counts[assignments[i]]++;
    }
    centres = centres.map((old, c) => (counts[c] === 0 ? old : sums[c].map((v) => v / counts[c])));
  }
  return { assignments, centres };
}

/** Mean silhouette over (a seeded sample of) the points; the exact one is O(n²). */
export function silhouette(points: number[][], assignments: number[], k: number, seed: number, sampleSize = 1000): number {
  return silhouetteOf(sampleDistances(points, seed, sampleSize), assignments, k);
}

interface SampleDistances {
  /** The sampled points' indices (seeded, with replacement above the sample size). */
  idx: number[];
  /** Distance between the a-th and b-th sampled points at a * idx.length + b. */
  d: Float64Array;
}

/** The silhouette sample's pairwise distances: they do not depend on the clustering, so each k reuses them. */
function sampleDistances(points: number[][], seed: number, sampleSize: number): SampleDistances {
  const rng = seededRng(seed);
  const idx = points.length <= sampleSize ? points.map((_, i) => i) : Array.from({ length: sampleSize }, () => Math.floor(rng() * points.length));
  const n = idx.length;
  const d = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const v = Math.sqrt(dist2(points[idx[a]], points[idx[b]]));
      d[a * n + b] = v;
      d[b * n + a] = v;
    }
  }
  return { idx, d };
}

function silhouetteOf({ idx, d }: SampleDistances, assignments: number[], k: number): number {
  const n = idx.length;
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  let total = 0;
  for (let a = 0; a < n; a++) {
    sums.fill(0);
    counts.fill(0);
    const i = idx[a];
    for (let b = 0; b < n; b++) {
      const j = idx[b];
      if (j === i) continue;
      sums[assignments[j]] += d[a * n + b];
      counts[assignments[j]]++;
    }
    const own = assignments[i];
    if (counts[own] === 0) continue; // singleton: silhouette 0 by convention
    const within = sums[own] / counts[own];
    let nearest = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c] > 0) nearest = Math.min(nearest, sums[c] / counts[c]);
    if (Number.isFinite(nearest)) total += (nearest - within) / Math.max(within, nearest);
  }
  return total / n;
}

/**
 * Words for a centre (standard-score units). The two strongest traits (|z| > 0.5) among the
 * behaviour features say what sets the group apart; with category-mix features and the
 * scaling (`mean`, `sd` as the fit used them) the centre's own spend shares add the category:
 * "mostly buys X" when X is at least half of it, "often buys X" when X is at least a quarter
 * and twice the shop's average share (the largest such category only).
 */
export function describeCentre(centre: readonly number[], features: readonly FeatureSpec[], scaling?: { mean: readonly number[]; sd: readonly number[] }): string {
  const traits = centre
    .map((z, j) => ({ z, j }))
    .filter(({ z, j }) => features[j].category === undefined && Math.abs(z) > 0.5)
    .sort((p, q) => Math.abs(q.z) - Math.abs(p.z))
    .slice(0, 2)
    .map(({ z, j }) => (z > 0 ? features[j].high : features[j].low));
  const category = scaling && categoryWords(centre, features, scaling);
  if (category) traits.push(category);
  return traits.length ? traits.join(", ") : "close to the shop's typical customer";
}

function categoryWords(centre: readonly number[], features: readonly FeatureSpec[], { mean, sd }: { mean: readonly number[]; sd: readonly number[] }): string | null {
  let top: { j: number; share: number } | null = null;
  for (let j = 0; j < features.length; j++) {
    if (features[j].category === undefined) continue;
    const share = mean[j] + centre[j] * sd[j];
    if (!top || share > top.share) top = { j, share };
  }
  if (!top) return null;
  const name = features[top.j].category;
  if (top.share >= 0.5) return `mostly buys ${name}`;
  if (top.share >= 0.25 && top.share >= 2 * mean[top.j]) return `often buys ${name}`;
  return null;
}

/** Cluster raw feature rows; returns null when there are too few customers to split. */
export function clusterCustomers(rows: readonly number[][], features: readonly FeatureSpec[], seed = 1, kRange: [number, number] = [2, 6]): Clustering | null {
  if (rows.length < 3 * kRange[0]) return null;
  const scaling = featureMoments(rows, features);
  const points = standardise(rows, scaling);
  let best: Clustering | null = null;
  const distances = sampleDistances(points, seed, 1000);
  for (let k = kRange[0]; k <= Math.min(kRange[1], Math.floor(rows.length / 3)); k++) {
    const { assignments, centres } = kMeans(points, k, seed + k);
    const s = silhouetteOf(distances, assignments, k);
    if (!best || s > best.silhouette) {
      best = { k, assignments, centres, silhouette: s, descriptions: centres.map((c) => describeCentre(c, features, scaling)) };
    }
  }
  return best && inCanonicalOrder(best);
}

/**
 * Renumbers clusters by their centres (first feature ascending, then the next), so the
 * numbers do not depend on k-means++ seeding: a nightly refit of much the same shop keeps
 * each cluster's number, and a segment on a cluster keeps meaning the same customers.
 */
function inCanonicalOrder(c: Clustering): Clustering {
  const byCentre = (p: number, q: number) => {
    for (let j = 0; j < c.centres[p].length; j++) if (c.centres[p][j] !== c.centres[q][j]) return c.centres[p][j] - c.centres[q][j];
    return p - q;
  };
  const order = c.centres.map((_, i) => i).sort(byCentre);
  const newIndex = new Array<number>(order.length);
  order.forEach((old, i) => (newIndex[old] = i));
  return {
    ...c,
    assignments: c.assignments.map((a) => newIndex[a]),
    centres: order.map((i) => c.centres[i]),
    descriptions: order.map((i) => c.descriptions[i]),
  };
}

export const CUSTOMER_FEATURES: FeatureSpec[] = [
  { name: "daysSinceLastOrder", high: "long since last order", low: "ordered recently" },
  { name: "orderCount", high: "many orders", low: "few orders" },
  { name: "totalSpend", high: "high total spend", low: "low total spend" },
  { name: "tenureDays", high: "long-standing", low: "recently acquired" },
  { name: "expectedGapDays", high: "orders rarely", low: "orders often" },
  { name: "averageBasket", high: "big baskets", low: "small baskets" },
  { name: "discountShare", high: "buys mostly on discount", low: "rarely uses discounts" },
];

/**
 * Mean and (population) standard deviation per feature, the latter divided by the feature's
 * weight when it has one: the scaling `standardise` and `nearestCentre` use.
 */
export function featureMoments(rows: readonly number[][], features?: readonly FeatureSpec[]): { mean: number[]; sd: number[] } {
  const d = rows[0].length;
  const mean = new Array(d).fill(0);
  const sd = new Array(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) sd[j] += (r[j] - mean[j]) ** 2 / rows.length;
  return { mean, sd: sd.map((v, j) => Math.sqrt(v) / (features?.[j]?.weight ?? 1)) };
}

/**
 * Category mix as clustering features: one per category of the shop's (its top categories by
 * spend, stage-summaries.ts), the customer's share of spend in it. Each share is standardised
 * like every feature and then weighted by sqrt(2/m), so the block of m shares together carries
 * the variance of two behaviour features. The shares are strongly tied (they sum to at most 1;
 * a favourite category pushes the others down): unweighted, five of them would outvote recency,
 * frequency and spend together and the clusters would be little more than "favourite
 * category"; weighted as a single feature, customers who differ only in what they buy are lost
 * in the noise of the seven behaviour features (test/core/scoring/clusters.test.ts). None for a
 * shop without categories: its features, and so its clusters, are exactly CUSTOMER_FEATURES'.
 */
export function categoryFeatures(categories: readonly string[]): FeatureSpec[] {
  const weight = Math.sqrt(2 / Math.max(1, categories.length));
  return categories.map((category) => ({
    name: `category:${category}`, high: `often buys ${category}`, low: `rarely buys ${category}`, weight, category,
  }));
}

/**
 * The centre nearest to a raw feature row, standardised with the fitted mean and spread: how
 * customers outside the fitted sample are assigned. On a fitted point it is the k-means
 * assignment itself (Lloyd's iterations stop when nothing moves).
 */
export function nearestCentre(row: ArrayLike<number>, centres: readonly (readonly number[])[], mean: readonly number[], sd: readonly number[]): number {
  const d = mean.length;
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centres.length; c++) {
    const centre = centres[c];
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const z = sd[j] > 0 ? (row[j] - mean[j]) / sd[j] : 0;
      dist += (z - centre[j]) ** 2;
    }
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return best;
}
