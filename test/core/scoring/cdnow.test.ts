// Agreement with the published CDNOW fits (Fader, Hardie & Lee 2005): 2,357-customer sample,
// 39-week calibration to 1997-09-30, weeks.
import { describe, expect, it } from "vitest";
import { fitBgnbd } from "../../../core/scoring/bgnbd";
import { fitGammaGamma } from "../../../core/scoring/gamma-gamma";
import { summariseTransactions } from "../../../core/scoring/summary";
import { cdnowAvailable, readCdnowSample } from "./cdnow";

describe.skipIf(!cdnowAvailable)("CDNOW sample", () => {
  const summaries = summariseTransactions(readCdnowSample(), "1997-09-30", 7);
  if (!summaries.ok) throw new Error(summaries.error);
  const customers = summaries.value;

  it("has the published sample size and repeat buyers", () => {
    expect(customers.length).toBe(2357);
    expect(customers.filter((c) => c.frequency > 0).length).toBe(946);
  });

  it("fits BG/NBD to the published r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4", () => {
    const fit = fitBgnbd(customers);
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeCloseTo(0.243, 2);
    expect(fit.params.alpha).toBeCloseTo(4.414, 1);
    expect(fit.params.a).toBeCloseTo(0.793, 2);
    expect(fit.params.b).toBeCloseTo(2.426, 1);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 0);
  });

  it("fits Gamma-Gamma to the published p=6.25, q=3.74, gamma=15.44", () => {
    const fit = fitGammaGamma(customers)!;
    expect(fit.customers).toBe(946);
    expect(fit.params.p).toBeCloseTo(6.25, 1);
    expect(fit.params.q).toBeCloseTo(3.74, 1);
    expect(fit.params.gamma).toBeCloseTo(15.44, 0);
  });

  // BFGS against the Nelder–Mead it replaced, on the same objective and starts.
  it.each([
    ["BG/NBD", () => fitBgnbd(customers), () => fitBgnbd(customers, undefined, { optimiser: "nelder-mead" })],
    ["Gamma-Gamma", () => fitGammaGamma(customers)!, () => fitGammaGamma(customers, undefined, { optimiser: "nelder-mead" })!],
  ] as const)("%s: BFGS is at least as good as Nelder–Mead, with the same parameters to 1e-4", (_, fitNew, fitOld) => {
    const [next, old] = [fitNew(), fitOld()];
    expect(next.converged).toBe(true);
    expect(next.logLikelihood).toBeGreaterThanOrEqual(old.logLikelihood - 1e-6);
    for (const [k, v] of Object.entries(old.params)) {
      expect(Math.abs((next.params as Record<string, number>)[k] / v - 1)).toBeLessThan(1e-4);
    }
  });

  it("gives the same model in any period: r, a, b unchanged and alpha rescaled", () => {
    const weeks = fitBgnbd(customers).params;
    const days = summariseTransactions(readCdnowSample(), "1997-09-30", 1);
    if (!days.ok) throw new Error(days.error);
    const daily = fitBgnbd(days.value).params;
    expect(daily.r / weeks.r).toBeCloseTo(1, 3);
    expect(daily.a / weeks.a).toBeCloseTo(1, 3);
    expect(daily.b / weeks.b).toBeCloseTo(1, 3);
    expect(daily.alpha / (weeks.alpha * 7)).toBeCloseTo(1, 3);
  });
});
