import { describe, expect, it } from "vitest";
import { hyp2f1, lgamma, logAddExp, logHyp2f1 } from "../../../core/scoring/math/special";

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
