import { describe, expect, it } from "vitest";
import { conditionalExpectedSpend, fitGammaGamma, gammaGammaLogLikelihood, populationMeanSpend } from "../../../core/scoring/gamma-gamma";
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
