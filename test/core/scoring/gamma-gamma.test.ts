import { describe, expect, it } from "vitest";
import { conditionalExpectedSpend, fitGammaGamma, gammaGammaObjective, gammaGammaLogLikelihood, populationMeanSpend } from "../../../core/scoring/gamma-gamma";
import { lgamma } from "../../../core/scoring/math/special";
import { simulateGammaGamma } from "./simulate";

describe("Gamma-Gamma closed forms", () => {
  it("one transaction: the spend is marginally a compound gamma (beta-prime) density", () => {
    // x = 1: f(m) = Γ(p+q)/(Γ(p)Γ(q)) γ^q m^(p-1) / (γ+m)^(p+q)
    const [p, q, g, m] = [2, 3, 10, 7];
    const expected = lgamma(p + q) - lgamma(p) - lgamma(q) + q * Math.log(g) + (p - 1) * Math.log(m) - (p + q) * Math.log(g + m);
    expect(gammaGammaLogLikelihood({ p, q, gamma: g }, { frequency: 1, monetary: m })).toBeCloseTo(expected, 12);
  });
  it.each([
    // (q-1)/(px+q-1) · pγ/(q-1) + px/(px+q-1) · m
    [{ p: 6.25, q: 3.74, gamma: 15.44 }, { frequency: 2, monetary: 40 }, (2.74 / 15.24) * ((6.25 * 15.44) / 2.74) + (12.5 / 15.24) * 40],
    [{ p: 1, q: 2, gamma: 10 }, { frequency: 0, monetary: 0 }, 10],
  ])("conditional expected spend %#", (params, h, expected) => {
    expect(conditionalExpectedSpend(params, h)).toBeCloseTo(expected, 10);
  });
  it("population mean is infinite without q > 1", () => expect(populationMeanSpend({ p: 1, q: 0.9, gamma: 1 })).toBe(Infinity));
});

describe("Gamma-Gamma recovery", () => {
  it.each([
    [{ p: 6, q: 4, gamma: 20 }, 1],
    [{ p: 2, q: 3, gamma: 50 }, 7],
  ])("recovers %o from 4000 simulated repeat buyers", (truth, seed) => {
    const data = simulateGammaGamma(truth, 4000, seed, 12);
    const fit = fitGammaGamma(data)!;
    const llTruth = data.reduce((s, h) => s + gammaGammaLogLikelihood(truth, h), 0);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(llTruth - 1e-6);
    // The mean spend per order is what CLV uses and is well identified; p trades off with γ.
    expect(populationMeanSpend(fit.params) / populationMeanSpend(truth)).toBeCloseTo(1, 1);
    expect(Math.abs(Math.log(fit.params.q / truth.q))).toBeLessThan(0.2);
    expect(Math.abs(Math.log(fit.params.p / truth.p))).toBeLessThan(0.5);
  });
});

describe("Gamma-Gamma fit: BFGS against the Nelder–Mead it replaced", () => {
  const prior = { centre: { p: 6, q: 3.7, gamma: 12 }, sd: 1 };
  it.each([
    ["4000 repeat buyers", { p: 6, q: 4, gamma: 20 }, 4000, 1, undefined],
    ["2000 repeat buyers, wide spend", { p: 2, q: 3, gamma: 50 }, 2000, 7, undefined],
    ["12 repeat buyers with the small-shop prior", { p: 6, q: 4, gamma: 20 }, 12, 4, prior],
  ] as const)("%s: at least as good, with the same parameters to 1e-4", (_, truth, n, seed, withPrior) => {
    const data = simulateGammaGamma(truth, n, seed, 12);
    const next = fitGammaGamma(data, withPrior)!;
    const old = fitGammaGamma(data, withPrior, { optimiser: "nelder-mead" })!;
    expect(next.converged).toBe(true);
    if (!withPrior) expect(next.logLikelihood).toBeGreaterThanOrEqual(old.logLikelihood - 1e-6);
    // What is minimised: with a prior, the negative log posterior.
    const objective = gammaGammaObjective(data, withPrior);
    const at = ({ p, q, gamma }: typeof next.params) => objective.value([Math.log(p), Math.log(q - 1), Math.log(gamma)]);
    expect(at(next.params)).toBeLessThanOrEqual(at(old.params) + 1e-6);
    for (const k of ["p", "q", "gamma"] as const) expect(Math.abs(next.params[k] / old.params[k] - 1)).toBeLessThan(1e-4);
  });
});
