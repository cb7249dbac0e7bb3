// The fits' analytic gradients against central finite differences of their own objectives.
import { describe, expect, it } from "vitest";
import { bgnbdObjective } from "../../../core/scoring/bgnbd";
import { gammaGammaObjective } from "../../../core/scoring/gamma-gamma";
import type { Objective } from "../../../core/scoring/math/minimise";
import { simulateBgnbd, simulateGammaGamma } from "./simulate";

function centralDifference(f: (x: readonly number[]) => number, x: readonly number[], i: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(x[i]));
  const up = x.slice();
  const down = x.slice();
  up[i] += h;
  down[i] -= h;
  return (f(up) - f(down)) / (up[i] - down[i]);
}

/** Each component within 1e-6 of the gradient's size (plus the rounding of f over the step). */
function expectGradientMatches(objective: Objective, theta: number[]) {
  const { value, gradient } = objective.valueAndGradient(theta);
  expect(Math.abs(value - objective.value(theta))).toBeLessThan(1e-12 * (1 + Math.abs(value)));
  const scale = Math.max(1, ...gradient.map(Math.abs));
  const rounding = (1e-16 * Math.abs(value)) / 1e-6;
  gradient.forEach((g, i) => {
    expect(Number.isFinite(g)).toBe(true);
    expect(Math.abs(g - centralDifference(objective.value, theta, i))).toBeLessThan(1e-6 * scale + 10 * rounding);
  });
}

const ln = Math.log;
const shop = simulateBgnbd({ r: 0.5, alpha: 5, a: 0.7, b: 3 }, 2000, 4, [20, 52]);
const tiny = simulateBgnbd({ r: 0.5, alpha: 5, a: 0.7, b: 3 }, 6, 21, [20, 52]);
const bgPrior = { centre: { r: 0.25, alpha: 31 / 7, a: 0.8, b: 2.4 }, sd: 1 };

describe("BG/NBD gradient", () => {
  it("has frequent and one-time buyers in its data", () => {
    expect(shop.some((c) => c.frequency === 0) && shop.some((c) => c.frequency >= 5)).toBe(true);
    expect(tiny.some((c) => c.frequency > 0)).toBe(true);
  });
  it.each([
    ["the optimum region", shop, false, [ln(0.5), ln(5), ln(0.7), ln(3)]],
    ["a far start", shop, false, [0, ln(36), 0, 0]],
    ["small r and a, large b", shop, false, [-4, 2, -5, 6]],
    ["large r and alpha", shop, false, [5, 9, 1, -1]],
    // With r, a or b near e^19 the likelihood's lgamma(z + x) − lgamma(z) (each ~10^9) cancels to
    // ~1e-7 absolute per term, noise a finite difference cannot see through except where the
    // gradient is large; these corners are clean.
    ["near the lower bound", shop, false, [-19, -19, -19, -19]],
    ["alpha near the upper bound, the rest near the lower", shop, false, [-19, 19, -19, -19]],
    ["mixed bounds", shop, false, [19, -19, -19, 19]],
    ["a small shop with the prior", tiny, true, [ln(0.25), ln(4.4), ln(0.8), ln(2.4)]],
    ["a small shop away from the prior", tiny, true, [2, -3, 4, -2]],
    ["a small shop near the bounds with the prior", tiny, true, [-18, 18, -18, -18]],
    ["a small shop near the other bounds with the prior", tiny, true, [18, -18, -18, 18]],
  ])("matches central differences: %s", (_, data, withPrior, theta) => {
    expectGradientMatches(bgnbdObjective(data, withPrior ? bgPrior : undefined), theta);
  });
  it("is zero at the fitted optimum of the tiny shop only with the prior's pull included", () => {
    // The prior changes the gradient: with and without it differ by (θ − centre)/sd².
    const theta = [1, 1, 1, 1];
    const withPrior = bgnbdObjective(tiny, bgPrior).valueAndGradient(theta).gradient;
    const without = bgnbdObjective(tiny).valueAndGradient(theta).gradient;
    const centre = [bgPrior.centre.r, bgPrior.centre.alpha, bgPrior.centre.a, bgPrior.centre.b].map(ln);
    withPrior.forEach((g, i) => expect(g - without[i]).toBeCloseTo(theta[i] - centre[i], 10));
  });
  it("is infinite (and the gradient not a number) past the bound", () => {
    const { value, gradient } = bgnbdObjective(shop).valueAndGradient([21, 0, 0, 0]);
    expect(value).toBe(Infinity);
    expect(gradient.every(Number.isNaN)).toBe(true);
  });
});

const spend = simulateGammaGamma({ p: 6, q: 4, gamma: 20 }, 1500, 2, 12);
const fewSpend = simulateGammaGamma({ p: 6, q: 4, gamma: 20 }, 4, 5, 3);
const ggPrior = { centre: { p: 6, q: 3.7, gamma: 12 }, sd: 1 };

describe("Gamma-Gamma gradient", () => {
  it.each([
    ["the optimum region", spend, false, [ln(6), ln(3), ln(20)]],
    ["a start", spend, false, [0, 0, ln(30)]],
    ["q near 1", spend, false, [1, -8, 2]],
    ["near the lower bound", spend, false, [-19, -19, -19]],
    ["near the upper bound", spend, false, [19, 19, 19]],
    ["mixed bounds", spend, false, [19, -19, 19]],
    ["a small shop with the prior", fewSpend, true, [ln(6), ln(2.7), ln(12)]],
    ["a small shop away from the prior", fewSpend, true, [-2, 3, 5]],
    ["a small shop near the bound with the prior", fewSpend, true, [18, 18, -18]],
  ])("matches central differences: %s", (_, data, withPrior, theta) => {
    expectGradientMatches(gammaGammaObjective(data, withPrior ? ggPrior : undefined), theta);
  });
  it("is infinite (and the gradient not a number) past the bound", () => {
    const { value, gradient } = gammaGammaObjective(spend).valueAndGradient([0, -21, 0]);
    expect(value).toBe(Infinity);
    expect(gradient.every(Number.isNaN)).toBe(true);
  });
});
