import { describe, expect, it } from "vitest";
import { bgnbdLogLikelihood, bgnbdObjective, expectedPurchases, fitBgnbd, medianWaitIfActive, pAlive } from "../../../core/scoring/bgnbd";
import { simulateBgnbd } from "./simulate";

// Published CDNOW fit (Fader, Hardie & Lee 2005), weeks.
const CDNOW = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe("BG/NBD closed forms at hand-computed points", () => {
  it("likelihood of x=1, tx=1, T=2 with r=alpha=a=b=1 is 1/2 (1/9 + 1/4) = 13/72", () => {
    expect(bgnbdLogLikelihood({ r: 1, alpha: 1, a: 1, b: 1 }, { frequency: 1, recency: 1, T: 2 })).toBeCloseTo(Math.log(13 / 72), 12);
  });
  it.each([
    [0.5, 2, 10],
    [0.243, 4.414, 38.86],
  ])("likelihood of a one-time buyer is (alpha/(alpha+T))^r (r=%d alpha=%d T=%d)", (r, alpha, T) => {
    expect(bgnbdLogLikelihood({ r, alpha, a: 0.8, b: 2.4 }, { frequency: 0, recency: 0, T })).toBeCloseTo(r * Math.log(alpha / (alpha + T)), 12);
  });
  it.each([
    // 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+tx))^(r+x))
    [{ r: 1, alpha: 1, a: 1, b: 1 }, { frequency: 1, recency: 1, T: 2 }, 4 / 13],
    [{ r: 1, alpha: 1, a: 1, b: 1 }, { frequency: 0, recency: 0, T: 50 }, 1],
    [{ r: 2, alpha: 3, a: 0.5, b: 1.5 }, { frequency: 2, recency: 3, T: 3 }, 1 / (1 + 0.5 / 2.5)],
  ])("P(alive) %#", (params, h, expected) => expect(pAlive(params, h)).toBeCloseTo(expected, 12));

  it("matches the paper's worked example: x=2, tx=30.43, T=38.86 expects 1.226 purchases in 39 weeks", () => {
    expect(expectedPurchases(CDNOW, { frequency: 2, recency: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 2);
  });
  it.each([
    { frequency: 0, recency: 0, T: 30 },
    { frequency: 3, recency: 20, T: 30 },
    { frequency: 10, recency: 29, T: 30 },
  ])("over a tiny horizon expects P(alive) × posterior rate × t (%o)", (h) => {
    const t = 1e-4;
    const rate = (CDNOW.r + h.frequency) / (CDNOW.alpha + h.T);
    expect(expectedPurchases(CDNOW, h, t) / (pAlive(CDNOW, h) * rate * t)).toBeCloseTo(1, 3);
  });
  it("expected purchases grow with the horizon and an active-looking customer beats a lapsed one", () => {
    const h = { frequency: 4, recency: 35, T: 38 };
    const lapsed = { frequency: 4, recency: 5, T: 38 };
    expect(expectedPurchases(CDNOW, h, 52)).toBeGreaterThan(expectedPurchases(CDNOW, h, 26));
    expect(expectedPurchases(CDNOW, h, 26)).toBeGreaterThan(expectedPurchases(CDNOW, lapsed, 26));
  });
  it.each([
    [{ frequency: 400, recency: 364, T: 365 }, 365],
    [{ frequency: 2000, recency: 729, T: 730 }, 3650],
  ])("stays finite and below the posterior rate for a very frequent buyer (%o, t=%d days)", (h, t) => {
    const daily = { ...CDNOW, alpha: CDNOW.alpha * 7 };
    const e = expectedPurchases(daily, h, t);
    expect(Number.isFinite(e)).toBe(true);
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThanOrEqual(((daily.r + h.frequency) / (daily.alpha + h.T)) * t);
  });
  it("median wait if active halves the posterior no-purchase probability", () => {
    const h = { frequency: 3, recency: 20, T: 30 };
    const t = medianWaitIfActive(CDNOW, h);
    expect(Math.pow((CDNOW.alpha + h.T) / (CDNOW.alpha + h.T + t), CDNOW.r + h.frequency)).toBeCloseTo(0.5, 12);
  });
});

describe("BG/NBD parameter recovery", () => {
  it.each([
    [{ r: 0.5, alpha: 5, a: 0.7, b: 3 }, 3],
    [{ r: 1.5, alpha: 20, a: 1.5, b: 6 }, 11],
  ])("recovers %o from 4000 simulated customers", (truth, seed) => {
    const customers = simulateBgnbd(truth, 4000, seed, [20, 52]);
    const fit = fitBgnbd(customers);
    expect(fit.converged).toBe(true);
    // The optimiser must do at least as well as the truth on the data it saw.
    const llTruth = customers.reduce((s, c) => s + bgnbdLogLikelihood(truth, c), 0);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(llTruth - 1e-6);
    expect(Math.abs(Math.log(fit.params.r / truth.r))).toBeLessThan(0.15);
    expect(Math.abs(Math.log(fit.params.alpha / truth.alpha))).toBeLessThan(0.2);
    // The dropout pair is identified only through repeat buyers: looser.
    expect(Math.abs(Math.log(fit.params.a / truth.a))).toBeLessThan(0.35);
    expect(Math.abs(Math.log(fit.params.b / truth.b))).toBeLessThan(0.35);
  });
});

describe("BG/NBD fit: BFGS against the Nelder–Mead it replaced", () => {
  const prior = { centre: { r: 0.25, alpha: 4.4, a: 0.8, b: 2.4 }, sd: 1 };
  it.each([
    ["4000 customers", { r: 0.5, alpha: 5, a: 0.7, b: 3 }, 4000, 3, undefined],
    ["3000 customers, slow buyers", { r: 0.3, alpha: 12, a: 1.2, b: 2 }, 3000, 8, undefined],
    ["40 customers with the small-shop prior", { r: 0.5, alpha: 5, a: 0.7, b: 3 }, 40, 13, prior],
  ] as const)("%s: at least as good, with the same parameters to 1e-4", (_, truth, n, seed, withPrior) => {
    const customers = simulateBgnbd(truth, n, seed, [20, 52]);
    const next = fitBgnbd(customers, withPrior);
    const old = fitBgnbd(customers, withPrior, { optimiser: "nelder-mead" });
    expect(next.converged).toBe(true);
    if (!withPrior) expect(next.logLikelihood).toBeGreaterThanOrEqual(old.logLikelihood - 1e-6);
    // What is minimised: with a prior, the negative log posterior.
    const objective = bgnbdObjective(customers, withPrior);
    const at = ({ r, alpha, a, b }: typeof next.params) => objective.value([r, alpha, a, b].map(Math.log));
    expect(at(next.params)).toBeLessThanOrEqual(at(old.params) + 1e-6);
    for (const k of ["r", "alpha", "a", "b"] as const) expect(Math.abs(next.params[k] / old.params[k] - 1)).toBeLessThan(1e-4);
  });
});
