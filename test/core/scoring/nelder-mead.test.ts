import { describe, expect, it } from "vitest";
import { minimiseWithRestarts, nelderMead } from "../../../core/scoring/math/nelder-mead";

const rosenbrock = ([x, y]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const shiftedBowl = (centre: number[]) => (x: number[]) => x.reduce((s, v, i) => s + (i + 1) * (v - centre[i]) ** 2, 0);

describe("Nelder–Mead", () => {
  it.each([
    [[-1.2, 1]],
    [[3, -2]],
  ])("finds Rosenbrock's minimum (1, 1) from %o", (start) => {
    const result = minimiseWithRestarts(rosenbrock, start);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });
  it.each([
    [[0.3, -2, 5, 1]],
    [[10, 10, 10, 10]],
  ])("finds the centre of a 4-d bowl %o", (centre) => {
    const result = nelderMead(shiftedBowl(centre), [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    result.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i], 4));
  });
  it("treats non-finite values as worse than any finite one", () => {
    const f = (x: number[]) => (x[0] < 0 ? NaN : (x[0] - 2) ** 2);
    expect(nelderMead(f, [1]).x[0]).toBeCloseTo(2, 4);
  });
});
