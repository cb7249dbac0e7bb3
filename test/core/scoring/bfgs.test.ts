import { describe, expect, it } from "vitest";
import { bfgs, type ValueAndGradient } from "../../../core/scoring/math/bfgs";
import { minimiseFromStarts } from "../../../core/scoring/math/minimise";

const rosenbrock: ValueAndGradient = ([x, y]) => ({
  value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
});
// An ill-conditioned bowl (curvatures 1 to 10^4) with its centre away from the start.
const bowl = (centre: number[]): ValueAndGradient => (x) => ({
  value: x.reduce((s, v, i) => s + 0.5 * 10 ** i * (v - centre[i]) ** 2, 3),
  gradient: x.map((v, i) => 10 ** i * (v - centre[i])),
});

describe("BFGS", () => {
  it.each([
    [[-1.2, 1]],
    [[3, -2]],
    [[0, 0]],
  ])("finds Rosenbrock's minimum (1, 1) from %o", (start) => {
    const res = bfgs(rosenbrock, start, { gradientTolerance: 1e-10 });
    expect(res.converged).toBe(true);
    expect(res.reason).toBe("gradient");
    expect(Math.abs(res.x[0] - 1)).toBeLessThan(1e-7);
    expect(Math.abs(res.x[1] - 1)).toBeLessThan(1e-7);
    expect(res.evaluations).toBeGreaterThanOrEqual(res.iterations);
    expect(res.evaluations).toBeLessThan(200);
  });
  it.each([
    [[0.3, -2, 5, 1]],
    [[10, 10, 10, 10]],
  ])("finds the centre of an ill-conditioned 4-d quadratic %o in few iterations", (centre) => {
    const res = bfgs(bowl(centre), [0, 0, 0, 0], { gradientTolerance: 1e-11 });
    expect(res.converged).toBe(true);
    res.x.forEach((v, i) => expect(Math.abs(v - centre[i])).toBeLessThan(1e-8));
    expect(res.value).toBeCloseTo(3, 12);
    // Steepest descent would need ~10^4 · ln(10^12) iterations at this conditioning.
    expect(res.iterations).toBeLessThan(40);
  });
  it("shrinks a step that lands where the function is infinite (a parameter bound)", () => {
    // −x − ln(3 − x): minimum at 2, a barrier at 3; from far left the function is nearly linear,
    // so the line search extends its step until it overshoots the barrier.
    let pastBarrier = 0;
    const f: ValueAndGradient = ([x]) => {
      if (x >= 3) {
        pastBarrier++;
        return { value: Infinity, gradient: [NaN] };
      }
      return { value: -x - Math.log(3 - x), gradient: [-1 + 1 / (3 - x)] };
    };
    const res = bfgs(f, [-30], { maxStep: 100 });
    expect(pastBarrier).toBeGreaterThan(0);
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(2, 8);
  });
  it("reports no convergence when the minimum lies past the bound", () => {
    const f: ValueAndGradient = ([x]) => (x > 4 ? { value: Infinity, gradient: [NaN] } : { value: (x - 5) ** 2, gradient: [2 * (x - 5)] });
    const res = bfgs(f, [0]);
    expect(res.converged).toBe(false);
    expect(res.x[0]).toBeGreaterThan(3.9);
    expect(res.x[0]).toBeLessThanOrEqual(4);
  });
  it("refuses a start where the function is not finite", () => {
    const res = bfgs(() => ({ value: NaN, gradient: [0] }), [1]);
    expect(res).toMatchObject({ converged: false, reason: "non-finite start", evaluations: 1 });
  });
});

describe("minimiseFromStarts", () => {
  const value = (x: readonly number[]) => rosenbrock(x).value;
  it("takes the best converged BFGS answer and counts every evaluation", () => {
    const res = minimiseFromStarts({ value, valueAndGradient: rosenbrock }, [[-1.2, 1], [3, -2]]);
    expect(res.method).toBe("bfgs");
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 6);
    const single = bfgs(rosenbrock, [-1.2, 1]).evaluations + bfgs(rosenbrock, [3, -2]).evaluations;
    expect(res.evaluations).toBe(single);
  });
  it("falls back to Nelder–Mead when BFGS converges from no start (here: a gradient pointing uphill)", () => {
    const wrong: ValueAndGradient = (x) => {
      const { value: v, gradient } = rosenbrock(x);
      return { value: v, gradient: gradient.map((g) => -g) };
    };
    const res = minimiseFromStarts({ value, valueAndGradient: wrong }, [[-1.2, 1], [3, -2]]);
    expect(res.method).toBe("nelder-mead");
    expect(res.x[0]).toBeCloseTo(1, 4);
    expect(res.x[1]).toBeCloseTo(1, 4);
  });
  it("runs Nelder–Mead alone when asked", () => {
    const res = minimiseFromStarts({ value, valueAndGradient: rosenbrock }, [[-1.2, 1]], { optimiser: "nelder-mead" });
    expect(res.method).toBe("nelder-mead");
    expect(res.x[0]).toBeCloseTo(1, 4);
  });
});
