import { describe, expect, it } from "vitest";
import { liftReport, minimumDetectableEffect, minimumHoldout, newcombeDifference, wilsonInterval, type GroupTotals } from "../../../core/attribution/lift";
import { normalQuantile, studentTCdf, studentTQuantile } from "../../../core/attribution/stats";

const totals = (revenues: number[], customers = revenues.length): GroupTotals => ({
  customers,
  converters: revenues.filter((r) => r > 0).length,
  revenueMinor: revenues.reduce((a, b) => a + b, 0),
  revenueSqMinor: revenues.reduce((a, b) => a + b * b, 0),
});

// Reference values worked out by hand from the formulas (Wilson: centre (p + z²/2n)/(1 + z²/n),
// half-width z/(1 + z²/n)·sqrt(p(1−p)/n + z²/4n²); Newcombe method 10; Katz log ratio; Welch)
// and checked against scipy.stats.
describe("lift statistics", () => {
  const z = 1.959963984540054;

  it("Wilson and Newcombe intervals for 120/1000 vs 80/1000", () => {
    const w = wilsonInterval(120, 1000, z);
    expect(w.lower).toBeCloseTo(0.1012993, 6);
    expect(w.upper).toBeCloseTo(0.1416091, 6);
    const d = newcombeDifference(120, 1000, 80, 1000, z);
    expect(d.estimate).toBeCloseTo(0.04, 12);
    expect(d.lower).toBeCloseTo(0.0137183, 6);
    expect(d.upper).toBeCloseTo(0.0664495, 6);
  });

  it.each([
    [0.975, 1.959964],
    [0.8, 0.841621],
    [0.5, 0],
  ])("normal quantile %d", (p, q) => {
    expect(normalQuantile(p)).toBeCloseTo(q, 5);
  });

  it.each([
    [0.975, 7.3, 2.345067],
    [0.975, 1, 12.706205],
    [0.95, 30, 1.697261],
  ])("t quantile %d with %d df", (p, df, q) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(q, 4);
    expect(studentTCdf(q, df)).toBeCloseTo(p, 6);
  });

  it("reports lift, revenue per customer, ROI and the holdout floor", () => {
    // Conversion 120/1000 vs 80/1000, revenues chosen so the Welch case below is small enough to check by hand.
    const treated: GroupTotals = { customers: 1000, converters: 120, revenueMinor: 1_200_000, revenueSqMinor: 120 * 10_000 ** 2 };
    const holdout: GroupTotals = { customers: 1000, converters: 80, revenueMinor: 800_000, revenueSqMinor: 80 * 10_000 ** 2 };
    const r = liftReport(treated, holdout, { marginRate: 0.5, discountCostMinor: 60_000, messageCostMinor: 5_000 }, { targetMde: 0.04 });
    if (!r.ok) throw new Error(r.error);
    const v = r.value;
    expect(v.winBackRate).toBeCloseTo(0.12, 12);
    expect(v.absoluteLift.lower).toBeCloseTo(0.0137183, 6);
    expect(v.relativeLift!.estimate).toBeCloseTo(0.5, 12);
    expect(v.relativeLift!.lower).toBeCloseTo(0.1462437, 5);
    expect(v.relativeLift!.upper).toBeCloseTo(0.9629334, 5);
    // 400 minor per customer × 1000 treated = 400,000 incremental revenue; half is margin.
    expect(v.incrementalRevenueMinor.estimate).toBeCloseTo(400_000, 6);
    expect(v.incrementalMarginMinor).toBeCloseTo(200_000, 6);
    expect(v.roi).toBeCloseTo((200_000 - 65_000) / 65_000, 12);
    // MDE at p = 0.08 with 1000 + 1000: 2.8016 · sqrt(0.0736 · 0.002) = 0.0339905.
    expect(v.mde).toBeCloseTo(0.0339905, 5);
    // Holdout floor for a 4-point MDE: 1 / ((0.04/2.8016)² / 0.0736 − 1/1000) = 565.06 → 566.
    expect(v.holdoutFloor).toBe(566);
    expect(v.holdoutSufficient).toBe(true);
  });

  it("Welch interval on revenue per customer", () => {
    const treated = totals([0, 0, 5000, 0, 12000, 0, 0, 8000, 0, 3000]);
    const holdout = totals([0, 0, 0, 4000, 0, 0, 0, 0, 0, 0, 0, 6000]);
    const r = liftReport(treated, holdout, { marginRate: 0.4, discountCostMinor: 0, messageCostMinor: 0 });
    if (!r.ok) throw new Error(r.error);
    const w = r.value.revenuePerCustomerDiff;
    expect(w.estimate).toBeCloseTo(1966.6667, 3);
    expect(w.df).toBeCloseTo(12.242072, 4);
    expect(w.lower).toBeCloseTo(-1220.0592, 2);
    expect(w.upper).toBeCloseTo(5153.3925, 2);
    expect(r.value.roi).toBeNull();
  });

  it("says when no holdout can reach the target", () => {
    expect(minimumHoldout(0.05, 100, 0.01).ok).toBe(false);
    const floor = minimumHoldout(0.05, 100_000, 0.01);
    expect(floor.ok && minimumDetectableEffect(0.05, 100_000, floor.value)).toBeLessThanOrEqual(0.01);
    expect(floor.ok && minimumDetectableEffect(0.05, 100_000, floor.value - 1)).toBeGreaterThan(0.01);
  });

  it.each([
    ["a group under 2 customers", totals([0]), totals([0, 1, 0])],
    ["more converters than customers", { ...totals([1, 1]), converters: 3 }, totals([0, 1, 0])],
  ])("refuses %s", (_n, t, h) => {
    expect(liftReport(t, h, { marginRate: 0.5, discountCostMinor: 0, messageCostMinor: 0 }).ok).toBe(false);
  });
});
