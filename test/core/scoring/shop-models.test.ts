import { describe, expect, it } from "vitest";
import { fitShopModels, SMALL_STORE } from "../../../core/scoring/shop-models";
import type { CustomerSummary } from "../../../core/scoring/schema";
import { createRng as seededRng } from "../../../core/random";
import { gamma, simulateBgnbd } from "./simulate";

function shop(n: number, seed: number): CustomerSummary[] {
  const rng = seededRng(seed + 1000);
  return simulateBgnbd({ r: 0.5, alpha: 5, a: 0.7, b: 3 }, n, seed, [20, 52]).map((c, i) => {
    const nu = gamma(rng, 4, 20);
    const spends = Array.from({ length: c.frequency + 1 }, () => gamma(rng, 6, nu));
    const repeat = spends.slice(1);
    return {
      ...c,
      customerId: String(i),
      monetary: repeat.length ? repeat.reduce((s, v) => s + v, 0) / repeat.length : 0,
      days: [],
      totalSpend: spends.reduce((s, v) => s + v, 0),
    };
  });
}

describe("fitShopModels confidence", () => {
  it.each([
    [12, "low", "map", /only 12 customers/],
    [60, "low", "map", /at least 100 customers/],
    [300, "medium", "mle", /more history/],
    [1500, "high", "mle", /fitted on 1500 customers/],
  ] as const)("%d customers -> %s (%s)", (n, confidence, method, reason) => {
    const models = fitShopModels(shop(n, 5), 7)!;
    expect(models.confidence).toBe(confidence);
    expect(models.method).toBe(method);
    expect(models.reason).toMatch(reason);
    // Never a silent wrong number: every parameter is finite and positive.
    for (const v of [...Object.values(models.bgnbd.params), ...Object.values(models.gammaGamma.params)]) {
      expect(Number.isFinite(v) && v > 0).toBe(true);
    }
  });
  it("shrinks a tiny shop toward the prior rather than to an extreme", () => {
    // Three customers, one of whom repeats: MLE would run a or b off to a bound.
    const tiny = shop(3, 9);
    const models = fitShopModels(tiny, 7)!;
    expect(models.confidence).toBe("low");
    expect(models.bgnbd.params.a).toBeGreaterThan(0.05);
    expect(models.bgnbd.params.a).toBeLessThan(20);
    expect(models.bgnbd.params.b).toBeLessThan(100);
  });
  it("flags a degenerate spend history (every order the same value) instead of trusting it", () => {
    const flat = shop(300, 5).map((c) => ({ ...c, monetary: c.frequency > 0 ? 25 : 0 }));
    const models = fitShopModels(flat, 7)!;
    expect(models.confidence).toBe("low");
    expect(models.reason).toMatch(/did not converge/);
  });
  it("has no model for an empty shop", () => expect(fitShopModels([], 7)).toBeNull());
  it("documents thresholds that are ordered sensibly", () => {
    expect(SMALL_STORE.highCustomers).toBeGreaterThan(SMALL_STORE.minCustomers);
    expect(SMALL_STORE.highRepeatCustomers).toBeGreaterThan(SMALL_STORE.minRepeatCustomers);
  });
});
