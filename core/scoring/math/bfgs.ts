// Quasi-Newton minimiser (BFGS, Nocedal & Wright ch. 6) for the few-parameter likelihoods,
// with a line search satisfying the strong Wolfe conditions (N&W algorithms 3.5 and 3.6).
// A non-finite value (outside the callers' log-parameter bound, or overflow) is "too far":
// the line search shrinks the step instead of failing.

/** Value and gradient at x, from one pass over the data. */
export type ValueAndGradient = (x: readonly number[]) => { value: number; gradient: number[] };

export interface BfgsOptions {
  /** Converged when ‖gradient‖∞ ≤ gradientTolerance · (1 + |f|). */
  gradientTolerance?: number;
  maxIterations?: number;
  /** Longest step (∞-norm) tried first: keeps the first, unscaled steps from leaping far. */
  maxStep?: number;
}

export interface BfgsResult {
  x: number[];
  value: number;
  gradient: number[];
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** gradient: the tolerance was met; stalled: no further decrease above rounding, with a small gradient. */
  reason: "gradient" | "stalled" | "line search failed" | "max iterations" | "non-finite start";
}

// Sufficient decrease and curvature constants (N&W's usual choice for quasi-Newton methods).
const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_EVALUATIONS = 40;
// Relative rounding in f, a sum over thousands of terms (a few hundred ulps).
const ROUNDING = 1e-13;
// Near the optimum the achievable decrease falls below rounding in f before the gradient meets
// a tight tolerance; a stall there is convergence if the gradient is within this factor of it.
const STALL_FACTOR = 1e3;

interface Point {
  t: number;
  x: number[];
  value: number;
  gradient: number[];
  slope: number;
}

const infNorm = (v: readonly number[]) => v.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
const dot = (u: readonly number[], v: readonly number[]) => u.reduce((s, e, i) => s + e * v[i], 0);

/**
 * Step length along p from x (value f0, directional derivative slope0 < 0) meeting the strong
 * Wolfe conditions, or null when none is found within the evaluation budget.
 */
function lineSearch(fg: ValueAndGradient, x: readonly number[], f0: number, slope0: number, p: readonly number[], t1: number, count: () => void): Point | null {
  let evaluations = 0;
  const at = (t: number): Point => {
    evaluations++;
    count();
    const y = x.map((v, i) => v + t * p[i]);
    const { value, gradient } = fg(y);
    return { t, x: y, value, gradient, slope: dot(gradient, p) };
  };
  // Near the minimum the decrease sought falls below rounding in f while the gradient is still
  // informative: there, a step whose value is no worse up to rounding and whose slope has not
  // turned steeply uphill counts (Hager & Zhang's approximate Wolfe condition).
  const noise = ROUNDING * (1 + Math.abs(f0));
  const sufficient = (q: Point) =>
    q.value <= f0 + C1 * q.t * slope0 || (q.value <= f0 + noise && q.slope <= (1 - 2 * C1) * -slope0);
  const curvature = (q: Point) => Math.abs(q.slope) <= -C2 * slope0;

  // Zoom in on [lo, hi], where lo has sufficient decrease and a lower value than hi.
  const zoom = (lo: Point, hi: Point): Point | null => {
    while (evaluations < MAX_LINE_EVALUATIONS) {
      const t = interpolate(lo, hi);
      if (t === lo.t || t === hi.t) break;
      const q = at(t);
      if (!Number.isFinite(q.value) || !sufficient(q) || q.value >= lo.value) {
        hi = q;
      } else {
        if (curvature(q)) return q;
        if (q.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = q;
      }
    }
    // Out of budget: a step with sufficient decrease still makes progress.
    return lo.t > 0 ? lo : null;
  };

  const origin: Point = { t: 0, x: x.slice(), value: f0, gradient: [], slope: slope0 };
  let prev = origin;
  let t = t1;
  let tooFar = Infinity;
  while (evaluations < MAX_LINE_EVALUATIONS) {
    const q = at(t);
    if (!Number.isFinite(q.value)) {
      // Past the bound or an overflow: come back toward the last good step.
      tooFar = t;
      t = prev.t + 0.5 * (t - prev.t);
      continue;
    }
    if (!sufficient(q) || (prev !== origin && q.value >= prev.value)) return zoom(prev, q);
    if (curvature(q)) return q;
    if (q.slope >= 0) return zoom(q, prev);
    prev = q;
    // Still descending: extend, but not past a point already known to be out of range.
    t = Number.isFinite(tooFar) ? t + 0.5 * (tooFar - t) : 2 * t;
  }
  return prev.t > 0 ? prev : null;
}

/** Minimiser of the cubic through both ends (values and slopes), kept inside the bracket. */
function interpolate(lo: Point, hi: Point): number {
  const a = lo.t;
  const b = hi.t;
  const bisect = a + 0.5 * (b - a);
  if (!Number.isFinite(hi.value) || !Number.isFinite(hi.slope)) return bisect;
  const d1 = lo.slope + hi.slope - (3 * (lo.value - hi.value)) / (a - b);
  const disc = d1 * d1 - lo.slope * hi.slope;
  if (!(disc >= 0)) return bisect;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const t = b - (b - a) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2));
  // Safeguard: stay at least a tenth of the bracket from either end.
  const [left, right] = a < b ? [a, b] : [b, a];
  const margin = 0.1 * (right - left);
  if (!Number.isFinite(t) || t < left + margin || t > right - margin) return bisect;
  return t;
}

export function bfgs(fg: ValueAndGradient, start: readonly number[], options: BfgsOptions = {}): BfgsResult {
  const n = start.length;
  const tolerance = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200 * n;
  const maxStep = options.maxStep ?? Infinity;
  let evaluations = 1;
  let x = start.slice();
  let { value, gradient } = fg(x);
  const done = (iterations: number, reason: BfgsResult["reason"]): BfgsResult => ({
    x, value, gradient, iterations, evaluations, reason, converged: reason === "gradient" || reason === "stalled",
  });
  if (!Number.isFinite(value) || !gradient.every(Number.isFinite)) return done(0, "non-finite start");
  // Inverse Hessian approximation; null until the first step sets its scale (N&W eq. 6.20).
  let H: number[][] | null = null;
  for (let k = 0; k < maxIterations; k++) {
    const gNorm = infNorm(gradient);
    if (gNorm <= tolerance * (1 + Math.abs(value))) return done(k, "gradient");
    let p = H ? H.map((row) => -dot(row, gradient)) : gradient.map((g) => -g);
    let slope = dot(gradient, p);
    if (!(slope < 0)) {
      // Rounding broke the approximation's positive definiteness: restart from steepest descent.
      H = null;
      p = gradient.map((g) => -g);
      slope = -dot(gradient, gradient);
    }
    // Without curvature information the first step's length is a guess: make it modest.
    const pNorm = infNorm(p);
    const t1 = Math.min(1, maxStep / pNorm, H ? Infinity : 1 / pNorm);
    const step = lineSearch(fg, x, value, slope, p, t1, () => evaluations++);
    if (!step) {
      const stalled = gNorm <= STALL_FACTOR * tolerance * (1 + Math.abs(value));
      return done(k, stalled ? "stalled" : "line search failed");
    }
    const s = step.x.map((v, i) => v - x[i]);
    const y = step.gradient.map((g, i) => g - gradient[i]);
    const decrease = value - step.value;
    x = step.x;
    value = step.value;
    gradient = step.gradient;
    const sy = dot(s, y);
    // Update only with positive curvature (the Wolfe step guarantees it up to rounding).
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (!H) {
        const scale = sy / dot(y, y);
        H = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? scale : 0)));
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded.
      const rho = 1 / sy;
      const Hy = H.map((row) => dot(row, y));
      const yHy = dot(y, Hy);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i][j] += -rho * (s[i] * Hy[j] + Hy[i] * s[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
      }
    }
    // A step that changes neither x nor f beyond rounding cannot be improved on.
    if (decrease <= 1e-15 * (1 + Math.abs(value)) && infNorm(s) <= 1e-12 * (1 + infNorm(x))) {
      const small = infNorm(gradient) <= STALL_FACTOR * tolerance * (1 + Math.abs(value));
      return done(k + 1, small ? "stalled" : "line search failed");
    }
  }
  return done(maxIterations, "max iterations");
}
