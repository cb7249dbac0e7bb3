import { describe, expect, it } from "vitest";
import { clusterCustomers, describeCentre, kMeans, type FeatureSpec } from "../../../core/scoring/clusters";
import { createRng as seededRng } from "../../../core/random";

const FEATURES: FeatureSpec[] = [
  { name: "orders", high: "many orders", low: "few orders" },
  { name: "basket", high: "big baskets", low: "small baskets" },
];

/** Blobs around given centres with small noise. */
function blobs(centres: number[][], perBlob: number, seed: number): number[][] {
  const rng = seededRng(seed);
  return centres.flatMap((c) => Array.from({ length: perBlob }, () => c.map((v) => v + (rng() - 0.5) * 0.5)));
}

describe("clusterCustomers", () => {
  it.each([
    [[[1, 10], [10, 10], [5, 100]], 3],
    [[[1, 10], [20, 200]], 2],
    [[[0, 0], [10, 0], [0, 10], [10, 10]], 4],
  ])("finds the %o blobs (k=%d) by silhouette", (centres, k) => {
    const rows = blobs(centres, 30, 4);
    const result = clusterCustomers(rows, FEATURES, 1)!;
    expect(result.k).toBe(k);
    // Every blob lands in a single cluster.
    for (let b = 0; b < centres.length; b++) {
      const labels = new Set(result.assignments.slice(b * 30, (b + 1) * 30));
      expect(labels.size).toBe(1);
    }
  });
  it("is deterministic for a seed", () => {
    const rows = blobs([[1, 1], [5, 5], [9, 1]], 20, 2);
    expect(clusterCustomers(rows, FEATURES, 3)).toEqual(clusterCustomers(rows, FEATURES, 3));
  });
  it("numbers clusters by their centres, not by the seeding, so a refit keeps a segment's cluster", () => {
    // The same shop on another night: other customers sampled, another seed for k-means++.
    const centres = [[9, 50], [1, 10], [5, 100], [3, 200]];
    // Ordered by the centres (first feature first): the blob with the fewest orders is cluster 0.
    const rank = [3, 0, 2, 1];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const fit = clusterCustomers(blobs(centres, 25, seed), FEATURES, seed * 11)!;
      expect(fit.k).toBe(4);
      for (let b = 0; b < centres.length; b++) expect(new Set(fit.assignments.slice(b * 25, (b + 1) * 25)), `seed ${seed}, blob ${b}`).toEqual(new Set([rank[b]]));
      expect(fit.descriptions[0]).toMatch(/few orders/);
      const firsts = fit.centres.map((c) => c[0]);
      expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
    }
  });
  it("returns null when there are too few customers to split", () => {
    expect(clusterCustomers([[1, 2], [3, 4]], FEATURES)).toBeNull();
  });
  it("standardises, so a feature in large units does not swamp a small one", () => {
    // Orders separate the groups; basket (in cents, huge) is pure noise.
    const rng = seededRng(9);
    const rows = Array.from({ length: 60 }, (_, i) => [i < 30 ? 1 : 6, 10_000 + rng() * 100]);
    const { assignments } = kMeans(rows.map((r) => [(r[0] - 3.5) / 2.5, (r[1] - 10_050) / 29]), 2, 1);
    expect(new Set(assignments.slice(0, 30)).size).toBe(1);
    expect(assignments[0]).not.toBe(assignments[59]);
  });
});

describe("describeCentre", () => {
  it.each([
    [[2, -1], "many orders, small baskets"],
    [[0.1, -0.8], "small baskets"],
    [[0.2, 0.3], "close to the shop's typical customer"],
  ])("%o -> %s", (centre, words) => expect(describeCentre(centre, FEATURES)).toBe(words));
});
