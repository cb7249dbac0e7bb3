// Seeded simulators for parameter-recovery tests: draw customers from known BG/NBD and
// Gamma-Gamma parameters.
import { createRng as seededRng, type Rng } from "../../../core/random";

function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape, rate) by Marsaglia–Tsang (boosted for shape < 1). */
export function gamma(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return gamma(rng, shape + 1, rate) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a, 1);
  return x / (x + gamma(rng, b, 1));
}

export interface SimulatedCustomer {
  frequency: number;
  recency: number;
  T: number;
  monetary: number;
}

/** Customers whose first purchase is at 0 and who are observed for T ∈ [minT, maxT]. */
export function simulateBgnbd(
  params: { r: number; alpha: number; a: number; b: number },
  n: number,
  seed: number,
  [minT, maxT]: [number, number],
): SimulatedCustomer[] {
  const rng = seededRng(seed);
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const T = minT + (maxT - minT) * rng();
    const lambda = gamma(rng, params.r, params.alpha);
    const p = beta(rng, params.a, params.b);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += -Math.log(1 - rng()) / lambda;
      if (t > T) break;
      x++;
      tx = t;
      if (rng() < p) break; // drops out after this purchase
    }
    out.push({ frequency: x, recency: tx, T, monetary: 0 });
  }
  return out;
}

/** Repeat buyers with 1..maxX transactions and the mean of their gamma-gamma spends. */
export function simulateGammaGamma(params: { p: number; q: number; gamma: number }, n: number, seed: number, maxX = 8) {
  const rng = seededRng(seed);
  return Array.from({ length: n }, () => {
    const x = 1 + Math.floor(rng() * maxX);
    const nu = gamma(rng, params.q, params.gamma);
    let sum = 0;
    for (let j = 0; j < x; j++) sum += gamma(rng, params.p, nu);
    return { frequency: x, monetary: sum / x };
  });
}
