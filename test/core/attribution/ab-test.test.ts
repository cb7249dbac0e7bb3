import { describe, expect, it } from "vitest";
import { abReport, msprtLikelihoodRatio, probabilityBest } from "../../../core/attribution/ab-test";
import { createRng } from "../../../core/random/prng";

describe("A/B report", () => {
  it("computes the mSPRT p-value from the mixture likelihood ratio", () => {
    // 100/1000 vs 130/1000, τ = 0.02. With add-half rates V = 2.0369e-4, θ̂ = 0.03:
    // Λ = sqrt(V/(V+τ²))·exp(τ²θ̂²/(2V(V+τ²))) = 2.51072, so p = 0.398292 (by hand, checked in Python).
    const r = abReport(
      [
        { id: "A", customers: 1000, converters: 100 },
        { id: "B", customers: 1000, converters: 130 },
      ],
      createRng(1),
      { draws: 2000 },
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.value.variants[1].vsControl!.alwaysValidP).toBeCloseTo(0.398292, 5);
    expect(r.value.verdict.kind).toBe("no_significant_difference");
    // The same rates on 4× the customers: Λ = 868.27, p = 0.0011517.
    const big = abReport(
      [
        { id: "A", customers: 4000, converters: 400 },
        { id: "B", customers: 4000, converters: 520 },
      ],
      createRng(1),
      { draws: 2000 },
    );
    if (!big.ok) throw new Error(big.error);
    expect(big.value.variants[1].vsControl!.alwaysValidP).toBeCloseTo(0.0011517, 6);
    expect(big.value.verdict).toMatchObject({ kind: "significant", best: "B" });
  });

  it("estimates how many more customers make the observed difference significant", () => {
    const variants = [
      { id: "A", customers: 1000, converters: 100 },
      { id: "B", customers: 1000, converters: 130 },
    ];
    const r = abReport(variants, createRng(2), { draws: 1000 });
    if (!r.ok || r.value.verdict.kind !== "no_significant_difference") throw new Error("expected no significant difference");
    const more = r.value.verdict.moreCustomersNeeded!;
    expect(more).toBeGreaterThan(0);
    const scaled = (extra: number) => {
      const m = (2000 + extra) / 2000;
      const res = abReport(variants.map((v) => ({ ...v, customers: Math.round(v.customers * m), converters: Math.round(v.converters * m) })), createRng(2), { draws: 100 });
      return res.ok && res.value.variants[1].vsControl!.significant;
    };
    expect(scaled(more + 20)).toBe(true);
    expect(scaled(Math.floor(more * 0.8))).toBe(false);
  });

  it("keeps the running minimum p-value across looks", () => {
    const r = abReport(
      [
        { id: "A", customers: 500, converters: 50 },
        { id: "B", customers: 500, converters: 50 },
      ],
      createRng(3),
      { draws: 500, previousP: { B: 0.2 } },
    );
    expect(r.ok && r.value.variants[1].vsControl!.alwaysValidP).toBe(0.2);
  });

  it("stays valid under peeking: an A/A test rarely ever looks significant", () => {
    // 200 A/A experiments at 5%, looked at after every 100 customers per arm up to 3000.
    // A fixed-horizon z-test checked this often crosses 5% far more than 5% of the time.
    const rng = createRng(77);
    let falseAlarms = 0;
    let naiveAlarms = 0;
    for (let e = 0; e < 200; e++) {
      let xa = 0, xb = 0, n = 0, p = 1, naive = false;
      while (n < 3000) {
        for (let i = 0; i < 100; i++) {
          if (rng() < 0.1) xa++;
          if (rng() < 0.1) xb++;
        }
        n += 100;
        const pa = (xa + 0.5) / (n + 1), pb = (xb + 0.5) / (n + 1);
        const v = (pa * (1 - pa)) / n + (pb * (1 - pb)) / n;
        const theta = (xb - xa) / n;
        p = Math.min(p, 1 / msprtLikelihoodRatio(theta, v, 0.02));
        if (Math.abs(theta) / Math.sqrt(v) > 1.96) naive = true;
      }
      if (p <= 0.05) falseAlarms++;
      if (naive) naiveAlarms++;
    }
    expect(falseAlarms / 200).toBeLessThanOrEqual(0.05);
    expect(naiveAlarms).toBeGreaterThan(falseAlarms);
  });

  it.each([
    [[100, 100], [0.5, 0.5], 0.04],
    [[100, 160], [0, 1], 0.01],
  ])("probability best for converters %j of 1000 each is near %j", (conv, expected, tol) => {
    const pb = probabilityBest(conv.map((c, i) => ({ id: `v${i}`, customers: 1000, converters: c })), createRng(4), 5000);
    expect(pb.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    pb.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThanOrEqual(tol));
  });

  it.each([
    ["one variant", [{ id: "A", customers: 10, converters: 1 }]],
    ["duplicate ids", [{ id: "A", customers: 10, converters: 1 }, { id: "A", customers: 10, converters: 2 }]],
    ["impossible totals", [{ id: "A", customers: 10, converters: 11 }, { id: "B", customers: 10, converters: 2 }]],
  ])("refuses %s", (_n, variants) => {
    expect(abReport(variants, createRng(1)).ok).toBe(false);
  });
});
