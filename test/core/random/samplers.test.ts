import { describe, expect, it } from "vitest";
import { createRng } from "../../../core/random/prng";
import { bernoulli, beta, gamma, logNormalMeanCv, normal, poisson } from "../../../core/random/samplers";

const N = 40_000;

function moments(draw: () => number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < N; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / N;
  return { mean, variance: s2 / N - mean * mean };
}

// Each case: a sampler and its true mean and variance. Tolerances are ~5 standard errors of the
// sample mean, and 8% on the variance (generous for N = 40k, tight enough to catch a wrong form).
const cases: { name: string; draw: (rng: () => number) => number; mean: number; variance: number }[] = [
  { name: "normal(3, 2)", draw: (r) => normal(r, 3, 2), mean: 3, variance: 4 },
  { name: "gamma(0.5, rate 2)", draw: (r) => gamma(r, 0.5, 2), mean: 0.25, variance: 0.125 },
  { name: "gamma(2.5, rate 1)", draw: (r) => gamma(r, 2.5), mean: 2.5, variance: 2.5 },
  { name: "gamma(40, rate 0.5)", draw: (r) => gamma(r, 40, 0.5), mean: 80, variance: 160 },
  { name: "beta(2, 5)", draw: (r) => beta(r, 2, 5), mean: 2 / 7, variance: (2 * 5) / (49 * 8) },
  { name: "beta(0.5, 0.5)", draw: (r) => beta(r, 0.5, 0.5), mean: 0.5, variance: 0.125 },
  { name: "poisson(3)", draw: (r) => poisson(r, 3), mean: 3, variance: 3 },
  { name: "poisson(75)", draw: (r) => poisson(r, 75), mean: 75, variance: 75 },
  { name: "bernoulli(0.3)", draw: (r) => (bernoulli(r, 0.3) ? 1 : 0), mean: 0.3, variance: 0.21 },
  { name: "logNormal(mean 6000, cv 0.5)", draw: (r) => logNormalMeanCv(r, 6000, 0.5), mean: 6000, variance: 3000 ** 2 },
];

describe("samplers", () => {
  it.each(cases)("$name has the right mean and variance", ({ draw, mean, variance }) => {
    const rng = createRng(2024);
    const m = moments(() => draw(rng));
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / N));
    expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.08);
  });

  it("is deterministic for a seed", () => {
    const a = createRng(5);
    const b = createRng(5);
    for (let i = 0; i < 50; i++) expect(gamma(a, 0.7, 3)).toBe(gamma(b, 0.7, 3));
  });

  it.each([
    ["gamma shape 0", () => gamma(createRng(1), 0)],
    ["gamma negative rate", () => gamma(createRng(1), 1, -1)],
    ["poisson negative mean", () => poisson(createRng(1), -1)],
  ])("rejects %s", (_name, f) => {
    expect(f).toThrow(RangeError);
  });

  it("gives integer Poisson draws and 0 for mean 0", () => {
    const rng = createRng(3);
    expect(poisson(rng, 0)).toBe(0);
    for (let i = 0; i < 100; i++) expect(Number.isInteger(poisson(rng, 12.5))).toBe(true);
  });
});
