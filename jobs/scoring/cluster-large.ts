// Clustering at shop scale: k-means with silhouette selection is fitted on a seeded sample of
// at most CLUSTER_SAMPLE customers (drawn in SQL by stage-summaries.ts), then every customer is
// assigned to the nearest centre (standardised with the sample's mean and spread) as their
// chunk is scored. Up to the sample size the fit is clusterCustomers on everyone.
import { clusterCustomers, featureMoments, type Clustering, type FeatureSpec } from "../../core/scoring/clusters";

export const CLUSTER_SAMPLE = 2_000;

export interface ClusterModel extends Omit<Clustering, "assignments"> {
  mean: number[];
  /** Per feature, its spread divided by its weight (what nearestCentre divides by). */
  sd: number[];
  sampled: number;
}

/** Fits the clusters on the sample rows (raw features); null when too few to split. */
export function fitClusterModel(sample: readonly number[][], features: readonly FeatureSpec[], seed: number): ClusterModel | null {
  const fitted = clusterCustomers(sample, features, seed);
  if (!fitted) return null;
  const { assignments: _, ...rest } = fitted;
  return { ...rest, ...featureMoments(sample, features), sampled: sample.length };
}
