import { describe, expect, it } from "vitest";
import { createRng } from "../../../core/random";
import { fmScore, quintileCutPositions, quintileCuts, quintileScores, RFM_GROUPS, rfmGroup, rfmScores, scoreFromCuts } from "../../../core/scoring/rfm";

describe("quintileScores", () => {
  it.each([
    // 10 distinct values: two per quintile.
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]],
    // Input order does not matter.
    [[10, 1, 5, 3], [4, 1, 3, 2]],
    // Ties share a score: 6 of 10 bought once, so all of them score 1 and the next value 4.
    [[1, 1, 1, 1, 1, 1, 2, 2, 3, 9], [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]],
    // Everyone equal: everyone scores 1 (nobody is below anyone).
    [[7, 7, 7], [1, 1, 1]],
  ])("%o -> %o", (values, expected) => expect(quintileScores(values)).toEqual(expected));
});

describe("quintile cuts", () => {
  it("score every value exactly as quintileScores does, ties and all", () => {
    const rng = createRng(3);
    for (const n of [1, 2, 3, 7, 10, 11, 99, 1000]) {
      // Few distinct values, so ties straddle the cut positions.
      const values = Array.from({ length: n }, () => Math.floor(rng() * 12));
      const cuts = quintileCuts(Float64Array.from(values));
      expect(values.map((v) => scoreFromCuts(v, cuts))).toEqual(quintileScores(values));
    }
  });

  it("are read at positions ceil((s - 1) n / 5) of the sorted values", () => {
    expect(quintileCutPositions(10)).toEqual([2, 4, 6, 8]);
    expect(quintileCutPositions(3)).toEqual([1, 2, 2, 3]);
    expect(quintileCuts(Float64Array.from([5, 1, 4, 2, 3]))).toEqual([1, 2, 3, 4]);
  });
});

describe("rfmScores", () => {
  it("scores recency so that the most recent buyers get 5", () => {
    const customers = [10, 20, 30, 40, 50].map((d, i) => ({ daysSinceLastOrder: d, orderCount: i + 1, totalSpend: 100 * (5 - i) }));
    expect(rfmScores(customers)).toEqual([
      { recency: 5, frequency: 1, monetary: 5 },
      { recency: 4, frequency: 2, monetary: 4 },
      { recency: 3, frequency: 3, monetary: 3 },
      { recency: 2, frequency: 4, monetary: 2 },
      { recency: 1, frequency: 5, monetary: 1 },
    ]);
  });
});

describe("rfmGroup (hand-checked grid)", () => {
  it.each([
    [5, 5, 5, "champions"],
    [5, 4, 3, "champions"], // FM 3.5 rounds up to 4
    [5, 1, 1, "new"],
    [5, 2, 3, "active"],
    [4, 5, 4, "champions"],
    [4, 4, 4, "loyal"],
    [4, 1, 2, "promising"],
    [4, 3, 3, "active"],
    [3, 5, 4, "loyal"],
    [3, 2, 2, "needs_attention"],
    [2, 1, 1, "almost_lost"],
    [2, 3, 4, "at_risk"],
    [2, 5, 5, "cant_lose"],
    [1, 5, 5, "cant_lose"],
    [1, 3, 4, "previously_loyal"],
    [1, 1, 2, "dormant"],
  ] as const)("R%d F%d M%d -> %s", (recency, frequency, monetary, group) => {
    expect(rfmGroup({ recency, frequency, monetary })).toBe(group);
  });
  it("uses all 11 groups and every cell is a known group", () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(rfmGroup({ recency: r, frequency: f, monetary: m }));
    expect([...seen].sort()).toEqual([...RFM_GROUPS].sort());
  });
  it("FM averages frequency and monetary, rounding half up", () => {
    expect(fmScore({ recency: 1, frequency: 1, monetary: 2 })).toBe(2);
    expect(fmScore({ recency: 1, frequency: 4, monetary: 4 })).toBe(4);
  });
});
