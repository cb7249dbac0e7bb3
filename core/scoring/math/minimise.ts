// Multi-start minimisation for the model fits: BFGS from every start, the best converged
// answer wins; Nelder–Mead (the previous optimiser) only when BFGS converges from none.
import { bfgs, type ValueAndGradient } from "./bfgs";
import { minimiseWithRestarts } from "./nelder-mead";

export type Optimiser = "bfgs" | "nelder-mead";

export interface Objective {
  value: (x: readonly number[]) => number;
  valueAndGradient: ValueAndGradient;
}

export interface MultiStartResult {
  x: number[];
  value: number;
  converged: boolean;
  /** Which method produced x: BFGS, or Nelder–Mead as asked or as the fallback. */
  method: Optimiser;
  iterations: number;
  /** Objective evaluations over all starts (a BFGS evaluation includes the gradient). */
  evaluations: number;
}

export interface MultiStartOptions {
  optimiser?: Optimiser;
  /** Longest first step in the parameters' units (the fits work in log units). */
  maxStep?: number;
}

export function minimiseFromStarts(objective: Objective, starts: readonly number[][], options: MultiStartOptions = {}): MultiStartResult {
  let iterations = 0;
  let evaluations = 0;
  if ((options.optimiser ?? "bfgs") === "bfgs") {
    let best: { x: number[]; value: number } | null = null;
    for (const start of starts) {
      const res = bfgs(objective.valueAndGradient, start, { maxStep: options.maxStep });
      iterations += res.iterations;
      evaluations += res.evaluations;
      if (res.converged && (!best || res.value < best.value)) best = res;
    }
    if (best) return { x: best.x, value: best.value, converged: true, method: "bfgs", iterations, evaluations };
  }
  const counted = (x: number[]) => {
    evaluations++;
    return objective.value(x);
  };
  let best = minimiseWithRestarts(counted, starts[0].slice());
  iterations += best.iterations;
  for (const start of starts.slice(1)) {
    const res = minimiseWithRestarts(counted, start.slice());
    iterations += res.iterations;
    if (res.value < best.value) best = res;
  }
  return { x: best.x, value: best.value, converged: best.converged, method: "nelder-mead", iterations, evaluations };
}
