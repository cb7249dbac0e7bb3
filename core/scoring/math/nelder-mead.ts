// Derivative-free minimiser for the few-parameter likelihoods (BG/NBD, Gamma-Gamma). The
// callers optimise log-parameters, so the search space is unbounded and every point valid.

export interface MinimiseResult {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export interface NelderMeadOptions {
  maxIterations?: number;
  tolerance?: number;
  initialStep?: number;
}

export function nelderMead(f: (x: number[]) => number, start: number[], options: NelderMeadOptions = {}): MinimiseResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 2000 * n;
  const tolerance = options.tolerance ?? 1e-10;
  const step = options.initialStep ?? 0.5;
  // Non-finite values (overflow far from the optimum) count as "worse than anything".
  const safe = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  let simplex: { x: number[]; v: number }[] = [{ x: start.slice(), v: safe(start) }];
  for (let i = 0; i < n; i++) {
    const x = start.slice();
    x[i] += step;
    simplex.push({ x, v: safe(x) });
  }
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0];
    const worst = simplex[n];
    const spread = Math.abs(worst.v - best.v);
    const size = Math.max(...simplex.map((p) => Math.max(...p.x.map((xi, i) => Math.abs(xi - best.x[i])))));
    if (spread <= tolerance * (Math.abs(best.v) + tolerance) && size < 1e-7) {
      converged = true;
      break;
    }
    const centroid = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i].x[j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j] - c));
    const reflected = along(-1);
    const vr = safe(reflected);
    if (vr < best.v) {
      const expanded = along(-2);
      const ve = safe(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: reflected, v: vr };
    } else {
      const contracted = vr < worst.v ? along(-0.5) : along(0.5);
      const vc = safe(contracted);
      if (vc < Math.min(vr, worst.v)) {
        simplex[n] = { x: contracted, v: vc };
      } else {
        // Shrink every vertex halfway toward the best one.
        for (let i = 1; i <= n; i++) {
          const x = simplex[i].x.map((xi, j) => best.x[j] + 0.5 * (xi - best.x[j]));
          simplex[i] = { x, v: safe(x) };
        }
      }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return { x: simplex[0].x, value: simplex[0].v, iterations, converged };
}

/**
 * Nelder–Mead restarted from its own answer until two runs agree: a collapsed simplex is the
 * classic way it stalls on a ridge, and restarting with a fresh simplex escapes it.
 */
export function minimiseWithRestarts(f: (x: number[]) => number, start: number[], restarts = 6): MinimiseResult {
  let result = nelderMead(f, start);
  for (let i = 0; i < restarts; i++) {
    const next = nelderMead(f, result.x, { initialStep: 0.25 });
    const improved = result.value - next.value;
    result = next.value <= result.value ? next : result;
    if (improved < 1e-9 * (Math.abs(result.value) + 1)) break;
  }
  return result;
}
