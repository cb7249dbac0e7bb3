import { describe, expect, it } from "vitest";
import { digamma, hyp2f1, lgamma, logAddExp, logHyp2f1 } from "../../../core/scoring/math/special";

describe("lgamma", () => {
  it.each([
    [0.5, 0.5 * Math.log(Math.PI)],
    [1, 0],
    [2, 0],
    [10, Math.log(362880)],
    [0.1, Math.log(9.513507698668732)],
    [150.5, NaN], // checked against the recurrence below instead
  ])("lgamma(%d)", (x, expected) => {
    if (Number.isNaN(expected)) {
      // Γ(x+1) = xΓ(x)
      expect(lgamma(x + 1) - lgamma(x)).toBeCloseTo(Math.log(x), 10);
    } else {
      expect(lgamma(x)).toBeCloseTo(expected, 10);
    }
  });
});

describe("digamma", () => {
  const EULER = 0.5772156649015329;
  it.each([
    [1, -EULER],
    [0.5, -1.9635100260214235],
    [2, 1 - EULER],
    [10, 2.251752589066721],
    [100, 4.600161852738087],
    [1e-6, -1e6 - EULER + 1.6449340668482264e-6], // -1/x - γ + ζ(2) x
    [1e9, Math.log(1e9) - 0.5e-9],
  ])("digamma(%d)", (x, expected) => expect(Math.abs(digamma(x) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected))));
  // Across the switch from recurrence to series at 6 and far from it: ψ(x+1) − ψ(x) = 1/x.
  it.each([1e-3, 0.7, 4.5, 5.5, 5.999, 6, 17.3, 250])("ψ(x+1) − ψ(x) = 1/x at x = %d", (x) => {
    expect(Math.abs(digamma(x + 1) - digamma(x) - 1 / x)).toBeLessThan(1e-12 * Math.max(1, 1 / x));
  });
  it.each([0.05, 0.3, 1.46, 2.5, 5.9, 6.1, 12, 40])("is the derivative of lgamma at %d (central difference)", (x) => {
    // Small steps near 0, where lgamma curves sharply (the truncation error grows like 1/x³).
    const h = 1e-5 * Math.min(1, x);
    expect(digamma(x)).toBeCloseTo((lgamma(x + h) - lgamma(x - h)) / (2 * h), 7);
  });
  it.each([0, -1, NaN])("is NaN outside the positive reals (%d)", (x) => expect(digamma(x)).toBeNaN());
});

describe("logAddExp", () => {
  it.each([
    [0, 0, Math.log(2)],
    [-1000, -1000, -1000 + Math.log(2)],
    [1000, -Infinity, 1000],
  ])("log(e^%d + e^%d)", (a, b, expected) => expect(logAddExp(a, b)).toBeCloseTo(expected, 10));
});

describe("hyp2f1 against closed forms", () => {
  it.each([0.1, 0.5, 0.9, 0.99])("2F1(1,1;2;z) = -ln(1-z)/z at z=%d", (z) => {
    expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 9);
  });
  it.each([
    [0.3, 0.4],
    [2.5, 0.8],
    [7.2, 0.95],
  ])("2F1(a,b;b;z) = (1-z)^-a for a=%d z=%d", (a, z) => {
    const expected = Math.pow(1 - z, -a);
    expect(hyp2f1(a, 3.3, 3.3, z) / expected).toBeCloseTo(1, 9);
  });
  it.each([
    [800, 0.9],
    [5000, 0.5],
  ])("stays finite in log space far beyond double range: log 2F1(a,b;b;z) = -a ln(1-z), a=%d z=%d", (a, z) => {
    const { sign, log } = logHyp2f1(a, 2.5, 2.5, z);
    expect(sign).toBe(1);
    expect(log / (-a * Math.log(1 - z))).toBeCloseTo(1, 9);
  });
  it("rejects z outside [0, 1)", () => expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError));
});
