import { describe, expect, it } from "vitest";
import { scoreCustomer } from "../../../core/scoring/score-customer";
import { defaultScoringSettings } from "../../../core/scoring/schema";
import type { ShopModels } from "../../../core/scoring/shop-models";

const settings = { ...defaultScoringSettings(), period: "week" as const, horizonDays: 365 };
const models: ShopModels = {
  bgnbd: { params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, logLikelihood: 0, converged: true, atBound: false },
  gammaGamma: { params: { p: 6.25, q: 3.74, gamma: 15.44 }, logLikelihood: 0, converged: true, atBound: false, customers: 1 },
  confidence: "high",
  method: "mle",
  reason: "",
  customers: 1000,
  repeatCustomers: 500,
};

describe("scoreCustomer", () => {
  it("explains a lapsed regular in plain words", () => {
    const days = [0, 41, 82, 123];
    const s = scoreCustomer(days, [30, 30, 30, 30], 123 + 97, { models, shopMedianGapDays: 60, settings });
    expect(s.reason).toMatch(/^typically ordered every 41 days; 97 days since the last order; 56 days overdue; \d+% likely to still be active$/);
    expect(s.reason).toContain(`${Math.round(s.pAlive! * 100)}% likely`);
    expect(s.dormancy.dormant).toBe(true);
    expect(s.dormancyProbability).toBeCloseTo(1 - s.pAlive!, 12);
    expect(s.clv).toBeCloseTo(s.expectedPurchases! * s.expectedSpendPerOrder!, 9);
  });
  it("uses the shop's rhythm for a one-time buyer and the population mean spend", () => {
    const s = scoreCustomer([100], [50], 130, { models, shopMedianGapDays: 60, settings });
    expect(s.reason).toMatch(/^one order so far; customers here typically reorder after 60 days; 30 days since the last order/);
    expect(s.pAlive).toBe(1);
    expect(s.expectedSpendPerOrder).toBeCloseTo((6.25 * 15.44) / 2.74, 9);
  });
  it("discounting lowers CLV", () => {
    const plain = scoreCustomer([0, 20, 40], [30, 30, 30], 60, { models, shopMedianGapDays: 60, settings });
    const discounted = scoreCustomer([0, 20, 40], [30, 30, 30], 60, { models, shopMedianGapDays: 60, settings: { ...settings, annualDiscountRate: 0.2 } });
    expect(discounted.clv!).toBeLessThan(plain.clv!);
    expect(discounted.clv!).toBeGreaterThan(plain.clv! / 1.2);
  });
  it("says when there is no model rather than inventing numbers", () => {
    const s = scoreCustomer([0, 30], [10, 10], 40, { models: null, shopMedianGapDays: 30, settings });
    expect(s).toMatchObject({ pAlive: null, clv: null, confidence: "low" });
    expect(s.reason).toMatch(/no model for this shop yet/);
  });
  it("flags low-confidence estimates in the reason", () => {
    const s = scoreCustomer([0, 30], [10, 10], 40, { models: { ...models, confidence: "low" }, shopMedianGapDays: 30, settings });
    expect(s.reason).toMatch(/rough: little shop history/);
  });
});
