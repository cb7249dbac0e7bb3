import { describe, expect, it } from "vitest";
import { categoryFeatures, clusterCustomers, CUSTOMER_FEATURES, describeCentre, featureMoments, kMeans, type FeatureSpec } from "../../../core/scoring/clusters";
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

describe("category mix", () => {
  // Customers alike in behaviour (every behaviour feature drawn from one distribution), who
  // differ only in where their spend goes: half mostly Outerwear, half mostly Knitwear.
  function alikeButForCategory(n: number, seed: number): { rows: number[][]; group: number[] } {
    const rng = seededRng(seed);
    const rows: number[][] = [];
    const group: number[] = [];
    for (let i = 0; i < n; i++) {
      const g = i % 2;
      const lean = 0.75 + rng() * 0.25;
      const behaviour = [rng() * 300, 1 + Math.floor(rng() * 6), 2000 + rng() * 20_000, 100 + rng() * 900, 20 + rng() * 100, 1000 + rng() * 5000, rng() * 0.4];
      rows.push([...behaviour, g === 0 ? lean : 1 - lean, g === 0 ? 1 - lean : lean]);
      group.push(g);
    }
    return { rows, group };
  }
  const FEATURES_WITH_MIX = [...CUSTOMER_FEATURES, ...categoryFeatures(["Outerwear", "Knitwear"])];

  it.each([1, 2, 3, 4])("separates customers who differ only in category mix (seed %d), and names the category", (seed) => {
    const { rows, group } = alikeButForCategory(200, seed);
    const fit = clusterCustomers(rows, FEATURES_WITH_MIX, seed)!;
    const outerwear = new Set(fit.assignments.filter((_, i) => group[i] === 0));
    const knitwear = new Set(fit.assignments.filter((_, i) => group[i] === 1));
    // No cluster mixes the two (a cluster may still split one group further by behaviour).
    expect([...outerwear].filter((c) => knitwear.has(c))).toEqual([]);
    for (const c of outerwear) expect(fit.descriptions[c]).toMatch(/(^|, )mostly buys Outerwear$/);
    for (const c of knitwear) expect(fit.descriptions[c]).toMatch(/(^|, )mostly buys Knitwear$/);
  });

  it("without the category features the same customers do not split by category", () => {
    const { rows, group } = alikeButForCategory(200, 1);
    const fit = clusterCustomers(rows.map((r) => r.slice(0, CUSTOMER_FEATURES.length)), CUSTOMER_FEATURES, 1)!;
    const purity = Math.max(...Array.from({ length: fit.k }, (_, c) => {
      const members = group.filter((_, i) => fit.assignments[i] === c);
      return members.length ? Math.abs(members.filter((g) => g === 0).length / members.length - 0.5) : 0;
    }));
    expect(purity).toBeLessThan(0.25);
  });

  it("weights the block of m shares as two features: each share's spread divided by sqrt(2/m)", () => {
    expect(categoryFeatures(["A", "B", "C", "D", "E", "F", "G", "H"]).map((f) => f.weight)).toEqual(new Array(8).fill(0.5));
    expect(categoryFeatures(["A", "B"]).map((f) => f.weight)).toEqual([1, 1]);
    // Spread 0.5 each; weight 0.5 each (m = 8 would be needed for that), so the scale is 1.
    const rows = [[0, 1], [1, 0], [0, 1], [1, 0]];
    expect(featureMoments(rows, categoryFeatures(["A", "B", "C", "D", "E", "F", "G", "H"]).slice(0, 2)).sd).toEqual([1, 1]);
    expect(featureMoments(rows).sd).toEqual([0.5, 0.5]);
  });

  it("a shop without categories gets exactly the clusters of the behaviour features alone", () => {
    const { rows } = alikeButForCategory(120, 4);
    const behaviour = rows.map((r) => r.slice(0, CUSTOMER_FEATURES.length));
    expect(categoryFeatures([])).toEqual([]);
    expect(clusterCustomers(behaviour, [...CUSTOMER_FEATURES, ...categoryFeatures([])], 7)).toEqual(clusterCustomers(behaviour, CUSTOMER_FEATURES, 7));
  });
});

describe("describeCentre with category shares", () => {
  const features = [...FEATURES, ...categoryFeatures(["Outerwear", "Knitwear"])];
  // Shop averages: 30% Outerwear, 10% Knitwear; spreads 0.2 and 0.1 (after the block's weight).
  const scaling = { mean: [0, 0, 0.3, 0.1], sd: [1, 1, 0.2, 0.1] };
  it.each([
    // [orders z, basket z, Outerwear z, Knitwear z] -> words; shares = mean + z * sd.
    [[2, -1, 1.5, -1], "many orders, small baskets, mostly buys Outerwear"], // Outerwear 60%
    [[0, 0, 1, 0], "mostly buys Outerwear"], // Outerwear exactly 50%
    [[0, 1, -1, 2], "big baskets, often buys Knitwear"], // Knitwear 30%: over a quarter and 3x the average
    [[0, 0, 0.5, 0], "close to the shop's typical customer"], // Outerwear 40%: under half, not twice the average
    [[0, 0, -1.5, 1.4], "close to the shop's typical customer"], // Knitwear 24%: under a quarter
  ])("%o -> %s", (centre, words) => expect(describeCentre(centre, features, scaling)).toBe(words));
  it("ignores category features without the scaling (the words as before)", () => {
    expect(describeCentre([2, -1, 3, 3], features)).toBe("many orders, small baskets");
  });
});
