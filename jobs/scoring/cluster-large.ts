// Clustering at shop scale: k-means with silhouette selection is fitted on a seeded sample of
// at most CLUSTER_SAMPLE customers, then every customer is assigned to the nearest centre
// (standardised with the sample's mean and spread). Up to the sample size it is exactly
// clusterCustomers on everyone.
import { createRng } from "../../core/random";
import { clusterCustomers, type Clustering, type FeatureSpec } from "../../core/scoring/clusters";

export const CLUSTER_SAMPLE = 2_000;

export interface LargeClustering extends Clustering {
  mean: number[];
  sd: number[];
  sampled: number;
}

export function clusterLarge(rows: readonly number[][], features: readonly FeatureSpec[], seed: number): LargeClustering | null {
  if (rows.length <= CLUSTER_SAMPLE) {
    const c = clusterCustomers(rows, features, seed);
    return c && { ...c, ...moments(rows), sampled: rows.length };
  }
  const rng = createRng(seed);
  // Partial Fisher-Yates: a uniform sample without repeats.
  const idx = Array.from({ length: rows.length }, (_, i) => i);
  for (let i = 0; i < CLUSTER_SAMPLE; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const sample = idx.slice(0, CLUSTER_SAMPLE).map((i) => rows[i]);
  const fitted = clusterCustomers(sample, features, seed);
  if (!fitted) return null;
  const { mean, sd } = moments(sample);
  const d = mean.length;
  const assignments = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < fitted.centres.length; c++) {
      const centre = fitted.centres[c];
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const z = sd[j] > 0 ? (r[j] - mean[j]) / sd[j] : 0;
        dist += (z - centre[j]) ** 2;
      }
      if (dist < bestD) {
        bestD = dist;
        best = c;
      }
    }
    assignments[i] = best;
  }
  return { ...fitted, assignments, mean, sd, sampled: CLUSTER_SAMPLE };
}

function moments(rows: readonly number[][]): { mean: number[]; sd: number[] } {
  const d = rows[0].length;
  const mean = new Array(d).fill(0);
  const sd = new Array(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) sd[j] += (r[j] - mean[j]) ** 2 / rows.length;
  return { mean, sd: sd.map(Math.sqrt) };
}
